#include "src/engine/kernels/thread_pool.h"

#include <atomic>
#include <chrono>
#include <latch>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace radixlm::engine {
namespace {

// Every index of [0, n) visited exactly once, in ranges of at most `chunk`.
void ExpectCoversOnce(ThreadPool& pool, int64_t n, int64_t chunk) {
  std::vector<std::atomic<int>> visits(static_cast<size_t>(n));
  std::atomic<int64_t> oversized{0};
  pool.ParallelFor(n, chunk, [&](int64_t begin, int64_t end) {
    if (end - begin > std::max<int64_t>(chunk, 1)) oversized.fetch_add(1);
    for (int64_t i = begin; i < end; ++i) visits[static_cast<size_t>(i)].fetch_add(1);
  });
  EXPECT_EQ(oversized.load(), 0);
  for (int64_t i = 0; i < n; ++i)
    ASSERT_EQ(visits[static_cast<size_t>(i)].load(), 1) << "index " << i;
}

TEST(ThreadPoolTest, EveryIndexRunsExactlyOnce) {
  for (int threads : {1, 2, 4}) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.num_threads(), threads);
    for (int64_t n : {0, 1, 2, 3, 7, 64, 1000}) {
      for (int64_t chunk : {0, 1, 3, 64, 5000}) ExpectCoversOnce(pool, n, chunk);
    }
  }
}

TEST(ThreadPoolTest, DefaultSizeIsOneThreadPerCore) {
  ThreadPool pool;
  EXPECT_EQ(pool.num_threads(),
            static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}

TEST(ThreadPoolTest, LoopBodiesRunConcurrentlyOnDifferentThreads) {
  // Each of the two chunks waits for the other to start: this returns only if two threads run
  // chunks at the same time (the caller alone would block in the first chunk forever).
  ThreadPool pool(2);
  for (int round = 0; round < 50; ++round) {
    std::latch both_started(2);
    std::mutex mutex;
    std::set<std::thread::id> ids;
    pool.ParallelFor(2, 1, [&](int64_t, int64_t) {
      {
        std::lock_guard<std::mutex> lock(mutex);
        ids.insert(std::this_thread::get_id());
      }
      both_started.arrive_and_wait();
    });
    EXPECT_EQ(ids.size(), 2u);
  }
}

TEST(ThreadPoolTest, ResultsWrittenByWorkersAreVisibleToTheCaller) {
  ThreadPool pool(3);
  std::vector<int64_t> squares(10000);
  for (int round = 0; round < 200; ++round) {
    pool.ParallelFor(static_cast<int64_t>(squares.size()), 16, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) squares[static_cast<size_t>(i)] = i * i + round;
    });
    for (size_t i = 0; i < squares.size(); i += 997) {
      ASSERT_EQ(squares[i], static_cast<int64_t>(i * i) + round);
    }
  }
}

TEST(ThreadPoolTest, ManyTinyLoopsInARow) {
  // The decode pattern: hundreds of short loops back to back (workers spinning between them).
  ThreadPool pool(2);
  int64_t total = 0;
  std::vector<int64_t> partial(8);
  for (int round = 0; round < 20000; ++round) {
    pool.ParallelFor(
        8, 1, [&](int64_t begin, int64_t) { partial[static_cast<size_t>(begin)] = begin + round; });
    for (int64_t value : partial) total += value;
  }
  EXPECT_EQ(total, int64_t{20000} * 28 + 8 * (int64_t{20000} * 19999 / 2));
}

TEST(ThreadPoolTest, LoopsAfterWorkersFellAsleepStillRun) {
  ThreadPool pool(2);
  for (int round = 0; round < 5; ++round) {
    // Stay busy past the spin window so the workers block on the condition variable; the next
    // loop must wake them (or run on the caller alone) and still cover every index.
    const auto until =
        std::chrono::steady_clock::now() + std::chrono::microseconds(3 * ThreadPool::kSpinMicros);
    while (std::chrono::steady_clock::now() < until) {
    }
    ExpectCoversOnce(pool, 100, 1);
  }
}

TEST(ThreadPoolTest, NestedLoopsRunInlineWithoutDeadlock) {
  ThreadPool pool(2);
  std::vector<std::atomic<int>> visits(size_t{64} * 64);
  pool.ParallelFor(64, 1, [&](int64_t outer_begin, int64_t outer_end) {
    for (int64_t outer = outer_begin; outer < outer_end; ++outer) {
      pool.ParallelFor(64, 8, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i)
          visits[static_cast<size_t>(outer * 64 + i)].fetch_add(1);
      });
    }
  });
  for (auto& visit : visits) ASSERT_EQ(visit.load(), 1);
}

TEST(ThreadPoolTest, CallersOnSeveralThreadsShareOnePool) {
  ThreadPool pool(2);
  std::vector<std::thread> callers;
  callers.reserve(3);
  std::atomic<int64_t> sum{0};
  for (int c = 0; c < 3; ++c) {
    callers.emplace_back([&] {
      for (int round = 0; round < 300; ++round) {
        pool.ParallelFor(100, 7, [&](int64_t begin, int64_t end) { sum.fetch_add(end - begin); });
      }
    });
  }
  for (std::thread& caller : callers) caller.join();
  EXPECT_EQ(sum.load(), 3 * 300 * 100);
}

}  // namespace
}  // namespace radixlm::engine

// ThreadPool runs data-parallel loops on a fixed set of threads with microsecond dispatch latency.
//
// A decode step calls ParallelFor() a few hundred times (every matmul and attention layer), so a
// call must cost a few microseconds, not a condition-variable round trip: idle workers spin for a
// short while (kSpinMicros) after each loop before they block, and the calling thread always works
// on the loop itself. Chunks are claimed dynamically, so a worker that the OS deschedules does not
// stall the call: the others take its share.
//
// Example:
//   ThreadPool pool;  // one thread per core, the caller included
//   pool.ParallelFor(rows, [&](int64_t begin, int64_t end) {
//     for (int64_t row = begin; row < end; ++row) Normalize(row);
//   });
//
// Thread safety: ParallelFor() may be called from any thread; calls from different threads are
// serialized. A ParallelFor() issued from inside a running loop body (on any of the pool's
// threads) runs inline on the calling thread instead of deadlocking.
#ifndef RADIXLM_SRC_ENGINE_KERNELS_THREAD_POOL_H_
#define RADIXLM_SRC_ENGINE_KERNELS_THREAD_POOL_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace radixlm::engine {

class ThreadPool {
 public:
  // How long an idle worker spins for the next loop before it sleeps.
  static constexpr int64_t kSpinMicros = 200;

  // Creates a pool in which `num_threads` threads (the caller of ParallelFor included) share each
  // loop; 0 means one per hardware thread. num_threads == 1 starts no thread at all.
  explicit ThreadPool(int num_threads = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // num_threads() is the number of threads that run a loop, the caller included.
  int num_threads() const { return static_cast<int>(workers_.size()) + 1; }

  // ParallelFor() calls fn(begin, end) on disjoint ranges that together cover [0, n), each
  // `chunk` indices long (the last may be shorter), and returns when all calls have returned.
  // fn must not throw. Writes made by fn are visible to the caller afterwards.
  template <typename Fn>
  void ParallelFor(int64_t n, int64_t chunk, Fn&& fn) {
    using Decayed = std::remove_reference_t<Fn>;
    Run(
        n, chunk,
        [](void* context, int64_t begin, int64_t end) {
          (*static_cast<Decayed*>(context))(begin, end);
        },
        const_cast<void*>(static_cast<const void*>(&fn)));
  }

  // ParallelFor() with a chunk size that gives each thread about four chunks.
  template <typename Fn>
  void ParallelFor(int64_t n, Fn&& fn) {
    const int64_t chunks = 4 * static_cast<int64_t>(num_threads());
    ParallelFor(n, (n + chunks - 1) / chunks, std::forward<Fn>(fn));
  }

 private:
  using ChunkFn = void (*)(void* context, int64_t begin, int64_t end);

  void Run(int64_t n, int64_t chunk, ChunkFn fn, void* context);
  void WorkerLoop();
  // Claims and runs chunks of loop `generation` until none is left or a newer loop started.
  void RunChunks(uint32_t generation);

  std::vector<std::thread> workers_;
  std::mutex run_mutex_;  // serializes ParallelFor callers

  // The current loop. claim_ packs (generation << 32 | next chunk index); a claim is a CAS on it,
  // so a worker that wakes late can never claim a chunk of a newer loop with an older loop's
  // function. The loop's fields are atomics because late workers may read them while the next
  // loop is being published (they then fail the CAS and discard what they read).
  std::atomic<uint64_t> claim_{0};
  std::atomic<ChunkFn> fn_{nullptr};
  std::atomic<void*> context_{nullptr};
  std::atomic<int64_t> n_{0};
  std::atomic<int64_t> chunk_{1};
  std::atomic<int64_t> num_chunks_{0};
  std::atomic<int64_t> unfinished_chunks_{0};

  std::atomic<bool> stop_{false};
  std::atomic<int> sleepers_{0};
  std::mutex sleep_mutex_;
  std::condition_variable wake_;
};

}  // namespace radixlm::engine

#endif  // RADIXLM_SRC_ENGINE_KERNELS_THREAD_POOL_H_

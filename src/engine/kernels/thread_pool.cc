// Invariants:
//  - claim_ = (generation << 32) | next_chunk. A loop is published by first storing
//    (generation, kClosed), then its fields, then (generation, 0); chunk i of a loop is run only
//    by the thread whose CAS moved claim_ from (generation, i) to (generation, i + 1) with
//    i < num_chunks_. Because the fields of loop g+1 are written after claim_ left generation g,
//    a thread whose CAS on (g, i) succeeds read the fields of loop g.
//  - unfinished_chunks_ is set to num_chunks_ before a loop is published and reaches 0 only after
//    every chunk of that loop has returned; Run() does not return (and so does not publish the
//    next loop) before it is 0.
//  - A sleeping worker incremented sleepers_ under sleep_mutex_ before re-checking claim_; Run()
//    reads sleepers_ after publishing (both seq_cst), so either the worker sees the new loop or
//    Run() sees the sleeper and notifies under the mutex.
#include "src/engine/kernels/thread_pool.h"

#include <algorithm>
#include <chrono>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace radixlm::engine {
namespace {

constexpr uint64_t kClosed = 0xffffffffu;

// The pool whose loop body this thread is running, to run nested loops inline.
thread_local const ThreadPool* running_pool = nullptr;

uint32_t GenerationOf(uint64_t claim) { return static_cast<uint32_t>(claim >> 32); }

void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#endif
}

class RunningPoolScope {
 public:
  explicit RunningPoolScope(const ThreadPool* pool) : previous_(running_pool) {
    running_pool = pool;
  }
  ~RunningPoolScope() { running_pool = previous_; }
  RunningPoolScope(const RunningPoolScope&) = delete;
  RunningPoolScope& operator=(const RunningPoolScope&) = delete;

 private:
  const ThreadPool* previous_;
};

}  // namespace

ThreadPool::ThreadPool(int num_threads) {
  if (num_threads <= 0) num_threads = static_cast<int>(std::thread::hardware_concurrency());
  num_threads = std::max(num_threads, 1);
  workers_.reserve(static_cast<size_t>(num_threads - 1));
  for (int i = 1; i < num_threads; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true, std::memory_order_seq_cst);
  {
    std::lock_guard<std::mutex> lock(sleep_mutex_);
    wake_.notify_all();
  }
  for (std::thread& worker : workers_) worker.join();
}

void ThreadPool::Run(int64_t n, int64_t chunk, ChunkFn fn, void* context) {
  if (n <= 0) return;
  chunk = std::max<int64_t>(chunk, 1);
  const int64_t num_chunks = (n + chunk - 1) / chunk;
  if (workers_.empty() || num_chunks == 1 || running_pool == this) {
    RunningPoolScope scope(this);
    for (int64_t begin = 0; begin < n; begin += chunk)
      fn(context, begin, std::min(n, begin + chunk));
    return;
  }
  if (num_chunks >= static_cast<int64_t>(kClosed)) {
    // Keep chunk indices below kClosed by making chunks larger.
    Run(n, (n + static_cast<int64_t>(kClosed) - 2) / (static_cast<int64_t>(kClosed) - 1), fn,
        context);
    return;
  }

  std::lock_guard<std::mutex> lock(run_mutex_);
  const uint32_t generation = GenerationOf(claim_.load(std::memory_order_relaxed)) + 1;
  const uint64_t base = static_cast<uint64_t>(generation) << 32;
  claim_.store(base | kClosed, std::memory_order_seq_cst);
  fn_.store(fn, std::memory_order_release);
  context_.store(context, std::memory_order_release);
  n_.store(n, std::memory_order_release);
  chunk_.store(chunk, std::memory_order_release);
  num_chunks_.store(num_chunks, std::memory_order_release);
  unfinished_chunks_.store(num_chunks, std::memory_order_release);
  claim_.store(base, std::memory_order_seq_cst);
  if (sleepers_.load(std::memory_order_seq_cst) > 0) {
    std::lock_guard<std::mutex> sleep_lock(sleep_mutex_);
    wake_.notify_all();
  }

  RunChunks(generation);
  for (int spins = 0; unfinished_chunks_.load(std::memory_order_acquire) != 0; ++spins) {
    // A worker holds a claimed chunk; it is running, or descheduled (then yield to it).
    if (spins < 4096) {
      CpuRelax();
    } else {
      std::this_thread::yield();
    }
  }
}

void ThreadPool::RunChunks(uint32_t generation) {
  RunningPoolScope scope(this);
  uint64_t claim = claim_.load(std::memory_order_acquire);
  while (GenerationOf(claim) == generation) {
    const ChunkFn fn = fn_.load(std::memory_order_acquire);
    void* const context = context_.load(std::memory_order_acquire);
    const int64_t n = n_.load(std::memory_order_acquire);
    const int64_t chunk = chunk_.load(std::memory_order_acquire);
    const int64_t num_chunks = num_chunks_.load(std::memory_order_acquire);
    if ((claim & 0xffffffffu) == kClosed) {  // being published: its fields are not final yet
      CpuRelax();
      claim = claim_.load(std::memory_order_acquire);
      continue;
    }
    const auto index = static_cast<int64_t>(claim & 0xffffffffu);
    if (index >= num_chunks) return;  // all chunks claimed
    if (!claim_.compare_exchange_weak(claim, claim + 1, std::memory_order_acq_rel,
                                      std::memory_order_acquire)) {
      continue;  // `claim` now holds the current value
    }
    const int64_t begin = index * chunk;
    fn(context, begin, std::min(n, begin + chunk));
    unfinished_chunks_.fetch_sub(1, std::memory_order_acq_rel);
    claim = claim_.load(std::memory_order_acquire);
  }
}

void ThreadPool::WorkerLoop() {
  // Generation 0 is "no loop yet": a worker that starts after the first loop was published still
  // joins it.
  uint32_t seen = 0;
  while (true) {
    const auto spin_until =
        std::chrono::steady_clock::now() + std::chrono::microseconds(kSpinMicros);
    uint64_t claim = claim_.load(std::memory_order_acquire);
    for (int spins = 1; GenerationOf(claim) == seen && !stop_.load(std::memory_order_relaxed);
         ++spins) {
      CpuRelax();
      if (spins % 64 == 0 && std::chrono::steady_clock::now() > spin_until) {
        std::unique_lock<std::mutex> lock(sleep_mutex_);
        sleepers_.fetch_add(1, std::memory_order_seq_cst);
        wake_.wait(lock, [&] {
          return stop_.load(std::memory_order_seq_cst) ||
                 GenerationOf(claim_.load(std::memory_order_seq_cst)) != seen;
        });
        sleepers_.fetch_sub(1, std::memory_order_seq_cst);
      }
      claim = claim_.load(std::memory_order_acquire);
    }
    if (stop_.load(std::memory_order_acquire)) return;
    seen = GenerationOf(claim);
    RunChunks(seen);
  }
}

}  // namespace radixlm::engine

// A persistent thread pool behind autotune_parallel_for, and the 64-byte aligned heap allocator.
//
// Algorithm (one parallel_for):
//   1. The caller publishes the job (body, closure, chunk count) under mu_ and bumps generation_.
//   2. Workers spin briefly on generation_ (cheap back-to-back loops), then sleep on wake_cv_.
//   3. Every participant, the caller included, claims chunk indices under mu_ until none are left,
//      so a worker that the OS schedules late never delays the job: the others take its chunks.
//   4. The caller waits (spin, then done_cv_) until chunks_left_ reaches zero.
// Chunk c covers [c * extent / n, (c + 1) * extent / n), computed without overflow.
#include "codegen/runtime/ThreadPool.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace autotune::runtime {
namespace {

/// How long an idle worker (or a waiting caller) spins before it sleeps.
constexpr std::chrono::microseconds kSpinTime(100);

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
  asm volatile("yield" ::: "memory");
#endif
}

/// Set in pool workers and in a caller while it runs chunks: nested loops then run serially.
thread_local bool t_inside_parallel = false;

int default_num_threads() {
  if (const char *env = std::getenv("AUTOTUNE_NUM_THREADS")) {
    char *end = nullptr;
    long n = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && n > 0 && n <= 4096) return static_cast<int>(n);
  }
  unsigned hc = std::thread::hardware_concurrency();
  return hc > 0 ? static_cast<int>(hc) : 1;
}

/// Spins until pred() holds or kSpinTime has passed; returns pred().
template <typename Pred>
bool spin_until(Pred pred) {
  auto start = std::chrono::steady_clock::now();
  while (true) {
    for (int i = 0; i < 64; ++i) {
      if (pred()) return true;
      cpu_relax();
    }
    if (std::chrono::steady_clock::now() - start > kSpinTime) return pred();
  }
}

class ThreadPool {
 public:
  /// The process-wide pool, created on first use with `num_threads` threads (<= 0: the default).
  /// Deliberately leaked: kernels may run from static destructors, and sleeping workers need no
  /// cleanup at exit.
  static ThreadPool &get(int num_threads = 0) {
    ThreadPool *pool = instance_.load(std::memory_order_acquire);
    if (pool) return *pool;
    std::lock_guard<std::mutex> lk(init_mu_);
    pool = instance_.load(std::memory_order_relaxed);
    if (!pool) {
      if (num_threads <= 0) num_threads = forked_num_threads_;
      pool = new ThreadPool(num_threads > 0 ? num_threads : default_num_threads());
      instance_.store(pool, std::memory_order_release);
      static bool fork_handlers_installed = false;
      if (!fork_handlers_installed) {
        // A forked child has none of the parent's workers: it forgets the pool (leaking it) and
        // makes a fresh one of the same size on first use. init_mu_ is held across fork so that
        // the child sees it unlocked and consistent.
        pthread_atfork([] { init_mu_.lock(); }, [] { init_mu_.unlock(); },
                       [] {
                         ThreadPool *old = instance_.load(std::memory_order_relaxed);
                         forked_num_threads_ = old ? old->num_threads() : 0;
                         instance_.store(nullptr, std::memory_order_relaxed);
                         init_mu_.unlock();
                       });
        fork_handlers_installed = true;
      }
    }
    return *pool;
  }

  void parallel_for(autotune_parallel_body body, void *closure, int64_t extent) {
    if (extent <= 0) return;
    if (t_inside_parallel || extent == 1 || num_threads_.load(std::memory_order_relaxed) <= 1) {
      body(0, extent, closure);
      return;
    }
    std::lock_guard<std::mutex> dispatch(dispatch_mu_);
    int64_t chunks = std::min<int64_t>(static_cast<int64_t>(workers_.size()) + 1, extent);
    uint64_t gen;
    {
      std::lock_guard<std::mutex> lk(mu_);
      body_ = body;
      closure_ = closure;
      extent_ = extent;
      num_chunks_ = chunks;
      next_chunk_ = 0;
      chunks_left_.store(chunks, std::memory_order_relaxed);
      gen = ++job_generation_;
      generation_.store(gen, std::memory_order_release);
      if (sleepers_ > 0) wake_cv_.notify_all();
    }
    t_inside_parallel = true;
    run_chunks(gen);
    t_inside_parallel = false;
    auto done = [&] { return chunks_left_.load(std::memory_order_acquire) == 0; };
    if (!(spin_ && spin_until(done))) {
      std::unique_lock<std::mutex> lk(mu_);
      done_cv_.wait(lk, done);
    }
  }

  void set_num_threads(int n) {
    if (n <= 0) n = default_num_threads();
    std::lock_guard<std::mutex> dispatch(dispatch_mu_);
    if (n == num_threads_.load()) return;
    stop_workers();
    start_workers(n);
  }

  int num_threads() const { return num_threads_.load(); }

 private:
  explicit ThreadPool(int n) { start_workers(n); }

  void start_workers(int n) {
    num_threads_.store(n);
    // Spinning on an oversubscribed machine steals time from the threads doing the work.
    spin_ = n <= static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    uint64_t gen = generation_.load();
    for (int i = 1; i < n; ++i) workers_.emplace_back([this, gen] { worker_loop(gen); });
  }

  void stop_workers() {
    {
      std::lock_guard<std::mutex> lk(mu_);
      stop_ = true;
      generation_.store(++job_generation_, std::memory_order_release);
      wake_cv_.notify_all();
    }
    for (auto &t : workers_) t.join();
    workers_.clear();
    std::lock_guard<std::mutex> lk(mu_);
    stop_ = false;
  }

  void worker_loop(uint64_t seen) {
    t_inside_parallel = true;
    while (true) {
      auto published = [&] { return generation_.load(std::memory_order_acquire) != seen; };
      if (!(spin_ && spin_until(published))) {
        std::unique_lock<std::mutex> lk(mu_);
        ++sleepers_;
        wake_cv_.wait(lk, published);
        --sleepers_;
      }
      {
        std::lock_guard<std::mutex> lk(mu_);
        if (stop_) return;
        seen = generation_.load(std::memory_order_relaxed);
      }
      run_chunks(seen);
    }
  }

  /// Claims and runs chunks of job `gen` until it has none left (or a newer job replaced it).
  void run_chunks(uint64_t gen) {
    while (true) {
      autotune_parallel_body body;
      void *closure;
      int64_t begin, end;
      {
        std::lock_guard<std::mutex> lk(mu_);
        if (job_generation_ != gen || next_chunk_ >= num_chunks_) return;
        int64_t c = next_chunk_++;
        int64_t base = extent_ / num_chunks_, rem = extent_ % num_chunks_;
        begin = c * base + std::min(c, rem);
        end = begin + base + (c < rem ? 1 : 0);
        body = body_;
        closure = closure_;
      }
      body(begin, end, closure);
      if (chunks_left_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard<std::mutex> lk(mu_);
        done_cv_.notify_one();
      }
    }
  }

  static std::atomic<ThreadPool *> instance_;
  static std::mutex init_mu_;
  static int forked_num_threads_;  // the parent's pool size, for a child's fresh pool

  std::mutex dispatch_mu_;  // one parallel_for or resize at a time
  std::mutex mu_;           // guards the job fields below
  std::condition_variable wake_cv_;
  std::condition_variable done_cv_;
  std::atomic<uint64_t> generation_{0};  // published copy of job_generation_, read while spinning
  std::atomic<int64_t> chunks_left_{0};
  std::atomic<int> num_threads_{1};
  bool spin_ = true;
  std::vector<std::thread> workers_;

  // The current job; guarded by mu_.
  uint64_t job_generation_ = 0;
  autotune_parallel_body body_ = nullptr;
  void *closure_ = nullptr;
  int64_t extent_ = 0;
  int64_t num_chunks_ = 0;
  int64_t next_chunk_ = 0;
  int sleepers_ = 0;
  bool stop_ = false;
};

std::atomic<ThreadPool *> ThreadPool::instance_{nullptr};
std::mutex ThreadPool::init_mu_;
int ThreadPool::forked_num_threads_ = 0;

}  // namespace
}  // namespace autotune::runtime

using autotune::runtime::ThreadPool;

extern "C" {

void autotune_parallel_for(autotune_parallel_body body, void *closure, int64_t extent) {
  ThreadPool::get().parallel_for(body, closure, extent);
}

void autotune_set_num_threads(int n) { ThreadPool::get(n).set_num_threads(n); }

int autotune_get_num_threads(void) { return ThreadPool::get().num_threads(); }

void *autotune_alloc(int64_t bytes) {
  constexpr int64_t kAlign = 64;
  int64_t rounded = (std::max<int64_t>(bytes, 1) + kAlign - 1) / kAlign * kAlign;
  return std::aligned_alloc(kAlign, static_cast<size_t>(rounded));
}

void autotune_free(void *ptr) { std::free(ptr); }

}  // extern "C"

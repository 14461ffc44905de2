// The runtime thread pool behind parallel loops: coverage of the range, chunking, nesting,
// concurrent callers, and the aligned allocator.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "codegen/runtime/ThreadPool.h"

namespace {

struct ThreadCount {
  int saved = autotune_get_num_threads();
  ~ThreadCount() { autotune_set_num_threads(saved); }
};

struct Coverage {
  std::vector<std::atomic<int>> hits;
  std::mutex mu;
  std::vector<std::pair<int64_t, int64_t>> chunks;
  std::set<std::thread::id> threads;
  explicit Coverage(int64_t n) : hits(static_cast<size_t>(n)) {}
};

void record(int64_t begin, int64_t end, void *closure) {
  auto *c = static_cast<Coverage *>(closure);
  for (int64_t i = begin; i < end; ++i) c->hits[static_cast<size_t>(i)]++;
  std::lock_guard<std::mutex> lk(c->mu);
  c->chunks.emplace_back(begin, end);
  c->threads.insert(std::this_thread::get_id());
}

TEST(ThreadPool, EveryIterationRunsOnceInContiguousChunks) {
  ThreadCount restore;
  for (int threads : {1, 2, 3, 4, 7}) {
    autotune_set_num_threads(threads);
    EXPECT_EQ(autotune_get_num_threads(), threads);
    for (int64_t extent : {0, 1, 2, 3, 5, 16, 100, 1001}) {
      Coverage c(extent);
      autotune_parallel_for(record, &c, extent);
      for (int64_t i = 0; i < extent; ++i) {
        ASSERT_EQ(c.hits[static_cast<size_t>(i)].load(), 1)
            << "iteration " << i << " of " << extent << " with " << threads << " threads";
      }
      int64_t expected_chunks = std::min<int64_t>(threads, extent);
      EXPECT_EQ(static_cast<int64_t>(c.chunks.size()), expected_chunks);
      for (auto [b, e] : c.chunks) {
        EXPECT_LT(b, e);
        // Balanced: chunk sizes differ by at most one.
        EXPECT_LE(e - b, (extent + threads - 1) / threads);
      }
    }
  }
}

TEST(ThreadPool, UsesSeveralThreads) {
  ThreadCount restore;
  autotune_set_num_threads(4);
  Coverage c(4);
  // Chunks that take a while, so that the workers get their share.
  autotune_parallel_for(
      [](int64_t b, int64_t e, void *closure) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        record(b, e, closure);
      },
      &c, 4);
  EXPECT_GE(c.threads.size(), 2u);
}

void nested_outer(int64_t begin, int64_t end, void *closure) {
  for (int64_t i = begin; i < end; ++i) {
    // Nested calls run serially on the calling thread.
    Coverage inner(8);
    autotune_parallel_for(record, &inner, 8);
    EXPECT_EQ(inner.chunks.size(), 1u);
    EXPECT_EQ(inner.threads.size(), 1u);
    EXPECT_EQ(*inner.threads.begin(), std::this_thread::get_id());
    static_cast<std::atomic<int> *>(closure)->fetch_add(1);
  }
}

TEST(ThreadPool, NestedCallsRunSerially) {
  ThreadCount restore;
  autotune_set_num_threads(3);
  std::atomic<int> count{0};
  autotune_parallel_for(nested_outer, &count, 10);
  EXPECT_EQ(count.load(), 10);
}

TEST(ThreadPool, ConcurrentCallersTakeTurns) {
  ThreadCount restore;
  autotune_set_num_threads(2);
  std::vector<std::thread> callers;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    callers.emplace_back([&] {
      for (int r = 0; r < 200; ++r) {
        Coverage c(37);
        autotune_parallel_for(record, &c, 37);
        for (auto &h : c.hits) {
          if (h.load() != 1) failures++;
        }
      }
    });
  }
  for (auto &t : callers) t.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(ThreadPool, ManyShortJobs) {
  // Back-to-back small jobs exercise the spin/sleep hand-off between generations.
  ThreadCount restore;
  autotune_set_num_threads(2);
  std::atomic<int64_t> sum{0};
  for (int r = 0; r < 20000; ++r) {
    autotune_parallel_for([](int64_t b, int64_t e,
                             void *s) { static_cast<std::atomic<int64_t> *>(s)->fetch_add(e - b); },
                          &sum, 3);
  }
  EXPECT_EQ(sum.load(), 60000);
}

TEST(ThreadPool, NonPositiveCountRestoresDefault) {
  ThreadCount restore;
  autotune_set_num_threads(3);
  autotune_set_num_threads(0);
  const char *env = std::getenv("AUTOTUNE_NUM_THREADS");
  int expected = env ? std::atoi(env) : static_cast<int>(std::thread::hardware_concurrency());
  EXPECT_EQ(autotune_get_num_threads(), std::max(1, expected));
}

TEST(ThreadPool, WorksInAForkedChild) {
  ThreadCount restore;
  autotune_set_num_threads(3);
  Coverage warm(4);
  autotune_parallel_for(record, &warm, 4);  // the parent's pool exists and has run
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // The child has no workers of its own until it makes a fresh pool of the parent's size.
    Coverage c(100);
    autotune_parallel_for(record, &c, 100);
    bool ok = autotune_get_num_threads() == 3 && c.chunks.size() == 3;
    for (auto &h : c.hits) ok = ok && h.load() == 1;
    _exit(ok ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
}

TEST(ThreadPool, AllocIsAlignedAndWritable) {
  for (int64_t bytes : {0, 1, 63, 64, 1000, 1 << 20}) {
    auto *p = static_cast<unsigned char *>(autotune_alloc(bytes));
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0u);
    for (int64_t i = 0; i < bytes; ++i) p[i] = static_cast<unsigned char>(i);
    autotune_free(p);
  }
  autotune_free(nullptr);
}

}  // namespace

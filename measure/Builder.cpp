// Parallel candidate builds with per-build timeouts.
//
// Algorithm (one build() call):
//  1. Queue one job per input; pool threads take jobs in order.
//  2. A pool thread runs make_kernel, emits the object into the builder's private directory and
//     links it into work_dir, classifying the first failure (see Builder.h).
//  3. The calling thread watches the jobs: a finished job yields its result; a job running for
//     longer than timeout_s is marked abandoned, reported as BuildTimeout, and a replacement
//     thread joins the pool. The abandoned job's thread deletes its output when it ends, exits.
#include "measure/Builder.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "codegen/Compile.h"
#include "codegen/Target.h"
#include "ir/core/IRVisitor.h"
#include "measure/worker/ScratchDir.h"

namespace autotune::measure {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

/// Buffers that a kernel body stores to: its outputs.
class StoredBuffers final : public ir::IRVisitor {
 public:
  std::set<const ir::Variable *> stored;
  using ir::IRVisitor::visit;
  void visit(const ir::Store *op) override {
    stored.insert(op->buffer.get());
    ir::IRVisitor::visit(op);
  }
};

std::vector<ArgSpec> arg_specs(const ir::LoweredFunc &f) {
  StoredBuffers visitor;
  visitor(f.body);
  std::vector<ArgSpec> args;
  for (const ir::KernelArg &a : f.args) {
    args.push_back({a.shape, a.dtype, visitor.stored.count(a.buffer.get()) > 0});
  }
  return args;
}

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::atomic<int> g_builder_ids{0};

struct BuildJob {
  BuildInput input;
  std::string so_path, object_path;
  bool started = false, done = false, abandoned = false;
  Clock::time_point started_at;
  BuildResult result;
};

}  // namespace

struct Builder::Impl {
  int num_threads = 1;
  double timeout_s = 0;
  std::string work_dir, object_dir;
  int id = 0;
  uint64_t next_file = 0;

  std::mutex mu;
  std::condition_variable work_cv, done_cv;
  std::deque<std::shared_ptr<BuildJob>> queue;
  std::vector<std::thread> threads;
  bool stopping = false;
  std::set<std::string> owned;  ///< shared objects made and not yet cleaned up

  void spawn_thread() {
    threads.emplace_back([this] { thread_loop(); });
  }
  void thread_loop();
  static BuildResult build_one(const BuildJob &job);
};

BuildResult Builder::Impl::build_one(const BuildJob &job) {
  auto start = Clock::now();
  BuildResult r;
  auto fail = [&](MeasureStatus status, std::string error) {
    r.status = status;
    r.error = std::move(error);
    r.build_s = seconds_since(start);
    return r;
  };

  ir::LoweredFunc func;
  try {
    func = job.input.make_kernel();
  } catch (const UserError &e) {
    return fail(MeasureStatus::InvalidConfig, e.what());
  } catch (const std::exception &e) {
    return fail(MeasureStatus::CompileHost, std::string("lowering failed: ") + e.what());
  } catch (...) {
    return fail(MeasureStatus::CompileHost, "lowering failed with an unknown exception");
  }
  r.kernel_name = func.name;
  r.args = arg_specs(func);

  codegen::Target target;
  try {
    target = job.input.target.empty() ? codegen::Target::host()
                                      : codegen::Target::parse(job.input.target);
  } catch (const std::exception &e) {
    return fail(MeasureStatus::CompileHost, std::string("bad target: ") + e.what());
  }
  try {
    codegen::emit_object({func}, target, job.object_path);
  } catch (const std::exception &e) {
    std::remove(job.object_path.c_str());
    return fail(MeasureStatus::CompileHost, std::string("code generation failed: ") + e.what());
  }
  try {
    codegen::link_shared({job.object_path}, job.so_path);
  } catch (const std::exception &e) {
    std::remove(job.object_path.c_str());
    std::remove(job.so_path.c_str());
    return fail(MeasureStatus::CompileDevice, std::string("linking failed: ") + e.what());
  }
  std::remove(job.object_path.c_str());
  r.status = MeasureStatus::Ok;
  r.so_path = job.so_path;
  r.build_s = seconds_since(start);
  return r;
}

void Builder::Impl::thread_loop() {
  std::unique_lock<std::mutex> lk(mu);
  while (true) {
    work_cv.wait(lk, [&] { return stopping || !queue.empty(); });
    if (queue.empty()) return;  // stopping
    std::shared_ptr<BuildJob> job = queue.front();
    queue.pop_front();
    job->started = true;
    job->started_at = Clock::now();
    lk.unlock();
    BuildResult r = build_one(*job);
    lk.lock();
    if (job->abandoned) {
      // Reported as BuildTimeout already, and a replacement thread took this one's place.
      if (r.status == MeasureStatus::Ok) std::remove(r.so_path.c_str());
      return;
    }
    if (r.status == MeasureStatus::Ok) owned.insert(r.so_path);
    job->result = std::move(r);
    job->done = true;
    done_cv.notify_all();
  }
}

Builder::Builder(int num_threads, double timeout_s, std::string work_dir)
    : impl_(std::make_unique<Impl>()) {
  Impl &s = *impl_;
  if (num_threads <= 0) num_threads = static_cast<int>(std::thread::hardware_concurrency());
  s.num_threads = std::max(1, num_threads);
  user_check(timeout_s > 0) << "build timeout must be positive, got " << timeout_s << " s";
  s.timeout_s = timeout_s;
  user_check(!work_dir.empty()) << "the builder needs a work directory";
  std::error_code ec;
  fs::create_directories(work_dir, ec);
  user_check(!ec && fs::is_directory(work_dir))
      << "cannot create the build directory '" << work_dir << "'"
      << (ec ? ": " + ec.message() : std::string(": a file of that name exists"));
  s.work_dir = fs::absolute(work_dir).lexically_normal().string();
  s.object_dir = make_scratch_dir("", "autotune-objects");
  s.id = g_builder_ids++;
  std::lock_guard<std::mutex> lk(s.mu);
  for (int i = 0; i < s.num_threads; ++i) s.spawn_thread();
}

Builder::~Builder() {
  {
    std::lock_guard<std::mutex> lk(impl_->mu);
    impl_->stopping = true;
    impl_->queue.clear();
  }
  impl_->work_cv.notify_all();
  for (std::thread &t : impl_->threads) t.join();
  cleanup();
  std::error_code ec;
  fs::remove_all(impl_->object_dir, ec);
}

std::vector<BuildResult> Builder::build(const std::vector<BuildInput> &inputs) {
  Impl &s = *impl_;
  std::vector<std::shared_ptr<BuildJob>> jobs;
  std::unique_lock<std::mutex> lk(s.mu);
  for (const BuildInput &in : inputs) {
    auto job = std::make_shared<BuildJob>();
    job->input = in;
    std::string stem = "cand-" + std::to_string(getpid()) + "-" + std::to_string(s.id) + "-" +
                       std::to_string(s.next_file++);
    job->so_path = s.work_dir + "/" + stem + ".so";
    job->object_path = s.object_dir + "/" + stem + ".o";
    jobs.push_back(job);
    s.queue.push_back(job);
  }
  s.work_cv.notify_all();

  // Watch the jobs until each has finished or timed out.
  const bool has_timeout = s.timeout_s < 1e9;
  const auto timeout = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(has_timeout ? s.timeout_s : 1e9));
  std::vector<BuildResult> results(jobs.size());
  std::vector<bool> resolved(jobs.size(), false);
  size_t left = jobs.size();
  while (left > 0) {
    auto now = Clock::now();
    auto wake = now + std::chrono::seconds(1);
    for (size_t i = 0; i < jobs.size(); ++i) {
      if (resolved[i]) continue;
      BuildJob &job = *jobs[i];
      if (job.done) {
        results[i] = std::move(job.result);
        if (has_timeout && results[i].build_s > s.timeout_s) {
          // Finished, but only after the deadline passed between two looks: still a timeout.
          if (s.owned.erase(results[i].so_path)) std::remove(results[i].so_path.c_str());
          BuildResult late;
          late.status = MeasureStatus::BuildTimeout;
          late.error = "build took " + std::to_string(results[i].build_s) +
                       " s, over the timeout of " + std::to_string(s.timeout_s) + " s";
          late.build_s = results[i].build_s;
          results[i] = std::move(late);
        }
        resolved[i] = true;
        --left;
        continue;
      }
      if (!job.started || !has_timeout) continue;
      auto deadline = job.started_at + timeout;
      if (now < deadline) {
        wake = std::min(wake, deadline);
        continue;
      }
      job.abandoned = true;
      BuildResult &r = results[i];
      r.status = MeasureStatus::BuildTimeout;
      r.error = "build exceeded the timeout of " + std::to_string(s.timeout_s) +
                " s (its thread finishes in the background; the result is discarded)";
      r.build_s = std::chrono::duration<double>(now - job.started_at).count();
      resolved[i] = true;
      --left;
      s.spawn_thread();  // keep num_threads builds going
    }
    if (left > 0) s.done_cv.wait_until(lk, wake);
  }
  return results;
}

void Builder::cleanup(const std::vector<BuildResult> &results) {
  std::lock_guard<std::mutex> lk(impl_->mu);
  for (const BuildResult &r : results) {
    if (!r.so_path.empty() && impl_->owned.erase(r.so_path)) std::remove(r.so_path.c_str());
  }
}

void Builder::cleanup() {
  std::lock_guard<std::mutex> lk(impl_->mu);
  for (const std::string &path : impl_->owned) std::remove(path.c_str());
  impl_->owned.clear();
}

const std::string &Builder::work_dir() const { return impl_->work_dir; }
int Builder::num_threads() const { return impl_->num_threads; }
double Builder::timeout_s() const { return impl_->timeout_s; }

}  // namespace autotune::measure

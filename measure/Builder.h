// The Builder: compiles tuning candidates to shared objects in parallel, each under a timeout.
// First stage of a measurement (Builder -> Runner); it runs in the tuner's process with LLVM.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "measure/MeasureTypes.h"

namespace autotune::measure {

/// Builds candidates on a small pool of threads. Each build:
///   make_kernel()                       UserError -> InvalidConfig, other errors -> CompileHost
///   codegen::emit_object (private dir)  any error -> CompileHost
///   codegen::link_shared -> work_dir    any error -> CompileDevice
/// A build whose wall time exceeds timeout_s is reported as BuildTimeout. Its thread cannot be
/// killed (LLVM has no cancellation): it is abandoned, a replacement thread keeps the pool at
/// size, and when the abandoned build ends its output is deleted and its thread exits; the
/// destructor joins it. The timeout clock starts when a build starts, not while it is queued.
///
/// The Builder owns the .so files it creates: they live until cleanup() (or destruction), so
/// that a reference kernel can outlive many batches.
class Builder {
 public:
  /// `num_threads` parallel builds (<= 0: the hardware concurrency); `timeout_s` per build;
  /// shared objects go to `work_dir`, created if missing (UserError when that fails).
  Builder(int num_threads, double timeout_s, std::string work_dir);
  /// Joins every thread (waiting for abandoned builds) and deletes every file it still owns.
  ~Builder();
  Builder(const Builder &) = delete;
  Builder &operator=(const Builder &) = delete;

  /// Builds every input, in parallel; results are in input order. Never throws for a failing
  /// candidate: each failure is a status and message.
  std::vector<BuildResult> build(const std::vector<BuildInput> &inputs);

  /// Deletes the shared objects of `results` (those this builder made; others are ignored).
  void cleanup(const std::vector<BuildResult> &results);
  /// Deletes every shared object this builder made and still owns.
  void cleanup();

  const std::string &work_dir() const;
  int num_threads() const;
  double timeout_s() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace autotune::measure

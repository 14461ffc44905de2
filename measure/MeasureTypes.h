// What measurement takes and returns: candidates to build, built kernels to run, and the
// outcome of each (status codes modelled on AutoTVM's error numbers).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ir/core/IR.h"

namespace autotune::measure {

/// Outcome of one trial. Expected failures are values, never exceptions (STYLE.md section 6).
enum class MeasureStatus : uint8_t {
  Ok,
  InvalidConfig,   ///< the config does not instantiate (template raised a user error)
  CompileHost,     ///< lowering or LLVM code generation failed
  CompileDevice,   ///< linking / device-side compilation failed
  RuntimeDevice,   ///< the kernel crashed (signal) or returned non-zero on the worker
  WrongAnswer,     ///< the output differs from the reference schedule's
  BuildTimeout,
  RunTimeout,      ///< the kernel did not finish in time; the worker was replaced
  Unknown,
};
const char *status_name(MeasureStatus s);             ///< "ok", "runtime_device", ...
MeasureStatus status_from_name(const std::string &s);  ///< UserError on an unknown name

/// Timing protocol: `number` runs per repeat (grown until one repeat lasts min_repeat_ms),
/// `repeat` repeats after one warm-up run; optionally the caches are flushed before each repeat.
struct TimingOptions {
  int number = 1;
  int repeat = 3;
  double min_repeat_ms = 10.0;
  bool flush_cache = false;
  double timeout_s = 10.0;  ///< per run request (warm-up + all repeats)
};

/// A kernel argument as the worker allocates it: shape, type, and whether the kernel writes it.
struct ArgSpec {
  std::vector<int64_t> shape;
  ir::DataType dtype;
  bool is_output = false;
};

/// One candidate to build: a function producing its lowered kernel (may throw UserError ->
/// InvalidConfig, InternalError -> CompileHost) and the target string.
struct BuildInput {
  std::function<ir::LoweredFunc()> make_kernel;
  std::string target;
};

struct BuildResult {
  MeasureStatus status = MeasureStatus::Unknown;
  std::string error;
  std::string so_path;      ///< the shared object, when status is Ok
  std::string kernel_name;
  std::vector<ArgSpec> args;
  double build_s = 0;
};

/// One built kernel to run, compared against a reference kernel (same arguments) on the same
/// deterministic random inputs; reference_so empty = no check.
struct RunInput {
  std::string so_path, kernel_name;
  std::string reference_so, reference_kernel;
  std::vector<ArgSpec> args;
  TimingOptions timing;
  double rtol = 1e-3, atol = 1e-4;
};

struct RunResult {
  MeasureStatus status = MeasureStatus::Unknown;
  std::string error;
  std::vector<double> costs_s;  ///< seconds per kernel call, one per repeat
  double mean_s = 0, median_s = 0;
  double run_s = 0;             ///< wall time of the whole request
};

}  // namespace autotune::measure

// What a measurement worker is asked to run and what it answers: status codes (modelled on
// AutoTVM's error numbers), the timing protocol and the run result. No compiler IR here: the
// worker (autotune-rpc) links only the runtime, so these types travel without ir::DataType.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace autotune::measure {

/// Outcome of one trial. Expected failures are values, never exceptions (STYLE.md section 6).
/// The numeric values are stored in tuning databases: append new values, never reorder.
enum class MeasureStatus : uint8_t {
  Ok,
  InvalidConfig,  ///< the config does not instantiate (template raised a user error)
  CompileHost,    ///< lowering or LLVM code generation failed
  CompileDevice,  ///< linking / device-side compilation failed
  RuntimeDevice,  ///< the kernel crashed (signal) or returned non-zero on the worker
  WrongAnswer,    ///< the output differs from the reference schedule's
  BuildTimeout,
  RunTimeout,  ///< the kernel did not finish in time; the worker was replaced
  Unknown,
};
const char *status_name(MeasureStatus s);              ///< "ok", "runtime_device", ...
MeasureStatus status_from_name(const std::string &s);  ///< UserError on an unknown name

/// Timing protocol: `number` runs per repeat (grown until one repeat lasts min_repeat_ms),
/// `repeat` repeats after one warm-up run; optionally the caches are flushed before each repeat.
struct TimingOptions {
  int number = 1;
  int repeat = 3;
  double min_repeat_ms = 10.0;
  bool flush_cache = false;
  /// Per run request: warm-up + all repeats, plus the reference kernel's run the first time a
  /// worker sees that reference.
  double timeout_s = 10.0;
};

/// A kernel argument as the worker allocates it, in wire form: shape, element type spelled as
/// ir::DataType::str() does for scalars ("float32", "int64", "uint8", "bool"), and whether the
/// kernel writes it (outputs are compared with the reference's).
struct BufferSpec {
  std::vector<int64_t> shape;
  std::string dtype = "float32";
  bool is_output = false;
};

struct RunResult {
  MeasureStatus status = MeasureStatus::Unknown;
  std::string error;
  std::vector<double> costs_s;  ///< seconds per kernel call, one per repeat
  double mean_s = 0, median_s = 0;
  double run_s = 0;  ///< wall time of the whole request
};

}  // namespace autotune::measure

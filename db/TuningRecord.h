// The rows of the tuning database: workloads, targets and one measured configuration per record.
// Plain values shared by the tuner (which produces them) and every Database implementation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autotune::db {

/// One tunable kernel. `key` is a stable hash string computed by the caller (searchspace's task
/// key: op kind, shapes, dtypes, attributes); the database treats it as an opaque identifier.
struct Workload {
  std::string key;
  std::string op_kind;           ///< e.g. "conv2d_nchwc", "dense"; used for transfer learning
  std::string description_json;  ///< human-readable JSON of the workload, stored verbatim
};

/// Where records were measured. `target_string` is the codegen target ("llvm -mcpu=znver2"),
/// `device` names the device that ran the kernels ("local", an RPC key).
struct Target {
  std::string target_string;
  std::string device;
};

/// Outcome of measuring one configuration (modelled on AutoTVM's error codes).
enum class MeasureStatus {
  Ok,
  InvalidConfig,  ///< the config could not be instantiated (invalid knob combination)
  CompileHost,    ///< lowering or host code generation failed
  CompileDevice,  ///< device code generation or linking failed
  RuntimeDevice,  ///< the kernel crashed or failed while running
  WrongAnswer,    ///< the output differed from the default schedule's output
  BuildTimeout,   ///< the build exceeded its time limit
  RunTimeout,     ///< the run exceeded its time limit
  Unknown,        ///< any other failure
};

/// Stable snake_case name stored in the database and in exported logs ("ok", "run_timeout").
const char *to_string(MeasureStatus status);
/// Inverse of to_string; std::nullopt for a name this version does not know.
std::optional<MeasureStatus> measure_status_from_string(std::string_view name);
/// Short human-readable message ("run timeout", "wrong answer").
const char *measure_status_message(MeasureStatus status);

/// One measured configuration of a workload on a target.
struct TuningRecord {
  std::string workload_key;     ///< Workload::key; the workload must have been added first
  std::string target;           ///< Target::target_string; the target must have been added first
  int64_t config_index = 0;     ///< index of the config in its ConfigSpace
  std::string config_json;      ///< the knob values, stored verbatim (the index alone is not stable
                                ///< across search-space changes)
  std::vector<double> costs_s;  ///< every repeat's time in seconds (empty for a failure)
  /// Mean of costs_s in seconds. Failures conventionally store +infinity; NaN is stored as NULL.
  double mean_s = 0.0;
  MeasureStatus status = MeasureStatus::Ok;
  std::string error_msg;   ///< empty for Ok
  double timestamp = 0.0;  ///< seconds since the Unix epoch when the measurement finished
  std::string tuner;       ///< tuner that proposed the config ("ga", "random", ...)
  std::string version;     ///< autotune version that measured it
  int64_t id = 0;          ///< set by the database (insertion order); ignored by add_records
};

}  // namespace autotune::db

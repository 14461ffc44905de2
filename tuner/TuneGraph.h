// Tuning a whole model: the tuner's recipe from an ONNX file to a filled tuning database.
#pragma once

#include <string>
#include <vector>

#include "tuner/LoadModel.h"
#include "tuner/TuneTask.h"

namespace autotune::tuner {

struct TuneGraphOptions {
  TuneOptions task;             ///< per-task loop settings (trials = per-task budget)
  int64_t budget = 0;           ///< total trials over all tasks (0: `task.trials` each)
  /// How a budget is shared: "gain" (batch by batch, to the task expected to cut the model's
  /// latency most; TaskScheduler.h) or "sequential" (split up front by count x FLOPs, then the
  /// tasks one after another).
  std::string scheduler = "gain";
  std::vector<std::string> tasks;  ///< only these tasks: indices ("0", "3") or name substrings
  int threads = 1;              ///< threads of the measured kernels
  int build_threads = 2;        ///< parallel builds
  double build_timeout_s = 30;
  std::string db_path;          ///< empty: db::default_database_path()
  LoadOptions load;
  bool list_only = false;       ///< print the tasks and stop
  /// CPU target string of the --device profile (measure/DeviceProfile.h); empty: the host.
  std::string device_target;
  /// "HOST:PORT" of the tracker for an rpc device (resolved by measure::resolve_tracker);
  /// empty: measure locally.
  std::string tracker;
  std::string tracker_key;      ///< the key the device's servers register under at the tracker
  std::string rpc_token;  ///< shared secret of the tracker and servers ($AUTOTUNE_RPC_TOKEN)
};

/// Per-task summary row of a tuning session.
struct TaskSummary {
  std::string name;
  TaskOutcome outcome;
  double flops = 0;
  int64_t count = 1;
};

/// Tunes every task of `model_path` and prints progress and a final table to stderr/stdout.
std::vector<TaskSummary> tune_model(const std::string &model_path, const TuneGraphOptions &opt);

/// Trials per task for a total `budget`: proportional to count x FLOPs (at least one batch
/// each), or `per_task` each when budget is 0.
std::vector<int64_t> allocate_trials(const std::vector<double> &weights, int64_t budget,
                                     int64_t per_task, int64_t min_per_task);

}  // namespace autotune::tuner

// The tuning loop of one task: propose -> build -> measure -> record -> learn, resumable from
// the database and stoppable early.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "db/Database.h"
#include "measure/MeasureTypes.h"
#include "searchspace/Task.h"
#include "tuner/Tuner.h"

namespace autotune::measure {
class Builder;
class Runner;
}  // namespace autotune::measure

namespace autotune::tuner {

struct TuneOptions {
  int64_t trials = 100;        ///< trials per task, counting those already in the database
  int batch_size = 8;          ///< configs built and measured per round (one transaction each)
  int64_t early_stopping = 0;  ///< stop after this many trials without improvement (0: never)
  std::string tuner = "xgb";
  uint64_t seed = 1;
  measure::TimingOptions timing;
  std::string device = "local";
  int float_lanes = 8;
  bool parallel = false;       ///< emit parallel loops in candidates (match the deployment)
};

/// What happened to one task.
struct TaskOutcome {
  double default_s = 0;     ///< the default (untuned) schedule's time (+inf when it failed)
  double best_s = 0;        ///< best time over all records of the task (+inf when none ran)
  int64_t best_index = -1;
  int64_t trials_run = 0;   ///< measured in this session
  int64_t trials_total = 0; ///< in the database after this session
  int64_t errors = 0;       ///< failed trials of this session
  bool already_done = false;  ///< the task was at its budget before this session
  double build_ms_median = 0;  ///< median wall time of one candidate build in this session
  double session_s = 0;        ///< wall time of this session's tuning of the task
};

/// Progress after each batch: trials done (of `total`), best GFLOP/s so far, seconds elapsed.
using ProgressFn = std::function<void(int64_t done, int64_t total, double best_gflops,
                                      double elapsed_s)>;

/// One task's tuning, one batch at a time, so that a scheduler can interleave tasks
/// (TaskScheduler.h). The constructor builds the reference (the default schedule), times the
/// untuned baseline and resumes from the database; each step() measures one batch and commits
/// its records in one transaction before returning, so a killed run loses at most the batch in
/// flight, and a rerun skips every config already measured.
class TaskSession {
 public:
  TaskSession(const searchspace::Task &task, const TuneOptions &opt, measure::Builder &builder,
              measure::Runner &runner, db::Database &db);
  ~TaskSession();
  TaskSession(const TaskSession &) = delete;
  TaskSession &operator=(const TaskSession &) = delete;

  /// True when the task has opt.trials records, its space is exhausted or early stopping hit.
  bool done() const;
  /// Measures one batch of at most min(opt.batch_size, max_trials) configs; returns how many
  /// were measured (0 when done).
  int64_t step(int64_t max_trials);
  /// Releases the reference kernel and returns the summary. Call once, at the end.
  TaskOutcome finish();

  const searchspace::Task &task() const { return task_; }
  /// Trials of the task in the database (earlier sessions included).
  int64_t trials_total() const { return total_; }
  /// The best time so far (+inf when nothing ran) and the untuned baseline's time.
  double best_s() const;
  double default_s() const { return outcome_.default_s; }
  /// Best time after each batch of this session, in order (the scheduler's improvement rate).
  const std::vector<double> &best_history() const { return best_history_; }
  /// Trials measured in each batch of this session, in order.
  const std::vector<int64_t> &batch_sizes() const { return batch_sizes_; }
  /// Seconds since the session began.
  double elapsed_s() const;

 private:
  struct State;
  const searchspace::Task &task_;
  TuneOptions opt_;
  measure::Builder &builder_;
  measure::Runner &runner_;
  db::Database &db_;
  std::unique_ptr<State> state_;
  TaskOutcome outcome_;
  int64_t total_ = 0;
  std::vector<double> best_history_;
  std::vector<int64_t> batch_sizes_;
};

/// Tunes `task` until it has `opt.trials` records (or the space or early stopping ends it):
/// a TaskSession stepped to the end.
TaskOutcome tune_task(const searchspace::Task &task, const TuneOptions &opt,
                      measure::Builder &builder, measure::Runner &runner, db::Database &db,
                      const ProgressFn &progress = {});

/// The autotune version string stored with every record.
const char *autotune_version();

}  // namespace autotune::tuner

// Tuning progress for people: a live line per task on a terminal, plain log lines otherwise.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace autotune::tuner {

class ProgressDisplay {
 public:
  /// Writes to `out` (stderr by default); live redrawing only when it is a terminal.
  explicit ProgressDisplay(FILE *out = stderr);
  /// Starts task `index` of `count`.
  void begin_task(int index, int count, const std::string &name);
  /// After each batch: trials done of total, best GFLOP/s, seconds since the task began.
  void update(int64_t done, int64_t total, double best_gflops, double elapsed_s);
  /// Ends the current task's line with a summary.
  void end_task(const std::string &summary);

 private:
  FILE *out_;
  bool live_;
  std::string prefix_;
};

}  // namespace autotune::tuner

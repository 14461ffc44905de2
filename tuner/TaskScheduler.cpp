// The expected-gain estimate and the choice of the next task.
#include "tuner/TaskScheduler.h"

#include <algorithm>
#include <cmath>

namespace autotune::tuner {

double expected_gain(const TaskProgress &t, const SchedulerOptions &opt) {
  if (t.done) return -1;
  double now = t.best_s;
  if (!std::isfinite(now)) now = t.start_best_s;
  if (!std::isfinite(now)) return 0;  // nothing ever ran: no evidence that trials help
  // Backward: the fall of the best time over the last window of batches, per trial.
  size_t k = t.best_history.size();
  size_t w = std::min<size_t>(k, static_cast<size_t>(std::max(1, opt.window_batches)));
  double before = k > w ? t.best_history[k - w - 1] : t.start_best_s;
  if (!std::isfinite(before)) before = now;
  int64_t window_trials = 0;
  for (size_t i = k - w; i < k; ++i) window_trials += t.batch_sizes[i];
  double backward = window_trials > 0 ? std::max(0.0, before - now) / window_trials : 0;
  // Forward: the current time over the trials spent so far (optimistic, shrinks as 1/trials).
  double forward = now / static_cast<double>(std::max<int64_t>(t.trials, 1));
  return t.weight * (opt.backward_weight * backward + (1 - opt.backward_weight) * forward);
}

int pick_task(const std::vector<TaskProgress> &tasks, const SchedulerOptions &opt) {
  for (size_t i = 0; i < tasks.size(); ++i) {
    if (!tasks[i].done && tasks[i].best_history.empty()) return static_cast<int>(i);
  }
  int best = -1;
  double best_gain = -1;
  for (size_t i = 0; i < tasks.size(); ++i) {
    if (tasks[i].done) continue;
    double g = expected_gain(tasks[i], opt);
    if (best < 0 || g > best_gain) {
      best = static_cast<int>(i);
      best_gain = g;
    }
  }
  return best;
}

}  // namespace autotune::tuner

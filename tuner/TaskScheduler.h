// Which task to tune next when a whole model shares one trial budget: the one whose next batch
// is expected to cut the model's latency the most. The estimate mixes a backward-looking rate
// (how much the task's best time fell per trial over its last batches) with a forward-looking,
// optimistic one (its current time spread over the trials it has had: tasks that are slow and
// barely tuned look promising), both weighted by how often the kernel runs in the model. Every
// task gets one batch first, so that each has a measured baseline.
#pragma once

#include <cstdint>
#include <vector>

namespace autotune::tuner {

/// What the scheduler knows of one task.
struct TaskProgress {
  double weight = 1;        ///< how many times the kernel runs per inference
  double start_best_s = 0;  ///< best time when this session began (the untuned time when none)
  double best_s = 0;        ///< best time now (+inf when nothing ran)
  int64_t trials = 0;       ///< trials in the database, earlier sessions included
  std::vector<double> best_history;  ///< best time after each batch of this session
  std::vector<int64_t> batch_sizes;  ///< trials of each batch of this session
  bool done = false;        ///< budget, space or early stopping: no more batches
};

struct SchedulerOptions {
  double backward_weight = 0.2;  ///< share of the backward rate in the estimate
  int window_batches = 2;        ///< batches the backward rate looks at
};

/// Expected reduction of the model's latency per trial of the task's next batch, in seconds
/// per trial; negative for a done task.
double expected_gain(const TaskProgress &t, const SchedulerOptions &opt = {});

/// The task to give the next batch: the first task without a batch in this session, else the
/// largest expected gain (ties: the lower index). -1 when every task is done.
int pick_task(const std::vector<TaskProgress> &tasks, const SchedulerOptions &opt = {});

}  // namespace autotune::tuner

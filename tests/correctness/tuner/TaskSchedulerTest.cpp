// The task scheduler's choices on hand-made task histories, checked against the rule it
// implements: every task gets a batch first; then the one expected to cut the model's latency
// most per trial, by kernel count, current time, recent improvement and trials spent.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "tuner/TaskScheduler.h"

namespace autotune::tuner {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// A task that began at `start` ms and reached `now` ms after `batches` batches of 8.
TaskProgress task(double weight, double start_ms, std::vector<double> history_ms,
                  int64_t earlier_trials = 0) {
  TaskProgress t;
  t.weight = weight;
  t.start_best_s = start_ms * 1e-3;
  for (double h : history_ms) {
    t.best_history.push_back(h * 1e-3);
    t.batch_sizes.push_back(8);
  }
  t.best_s = history_ms.empty() ? start_ms * 1e-3 : history_ms.back() * 1e-3;
  t.trials = earlier_trials + 8 * static_cast<int64_t>(history_ms.size());
  return t;
}

TEST(TaskSchedulerTest, EveryTaskGetsABatchFirstInOrder) {
  std::vector<TaskProgress> tasks = {task(1, 10, {9}), task(1, 0.01, {}), task(5, 50, {})};
  EXPECT_EQ(pick_task(tasks), 1);  // not the promising task 2: task 1 comes first
  tasks[1] = task(1, 0.01, {0.01});
  EXPECT_EQ(pick_task(tasks), 2);
}

TEST(TaskSchedulerTest, SlowerAndMoreFrequentKernelsComeFirst) {
  std::vector<TaskProgress> tasks = {task(1, 2, {2, 2}), task(1, 8, {8, 8})};
  EXPECT_EQ(pick_task(tasks), 1);
  tasks[0].weight = 10;  // the 2 ms kernel runs ten times per inference
  EXPECT_EQ(pick_task(tasks), 0);
}

TEST(TaskSchedulerTest, ImprovingTasksBeatStalledOnes) {
  // Same current time and trials; task 1 fell from 8 to 4 ms over its last batches.
  std::vector<TaskProgress> tasks = {task(1, 4, {4, 4, 4}), task(1, 8, {8, 6, 4})};
  EXPECT_GT(expected_gain(tasks[1]), expected_gain(tasks[0]));
  EXPECT_EQ(pick_task(tasks), 1);
  // The backward rate is the fall over the window per trial: (8 - 4) ms / 16 trials when the
  // window is two batches, weighted 0.2; the forward rate is 4 ms / 24 trials, weighted 0.8.
  double expected = 0.2 * (8e-3 - 4e-3) / 16 + 0.8 * 4e-3 / 24;
  EXPECT_NEAR(expected_gain(tasks[1]), expected, 1e-12);
}

TEST(TaskSchedulerTest, TrialsSpentLowerTheForwardEstimate) {
  // Equal times, no recent gains: the task with fewer trials (database included) goes first.
  std::vector<TaskProgress> tasks = {task(1, 5, {5}, 200), task(1, 5, {5}, 0)};
  EXPECT_EQ(pick_task(tasks), 1);
}

TEST(TaskSchedulerTest, DoneTasksAreNeverPicked) {
  std::vector<TaskProgress> tasks = {task(100, 50, {40}), task(1, 1, {1})};
  tasks[0].done = true;
  EXPECT_LT(expected_gain(tasks[0]), 0);
  EXPECT_EQ(pick_task(tasks), 1);
  tasks[1].done = true;
  EXPECT_EQ(pick_task(tasks), -1);
}

TEST(TaskSchedulerTest, TasksThatNeverRanHaveNoEvidence) {
  TaskProgress failed = task(1, 5, {});
  failed.start_best_s = kInf;
  failed.best_s = kInf;
  failed.best_history = {kInf};
  failed.batch_sizes = {8};
  failed.trials = 8;
  EXPECT_EQ(expected_gain(failed), 0);
  std::vector<TaskProgress> tasks = {failed, task(1, 0.001, {0.001})};
  EXPECT_EQ(pick_task(tasks), 1);
}

}  // namespace
}  // namespace autotune::tuner

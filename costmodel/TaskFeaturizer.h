// Features of the configs of one tuning task: applies the task's template to a config, lowers
// the schedule for features (lower_for_features) and extracts the loop-nest and knob features,
// caching every row by config index.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "costmodel/CostModel.h"
#include "costmodel/Features.h"
#include "searchspace/Task.h"

namespace autotune::costmodel {

struct FeaturizerOptions {
  FeatureOptions nest;
  bool knob_features = true;  ///< append knob_features() after the loop-nest features
  int float_lanes = 8;        ///< as the task's space was made with
  bool parallel = true;       ///< as candidates are built (outer loops parallel)
  int threads = 1;            ///< threads computing missing rows in rows()
};

class TaskFeaturizer {
 public:
  /// Keeps a reference to `task`, which must outlive the featurizer.
  TaskFeaturizer(const searchspace::Task &task, FeaturizerOptions opt = {});
  ~TaskFeaturizer();

  /// Values per row: feature_length(opt.nest) (+ knob_feature_length(task.space)).
  size_t length() const { return length_; }

  /// The features of config `index` of the task's space (computed once, then cached). Never
  /// throws for an index inside the space: a config the template rejects or that fails to
  /// lower gets failed_features() (plus its knob features). The pointer stays valid until the
  /// featurizer is destroyed.
  const float *row(int64_t index);
  /// One row per index, in order; missing rows are computed on up to opt.threads threads.
  FeatureMatrix rows(const std::vector<int64_t> &indices);
  /// The features of a config of the task's space given by value (not cached; for configs
  /// read from other tasks' records).
  std::vector<float> compute(const searchspace::Config &cfg);

  size_t cached() const { return cache_.size(); }
  /// Rows computed so far and the seconds spent (wall, summed over threads).
  int64_t computed() const { return computed_; }
  double seconds() const { return seconds_; }

 private:
  struct Worker;
  void compute_into(Worker &w, const searchspace::Config &cfg, float *out);

  const searchspace::Task &task_;
  FeaturizerOptions opt_;
  size_t nest_length_ = 0, length_ = 0;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::unordered_map<int64_t, std::unique_ptr<float[]>> cache_;
  int64_t computed_ = 0;
  double seconds_ = 0;
};

}  // namespace autotune::costmodel

// The cost-model interface: learns, from measured configs of one or more tasks, a score that
// ranks unmeasured configs of a task by expected speed. XGBoostModel implements it; the
// model-based tuner (tuner/XGBTuner) and simulated annealing consume the scores.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace autotune::costmodel {

/// Row-major float features: `rows` samples of `cols` features each. NaN means "missing".
struct FeatureMatrix {
  size_t rows = 0;
  size_t cols = 0;
  std::vector<float> data;

  FeatureMatrix() = default;
  FeatureMatrix(size_t rows, size_t cols) : rows(rows), cols(cols), data(rows * cols, 0.0f) {}
  float *row(size_t r) { return data.data() + r * cols; }
  const float *row(size_t r) const { return data.data() + r * cols; }
  /// Appends one row of `cols` values (the first row fixes `cols` when the matrix is empty).
  void add_row(const float *values, size_t n);
  void add_row(const std::vector<float> &values) { add_row(values.data(), values.size()); }
};

/// Training targets for fit(): the measured cost of each row and the task each row belongs to.
struct TrainingSet {
  FeatureMatrix features;
  /// Measured time in seconds per row; +infinity (or any non-finite or non-positive value) marks
  /// a failed trial, which counts as zero throughput.
  std::vector<double> costs_s;
  /// Sizes of consecutive groups of rows, one group per task (they sum to features.rows).
  /// Throughput labels are normalized within each group, so tasks of different FLOPs mix.
  std::vector<unsigned> group_sizes;
  /// Optional weight of each group (empty: all 1). Pairs (ranking) or rows (regression) of a
  /// group count this much in training, e.g. less for other tasks' transfer records.
  std::vector<float> group_weights;
};

/// A learned score over feature rows: higher predicted score = expected faster config.
/// Scores are only comparable between rows of the same task.
class CostModel {
 public:
  virtual ~CostModel() = default;
  /// Trains from scratch on `data` (previous training is discarded). A set without any
  /// successful trial leaves the model untrained. UserError for inconsistent sizes.
  virtual void fit(const TrainingSet &data) = 0;
  /// One score per row; all zeros while untrained. `x.cols` must match the training features.
  virtual std::vector<float> predict(const FeatureMatrix &x) const = 0;
  /// True once fit() has produced a model.
  virtual bool trained() const = 0;
};

/// Throughput labels in [0, 1]: 1/cost divided by the group's best 1/cost (0 for failures and
/// for groups where nothing ran).
std::vector<float> normalized_throughput(const std::vector<double> &costs_s,
                                         const std::vector<unsigned> &group_sizes);

/// Recall@k of a ranking: of the k rows with the highest `labels`, the fraction found among
/// the k rows with the highest `scores` (ties broken by row order). 1 for k <= 0 or no rows.
double recall_at_k(const std::vector<float> &scores, const std::vector<float> &labels, int k);

/// Spearman rank correlation of two equally long sequences (average ranks for ties); 0 when
/// either is constant or shorter than 2.
double spearman(const std::vector<double> &a, const std::vector<double> &b);

}  // namespace autotune::costmodel

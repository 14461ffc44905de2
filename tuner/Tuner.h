// The tuner interface: proposes batches of configs of one task's space and learns from their
// measured costs. Random, grid-order, genetic and model-based (XGBTuner) tuners implement it.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "searchspace/ConfigSpace.h"

namespace autotune::db {
class Database;
}
namespace autotune::searchspace {
struct Task;
}

namespace autotune::tuner {

class Tuner {
 public:
  explicit Tuner(const searchspace::ConfigSpace &space) : space_(space) {}
  virtual ~Tuner() = default;
  virtual const char *name() const = 0;

  /// Up to n valid config indices never proposed or measured before (fewer near the end).
  virtual std::vector<int64_t> next_batch(int n) = 0;
  /// Measured costs in seconds of the given indices (+infinity for failed trials).
  virtual void update(const std::vector<int64_t> &indices, const std::vector<double> &costs) = 0;
  /// Records earlier measurements (from the database, when resuming) as if measured here.
  void resume(const std::vector<int64_t> &indices, const std::vector<double> &costs);
  /// Marks a config measured by the caller (the default config) so it is never proposed.
  void exclude(int64_t index) { visited_.insert(index); }
  /// True while some valid config has not been visited (for big spaces: always true).
  bool has_next() const;

  const std::set<int64_t> &visited() const { return visited_; }
  double best_cost() const { return best_cost_; }
  int64_t best_index() const { return best_index_; }

 protected:
  /// Marks an index proposed; false when it was already visited.
  bool visit(int64_t index) { return visited_.insert(index).second; }
  /// Updates the best-so-far; subclasses call it from update().
  void track_best(const std::vector<int64_t> &indices, const std::vector<double> &costs);

  const searchspace::ConfigSpace &space_;
  std::set<int64_t> visited_;
  double best_cost_ = 1e300;
  int64_t best_index_ = -1;
  mutable int64_t valid_count_ = -1;  ///< valid points of the space, counted on first need
};

/// What a model-based tuner needs besides the space: the task (its template and body, for
/// features), the database (transfer records; may be null) and how candidates are built.
struct TunerContext {
  const searchspace::Task *task = nullptr;
  db::Database *db = nullptr;
  int float_lanes = 8;
  bool parallel = true;
};

/// "xgb", "random", "grid" or "ga"; UserError naming the choices otherwise, or for "xgb"
/// without a task in `context`.
std::unique_ptr<Tuner> make_tuner(const std::string &name, const searchspace::ConfigSpace &space,
                                  uint64_t seed, const TunerContext &context = {});

}  // namespace autotune::tuner

// Shared tuner bookkeeping and the tuner factory.
#include "tuner/Tuner.h"

#include "ir/support/Error.h"
#include "tuner/GATuner.h"
#include "tuner/GridTuner.h"
#include "tuner/RandomTuner.h"
#include "tuner/XGBTuner.h"

namespace autotune::tuner {

void Tuner::resume(const std::vector<int64_t> &indices, const std::vector<double> &costs) {
  for (int64_t i : indices) visited_.insert(i);
  update(indices, costs);
}

bool Tuner::has_next() const {
  int64_t size = space_.size();
  // Counting valid points is affordable only for small spaces; big ones never run out.
  if (size > 100000) return static_cast<int64_t>(visited_.size()) < size;
  if (valid_count_ < 0) valid_count_ = space_.count_valid();
  int64_t valid_visited = 0;
  for (int64_t i : visited_) valid_visited += space_.is_valid(space_.get(i)) ? 1 : 0;
  return valid_visited < valid_count_;
}

void Tuner::track_best(const std::vector<int64_t> &indices, const std::vector<double> &costs) {
  for (size_t i = 0; i < indices.size(); ++i) {
    if (costs[i] < best_cost_) {
      best_cost_ = costs[i];
      best_index_ = indices[i];
    }
  }
}

std::unique_ptr<Tuner> make_tuner(const std::string &name, const searchspace::ConfigSpace &space,
                                  uint64_t seed, const TunerContext &context) {
  if (name == "xgb") {
    user_check(context.task != nullptr) << "the xgb tuner needs the task (use ga or random here)";
    XGBTunerOptions opt;
    opt.features.float_lanes = context.float_lanes;
    opt.features.parallel = context.parallel;
    return std::make_unique<XGBTuner>(*context.task, seed, context.db, opt);
  }
  if (name == "random") return std::make_unique<RandomTuner>(space, seed);
  if (name == "grid") return std::make_unique<GridTuner>(space);
  if (name == "ga") return std::make_unique<GATuner>(space, seed);
  user_error << "unknown tuner '" << name << "' (expected xgb, random, grid or ga)";
  return nullptr;
}

}  // namespace autotune::tuner

// Grid search: valid configs in index order.
#pragma once

#include "tuner/Tuner.h"

namespace autotune::tuner {

class GridTuner final : public Tuner {
 public:
  explicit GridTuner(const searchspace::ConfigSpace &space) : Tuner(space) {}
  const char *name() const override { return "grid"; }
  std::vector<int64_t> next_batch(int n) override;
  void update(const std::vector<int64_t> &indices, const std::vector<double> &costs) override {
    track_best(indices, costs);
  }

 private:
  int64_t cursor_ = 0;
};

}  // namespace autotune::tuner

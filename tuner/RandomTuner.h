// Random search: uniform samples of valid, unvisited configs.
#pragma once

#include <random>

#include "tuner/Tuner.h"

namespace autotune::tuner {

class RandomTuner final : public Tuner {
 public:
  RandomTuner(const searchspace::ConfigSpace &space, uint64_t seed) : Tuner(space), rng_(seed) {}
  const char *name() const override { return "random"; }
  std::vector<int64_t> next_batch(int n) override;
  void update(const std::vector<int64_t> &indices, const std::vector<double> &costs) override {
    track_best(indices, costs);
  }

 private:
  std::mt19937_64 rng_;
};

/// A uniformly random valid index not in `visited` (tries `attempts` samples, then scans);
/// -1 when every valid index is visited.
int64_t sample_unvisited(const searchspace::ConfigSpace &space, const std::set<int64_t> &visited,
                         std::mt19937_64 &rng, int attempts = 256);

}  // namespace autotune::tuner

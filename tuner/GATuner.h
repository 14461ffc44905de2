// Genetic-algorithm search over knob choices.
#pragma once

#include <map>
#include <random>

#include "tuner/Tuner.h"

namespace autotune::tuner {

/// Algorithm:
///  1. The first generation is `population` random valid configs.
///  2. Once a generation is measured, the next one keeps the `elites` fastest configs seen so
///     far and fills the rest with children: two parents drawn with probability proportional
///     to their speed (1/cost; failures never), a uniform crossover of their knob choices, and
///     each knob re-drawn with probability `mutation`. Invalid or visited children are redrawn
///     (falling back to random configs), so no config is measured twice.
class GATuner final : public Tuner {
 public:
  GATuner(const searchspace::ConfigSpace &space, uint64_t seed, int population = 64,
          int elites = 4, double mutation = 0.1);
  const char *name() const override { return "ga"; }
  std::vector<int64_t> next_batch(int n) override;
  void update(const std::vector<int64_t> &indices, const std::vector<double> &costs) override;

 private:
  void next_generation();
  std::vector<int> child(const std::vector<double> &weights, const std::vector<int64_t> &parents);

  std::mt19937_64 rng_;
  int population_, elites_;
  double mutation_;
  std::vector<int64_t> pending_;       ///< current generation, not yet proposed
  std::map<int64_t, double> scores_;   ///< index -> cost of every measured config
  int outstanding_ = 0;                ///< proposed but not yet updated
};

}  // namespace autotune::tuner

// Simulated annealing finds the optimum of a synthetic score, respects validity and exclusions,
// keeps its chains across rounds, is deterministic for a seed, and filters for diversity.
#include "tuner/SimulatedAnnealing.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

namespace autotune::tuner {
namespace {

using searchspace::Config;
using searchspace::ConfigSpace;

/// Five knobs of ten values: 100,000 configs. Configs whose first two values sum to 17 or
/// more are invalid.
ConfigSpace big_space() {
  ConfigSpace s;
  for (int k = 0; k < 5; ++k) s.define_knob("k" + std::to_string(k), {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  s.set_validity([](const Config &c) { return c.value("k0") + c.value("k1") < 17; });
  return s;
}

/// A smooth score peaking at (3, 7, 2, 9, 5).
float synthetic_score(const ConfigSpace &s, int64_t index) {
  static const int64_t kPeak[5] = {3, 7, 2, 9, 5};
  Config c = s.get(index);
  double d = 0;
  for (int k = 0; k < 5; ++k) {
    double x = static_cast<double>(c.value("k" + std::to_string(k)) - kPeak[k]);
    d += x * x;
  }
  return static_cast<float>(-d);
}

int64_t peak_index(const ConfigSpace &s) { return s.from_values({{3}, {7}, {2}, {9}, {5}}).index(); }

SimulatedAnnealing::ScoreFn scorer(const ConfigSpace &s, int64_t *calls = nullptr) {
  return [&s, calls](const std::vector<int64_t> &indices) {
    if (calls) *calls += static_cast<int64_t>(indices.size());
    std::vector<float> out;
    for (int64_t i : indices) out.push_back(synthetic_score(s, i));
    return out;
  };
}

TEST(SimulatedAnnealing, FindsTheOptimumOfASyntheticScore) {
  ConfigSpace space = big_space();
  AnnealingOptions opt;
  opt.chains = 32;
  opt.max_steps = 300;
  opt.early_stop = 300;
  SimulatedAnnealing sa(space, opt);
  int64_t calls = 0;
  std::vector<int64_t> best = sa.find_best(8, scorer(space, &calls), [](int64_t) { return false; });
  ASSERT_EQ(best.size(), 8u);
  EXPECT_EQ(best[0], peak_index(space));
  // Annealing looked at a small part of the space.
  EXPECT_LT(calls, space.size() / 5);
  EXPECT_EQ(calls, sa.last_round().scored);
  for (size_t i = 1; i < best.size(); ++i) {
    EXPECT_GE(synthetic_score(space, best[i - 1]), synthetic_score(space, best[i]) - 1e-6);
  }
}

TEST(SimulatedAnnealing, ReturnsOnlyValidNonExcludedConfigs) {
  ConfigSpace space = big_space();
  SimulatedAnnealing sa(space, {});
  std::set<int64_t> excluded = {peak_index(space)};
  std::vector<int64_t> best = sa.find_best(
      16, scorer(space), [&](int64_t i) { return excluded.count(i) > 0 || i % 3 == 0; });
  ASSERT_EQ(best.size(), 16u);
  std::set<int64_t> distinct(best.begin(), best.end());
  EXPECT_EQ(distinct.size(), best.size());
  for (int64_t i : best) {
    EXPECT_TRUE(space.is_valid(space.get(i)));
    EXPECT_FALSE(excluded.count(i));
    EXPECT_NE(i % 3, 0);
  }
}

TEST(SimulatedAnnealing, DeterministicForASeed) {
  ConfigSpace space = big_space();
  SimulatedAnnealing a(space, {}), b(space, {});
  auto none = [](int64_t) { return false; };
  EXPECT_EQ(a.find_best(10, scorer(space), none), b.find_best(10, scorer(space), none));
  EXPECT_EQ(a.find_best(10, scorer(space), none), b.find_best(10, scorer(space), none));
  AnnealingOptions other;
  other.seed = 2;
  SimulatedAnnealing c(space, other);
  c.find_best(10, scorer(space), none);
  EXPECT_NE(a.chain_positions(), c.chain_positions());
}

TEST(SimulatedAnnealing, ChainsContinueAcrossRounds) {
  ConfigSpace space = big_space();
  AnnealingOptions opt;
  opt.chains = 8;
  SimulatedAnnealing sa(space, opt);
  auto none = [](int64_t) { return false; };
  sa.find_best(4, scorer(space), none);
  std::vector<int64_t> after_first = sa.chain_positions();
  ASSERT_EQ(after_first.size(), 8u);
  // The second round scores the chains where the first left them, before any step.
  std::vector<int64_t> first_call;
  sa.find_best(
      4,
      [&](const std::vector<int64_t> &indices) {
        if (first_call.empty()) first_call = indices;
        return scorer(space)(indices);
      },
      none);
  std::set<int64_t> expected(after_first.begin(), after_first.end());
  EXPECT_EQ(std::set<int64_t>(first_call.begin(), first_call.end()), expected);
}

TEST(SimulatedAnnealing, SeedsReplaceTheWorstChains) {
  ConfigSpace space = big_space();
  AnnealingOptions opt;
  opt.chains = 4;
  opt.max_steps = 0;  // only place the chains
  SimulatedAnnealing sa(space, opt);
  int64_t peak = peak_index(space);
  sa.find_best(1, scorer(space), [](int64_t) { return false; }, {peak});
  std::vector<int64_t> chains = sa.chain_positions();
  EXPECT_NE(std::find(chains.begin(), chains.end(), peak), chains.end());
}

TEST(SimulatedAnnealing, StopsEarlyOnAFlatScore) {
  ConfigSpace space = big_space();
  AnnealingOptions opt;
  opt.max_steps = 500;
  opt.early_stop = 10;
  SimulatedAnnealing sa(space, opt);
  sa.find_best(
      4, [](const std::vector<int64_t> &indices) { return std::vector<float>(indices.size(), 1); },
      [](int64_t) { return false; });
  EXPECT_TRUE(sa.last_round().stopped_early);
  EXPECT_LT(sa.last_round().steps, 500);
}

TEST(DiverseTop, LimitsOneKnobNeighboursOfAPick) {
  // Ranked best first: four configs differing from the first in the second knob only, then a
  // config far from all of them.
  std::vector<std::vector<int>> ranked = {{0, 0, 0}, {0, 1, 0}, {0, 2, 0}, {0, 3, 0}, {5, 5, 5}};
  EXPECT_EQ(diverse_top(ranked, 3, 1), (std::vector<size_t>{0, 1, 4}));
  EXPECT_EQ(diverse_top(ranked, 3, 5), (std::vector<size_t>{0, 1, 2}));
  // Short of candidates: the skipped ones fill the batch, in rank order.
  EXPECT_EQ(diverse_top(ranked, 5, 1), (std::vector<size_t>{0, 1, 4, 2, 3}));
  EXPECT_TRUE(diverse_top(ranked, 0, 1).empty());
}

}  // namespace
}  // namespace autotune::tuner

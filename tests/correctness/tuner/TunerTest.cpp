// Tuners propose only valid, never-visited configs, resume from earlier measurements, and the
// genetic tuner finds a synthetic optimum faster than chance.
#include <cmath>
#include <set>

#include "tests/common/TestUtil.h"
#include "tuner/Tuner.h"
#include "tuner/TuneGraph.h"

namespace autotune::tuner {
namespace {

using searchspace::ConfigSpace;
using searchspace::SplitPolicy;

ConfigSpace make_space() {
  ConfigSpace s;
  s.define_split("tile_x", 64, 2, SplitPolicy::AllDivisors);   // 7 choices
  s.define_split("tile_y", 48, 2, SplitPolicy::AllDivisors);   // 10 choices
  s.define_knob("unroll", {0, 1});
  s.define_knob("order", {0, 1, 2});
  // Tiles of more than 256 points are invalid.
  s.set_validity([](const searchspace::Config &c) {
    return c.get("tile_x").back() * c.get("tile_y").back() <= 256;
  });
  return s;
}

/// A synthetic cost with a unique optimum at inner tiles 8 x 16, unroll 1, order 2.
double cost_of(const ConfigSpace &s, int64_t index) {
  searchspace::Config c = s.get(index);
  double tx = static_cast<double>(c.get("tile_x").back());
  double ty = static_cast<double>(c.get("tile_y").back());
  return 1.0 + std::pow(std::log2(tx) - 3, 2) + std::pow(std::log2(ty) - 4, 2) +
         (c.value("unroll") == 1 ? 0 : 0.5) + (c.value("order") == 2 ? 0 : 0.7);
}

class EveryTuner : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryTuner, ProposesEachValidConfigOnce) {
  ConfigSpace space = make_space();
  auto tuner = make_tuner(GetParam(), space, 7);
  std::set<int64_t> seen;
  int64_t valid = space.count_valid();
  while (tuner->has_next()) {
    std::vector<int64_t> batch = tuner->next_batch(9);
    ASSERT_FALSE(batch.empty());
    std::vector<double> costs;
    for (int64_t i : batch) {
      EXPECT_TRUE(seen.insert(i).second) << "config " << i << " proposed twice";
      EXPECT_TRUE(space.is_valid(space.get(i))) << "invalid config " << i << " proposed";
      costs.push_back(cost_of(space, i));
    }
    tuner->update(batch, costs);
    ASSERT_LE(static_cast<int64_t>(seen.size()), valid);
  }
  EXPECT_EQ(static_cast<int64_t>(seen.size()), valid);
}

TEST_P(EveryTuner, ResumeSkipsMeasuredConfigs) {
  ConfigSpace space = make_space();
  auto first = make_tuner(GetParam(), space, 3);
  std::vector<int64_t> done = first->next_batch(20);
  std::vector<double> costs;
  for (int64_t i : done) costs.push_back(cost_of(space, i));
  auto second = make_tuner(GetParam(), space, 3);
  second->resume(done, costs);
  std::set<int64_t> old(done.begin(), done.end());
  for (int round = 0; round < 10; ++round) {
    std::vector<int64_t> batch = second->next_batch(8);
    std::vector<double> c;
    for (int64_t i : batch) {
      EXPECT_FALSE(old.count(i)) << "config " << i << " measured before was proposed again";
      c.push_back(cost_of(space, i));
    }
    second->update(batch, c);
  }
  EXPECT_LE(second->best_cost(), *std::min_element(costs.begin(), costs.end()));
}

INSTANTIATE_TEST_SUITE_P(Tuners, EveryTuner, ::testing::Values("random", "grid", "ga"));

TEST(GATuner, FindsSyntheticOptimumBeforeRandomOnAverage) {
  ConfigSpace space = make_space();
  auto trials_to_optimum = [&](const std::string &name, uint64_t seed) {
    auto t = make_tuner(name, space, seed);
    int64_t n = 0;
    while (t->has_next()) {
      std::vector<int64_t> batch = t->next_batch(8);
      std::vector<double> costs;
      for (int64_t i : batch) costs.push_back(cost_of(space, i));
      t->update(batch, costs);
      for (double c : costs) {
        ++n;
        if (c == 1.0) return n;
      }
    }
    return n;
  };
  double ga = 0, random = 0;
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    ga += static_cast<double>(trials_to_optimum("ga", seed));
    random += static_cast<double>(trials_to_optimum("random", seed));
  }
  EXPECT_LT(ga, random) << "GA needed " << ga / 12 << " trials on average, random " << random / 12;
}

TEST(Tuner, UnknownNameIsAUserError) {
  ConfigSpace space = make_space();
  EXPECT_USER_ERROR(make_tuner("annealing", space, 1), "unknown tuner 'annealing'");
}

TEST(AllocateTrials, ProportionalToWeightWithAFloor) {
  std::vector<int64_t> t = allocate_trials({1, 3, 0}, 400, 100, 8);
  EXPECT_EQ(t[0], 100);
  EXPECT_EQ(t[1], 300);
  EXPECT_EQ(t[2], 8);
  EXPECT_EQ(allocate_trials({1, 2}, 0, 50, 8), (std::vector<int64_t>{50, 50}));
}

}  // namespace
}  // namespace autotune::tuner

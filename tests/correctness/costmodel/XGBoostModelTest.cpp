// The XGBoost cost model on synthetic data: it ranks a monotone cost correctly, treats failures
// as zero throughput, is deterministic, and survives a save/load round trip.
#include "costmodel/XGBoostModel.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <random>

#include "tests/common/TestUtil.h"

namespace autotune::costmodel {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// Rows of 6 features in [0, 4); the cost grows with x0 and x1 and ignores the rest.
FeatureMatrix random_rows(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0, 4);
  FeatureMatrix m(n, 6);
  for (float &v : m.data) v = u(rng);
  return m;
}

double synthetic_cost(const float *x) { return 1e-3 * std::exp(0.8 * x[0] + 0.4 * x[1]); }

TrainingSet synthetic_set(size_t n, uint32_t seed) {
  TrainingSet t;
  t.features = random_rows(n, seed);
  for (size_t r = 0; r < n; ++r) t.costs_s.push_back(synthetic_cost(t.features.row(r)));
  t.group_sizes = {static_cast<unsigned>(n)};
  return t;
}

/// Spearman of predicted scores with throughput on fresh rows.
double rank_quality(const CostModel &m, uint32_t seed) {
  FeatureMatrix test = random_rows(200, seed);
  std::vector<float> scores = m.predict(test);
  std::vector<double> s(scores.begin(), scores.end()), throughput;
  for (size_t r = 0; r < test.rows; ++r) throughput.push_back(1.0 / synthetic_cost(test.row(r)));
  return spearman(s, throughput);
}

TEST(CostModelMetrics, NormalizedThroughputPerGroup) {
  std::vector<float> l = normalized_throughput({1.0, 2.0, kInf, 4.0, 8.0}, {3, 2});
  EXPECT_FLOAT_EQ(l[0], 1.0f);
  EXPECT_FLOAT_EQ(l[1], 0.5f);
  EXPECT_FLOAT_EQ(l[2], 0.0f);  // failed
  EXPECT_FLOAT_EQ(l[3], 1.0f);  // its own group's best
  EXPECT_FLOAT_EQ(l[4], 0.5f);
  EXPECT_EQ(normalized_throughput({kInf, kInf}, {2}), (std::vector<float>{0, 0}));
}

TEST(CostModelMetrics, RecallAndSpearman) {
  EXPECT_DOUBLE_EQ(recall_at_k({4, 3, 2, 1}, {1, 2, 3, 4}, 2), 0.0);
  EXPECT_DOUBLE_EQ(recall_at_k({1, 2, 3, 4}, {1, 2, 3, 4}, 2), 1.0);
  EXPECT_DOUBLE_EQ(recall_at_k({1, 9, 3, 4}, {1, 2, 3, 4}, 2), 0.5);
  EXPECT_DOUBLE_EQ(spearman({1, 2, 3}, {10, 20, 30}), 1.0);
  EXPECT_DOUBLE_EQ(spearman({1, 2, 3}, {3, 2, 1}), -1.0);
  EXPECT_DOUBLE_EQ(spearman({1, 1, 1}, {3, 2, 1}), 0.0);
}

TEST(XGBoostModel, UntrainedPredictsZeros) {
  XGBoostModel m;
  EXPECT_FALSE(m.trained());
  EXPECT_EQ(m.predict(random_rows(3, 1)), (std::vector<float>{0, 0, 0}));
  TrainingSet failed = synthetic_set(20, 1);
  for (double &c : failed.costs_s) c = kInf;
  m.fit(failed);
  EXPECT_FALSE(m.trained());
}

TEST(XGBoostModel, RanksAMonotoneCostPairwise) {
  XGBoostModel m;
  m.fit(synthetic_set(400, 7));
  ASSERT_TRUE(m.trained());
  EXPECT_GT(m.last_fit().holdout_rows, 0u);
  EXPECT_GT(m.last_fit().rounds, 0);
  EXPECT_GT(rank_quality(m, 99), 0.9);
}

TEST(XGBoostModel, RanksAMonotoneCostRegression) {
  XGBoostOptions opt;
  opt.objective = XGBoostOptions::Objective::Regression;
  XGBoostModel m(opt);
  m.fit(synthetic_set(400, 7));
  EXPECT_GT(rank_quality(m, 99), 0.9);
}

TEST(XGBoostModel, SmallSetsTrainWithoutHoldout) {
  XGBoostModel m;
  m.fit(synthetic_set(32, 3));
  ASSERT_TRUE(m.trained());
  EXPECT_EQ(m.last_fit().holdout_rows, 0u);
  EXPECT_EQ(m.last_fit().rounds, XGBoostOptions().rounds_without_holdout);
  EXPECT_GT(rank_quality(m, 5), 0.6);
}

TEST(XGBoostModel, FailuresCountAsZeroThroughput) {
  // The slowest half fails: the model must still put the failures at the bottom.
  TrainingSet t = synthetic_set(300, 11);
  for (size_t r = 0; r < t.features.rows; ++r) {
    if (t.features.row(r)[0] > 2) t.costs_s[r] = kInf;
  }
  XGBoostModel m;
  m.fit(t);
  FeatureMatrix fast(1, 6), failed(1, 6);
  fast.data = {0.5f, 0.5f, 1, 1, 1, 1};
  failed.data = {3.5f, 3.5f, 1, 1, 1, 1};
  EXPECT_GT(m.predict(fast)[0], m.predict(failed)[0]);
}

TEST(XGBoostModel, GroupsOfDifferentScaleMix) {
  // Two tasks whose costs differ 1000x but share the ranking.
  TrainingSet a = synthetic_set(200, 21), b = synthetic_set(200, 22);
  TrainingSet t;
  t.features = a.features;
  for (size_t r = 0; r < b.features.rows; ++r) t.features.add_row(b.features.row(r), 6);
  t.costs_s = a.costs_s;
  for (double c : b.costs_s) t.costs_s.push_back(c * 1000);
  t.group_sizes = {200, 200};
  XGBoostModel m;
  m.fit(t);
  EXPECT_GT(rank_quality(m, 23), 0.9);
}

TEST(XGBoostModel, DeterministicForASeed) {
  XGBoostModel a, b;
  a.fit(synthetic_set(200, 5));
  b.fit(synthetic_set(200, 5));
  FeatureMatrix test = random_rows(50, 6);
  EXPECT_EQ(a.predict(test), b.predict(test));
}

TEST(XGBoostModel, SaveLoadRoundTrip) {
  XGBoostModel m;
  m.fit(synthetic_set(200, 5));
  FeatureMatrix test = random_rows(50, 6);
  std::vector<float> before = m.predict(test);
  XGBoostModel buffer_copy;
  buffer_copy.load(m.save());
  EXPECT_EQ(buffer_copy.predict(test), before);
  std::string path = ::testing::TempDir() + "/xgb_model_test.ubj";
  m.save_file(path);
  XGBoostModel file_copy;
  file_copy.load_file(path);
  EXPECT_EQ(file_copy.predict(test), before);
  std::remove(path.c_str());
}

TEST(XGBoostModel, BadInputsAreUserErrors) {
  XGBoostModel m;
  EXPECT_USER_ERROR(m.save(), "not trained");
  EXPECT_USER_ERROR(m.load("not a model"), "xgboost: loading the model failed");
  EXPECT_USER_ERROR(m.load_file("/nonexistent/model.ubj"), "cannot read");
  TrainingSet t = synthetic_set(10, 1);
  t.costs_s.pop_back();
  EXPECT_USER_ERROR(m.fit(t), "10 feature rows but 9 costs");
  m.fit(synthetic_set(60, 1));
  EXPECT_USER_ERROR(m.predict(FeatureMatrix(2, 3)), "3 features with a model trained on 6");
}

}  // namespace
}  // namespace autotune::costmodel

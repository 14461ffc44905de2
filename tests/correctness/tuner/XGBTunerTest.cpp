// The model-based tuner on real conv2d task spaces with a synthetic cost of the knobs: it
// proposes valid configs once, beats random search, is deterministic, and transfer records of
// another conv2d task change (and improve) its first batch.
#include "tuner/XGBTuner.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "db/SqliteDatabase.h"
#include "ir/graph/Graph.h"
#include "tests/common/FusedGraph.h"
#include "tests/common/GraphBuilder.h"
#include "tests/common/TestUtil.h"

namespace autotune::tuner {
namespace {

using graph::Graph;
using graph::Node;
using graph::ValueId;
using searchspace::Task;
using test::add_value;

constexpr int kLanes = 8;

/// The task of one fused kernel: blocked conv [1, C/16, H, H, 16] x [K/16, C/16, R, R, 16, 16]
/// + relu.
Task conv_task(int64_t C, int64_t K, int64_t H, int64_t R, int64_t stride, int64_t pad) {
  int64_t out = (H + 2 * pad - R) / stride + 1;
  Graph body;
  ValueId x = add_value(body, "x", {1, C / 16, H, H, 16});
  ValueId w = add_value(body, "w", {K / 16, C / 16, R, R, 16, 16}, true);
  body.inputs = {x, w};
  ValueId y = add_value(body, "conv", {1, K / 16, out, out, 16});
  Node conv;
  conv.name = "conv_node";
  conv.op_type = "conv2d_nchwc";
  conv.domain = "autotune";
  conv.inputs = {x, w};
  conv.outputs = {y};
  conv.attrs = test::attrs({{"strides", std::vector<int64_t>{stride, stride}},
                            {"pads", std::vector<int64_t>{pad, pad, pad, pad}},
                            {"dilations", std::vector<int64_t>{1, 1}}});
  body.add_node(conv);
  ValueId r = add_value(body, "relu", {1, K / 16, out, out, 16});
  Node relu;
  relu.name = "relu_node";
  relu.op_type = "Relu";
  relu.inputs = {y};
  relu.outputs = {r};
  body.add_node(relu);
  body.outputs = {r};
  body.verify();
  std::vector<Task> tasks = searchspace::extract_tasks(test::fused_graph({body}), "llvm", kLanes);
  EXPECT_EQ(tasks.size(), 1u);
  return tasks.at(0);
}

/// A synthetic cost of the knob values, the same function for every conv task: best with
/// 4-wide, 2-high register tiles, the "taps outermost" order, unrolled kernel columns,
/// whole-row accumulation and one parallel level.
double synthetic_cost(const searchspace::Config &c) {
  double ow = std::log2(static_cast<double>(c.get("tile_ow").back()));
  double oh = static_cast<double>(c.get("tile_oh").back());
  double cost = 1.0 + 0.6 * (ow - 2) * (ow - 2) + (oh == 2 ? 0 : 0.4);
  cost += c.get("reorder_inner").at(0) == 1 ? 0 : 0.3;  // kernel row first
  cost += c.value("unroll_kw") == 1 ? 0 : 0.2;
  cost += c.value("compute_at") == 1 ? 0 : 0.25;
  cost += 0.1 * static_cast<double>(c.value("parallel_fuse") - 1);
  return 1e-3 * cost;
}

std::vector<double> costs_of(const Task &t, const std::vector<int64_t> &batch) {
  std::vector<double> costs;
  for (int64_t i : batch) costs.push_back(synthetic_cost(t.space.get(i)));
  return costs;
}

/// Trials until a config within 2% of the space's best synthetic cost is measured.
int64_t trials_to_near_best(Tuner &tuner, const Task &t, double best, int64_t limit) {
  int64_t n = 0;
  while (n < limit && tuner.has_next()) {
    std::vector<int64_t> batch = tuner.next_batch(8);
    if (batch.empty()) break;
    std::vector<double> costs = costs_of(t, batch);
    tuner.update(batch, costs);
    for (double c : costs) {
      ++n;
      if (c <= best * 1.02) return n;
    }
  }
  return limit;
}

double best_cost(const Task &t) {
  double best = 1e9;
  for (int64_t i = 0; i < t.space.size(); ++i) {
    searchspace::Config c = t.space.get(i);
    if (t.space.is_valid(c)) best = std::min(best, synthetic_cost(c));
  }
  return best;
}

XGBTunerOptions small_options() {
  XGBTunerOptions opt;
  opt.plan_size = 32;
  opt.warmup = 16;
  opt.model.max_rounds = 40;
  return opt;
}

TEST(XGBTuner, ProposesEachValidConfigOnce) {
  Task t = conv_task(16, 16, 8, 3, 1, 1);
  XGBTuner tuner(t, 5, nullptr, small_options());
  std::set<int64_t> seen;
  int64_t valid = t.space.count_valid();
  while (tuner.has_next()) {
    std::vector<int64_t> batch = tuner.next_batch(8);
    ASSERT_FALSE(batch.empty());
    for (int64_t i : batch) {
      EXPECT_TRUE(seen.insert(i).second) << "config " << i << " proposed twice";
      EXPECT_TRUE(t.space.is_valid(t.space.get(i)));
    }
    tuner.update(batch, costs_of(t, batch));
    ASSERT_LE(static_cast<int64_t>(seen.size()), valid);
  }
  EXPECT_EQ(static_cast<int64_t>(seen.size()), valid);
  EXPECT_GT(tuner.stats().fits, 0);
  EXPECT_GT(tuner.stats().model_picks, 0);
}

TEST(XGBTuner, AnnealingPathProposesValidUnvisitedConfigs) {
  Task t = conv_task(64, 64, 28, 3, 1, 1);
  XGBTunerOptions opt = small_options();
  opt.exhaustive_limit = 0;  // always anneal
  XGBTuner tuner(t, 3, nullptr, opt);
  std::set<int64_t> seen;
  for (int round = 0; round < 8; ++round) {
    std::vector<int64_t> batch = tuner.next_batch(8);
    ASSERT_EQ(batch.size(), 8u);
    for (int64_t i : batch) {
      EXPECT_TRUE(seen.insert(i).second);
      EXPECT_TRUE(t.space.is_valid(t.space.get(i)));
    }
    tuner.update(batch, costs_of(t, batch));
  }
  EXPECT_GT(tuner.stats().model_picks, 0);
}

TEST(XGBTuner, FindsTheSyntheticOptimumFasterThanRandom) {
  Task t = conv_task(64, 64, 56, 3, 1, 1);
  double best = best_cost(t);
  int64_t xgb = 0, random = 0;
  const int64_t limit = 400;
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    XGBTuner x(t, seed, nullptr, small_options());
    xgb += trials_to_near_best(x, t, best, limit);
    auto r = make_tuner("random", t.space, seed);
    random += trials_to_near_best(*r, t, best, limit);
  }
  EXPECT_LT(xgb * 2, random) << "xgb needed " << xgb / 3.0 << " trials on average, random "
                             << random / 3.0;
}

TEST(XGBTuner, DeterministicForASeed) {
  Task t = conv_task(32, 32, 14, 3, 1, 1);
  XGBTuner a(t, 9, nullptr, small_options()), b(t, 9, nullptr, small_options());
  for (int round = 0; round < 8; ++round) {
    std::vector<int64_t> ba = a.next_batch(8), bb = b.next_batch(8);
    ASSERT_EQ(ba, bb) << "round " << round;
    a.update(ba, costs_of(t, ba));
    b.update(bb, costs_of(t, bb));
  }
}

TEST(XGBTuner, TransferRecordsChangeAndImproveTheFirstBatch) {
  Task source = conv_task(64, 64, 28, 3, 1, 1), target = conv_task(64, 64, 56, 3, 1, 1);
  ASSERT_EQ(source.op_kind, target.op_kind);
  ASSERT_NE(source.key, target.key);
  auto db = db::SqliteDatabase::in_memory();
  db->add_workload({source.key, source.op_kind, "{}"});
  db->add_target({source.target, "local"});
  // 200 measured configs of the source task.
  std::vector<db::TuningRecord> records;
  auto r = make_tuner("random", source.space, 1);
  for (int64_t i : r->next_batch(200)) {
    searchspace::Config c = source.space.get(i);
    db::TuningRecord rec;
    rec.workload_key = source.key;
    rec.target = source.target;
    rec.config_index = i;
    rec.config_json = c.to_json();
    rec.mean_s = synthetic_cost(c);
    rec.costs_s = {rec.mean_s};
    rec.timestamp = 1000 + static_cast<double>(records.size());
    records.push_back(rec);
  }
  db->add_records(records);

  XGBTuner cold(target, 4, nullptr, small_options()), warm(target, 4, db.get(), small_options());
  std::vector<int64_t> cold_batch = cold.next_batch(16), warm_batch = warm.next_batch(16);
  EXPECT_EQ(cold.stats().transfer_rows, 0);
  EXPECT_GT(warm.stats().transfer_rows, 100);
  EXPECT_EQ(warm.stats().transfer_groups, 1);
  EXPECT_NE(cold_batch, warm_batch);
  EXPECT_EQ(cold.stats().model_picks, 0);  // warm-up: random
  EXPECT_GT(warm.stats().model_picks, 0);  // the transferred model picks from the start
  auto mean = [&](const std::vector<int64_t> &b) {
    double s = 0;
    for (double c : costs_of(target, b)) s += c;
    return s / static_cast<double>(b.size());
  };
  EXPECT_LT(mean(warm_batch), mean(cold_batch));
}

TEST(MapConfig, ExactThenNearestChoices) {
  Task small = conv_task(64, 64, 28, 3, 1, 1), big = conv_task(64, 64, 56, 3, 1, 1);
  // tile_ow of 28 includes 14 and 28; the 56-wide space has 14 but not 28.
  searchspace::Config c = small.space.from_values({{2, 14}, {14, 2}, {0, 1, 2, 3}, {1}, {0}, {3}});
  std::optional<searchspace::Config> same = map_config(small.space, c.to_json());
  ASSERT_TRUE(same.has_value());
  EXPECT_EQ(same->index(), c.index());
  std::optional<searchspace::Config> mapped = map_config(big.space, c.to_json());
  ASSERT_TRUE(mapped.has_value());
  EXPECT_EQ(mapped->get("tile_ow"), (std::vector<int64_t>{4, 14}));
  EXPECT_EQ(mapped->get("tile_oh"), (std::vector<int64_t>{28, 2}));
  EXPECT_EQ(mapped->value("unroll_kw"), 1);
  // Inner factors decide: a 2-wide tile of the 56-wide conv stays 2 wide (not [28, 1], whose
  // outer factor matches).
  searchspace::Config wide = big.space.from_values({{28, 2}, {28, 2}, {0, 1, 2, 3}, {0}, {0}, {3}});
  std::optional<searchspace::Config> narrow = map_config(small.space, wide.to_json());
  ASSERT_TRUE(narrow.has_value());
  EXPECT_EQ(narrow->get("tile_ow"), (std::vector<int64_t>{14, 2}));
  EXPECT_EQ(narrow->get("tile_oh"), (std::vector<int64_t>{14, 2}));
  EXPECT_FALSE(map_config(big.space, "{\"tile_ow\": [1, 56]}").has_value());
  EXPECT_FALSE(map_config(big.space, "not json").has_value());
}

TEST(XGBTuner, MakeTunerNeedsTheTask) {
  Task t = conv_task(16, 16, 8, 3, 1, 1);
  EXPECT_USER_ERROR(make_tuner("xgb", t.space, 1), "the xgb tuner needs the task");
  TunerContext ctx;
  ctx.task = &t;
  EXPECT_STREQ(make_tuner("xgb", t.space, 1, ctx)->name(), "xgb");
}

}  // namespace
}  // namespace autotune::tuner

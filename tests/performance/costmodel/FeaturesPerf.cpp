// Feature extraction speed on a ResNet-50 3x3 conv2d task (720 valid configs), one thread:
// configs per second including template application and lowering, against full lowering.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "costmodel/TaskFeaturizer.h"
#include "ir/graph/Graph.h"
#include "ir/graph/LowerFused.h"
#include "ir/lower/Lower.h"
#include "tests/common/FusedGraph.h"
#include "tests/common/GraphBuilder.h"

namespace autotune::costmodel {
namespace {

using graph::Graph;
using graph::Node;
using graph::ValueId;
using test::add_value;

/// The fused graph of one blocked 3x3 conv (256 channels, 14x14) with its relu.
Graph conv_graph() {
  Graph body;
  ValueId x = add_value(body, "x", {1, 16, 14, 14, 16});
  ValueId w = add_value(body, "w", {16, 16, 3, 3, 16, 16}, true);
  body.inputs = {x, w};
  ValueId y = add_value(body, "conv", {1, 16, 14, 14, 16});
  Node conv;
  conv.op_type = "conv2d_nchwc";
  conv.domain = "autotune";
  conv.inputs = {x, w};
  conv.outputs = {y};
  conv.attrs = test::attrs({{"strides", std::vector<int64_t>{1, 1}},
                            {"pads", std::vector<int64_t>{1, 1, 1, 1}},
                            {"dilations", std::vector<int64_t>{1, 1}}});
  body.add_node(conv);
  ValueId r = add_value(body, "relu", {1, 16, 14, 14, 16});
  Node relu;
  relu.op_type = "Relu";
  relu.inputs = {y};
  relu.outputs = {r};
  body.add_node(relu);
  body.outputs = {r};
  body.verify();
  return test::fused_graph({body});
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

TEST(FeaturesPerf, ConfigsPerSecondIncludingLowering) {
  std::vector<searchspace::Task> tasks = searchspace::extract_tasks(conv_graph(), "llvm", 8);
  ASSERT_EQ(tasks.size(), 1u);
  const searchspace::Task &t = tasks[0];
  std::vector<int64_t> valid;
  for (int64_t i = 0; i < t.space.size(); ++i) {
    if (t.space.is_valid(t.space.get(i))) valid.push_back(i);
  }
  TaskFeaturizer f(t, {});
  auto start = std::chrono::steady_clock::now();
  FeatureMatrix rows = f.rows(valid);
  double featurize_s = seconds_since(start);
  start = std::chrono::steady_clock::now();
  f.rows(valid);
  double cached_s = seconds_since(start);

  // Full lowering (unrolled and vectorized) of the same configs, for comparison.
  graph::FusedCompute fc = graph::lower_fused(*t.body);
  std::vector<te::Tensor> args;
  for (size_t u : fc.used_inputs) args.push_back(fc.inputs[u]);
  args.insert(args.end(), fc.outputs.begin(), fc.outputs.end());
  start = std::chrono::steady_clock::now();
  for (int64_t i : valid) lower::lower(t.tmpl->apply(fc, t.space.get(i), 8), args, "k");
  double lower_s = seconds_since(start);

  double n = static_cast<double>(valid.size());
  std::printf("%-40s %10s %12s\n", "", "configs", "configs/s");
  std::printf("%-40s %10.0f %12.0f\n", "features (apply + lower + extract)", n, n / featurize_s);
  std::printf("%-40s %10.0f %12.0f\n", "features, cached", n, n / cached_s);
  std::printf("%-40s %10.0f %12.0f\n", "full lowering (lower::lower)", n, n / lower_s);
  EXPECT_EQ(rows.rows, valid.size());
  // Features must cost less than lowering the candidate for code generation does.
  EXPECT_LT(featurize_s, lower_s);
  EXPECT_LT(cached_s * 20, featurize_s);
}

}  // namespace
}  // namespace autotune::costmodel

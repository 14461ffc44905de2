// Whole-graph compilation (graph passes, layout conversion, fusion, default schedules, memory
// plan, executor) against naive reference loops on a small network with a residual block,
// a depthwise conv, a channel concat, pooling and a classifier.
#include <cmath>

#include "codegen/BuildGraph.h"
#include "codegen/EvaluateNode.h"
#include "codegen/runtime/ThreadPool.h"
#include "ir/graph/GraphPipeline.h"
#include "tests/common/GraphBuilder.h"
#include "tests/common/Reference.h"
#include "tests/common/TestUtil.h"

namespace autotune {
namespace {

using graph::TensorData;
using test::attrs;
using test::ref::HostTensor;

std::shared_ptr<TensorData> data_of(const HostTensor &t) {
  return TensorData::from_floats(t.shape, t.data);
}

HostTensor relu(const HostTensor &x) {
  return test::ref::unary(x, [](float v) { return v > 0 ? v : 0.0f; });
}
HostTensor add(const HostTensor &a, const HostTensor &b) {
  return test::ref::broadcast_binary(a, b, [](float x, float y) { return x + y; });
}
HostTensor bias_nchw(const HostTensor &x, const HostTensor &b) {
  HostTensor b4({1, b.shape[0], 1, 1}, b.data);
  return add(x, b4);
}

struct Net {
  graph::Graph graph;
  HostTensor input, expected;
};

/// x -> [conv3x3+bias -> BN -> relu -> conv3x3 -> BN] + conv1x1(x) -> relu -> depthwise 3x3
///   -> concat(with conv1x1 branch) -> maxpool 3/2 -> avgpool 3/1 pad 1 -> global avg
///   -> flatten -> gemm
Net make_net() {
  test::GraphBuilder b(13);
  const int64_t C = 16, K = 32;
  HostTensor x = test::ref::random_tensor({1, C, 12, 12}, 1);
  HostTensor w1 = test::ref::random_tensor({K, C, 3, 3}, 2, -0.2f, 0.2f);
  HostTensor b1 = test::ref::random_tensor({K}, 3);
  HostTensor w2 = test::ref::random_tensor({K, K, 3, 3}, 4, -0.15f, 0.15f);
  HostTensor w3 = test::ref::random_tensor({K, C, 1, 1}, 5, -0.5f, 0.5f);
  HostTensor wd = test::ref::random_tensor({K, 1, 3, 3}, 6, -0.5f, 0.5f);
  HostTensor w5 = test::ref::random_tensor({8, K, 1, 1}, 7, -0.5f, 0.5f);
  HostTensor fc = test::ref::random_tensor({10, K + 8}, 8, -0.3f, 0.3f);
  HostTensor fcb = test::ref::random_tensor({10}, 9);
  auto bn_params = [&](uint32_t seed) {
    return std::vector<HostTensor>{test::ref::random_tensor({K}, seed, 0.5f, 1.5f),
                                   test::ref::random_tensor({K}, seed + 1, -0.2f, 0.2f),
                                   test::ref::random_tensor({K}, seed + 2, -0.2f, 0.2f),
                                   test::ref::random_tensor({K}, seed + 3, 0.5f, 1.5f)};
  };
  auto bn1 = bn_params(20), bn2 = bn_params(30);

  b.add_input("x", {1, C, 12, 12});
  for (auto [name, t] : std::vector<std::pair<std::string, HostTensor>>{
           {"w1", w1}, {"b1", b1}, {"w2", w2}, {"w3", w3}, {"wd", wd}, {"w5", w5},
           {"fc", fc}, {"fcb", fcb}, {"g1", bn1[0]}, {"be1", bn1[1]}, {"m1", bn1[2]},
           {"v1", bn1[3]}, {"g2", bn2[0]}, {"be2", bn2[1]}, {"m2", bn2[2]}, {"v2", bn2[3]}}) {
    b.add_constant(name, data_of(t));
  }
  auto conv_attrs = [](int64_t pad, int64_t group) {
    return attrs({{"pads", std::vector<int64_t>{pad, pad, pad, pad}},
                  {"strides", std::vector<int64_t>{1, 1}},
                  {"kernel_shape", std::vector<int64_t>{pad * 2 + 1, pad * 2 + 1}},
                  {"group", group}});
  };
  b.add_node("Conv", {"x", "w1", "b1"}, {"c1"}, conv_attrs(1, 1));
  b.add_node("BatchNormalization", {"c1", "g1", "be1", "m1", "v1"}, {"n1"},
             attrs({{"epsilon", 1e-5}}));
  b.add_node("Relu", {"n1"}, {"r1"});
  b.add_node("Conv", {"r1", "w2"}, {"c2"}, conv_attrs(1, 1));
  b.add_node("BatchNormalization", {"c2", "g2", "be2", "m2", "v2"}, {"n2"},
             attrs({{"epsilon", 1e-5}}));
  b.add_node("Conv", {"x", "w3"}, {"c3"}, conv_attrs(0, 1));
  b.add_node("Add", {"n2", "c3"}, {"s"});
  b.add_node("Relu", {"s"}, {"r2"});
  b.add_node("Conv", {"r2", "wd"}, {"d"}, conv_attrs(1, K));
  b.add_node("Conv", {"r2", "w5"}, {"e"}, conv_attrs(0, 1));
  b.add_node("Concat", {"d", "e"}, {"cat"}, attrs({{"axis", int64_t{1}}}));
  b.add_node("MaxPool", {"cat"}, {"mp"},
             attrs({{"kernel_shape", std::vector<int64_t>{3, 3}},
                    {"strides", std::vector<int64_t>{2, 2}},
                    {"pads", std::vector<int64_t>{1, 1, 1, 1}}}));
  b.add_node("AveragePool", {"mp"}, {"ap"},
             attrs({{"kernel_shape", std::vector<int64_t>{3, 3}},
                    {"strides", std::vector<int64_t>{1, 1}},
                    {"pads", std::vector<int64_t>{1, 1, 1, 1}},
                    {"count_include_pad", int64_t{0}}}));
  b.add_node("GlobalAveragePool", {"ap"}, {"gp"});
  b.add_node("Flatten", {"gp"}, {"f"}, attrs({{"axis", int64_t{1}}}));
  b.add_node("Gemm", {"f", "fc", "fcb"}, {"y"}, attrs({{"transB", int64_t{1}}}));
  b.add_outputs({"y"});

  using test::ref::Pads;
  HostTensor c1 = bias_nchw(test::ref::conv2d_nchw(x, w1, {1, 1}, Pads{1, 1, 1, 1}, {1, 1}, 1), b1);
  HostTensor r1 = relu(test::ref::batch_norm(c1, bn1[0], bn1[1], bn1[2], bn1[3], 1e-5));
  HostTensor n2 = test::ref::batch_norm(
      test::ref::conv2d_nchw(r1, w2, {1, 1}, Pads{1, 1, 1, 1}, {1, 1}, 1), bn2[0], bn2[1], bn2[2],
      bn2[3], 1e-5);
  HostTensor c3 = test::ref::conv2d_nchw(x, w3, {1, 1}, Pads{0, 0, 0, 0}, {1, 1}, 1);
  HostTensor r2 = relu(add(n2, c3));
  HostTensor d = test::ref::conv2d_nchw(r2, wd, {1, 1}, Pads{1, 1, 1, 1}, {1, 1}, K);
  HostTensor e = test::ref::conv2d_nchw(r2, w5, {1, 1}, Pads{0, 0, 0, 0}, {1, 1}, 1);
  HostTensor cat = test::ref::concat({d, e}, 1);
  HostTensor mp = test::ref::max_pool2d(cat, {3, 3}, {2, 2}, Pads{1, 1, 1, 1}, {1, 1}, false);
  HostTensor ap = test::ref::avg_pool2d(mp, {3, 3}, {1, 1}, Pads{1, 1, 1, 1}, {1, 1}, false, false);
  HostTensor gp = test::ref::global_avg_pool2d(ap);
  HostTensor flat = test::ref::reshape(gp, {1, K + 8});
  HostTensor y = test::ref::dense(flat, fc, &fcb);
  return {b.build(), x, y};
}

class BuildGraph : public ::testing::TestWithParam<std::tuple<bool, int>> {};

TEST_P(BuildGraph, SmallNetworkMatchesReference) {
  auto [blocked, threads] = GetParam();
  Net net = make_net();
  graph::GraphOptions gopt;
  gopt.blocked_layout = blocked;
  graph::Graph optimized = graph::optimize_graph(net.graph, codegen::evaluate_node, gopt);
  auto model = codegen::build_model(optimized);
  ASSERT_EQ(model->inputs().size(), 1u);
  ASSERT_EQ(model->outputs().size(), 1u);
  EXPECT_EQ(model->outputs()[0].shape, (std::vector<int64_t>{1, 10}));
  std::vector<float> out(10, -99.0f);
  autotune_set_num_threads(threads);
  model->run({net.input.data.data()}, {out.data()});
  autotune_set_num_threads(1);
  EXPECT_TRUE(test::all_close(out, net.expected.data, 1e-4f, 1e-4f));
  // BatchNormalization was folded and the layout passes produced blocked convolutions.
  for (const auto &n : optimized.nodes) {
    for (const auto &inner : n.body->nodes) EXPECT_NE(inner.op_type, "BatchNormalization");
  }
  bool saw_blocked = false;
  for (const auto &n : optimized.nodes) {
    for (const auto &inner : n.body->nodes) saw_blocked |= inner.op_type == "conv2d_nchwc";
  }
  EXPECT_EQ(saw_blocked, blocked);
  EXPECT_GT(model->arena_bytes(), 0);
}

INSTANTIATE_TEST_SUITE_P(LayoutsAndThreads, BuildGraph,
                         ::testing::Combine(::testing::Bool(), ::testing::Values(1, 2)));

}  // namespace
}  // namespace autotune

// simplify_inference (ir/graph/SimplifyInference.cpp): Identity/Dropout removal, Conv+BN and
// bias-Add folding, BN as scale and shift. Structure is checked against hand-written graphs;
// folded constants are also checked numerically against the naive reference (tests/common).
#include <gtest/gtest.h>

#include <cmath>

#include "ir/graph/Passes.h"
#include "tests/common/GraphBuilder.h"
#include "tests/common/Reference.h"
#include "tests/common/TestUtil.h"

namespace autotune::test {
namespace {

using graph::ConstantPtr;
using graph::Graph;
using graph::TensorData;
using ref::HostTensor;

ConstantPtr to_constant(const HostTensor &t) { return TensorData::from_floats(t.shape, t.data); }

HostTensor to_host(const TensorData &t) {
  return HostTensor(t.shape, std::vector<float>(t.data<float>(), t.data<float>() + t.size()));
}

/// The constant of the value called `name`.
const TensorData &constant_of(const Graph &g, const std::string &name) {
  std::optional<graph::ValueId> v = g.find_value(name);
  EXPECT_TRUE(v && g.value(*v).constant) << "no constant '" << name << "' in\n" << graph_str(g);
  return *g.value(*v).constant;
}

/// Batch-norm parameters for `c` channels (variance positive).
struct BatchNormParams {
  HostTensor gamma, beta, mean, var;
  explicit BatchNormParams(int64_t c, uint32_t seed)
      : gamma(ref::random_tensor({c}, seed, 0.5f, 2.0f)),
        beta(ref::random_tensor({c}, seed + 1)),
        mean(ref::random_tensor({c}, seed + 2)),
        var(ref::random_tensor({c}, seed + 3, 0.1f, 2.0f)) {}

  void add_to(GraphBuilder &b, const std::string &prefix) const {
    b.add_constant(prefix + "gamma", to_constant(gamma));
    b.add_constant(prefix + "beta", to_constant(beta));
    b.add_constant(prefix + "mean", to_constant(mean));
    b.add_constant(prefix + "var", to_constant(var));
  }
  std::vector<std::string> inputs(const std::string &x, const std::string &prefix) const {
    return {x, prefix + "gamma", prefix + "beta", prefix + "mean", prefix + "var"};
  }
  double scale(int64_t c, double eps) const { return gamma.data[c] / std::sqrt(var.data[c] + eps); }
};

/// x [N, K, H, W] + bias [K] along axis 1.
HostTensor add_channel_bias(const HostTensor &x, const HostTensor &bias) {
  return ref::broadcast_binary(x, HostTensor({bias.shape[0], 1, 1}, bias.data),
                               [](float a, float b) { return a + b; });
}

// ---- Identity and Dropout ---------------------------------------------------------------------

TEST(SimplifyInferenceTest, RemovesIdentityAndDropout) {
  GraphBuilder b;
  b.add_input("x", {4});
  b.add_node("Relu", {"x"}, {"a"});
  b.add_node("Identity", {"a"}, {"i"});
  b.add_node("Dropout", {"i"}, {"d", "mask"}, attrs({{"ratio", 0.5}}));
  b.add_node("Sigmoid", {"d"}, {"y"});
  b.add_outputs({"y"});

  GraphBuilder e;
  e.add_input("x", {4});
  e.add_node("Relu", {"x"}, {"a"});
  e.add_node("Sigmoid", {"a"}, {"y"});
  e.add_outputs({"y"});
  EXPECT_GRAPH_EQ(graph::simplify_inference(b.build()), e.build());
}

TEST(SimplifyInferenceTest, IdentityOnGraphOutputKeepsItsName) {
  // a is read before and after the Identity; the Relu writes y directly afterwards.
  GraphBuilder b;
  b.add_input("x", {4});
  b.add_node("Relu", {"x"}, {"a"});
  b.add_node("Sigmoid", {"a"}, {"s"});
  b.add_node("Identity", {"a"}, {"y"});
  b.add_node("Tanh", {"a"}, {"t"});
  b.add_outputs({"s", "y", "t"});

  GraphBuilder e;
  e.add_input("x", {4});
  e.add_node("Relu", {"x"}, {"y"});
  e.add_node("Sigmoid", {"y"}, {"s"});
  e.add_node("Tanh", {"y"}, {"t"});
  e.add_outputs({"s", "y", "t"});
  Graph out = graph::simplify_inference(b.build());
  EXPECT_GRAPH_EQ(out, e.build());
  out.verify();
}

TEST(SimplifyInferenceTest, ChainedIdentitiesToGraphOutput) {
  GraphBuilder b;
  b.add_input("x", {4});
  b.add_node("Relu", {"x"}, {"a"});
  b.add_node("Identity", {"a"}, {"b"});
  b.add_node("Identity", {"b"}, {"y"});
  b.add_node("Identity", {"b"}, {"z"});
  b.add_outputs({"y", "z"});

  // y takes a's place; z must stay a copy (both names are outputs).
  GraphBuilder e;
  e.add_input("x", {4});
  e.add_node("Relu", {"x"}, {"y"});
  e.add_node("Identity", {"y"}, {"z"});
  e.add_outputs({"y", "z"});
  EXPECT_GRAPH_EQ(graph::simplify_inference(b.build()), e.build());
}

TEST(SimplifyInferenceTest, KeepsIdentityCopiesOfInputsAndConstants) {
  GraphBuilder b;
  b.add_input("x", {4});
  b.add_constant("c", TensorData::from_floats({1}, {2}));
  b.add_node("Identity", {"x"}, {"y"});
  b.add_node("Identity", {"c"}, {"z"});
  b.add_outputs({"y", "z"});
  Graph in = b.build();
  EXPECT_GRAPH_EQ(graph::simplify_inference(in), in);
}

TEST(SimplifyInferenceTest, KeepsDropoutWhoseMaskIsRead) {
  GraphBuilder b;
  b.add_input("x", {4});
  b.add_node("Dropout", {"x"}, {"d", "mask"});
  b.add_node("Cast", {"mask"}, {"m"}, attrs({{"to", int64_t{1}}}));
  b.add_node("Mul", {"d", "m"}, {"y"});
  b.add_outputs({"y"});
  Graph in = b.build();
  EXPECT_GRAPH_EQ(graph::simplify_inference(in), in);
}

// ---- Conv + BatchNormalization -------------------------------------------------------------

TEST(SimplifyInferenceTest, FoldsBatchNormIntoConv) {
  const int64_t n = 2, c = 3, k = 4, h = 6, w = 5;
  const double eps = 1e-3;
  HostTensor x = ref::random_tensor({n, c, h, w}, 1);
  HostTensor weight = ref::random_tensor({k, c, 3, 3}, 2);
  HostTensor bias = ref::random_tensor({k}, 3);
  BatchNormParams bn(k, 4);
  graph::Attributes conv_attrs =
      attrs({{"pads", std::vector<int64_t>{1, 1, 1, 1}}, {"strides", std::vector<int64_t>{2, 1}}});

  GraphBuilder b;
  b.add_input("x", {n, c, h, w});
  b.add_constant("W", to_constant(weight));
  b.add_constant("B", to_constant(bias));
  bn.add_to(b, "bn_");
  b.add_node("Conv", {"x", "W", "B"}, {"conv_out"}, conv_attrs);
  b.set_type("conv_out", {n, k, 3, w});
  b.add_node("BatchNormalization", bn.inputs("conv_out", "bn_"), {"y"}, attrs({{"epsilon", eps}}));
  b.set_type("y", {n, k, 3, w});
  b.add_outputs({"y"});
  Graph out = graph::simplify_inference(b.build());

  // Expected constants, computed independently: W' = W * s, b' = (b - mean) * s + beta.
  HostTensor w_folded = weight, b_folded = bias;
  for (int64_t o = 0; o < k; ++o) {
    double s = bn.scale(o, eps);
    for (int64_t i = 0; i < c * 9; ++i) w_folded.data[o * c * 9 + i] *= static_cast<float>(s);
    b_folded.data[o] = static_cast<float>((bias.data[o] - bn.mean.data[o]) * s + bn.beta.data[o]);
  }
  GraphBuilder e;
  e.add_input("x", {n, c, h, w});
  e.add_constant("y_weight", to_constant(w_folded));
  e.add_constant("y_bias", to_constant(b_folded));
  e.add_node("Conv", {"x", "y_weight", "y_bias"}, {"y"}, conv_attrs);
  e.set_type("y", {n, k, 3, w});
  e.add_outputs({"y"});
  EXPECT_GRAPH_EQ(out, e.build());

  // Numerics: naive conv + batch norm against the naive folded conv.
  HostTensor expected = ref::batch_norm(
      add_channel_bias(ref::conv2d_nchw(x, weight, {2, 1}, {1, 1, 1, 1}, {1, 1}, 1), bias),
      bn.gamma, bn.beta, bn.mean, bn.var, eps);
  HostTensor actual = add_channel_bias(
      ref::conv2d_nchw(x, to_host(constant_of(out, "y_weight")), {2, 1}, {1, 1, 1, 1}, {1, 1}, 1),
      to_host(constant_of(out, "y_bias")));
  EXPECT_TRUE(all_close(actual.data, expected.data, 1e-5f, 1e-5f));
}

TEST(SimplifyInferenceTest, FoldsBatchNormIntoDepthwiseConvWithoutBias) {
  const int64_t n = 1, c = 6, h = 7, w = 7;
  const double eps = 1e-5;
  HostTensor x = ref::random_tensor({n, c, h, w}, 11);
  HostTensor weight = ref::random_tensor({c, 1, 3, 3}, 12);
  BatchNormParams bn(c, 13);
  GraphBuilder b;
  b.add_input("x", {n, c, h, w});
  b.add_constant("W", to_constant(weight));
  bn.add_to(b, "");
  b.add_node("Conv", {"x", "W"}, {"t"}, attrs({{"group", int64_t{c}}}));
  b.set_type("t", {n, c, 5, 5});
  b.add_node("BatchNormalization", bn.inputs("t", ""), {"y"});
  b.set_type("y", {n, c, 5, 5});
  b.add_node("Relu", {"y"}, {"r"});
  b.set_type("r", {n, c, 5, 5});
  b.add_outputs({"r"});
  Graph out = graph::simplify_inference(b.build());

  ASSERT_EQ(out.nodes.size(), 2u) << graph_str(out);
  EXPECT_EQ(out.nodes[0].op_type, "Conv");
  ASSERT_EQ(out.nodes[0].inputs.size(), 3u);  // a bias was created
  EXPECT_EQ(out.value(out.nodes[0].inputs[2]).name, "y_bias");
  EXPECT_EQ(out.value(out.nodes[0].outputs[0]).name, "y");
  EXPECT_EQ(out.nodes[0].attrs.get_int("group"), c);
  EXPECT_EQ(out.nodes[1].op_type, "Relu");
  // The BN parameters, the old weight and t are gone.
  EXPECT_EQ(out.values.size(), 5u) << graph_str(out);  // x, y_weight, y_bias, y, r

  HostTensor expected =
      ref::batch_norm(ref::conv2d_nchw(x, weight, {1, 1}, {0, 0, 0, 0}, {1, 1}, c), bn.gamma,
                      bn.beta, bn.mean, bn.var, eps);
  HostTensor actual = add_channel_bias(
      ref::conv2d_nchw(x, to_host(constant_of(out, "y_weight")), {1, 1}, {0, 0, 0, 0}, {1, 1}, c),
      to_host(constant_of(out, "y_bias")));
  EXPECT_TRUE(all_close(actual.data, expected.data, 1e-5f, 1e-5f));
}

TEST(SimplifyInferenceTest, SharedWeightIsNotChanged) {
  HostTensor weight = ref::random_tensor({2, 2, 1, 1}, 21);
  BatchNormParams bn(2, 22);
  GraphBuilder b;
  b.add_input("x", {1, 2, 3, 3});
  b.add_constant("W", to_constant(weight));
  bn.add_to(b, "");
  b.add_node("Conv", {"x", "W"}, {"t"});
  b.set_type("t", {1, 2, 3, 3});
  b.add_node("BatchNormalization", bn.inputs("t", ""), {"y"});
  b.set_type("y", {1, 2, 3, 3});
  b.add_node("Conv", {"x", "W"}, {"z"});
  b.set_type("z", {1, 2, 3, 3});
  b.add_outputs({"y", "z"});
  Graph out = graph::simplify_inference(b.build());
  ASSERT_EQ(out.nodes.size(), 2u);
  EXPECT_EQ(out.value(out.nodes[0].inputs[1]).name, "y_weight");
  EXPECT_EQ(out.value(out.nodes[1].inputs[1]).name, "W");
  const TensorData &w = constant_of(out, "W");
  for (int64_t i = 0; i < w.size(); ++i) EXPECT_EQ(w.data<float>()[i], weight.data[i]);
}

// ---- BatchNormalization as scale and shift ----------------------------------------------------

/// y = BatchNormalization(x) for x of `shape`, where x is produced by a Relu (not a Conv).
void check_batch_norm_as_scale_and_shift(const std::vector<int64_t> &shape,
                                         const std::vector<int64_t> &param_shape) {
  SCOPED_TRACE("shape " + graph::shape_str(shape));
  const int64_t c = shape[1];
  const double eps = 1e-4;
  BatchNormParams bn(c, 31);
  GraphBuilder b;
  b.add_input("x", shape);
  bn.add_to(b, "");
  b.add_node("Relu", {"x"}, {"r"});
  b.set_type("r", shape);
  b.add_node("BatchNormalization", bn.inputs("r", ""), {"y"}, attrs({{"epsilon", eps}}), "bn");
  b.set_type("y", shape);
  b.add_outputs({"y"});
  Graph out = graph::simplify_inference(b.build());

  std::vector<float> scale(c), shift(c);
  for (int64_t k = 0; k < c; ++k) {
    double s = bn.scale(k, eps);
    scale[k] = static_cast<float>(s);
    shift[k] = static_cast<float>(bn.beta.data[k] - bn.mean.data[k] * s);
  }
  GraphBuilder e;
  e.add_input("x", shape);
  e.add_node("Relu", {"x"}, {"r"});
  e.set_type("r", shape);
  e.add_constant("bn_scale", TensorData::from_floats(param_shape, scale));
  e.add_node("Mul", {"r", "bn_scale"}, {"bn_scaled"});
  e.set_type("bn_scaled", shape);
  e.add_constant("bn_shift", TensorData::from_floats(param_shape, shift));
  e.add_node("Add", {"bn_scaled", "bn_shift"}, {"y"});
  e.set_type("y", shape);
  e.add_outputs({"y"});
  EXPECT_GRAPH_EQ(out, e.build());

  // Numerics: x * scale + shift (numpy broadcasting) against the naive batch norm.
  HostTensor x = ref::random_tensor(shape, 32, -2, 2);
  HostTensor actual = ref::broadcast_binary(
      ref::broadcast_binary(x, to_host(constant_of(out, "bn_scale")),
                            [](float a, float s) { return a * s; }),
      to_host(constant_of(out, "bn_shift")), [](float a, float t) { return a + t; });
  HostTensor expected = ref::batch_norm(x, bn.gamma, bn.beta, bn.mean, bn.var, eps);
  EXPECT_TRUE(all_close(actual.data, expected.data, 1e-5f, 1e-5f));
}

TEST(SimplifyInferenceTest, BatchNormBecomesScaleAndShift) {
  check_batch_norm_as_scale_and_shift({2, 3, 4, 5}, {3, 1, 1});
  check_batch_norm_as_scale_and_shift({2, 3, 4}, {3, 1});
  check_batch_norm_as_scale_and_shift({4, 3}, {3});
}

TEST(SimplifyInferenceTest, BatchNormAfterSharedConvOutputIsNotFolded) {
  BatchNormParams bn(2, 41);
  GraphBuilder b;
  b.add_input("x", {1, 2, 3, 3});
  b.add_constant("W", to_constant(ref::random_tensor({2, 2, 1, 1}, 42)));
  bn.add_to(b, "");
  b.add_node("Conv", {"x", "W"}, {"t"});
  b.set_type("t", {1, 2, 3, 3});
  b.add_node("BatchNormalization", bn.inputs("t", ""), {"y"});
  b.set_type("y", {1, 2, 3, 3});
  b.add_node("Relu", {"t"}, {"z"});
  b.set_type("z", {1, 2, 3, 3});
  b.add_outputs({"y", "z"});
  Graph out = graph::simplify_inference(b.build());
  ASSERT_EQ(out.nodes.size(), 4u) << graph_str(out);
  EXPECT_EQ(out.nodes[0].op_type, "Conv");
  EXPECT_EQ(out.value(out.nodes[0].inputs[1]).name, "W");
  EXPECT_EQ(out.nodes[1].op_type, "Mul");
  EXPECT_EQ(out.nodes[2].op_type, "Add");
  EXPECT_EQ(out.value(out.nodes[2].outputs[0]).name, "y");
  EXPECT_EQ(out.nodes[3].op_type, "Relu");
}

TEST(SimplifyInferenceTest, BatchNormWithRuntimeParametersStays) {
  GraphBuilder b;
  b.add_input("x", {1, 2, 3, 3});
  b.add_input("mean", {2});
  b.add_constant("gamma", TensorData::from_floats({2}, {1, 2}));
  b.add_constant("beta", TensorData::from_floats({2}, {0, 1}));
  b.add_constant("var", TensorData::from_floats({2}, {1, 1}));
  b.add_node("BatchNormalization", {"x", "gamma", "beta", "mean", "var"}, {"y"});
  b.set_type("y", {1, 2, 3, 3});
  b.add_outputs({"y"});
  Graph in = b.build();
  EXPECT_GRAPH_EQ(graph::simplify_inference(in), in);
}

// ---- Bias additions ----------------------------------------------------------------------

/// Conv [1, 3, 4, 4] -> [1, 2, 4, 4] (1x1 kernel), then Add of `bias` (bias first when
/// `bias_first`). Returns the simplified graph.
Graph conv_plus_constant(const ConstantPtr &bias, bool bias_first = false) {
  GraphBuilder b;
  b.add_input("x", {1, 3, 4, 4});
  b.add_constant("W", TensorData::from_floats({2, 3, 1, 1}, {1, 2, 3, 4, 5, 6}));
  b.add_constant("B", TensorData::from_floats({2}, {10, 20}));
  b.add_constant("c", bias);
  b.add_node("Conv", {"x", "W", "B"}, {"t"});
  b.set_type("t", {1, 2, 4, 4});
  b.add_node("Add",
             bias_first ? std::vector<std::string>{"c", "t"} : std::vector<std::string>{"t", "c"},
             {"y"});
  b.set_type("y", {1, 2, 4, 4});
  b.add_outputs({"y"});
  return graph::simplify_inference(b.build());
}

/// The folded form of conv_plus_constant with the new bias values.
Graph conv_with_bias(std::vector<float> bias) {
  GraphBuilder e;
  e.add_input("x", {1, 3, 4, 4});
  e.add_constant("W", TensorData::from_floats({2, 3, 1, 1}, {1, 2, 3, 4, 5, 6}));
  e.add_constant("y_bias", TensorData::from_floats({2}, bias));
  e.add_node("Conv", {"x", "W", "y_bias"}, {"y"});
  e.set_type("y", {1, 2, 4, 4});
  e.add_outputs({"y"});
  return e.build();
}

TEST(SimplifyInferenceTest, FoldsPerChannelAddIntoConvBias) {
  EXPECT_GRAPH_EQ(conv_plus_constant(TensorData::from_floats({1, 2, 1, 1}, {1, 2})),
                  conv_with_bias({11, 22}));
  EXPECT_GRAPH_EQ(conv_plus_constant(TensorData::from_floats({2, 1, 1}, {1, 2}), true),
                  conv_with_bias({11, 22}));
  EXPECT_GRAPH_EQ(conv_plus_constant(TensorData::from_floats({}, {0.5f})),
                  conv_with_bias({10.5f, 20.5f}));
  EXPECT_GRAPH_EQ(conv_plus_constant(TensorData::from_floats({1}, {0.5f})),
                  conv_with_bias({10.5f, 20.5f}));
}

TEST(SimplifyInferenceTest, KeepsAddThatIsNotPerChannel) {
  // [2] broadcasts along the last axis (W = 4 here would not even match), [4] along W, and
  // [1, 1, 4, 4] varies spatially: none is a Conv bias.
  for (ConstantPtr c : {TensorData::from_floats({4}, {1, 2, 3, 4}),
                        TensorData::from_floats({1, 1, 4, 4}, std::vector<float>(16, 1.0f))}) {
    Graph out = conv_plus_constant(c);
    ASSERT_EQ(out.nodes.size(), 2u) << graph_str(out);
    EXPECT_EQ(out.nodes[1].op_type, "Add");
  }
}

TEST(SimplifyInferenceTest, FoldsConvBatchNormAndBiasAddTogether) {
  const double eps = 1e-5;
  BatchNormParams bn(2, 51);
  HostTensor weight = ref::random_tensor({2, 3, 1, 1}, 52);
  GraphBuilder b;
  b.add_input("x", {1, 3, 4, 4});
  b.add_constant("W", to_constant(weight));
  bn.add_to(b, "");
  b.add_constant("c", TensorData::from_floats({2, 1, 1}, {1, -1}));
  b.add_node("Conv", {"x", "W"}, {"t"});
  b.set_type("t", {1, 2, 4, 4});
  b.add_node("BatchNormalization", bn.inputs("t", ""), {"u"});
  b.set_type("u", {1, 2, 4, 4});
  b.add_node("Add", {"u", "c"}, {"y"});
  b.set_type("y", {1, 2, 4, 4});
  b.add_outputs({"y"});
  Graph out = graph::simplify_inference(b.build());
  ASSERT_EQ(out.nodes.size(), 1u) << graph_str(out);
  EXPECT_EQ(out.value(out.nodes[0].outputs[0]).name, "y");
  EXPECT_EQ(out.value(out.nodes[0].inputs[1]).name, "u_weight");
  EXPECT_EQ(out.value(out.nodes[0].inputs[2]).name, "y_bias");
  EXPECT_EQ(out.values.size(), 4u) << graph_str(out);  // x, u_weight, y_bias, y

  HostTensor x = ref::random_tensor({1, 3, 4, 4}, 53);
  HostTensor expected = ref::broadcast_binary(
      ref::batch_norm(ref::conv2d_nchw(x, weight, {1, 1}, {0, 0, 0, 0}, {1, 1}, 1), bn.gamma,
                      bn.beta, bn.mean, bn.var, eps),
      HostTensor({2, 1, 1}, {1, -1}), [](float a, float c) { return a + c; });
  HostTensor actual = add_channel_bias(
      ref::conv2d_nchw(x, to_host(constant_of(out, "u_weight")), {1, 1}, {0, 0, 0, 0}, {1, 1}, 1),
      to_host(constant_of(out, "y_bias")));
  EXPECT_TRUE(all_close(actual.data, expected.data, 1e-5f, 1e-5f));
}

TEST(SimplifyInferenceTest, FoldsBiasAddIntoGemmWithoutC) {
  GraphBuilder b;
  b.add_input("a", {2, 3});
  b.add_constant("B", TensorData::from_floats({4, 3}, ref::random_tensor({4, 3}, 61).data));
  b.add_constant("c", TensorData::from_floats({4}, {1, 2, 3, 4}));
  b.add_node("Gemm", {"a", "B"}, {"t"}, attrs({{"transB", int64_t{1}}, {"beta", 0.25}}));
  b.set_type("t", {2, 4});
  b.add_node("Add", {"t", "c"}, {"y"});
  b.set_type("y", {2, 4});
  b.add_outputs({"y"});

  GraphBuilder e;
  e.add_input("a", {2, 3});
  e.add_constant("B", TensorData::from_floats({4, 3}, ref::random_tensor({4, 3}, 61).data));
  e.add_constant("c", TensorData::from_floats({4}, {1, 2, 3, 4}));
  e.add_node("Gemm", {"a", "B", "c"}, {"y"}, attrs({{"transB", int64_t{1}}, {"beta", 1.0}}));
  e.set_type("y", {2, 4});
  e.add_outputs({"y"});
  EXPECT_GRAPH_EQ(graph::simplify_inference(b.build()), e.build());
}

TEST(SimplifyInferenceTest, FoldsBiasAddIntoGemmC) {
  HostTensor weight = ref::random_tensor({4, 3}, 71);
  HostTensor c_old = ref::random_tensor({4}, 72), c_add = ref::random_tensor({1, 4}, 73);
  GraphBuilder b;
  b.add_input("a", {2, 3});
  b.add_constant("B", to_constant(weight));
  b.add_constant("C", to_constant(c_old));
  b.add_constant("c", to_constant(c_add));
  b.add_node("Gemm", {"a", "B", "C"}, {"t"}, attrs({{"transB", int64_t{1}}, {"beta", 0.5}}));
  b.set_type("t", {2, 4});
  b.add_node("Add", {"c", "t"}, {"y"});
  b.set_type("y", {2, 4});
  b.add_outputs({"y"});
  Graph out = graph::simplify_inference(b.build());

  std::vector<float> merged(4);
  for (int i = 0; i < 4; ++i) merged[i] = 0.5f * c_old.data[i] + c_add.data[i];
  GraphBuilder e;
  e.add_input("a", {2, 3});
  e.add_constant("B", to_constant(weight));
  e.add_constant("y_bias", TensorData::from_floats({1, 4}, merged));
  e.add_node("Gemm", {"a", "B", "y_bias"}, {"y"}, attrs({{"transB", int64_t{1}}, {"beta", 1.0}}));
  e.set_type("y", {2, 4});
  e.add_outputs({"y"});
  EXPECT_GRAPH_EQ(out, e.build());

  // Numerics: a * B^T + 0.5 * C + c against a * B^T + C'.
  HostTensor a = ref::random_tensor({2, 3}, 74);
  HostTensor expected =
      ref::broadcast_binary(ref::broadcast_binary(ref::dense(a, weight, nullptr), c_old,
                                                  [](float y, float c) { return y + 0.5f * c; }),
                            c_add, [](float y, float c) { return y + c; });
  HostTensor actual =
      ref::broadcast_binary(ref::dense(a, weight, nullptr), to_host(constant_of(out, "y_bias")),
                            [](float y, float c) { return y + c; });
  EXPECT_TRUE(all_close(actual.data, expected.data, 1e-5f, 1e-5f));
}

TEST(SimplifyInferenceTest, AddOfGemmOutputReadTwiceStays) {
  GraphBuilder b;
  b.add_input("a", {2, 3});
  b.add_constant("B", TensorData::from_floats({3, 4}, std::vector<float>(12, 1.0f)));
  b.add_constant("c", TensorData::from_floats({4}, {1, 2, 3, 4}));
  b.add_node("Gemm", {"a", "B"}, {"t"});
  b.set_type("t", {2, 4});
  b.add_node("Add", {"t", "c"}, {"y"});
  b.set_type("y", {2, 4});
  b.add_outputs({"y", "t"});
  Graph in = b.build();
  EXPECT_GRAPH_EQ(graph::simplify_inference(in), in);
}

TEST(SimplifyInferenceTest, ResultPassesShapeInference) {
  // Every rewrite at once on an un-typed graph; the rewritten graph must re-infer to the same
  // types (new nodes are well-formed for lower_node).
  BatchNormParams bn1(4, 81), bn2(4, 85);
  GraphBuilder b;
  b.add_input("x", {1, 3, 8, 8});
  b.add_constant("W", to_constant(ref::random_tensor({4, 3, 3, 3}, 82)));
  b.add_constant("c", TensorData::from_floats({1, 4, 1, 1}, {1, 2, 3, 4}));
  bn1.add_to(b, "bn1_");
  bn2.add_to(b, "bn2_");
  b.add_constant("G", to_constant(ref::random_tensor({5, 16}, 83)));
  b.add_constant("g", TensorData::from_floats({5}, {1, 2, 3, 4, 5}));
  b.add_constant("shape", TensorData::from_int64s({2}, {4, 16}));
  b.add_node(
      "Conv", {"x", "W"}, {"t"},
      attrs({{"pads", std::vector<int64_t>{1, 1, 1, 1}}, {"strides", std::vector<int64_t>{2, 2}}}));
  b.add_node("BatchNormalization", bn1.inputs("t", "bn1_"), {"u"});
  b.add_node("Add", {"u", "c"}, {"v"});
  b.add_node("Dropout", {"v"}, {"d"});
  b.add_node("Relu", {"d"}, {"r"});
  b.add_node("BatchNormalization", bn2.inputs("r", "bn2_"), {"n"});
  b.add_node("Reshape", {"n", "shape"}, {"flat"});
  b.add_node("Gemm", {"flat", "G"}, {"m"}, attrs({{"transB", int64_t{1}}}));
  b.add_node("Add", {"m", "g"}, {"sum"});
  b.add_node("Identity", {"sum"}, {"y"});
  b.add_outputs({"y"});
  Graph in = graph::infer_shapes(b.build());
  Graph out = graph::simplify_inference(in);
  std::vector<std::string> ops;
  for (const graph::Node &node : out.nodes) ops.push_back(node.op_type);
  EXPECT_EQ(ops, std::vector<std::string>({"Conv", "Relu", "Mul", "Add", "Reshape", "Gemm"}));
  EXPECT_EQ(out.value(out.outputs[0]).name, "y");
  EXPECT_GRAPH_EQ(graph::infer_shapes(out), out);
}

}  // namespace
}  // namespace autotune::test

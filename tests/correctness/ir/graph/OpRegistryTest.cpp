// lower_node on the ONNX semantics the conformance suite (OnnxNodeTestsTest) does not reach:
// legacy opset forms, integer arithmetic, computed operands, broadcast corners, layouts that
// leave the tuned 2-D ops. Each node is lowered, run on the host, and compared with values
// worked out by hand or by the naive references in tests/common/Reference.h.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "ir/graph/OpRegistry.h"
#include "tests/common/GraphBuilder.h"
#include "tests/common/Reference.h"
#include "tests/common/TypedKernelRunner.h"

namespace autotune::test {
namespace {

using graph::ConstantPtr;
using graph::TensorData;

/// One node input: data (nullptr for an absent optional input) and whether the lowering sees
/// it as a constant. Every present input is also a placeholder.
struct Operand {
  ConstantPtr data;
  bool constant = false;
};
Operand tensor(ConstantPtr d) { return {std::move(d), false}; }
Operand constant(ConstantPtr d) { return {std::move(d), true}; }
Operand absent() { return {}; }

ConstantPtr floats(std::vector<int64_t> shape, const std::vector<float> &v) {
  return TensorData::from_floats(std::move(shape), v);
}
ConstantPtr ints(std::vector<int64_t> shape, const std::vector<int64_t> &v) {
  return TensorData::from_int64s(std::move(shape), v);
}
ConstantPtr host_tensor(const ref::HostTensor &h) { return floats(h.shape, h.data); }

/// Lowers one `op` node over `inputs` and runs it; returns its outputs.
std::vector<ConstantPtr> run_node(const std::string &op, const std::vector<Operand> &inputs,
                                  graph::Attributes attributes = {}, int64_t opset = 13,
                                  size_t num_outputs = 1) {
  graph::Node node;
  node.name = "n";
  node.op_type = op;
  node.attrs = std::move(attributes);
  node.attrs.owner = node.describe();
  std::vector<graph::LoweringInput> lowering_inputs;
  std::vector<te::Tensor> placeholders;
  std::vector<ConstantPtr> placeholder_data;
  for (size_t i = 0; i < inputs.size(); ++i) {
    node.inputs.push_back(inputs[i].data ? static_cast<int>(i) : graph::kNone);
    graph::LoweringInput li;
    if (inputs[i].data) {
      li.tensor =
          te::placeholder(inputs[i].data->shape, inputs[i].data->dtype, "in" + std::to_string(i));
      placeholders.push_back(li.tensor);
      placeholder_data.push_back(inputs[i].data);
      if (inputs[i].constant) li.constant = inputs[i].data;
    }
    lowering_inputs.push_back(li);
  }
  for (size_t o = 0; o < num_outputs; ++o) node.outputs.push_back(static_cast<int>(100 + o));
  std::vector<te::Tensor> outs = graph::lower_node(node, lowering_inputs, opset);
  std::vector<te::Tensor> read = placeholders_read(outs);
  std::vector<te::Tensor> args;
  std::vector<std::vector<uint8_t>> data;
  for (size_t i = 0; i < placeholders.size(); ++i) {
    if (std::any_of(read.begin(), read.end(),
                    [&](const te::Tensor &t) { return t.same_as(placeholders[i]); })) {
      args.push_back(placeholders[i]);
      data.push_back(placeholder_data[i]->bytes);
    }
  }
  std::vector<std::vector<uint8_t>> got = run_default_typed(args, outs, data);
  std::vector<ConstantPtr> results;
  for (size_t o = 0; o < outs.size(); ++o) {
    auto r = TensorData::make(outs[o].dtype(), outs[o].shape());
    r->bytes = got[o];
    results.push_back(r);
  }
  return results;
}

ConstantPtr run1(const std::string &op, const std::vector<Operand> &inputs,
                 graph::Attributes attributes = {}, int64_t opset = 13) {
  return run_node(op, inputs, std::move(attributes), opset).at(0);
}

/// Checks dtype, shape and values (within 1e-5 relative for floats, exact otherwise).
void expect_data(const ConstantPtr &got, ir::DataType dtype, const std::vector<int64_t> &shape,
                 const std::vector<double> &values) {
  ASSERT_EQ(got->dtype, dtype) << got->dtype.str();
  ASSERT_EQ(got->shape, shape) << graph::shape_str(got->shape);
  ASSERT_EQ(got->size(), static_cast<int64_t>(values.size()));
  for (int64_t i = 0; i < got->size(); ++i) {
    if (dtype.is_float()) {
      EXPECT_NEAR(got->as_double(i), values[i], 1e-5 * (1 + std::fabs(values[i])))
          << "element " << i;
    } else {
      EXPECT_EQ(got->as_int64(i), static_cast<int64_t>(values[i])) << "element " << i;
    }
  }
}

void expect_host(const ConstantPtr &got, const ref::HostTensor &want) {
  std::vector<double> values(want.data.begin(), want.data.end());
  expect_data(got, ir::Float(32), want.shape, values);
}

TEST(OpRegistryTest, SupportedOpsAreSortedAndQueryable) {
  std::vector<std::string> ops = graph::supported_ops();
  EXPECT_TRUE(std::is_sorted(ops.begin(), ops.end()));
  for (const char *op : {"Conv", "Resize", "LRN", "ReduceMax", "Upsample", "Where", "Shape"}) {
    EXPECT_TRUE(graph::is_supported_op(op)) << op;
    EXPECT_NE(std::find(ops.begin(), ops.end(), op), ops.end()) << op;
  }
  EXPECT_FALSE(graph::is_supported_op("LSTM"));
  EXPECT_FALSE(graph::is_supported_op("conv"));
}

TEST(OpRegistryTest, LegacySoftmaxFlattensFromTheAxis) {
  // Opset 11 normalizes each row of the [2, 2*3] matrix, not each axis-1 slice.
  ref::HostTensor x = ref::random_tensor({2, 2, 3}, 1, -2, 2);
  ref::HostTensor flat = ref::softmax(ref::reshape(x, {2, 6}), 1);
  expect_host(run1("Softmax", {tensor(host_tensor(x))}, attrs({{"axis", int64_t{1}}}), 11),
              ref::reshape(flat, {2, 2, 3}));
  ref::HostTensor all = ref::log_softmax(ref::reshape(x, {1, 12}), 1);
  expect_host(run1("LogSoftmax", {tensor(host_tensor(x))}, attrs({{"axis", int64_t{0}}}), 11),
              ref::reshape(all, {2, 2, 3}));
  // From opset 13 the same attribute means one axis.
  expect_host(run1("Softmax", {tensor(host_tensor(x))}, attrs({{"axis", int64_t{1}}}), 13),
              ref::softmax(x, 1));
}

TEST(OpRegistryTest, ReduceMaxMinProdWithAttributeAxes) {
  ref::HostTensor x = ref::random_tensor({2, 3, 4}, 2);
  expect_host(run1("ReduceMax", {tensor(host_tensor(x))},
                   attrs({{"axes", std::vector<int64_t>{-1}}, {"keepdims", int64_t{0}}})),
              ref::reduce(x, {2}, false, ref::ReduceKind::Max));
  expect_host(
      run1("ReduceMin", {tensor(host_tensor(x))}, attrs({{"axes", std::vector<int64_t>{0, 2}}})),
      ref::reduce(x, {0, 2}, true, ref::ReduceKind::Min));
  expect_host(run1("ReduceProd", {tensor(host_tensor(x))}),
              ref::reduce(x, {}, true, ref::ReduceKind::Prod));
  // ReduceSum takes its axes as an input from opset 13; absent means all axes.
  expect_host(
      run1("ReduceSum", {tensor(host_tensor(x)), absent()}, attrs({{"keepdims", int64_t{0}}})),
      ref::reduce(x, {}, false, ref::ReduceKind::Sum));
}

TEST(OpRegistryTest, LrnSumsSquaresOverNeighbouringChannels) {
  ref::HostTensor x = ref::random_tensor({1, 5, 2, 1}, 3);
  int64_t size = 4;  // even: window [c - 1, c + 2]
  double alpha = 0.1, beta = 0.6, bias = 2.0;
  ref::HostTensor want(x.shape);
  for (int64_t c = 0; c < 5; ++c) {
    for (int64_t h = 0; h < 2; ++h) {
      double sq = 0;
      for (int64_t k = c - 1; k <= c + 2; ++k) {
        if (k >= 0 && k < 5) sq += x.at({0, k, h, 0}) * x.at({0, k, h, 0});
      }
      want.at({0, c, h, 0}) =
          static_cast<float>(x.at({0, c, h, 0}) / std::pow(bias + alpha / size * sq, beta));
    }
  }
  expect_host(run1("LRN", {tensor(host_tensor(x))},
                   attrs({{"size", size}, {"alpha", alpha}, {"beta", beta}, {"bias", bias}})),
              want);
}

TEST(OpRegistryTest, ClipBoundsFromAttributesInputsAndComputedTensors) {
  ConstantPtr x = floats({4}, {-3, -0.5f, 0.5f, 3});
  expect_data(run1("Clip", {tensor(x)}, attrs({{"min", -1.0}, {"max", 1.0}}), 6), ir::Float(32),
              {4}, {-1, -0.5, 0.5, 1});
  // A computed (non-constant) min and an absent max.
  expect_data(run1("Clip", {tensor(x), tensor(floats({}, {0.0f})), absent()}), ir::Float(32), {4},
              {0, 0, 0.5, 3});
  // Integer clip with only a max keeps the low end of the type.
  ConstantPtr xi = ints({3}, {-9000000000, 5, 12});
  expect_data(run1("Clip", {tensor(xi), absent(), constant(ints({}, {10}))}), ir::Int(64), {3},
              {-9000000000.0, 5, 10});
}

TEST(OpRegistryTest, PadModesAndNegativePads) {
  // [[1, 2, 3], [4, 5, 6]] padded by rows (1, 0) and columns (2, 1).
  ConstantPtr x = floats({2, 3}, {1, 2, 3, 4, 5, 6});
  ConstantPtr pads = ints({4}, {1, 2, 0, 1});
  expect_data(run1("Pad", {tensor(x), constant(pads)}, attrs({{"mode", std::string("reflect")}})),
              ir::Float(32), {3, 6}, {6, 5, 4, 5, 6, 5, 3, 2, 1, 2, 3, 2, 6, 5, 4, 5, 6, 5});
  expect_data(run1("Pad", {tensor(x), constant(pads)}, attrs({{"mode", std::string("edge")}})),
              ir::Float(32), {3, 6}, {1, 1, 1, 2, 3, 3, 1, 1, 1, 2, 3, 3, 4, 4, 4, 5, 6, 6});
  // A computed fill value and a negative pad that drops the first column.
  expect_data(run1("Pad", {tensor(x), constant(ints({4}, {0, -1, 1, 0})), tensor(floats({}, {9}))}),
              ir::Float(32), {3, 2}, {2, 3, 5, 6, 9, 9});
  // Opset 2 form: pads and value as attributes.
  expect_data(run1("Pad", {tensor(x)},
                   attrs({{"pads", std::vector<int64_t>{0, 1, 0, 0}}, {"value", 7.0}}), 2),
              ir::Float(32), {2, 4}, {7, 1, 2, 3, 7, 4, 5, 6});
}

TEST(OpRegistryTest, IntegerDivisionTruncatesTowardZero) {
  expect_data(run1("Div", {tensor(ints({4}, {-7, 7, -7, 7})), tensor(ints({4}, {2, 2, -2, -2}))}),
              ir::Int(64), {4}, {-3, 3, 3, -3});
  // Shape arithmetic mixes int64 ops with broadcasting.
  expect_data(run1("Mul", {tensor(ints({2}, {3, 4})), tensor(ints({}, {2}))}), ir::Int(64), {2},
              {6, 8});
}

TEST(OpRegistryTest, MatMulVectorsAndBroadcastBatches) {
  ref::HostTensor a = ref::random_tensor({3}, 4), m = ref::random_tensor({3, 2}, 5);
  ref::HostTensor want = ref::reshape(ref::matmul(ref::reshape(a, {1, 3}), m), {2});
  expect_host(run1("MatMul", {tensor(host_tensor(a)), tensor(host_tensor(m))}), want);
  ref::HostTensor b = ref::random_tensor({2}, 6);
  ref::HostTensor want2 = ref::reshape(ref::matmul(m, ref::reshape(b, {2, 1})), {3});
  expect_host(run1("MatMul", {tensor(host_tensor(m)), tensor(host_tensor(b))}), want2);
  double dot = 0;
  for (int i = 0; i < 3; ++i) dot += a.data[i] * a.data[i];
  expect_data(run1("MatMul", {tensor(host_tensor(a)), tensor(host_tensor(a))}), ir::Float(32), {},
              {dot});
  // [2, 1, 2, 3] x [3, 3, 2]: batches broadcast to [2, 3].
  ref::HostTensor x = ref::random_tensor({2, 1, 2, 3}, 7), y = ref::random_tensor({3, 3, 2}, 8);
  ref::HostTensor want3({2, 3, 2, 2});
  for (int64_t i = 0; i < 2; ++i) {
    for (int64_t j = 0; j < 3; ++j) {
      for (int64_t r = 0; r < 2; ++r) {
        for (int64_t c = 0; c < 2; ++c) {
          float s = 0;
          for (int64_t k = 0; k < 3; ++k) s += x.at({i, 0, r, k}) * y.at({j, k, c});
          want3.at({i, j, r, c}) = s;
        }
      }
    }
  }
  expect_host(run1("MatMul", {tensor(host_tensor(x)), tensor(host_tensor(y))}), want3);
}

TEST(OpRegistryTest, GemmTransposedAWithColumnBias) {
  ref::HostTensor a = ref::random_tensor({4, 3}, 9), b = ref::random_tensor({4, 5}, 10);
  ref::HostTensor c = ref::random_tensor({3, 1}, 11);
  ref::HostTensor prod = ref::matmul(ref::transpose(a, {1, 0}), b);
  ref::HostTensor want =
      ref::broadcast_binary(prod, c, [](float p, float cv) { return 2.0f * p - 0.5f * cv; });
  expect_host(run1("Gemm", {tensor(host_tensor(a)), tensor(host_tensor(b)), tensor(host_tensor(c))},
                   attrs({{"transA", int64_t{1}}, {"alpha", 2.0}, {"beta", -0.5}})),
              want);
  // The fully connected form (transB, bias [N]) and an omitted C.
  ref::HostTensor w = ref::random_tensor({5, 4}, 12), bias = ref::random_tensor({5}, 13);
  ref::HostTensor x = ref::transpose(a, {1, 0});
  expect_host(
      run1("Gemm", {tensor(host_tensor(x)), tensor(host_tensor(w)), tensor(host_tensor(bias))},
           attrs({{"transB", int64_t{1}}})),
      ref::dense(x, w, &bias));
  expect_host(run1("Gemm", {tensor(host_tensor(x)), tensor(host_tensor(w))},
                   attrs({{"transB", int64_t{1}}})),
              ref::dense(x, w, nullptr));
}

TEST(OpRegistryTest, ConvTransposeGroupsAndOutputShapeBeyondTheFullExtent) {
  ref::HostTensor x = ref::random_tensor({1, 4, 3, 3}, 14),
                  w = ref::random_tensor({4, 3, 3, 2}, 15);
  ref::HostTensor want = ref::conv2d_transpose_nchw(x, w, {2, 1}, {1, 0, 0, 1}, {1, 1}, 2, {1, 0});
  expect_host(run1("ConvTranspose", {tensor(host_tensor(x)), tensor(host_tensor(w))},
                   attrs({{"group", int64_t{2}},
                          {"strides", std::vector<int64_t>{2, 1}},
                          {"pads", std::vector<int64_t>{1, 0, 0, 1}},
                          {"output_padding", std::vector<int64_t>{1, 0}}})),
              want);
  // output_shape two rows and columns past the full extent: zeros, then the bias.
  ref::HostTensor w1 = ref::random_tensor({4, 2, 3, 3}, 16), bias = ref::random_tensor({2}, 17);
  ref::HostTensor full = ref::conv2d_transpose_nchw(x, w1, {1, 1}, {0, 0, 0, 0}, {1, 1}, 1, {0, 0});
  ref::HostTensor want2({1, 2, 7, 7});
  for (int64_t k = 0; k < 2; ++k) {
    for (int64_t h = 0; h < 7; ++h) {
      for (int64_t v = 0; v < 7; ++v) {
        float inside = h < 5 && v < 5 ? full.at({0, k, h, v}) : 0.0f;
        want2.at({0, k, h, v}) = inside + bias.data[k];
      }
    }
  }
  expect_host(run1("ConvTranspose",
                   {tensor(host_tensor(x)), tensor(host_tensor(w1)), tensor(host_tensor(bias))},
                   attrs({{"output_shape", std::vector<int64_t>{7, 7}}})),
              want2);
}

TEST(OpRegistryTest, ConvAutoPadSameUpperPutsTheOddPadAtTheEnd) {
  ref::HostTensor x = ref::random_tensor({1, 2, 6, 5}, 18),
                  w = ref::random_tensor({3, 2, 2, 2}, 19);
  // out = ceil(in / 2) = [3, 3]; total pads [0, 1]: width pads (0, 1).
  ref::HostTensor want = ref::conv2d_nchw(x, w, {2, 2}, {0, 0, 0, 1}, {1, 1}, 1);
  expect_host(run1("Conv", {tensor(host_tensor(x)), tensor(host_tensor(w))},
                   attrs({{"auto_pad", std::string("SAME_UPPER")},
                          {"strides", std::vector<int64_t>{2, 2}}})),
              want);
}

TEST(OpRegistryTest, AveragePool1dCountsPadsWhenAsked) {
  ConstantPtr x = floats({1, 1, 4}, {1, 2, 3, 4});
  graph::Attributes a = attrs({{"kernel_shape", std::vector<int64_t>{3}},
                               {"pads", std::vector<int64_t>{1, 1}},
                               {"count_include_pad", int64_t{1}}});
  expect_data(run1("AveragePool", {tensor(x)}, a), ir::Float(32), {1, 1, 4},
              {1.0, 2.0, 3.0, 7.0 / 3});
  a.set("count_include_pad", int64_t{0});
  expect_data(run1("AveragePool", {tensor(x)}, a), ir::Float(32), {1, 1, 4}, {1.5, 2, 3, 3.5});
  // Global pooling of a 3-D (rank 5) input.
  expect_data(run1("GlobalMaxPool", {tensor(floats({1, 1, 2, 1, 2}, {1, 5, 2, 3}))}), ir::Float(32),
              {1, 1, 1, 1, 1}, {5});
}

TEST(OpRegistryTest, SplitFormsAcrossOpsets) {
  ConstantPtr x = floats({7}, {0, 1, 2, 3, 4, 5, 6});
  std::vector<ConstantPtr> parts =
      run_node("Split", {tensor(x)}, attrs({{"num_outputs", int64_t{3}}}), 18, 3);
  expect_data(parts[0], ir::Float(32), {3}, {0, 1, 2});
  expect_data(parts[1], ir::Float(32), {3}, {3, 4, 5});
  expect_data(parts[2], ir::Float(32), {1}, {6});
  parts = run_node("Split", {tensor(x)}, attrs({{"split", std::vector<int64_t>{2, 5}}}), 11, 2);
  expect_data(parts[0], ir::Float(32), {2}, {0, 1});
  expect_data(parts[1], ir::Float(32), {5}, {2, 3, 4, 5, 6});
}

TEST(OpRegistryTest, CastTruncatesAndTestsAgainstZero) {
  ConstantPtr x = floats({4}, {-1.7f, 0.0f, 0.25f, 2.9f});
  expect_data(run1("Cast", {tensor(x)}, attrs({{"to", int64_t{7}}})), ir::Int(64), {4},
              {-1, 0, 0, 2});
  expect_data(run1("Cast", {tensor(x)}, attrs({{"to", int64_t{9}}})), ir::Bool(), {4},
              {1, 0, 1, 1});
  expect_data(run1("Cast", {tensor(ints({2}, {-3, 5}))}, attrs({{"to", int64_t{1}}})),
              ir::Float(32), {2}, {-3, 5});
}

TEST(OpRegistryTest, ShapeComputationsProduceInt64) {
  ConstantPtr x = floats({2, 3, 4}, std::vector<float>(24, 1.0f));
  expect_data(run1("Shape", {tensor(x)}, attrs({{"start", int64_t{-2}}}), 15), ir::Int(64), {2},
              {3, 4});
  expect_data(run1("Constant", {}, attrs({{"value_ints", std::vector<int64_t>{5, -1}}})),
              ir::Int(64), {2}, {5, -1});
  expect_data(run1("Constant", {}, attrs({{"value_float", 2.5}})), ir::Float(32), {}, {2.5});
  auto seven = TensorData::from_int64s({1}, {7});
  expect_data(run1("ConstantOfShape", {constant(ints({2}, {2, 1}))},
                   attrs({{"value", ConstantPtr(seven)}}), 9),
              ir::Int(64), {2, 1}, {7, 7});
  expect_data(run1("Squeeze", {tensor(floats({1, 2, 1}, {4, 5}))}, {}, 11), ir::Float(32), {2},
              {4, 5});
  expect_data(run1("Unsqueeze", {tensor(floats({2}, {4, 5}))},
                   attrs({{"axes", std::vector<int64_t>{-1, 0}}}), 11),
              ir::Float(32), {1, 2, 1}, {4, 5});
  expect_data(run1("Equal", {tensor(ints({3}, {1, 2, 3})), tensor(ints({}, {2}))}), ir::Bool(), {3},
              {0, 1, 0});
}

TEST(OpRegistryTest, GatherExpandAndWhereBroadcast) {
  ConstantPtr data = floats({2, 3}, {0, 1, 2, 3, 4, 5});
  auto idx = TensorData::make(ir::Int(32), {2});
  idx->mutable_data<int32_t>()[0] = -1;
  idx->mutable_data<int32_t>()[1] = 0;
  expect_data(run1("Gather", {tensor(data), tensor(idx)}, attrs({{"axis", int64_t{1}}})),
              ir::Float(32), {2, 2}, {2, 0, 5, 3});
  // Expand broadcasts both ways: [3, 1] with [2, 1, 4] gives [2, 3, 4].
  std::vector<double> expanded;
  for (int i = 0; i < 2; ++i) {
    for (double v : {7.0, 8.0, 9.0}) expanded.insert(expanded.end(), 4, v);
  }
  expect_data(run1("Expand", {tensor(floats({3, 1}, {7, 8, 9})), constant(ints({3}, {2, 1, 4}))}),
              ir::Float(32), {2, 3, 4}, expanded);
  auto cond = TensorData::make(ir::Bool(), {2, 1});
  cond->mutable_data<uint8_t>()[0] = 1;
  expect_data(
      run1("Where", {tensor(cond), tensor(ints({3}, {1, 2, 3})), tensor(ints({}, {-1}))}, {}, 16),
      ir::Int(64), {2, 3}, {1, 2, 3, -1, -1, -1});
}

TEST(OpRegistryTest, VariadicOpsBroadcastEveryInput) {
  ConstantPtr a = floats({2, 1}, {1, 2}), b = floats({3}, {10, 20, 30}), c = floats({}, {100});
  expect_data(run1("Sum", {tensor(a), tensor(b), tensor(c)}), ir::Float(32), {2, 3},
              {111, 121, 131, 112, 122, 132});
  expect_data(run1("Max", {tensor(a), tensor(floats({3}, {0, 1.5f, 3}))}), ir::Float(32), {2, 3},
              {1, 1.5, 3, 2, 2, 3});
  expect_data(run1("Mean", {tensor(a), tensor(b)}), ir::Float(32), {2, 3},
              {5.5, 10.5, 15.5, 6, 11, 16});
}

TEST(OpRegistryTest, DropoutAndUpsampleLegacyForms) {
  ConstantPtr x = floats({1, 1, 1, 2}, {1, 2});
  std::vector<ConstantPtr> outs = run_node("Dropout", {tensor(x)}, attrs({{"ratio", 0.5}}), 12, 2);
  expect_data(outs[0], ir::Float(32), {1, 1, 1, 2}, {1, 2});
  expect_data(outs[1], ir::Bool(), {1, 1, 1, 2}, {1, 1});
  expect_data(
      run1("Upsample", {tensor(x)}, attrs({{"scales", std::vector<double>{1, 1, 2, 1.5}}}), 7),
      ir::Float(32), {1, 1, 2, 3}, {1, 1, 2, 1, 1, 2});
}

TEST(OpRegistryTest, ResizeOpset18ScalesOnlyTheListedAxes) {
  ConstantPtr x = floats({1, 1, 2, 2}, {1, 2, 3, 4});
  graph::Attributes a = attrs({{"axes", std::vector<int64_t>{2, 3}},
                               {"coordinate_transformation_mode", std::string("asymmetric")},
                               {"nearest_mode", std::string("floor")}});
  expect_data(run1("Resize", {tensor(x), absent(), constant(floats({2}, {2, 2}))}, a, 18),
              ir::Float(32), {1, 1, 4, 4}, {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});
  // not_larger keeps the aspect ratio: sizes [3, 8] become [3, 3] (scale 1.5).
  a.set("keep_aspect_ratio_policy", std::string("not_larger"));
  expect_data(run1("Resize", {tensor(x), absent(), absent(), constant(ints({2}, {3, 8}))}, a, 18),
              ir::Float(32), {1, 1, 3, 3}, {1, 1, 2, 1, 1, 2, 3, 3, 4});
}

}  // namespace
}  // namespace autotune::test

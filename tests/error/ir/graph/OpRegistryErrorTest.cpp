// lower_node user errors: each names the node (and op type, opset or input) and the bad value.
#include <gtest/gtest.h>

#include "ir/graph/OpRegistry.h"
#include "tests/common/GraphBuilder.h"
#include "tests/common/TestUtil.h"

namespace autotune::test {
namespace {

using graph::LoweringInput;
using graph::TensorData;

/// A node `name` of `op` with one output and inputs 0..n-1 (kNone where `inputs[i]` is empty).
graph::Node make_node(const std::string &op, const std::string &name,
                      const std::vector<LoweringInput> &inputs, graph::Attributes a = {},
                      const std::string &domain = "") {
  graph::Node node;
  node.name = name;
  node.op_type = op;
  node.domain = domain;
  node.attrs = std::move(a);
  node.attrs.owner = node.describe();
  for (size_t i = 0; i < inputs.size(); ++i) {
    bool present = inputs[i].tensor.defined() || inputs[i].constant;
    node.inputs.push_back(present ? static_cast<int>(i) : graph::kNone);
  }
  node.outputs.push_back(static_cast<int>(inputs.size()));
  return node;
}

LoweringInput input(std::vector<int64_t> shape, ir::DataType dtype = ir::Float(32)) {
  return {te::placeholder(shape, dtype, "x"), nullptr};
}

TEST(OpRegistryError, UnsupportedOpNamesOpTypeOpsetAndNode) {
  std::vector<LoweringInput> ins = {input({4})};
  EXPECT_USER_ERROR(graph::lower_node(make_node("Foo", "n1", ins), ins, 13),
                    "unsupported operator 'Foo' (opset 13) at node 'n1'");
  EXPECT_USER_ERROR(graph::lower_node(make_node("Relu", "n2", ins, {}, "com.example"), ins, 13),
                    "unsupported operator 'com.example.Relu' (opset 13) at node 'n2'");
}

TEST(OpRegistryError, ShapeOperandMustBeConstant) {
  std::vector<LoweringInput> ins = {input({2, 3}), input({2}, ir::Int(64))};
  EXPECT_USER_ERROR(graph::lower_node(make_node("Reshape", "r", ins), ins, 13),
                    "node 'r' (Reshape): input 'shape' must be a constant (dynamic shapes are not "
                    "supported)");
}

TEST(OpRegistryError, EmptyOutputsAreRejected) {
  std::vector<LoweringInput> ins = {input({4}),
                                    {te::Tensor(), TensorData::from_int64s({1}, {3})},
                                    {te::Tensor(), TensorData::from_int64s({1}, {3})}};
  EXPECT_USER_ERROR(graph::lower_node(make_node("Slice", "s", ins), ins, 13),
                    "node 's' (Slice): the output would have shape [0] (zero-size tensors are not "
                    "supported)");
}

TEST(OpRegistryError, UnsupportedResizeModeIsNamed) {
  std::vector<LoweringInput> ins = {
      input({1, 1, 2, 2}), {}, {te::Tensor(), TensorData::from_floats({4}, {1, 1, 2, 2})}};
  EXPECT_USER_ERROR(
      graph::lower_node(make_node("Resize", "up", ins, attrs({{"mode", std::string("cubic")}})),
                        ins, 13),
      "node 'up' (Resize): mode 'cubic' is not supported");
}

TEST(OpRegistryError, TrainingBatchNormIsRejected) {
  std::vector<LoweringInput> ins = {input({1, 2, 3}), input({2}), input({2}), input({2}),
                                    input({2})};
  EXPECT_USER_ERROR(graph::lower_node(make_node("BatchNormalization", "bn", ins,
                                                attrs({{"training_mode", int64_t{1}}})),
                                      ins, 15),
                    "node 'bn' (BatchNormalization): only inference is supported");
}

TEST(OpRegistryError, AxisOutOfRangeShowsTheValidRange) {
  std::vector<LoweringInput> ins = {input({2, 3})};
  EXPECT_USER_ERROR(
      graph::lower_node(make_node("Softmax", "sm", ins, attrs({{"axis", int64_t{2}}})), ins, 13),
      "node 'sm' (Softmax): axis 2 is out of range for rank 2 (expected [-2, 1])");
}

}  // namespace
}  // namespace autotune::test

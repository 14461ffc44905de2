// infer_shapes (ir/graph/InferShapes.cpp): output types come from lowering each node over
// placeholders; constants feed shape operands; declared shapes must agree.
#include <gtest/gtest.h>

#include "ir/graph/Passes.h"
#include "tests/common/GraphBuilder.h"
#include "tests/common/TestUtil.h"

namespace autotune::test {
namespace {

using graph::Graph;
using graph::TensorData;

/// The type of the value called `name`, as "float32[1, 4]" ("?" when unknown).
std::string type_of(const Graph &g, const std::string &name) {
  std::optional<graph::ValueId> v = g.find_value(name);
  if (!v) return "<no value " + name + ">";
  const graph::Value &value = g.value(*v);
  return value.shape_known ? value.dtype.str() + graph::shape_str(value.shape) : "?";
}

TEST(InferShapesTest, ElementwiseBroadcastAndConv) {
  GraphBuilder b;
  b.add_input("x", {1, 3, 8, 8});
  b.add_constant("w", TensorData::from_floats({4, 3, 3, 3}, std::vector<float>(4 * 27, 0.1f)));
  b.add_constant("bias", TensorData::from_floats({4, 1, 1}, {1, 2, 3, 4}));
  b.add_node(
      "Conv", {"x", "w", ""}, {"c"},
      attrs({{"pads", std::vector<int64_t>{1, 1, 1, 1}}, {"strides", std::vector<int64_t>{2, 2}}}));
  b.add_node("Add", {"c", "bias"}, {"a"});
  b.add_node("Relu", {"a"}, {"y"});
  b.add_outputs({"y"});
  Graph out = graph::infer_shapes(b.build());
  EXPECT_EQ(type_of(out, "c"), "float32[1, 4, 4, 4]");
  EXPECT_EQ(type_of(out, "a"), "float32[1, 4, 4, 4]");
  EXPECT_EQ(type_of(out, "y"), "float32[1, 4, 4, 4]");
  for (const graph::Value &v : out.values) EXPECT_TRUE(v.shape_known) << v.name;
}

TEST(InferShapesTest, ShapeOperandsComeFromConstants) {
  GraphBuilder b;
  b.add_input("x", {2, 3, 4});
  b.add_constant("target", TensorData::from_int64s({2}, {2, -1}));
  b.add_node("Reshape", {"x", "target"}, {"r"});
  b.add_node("Shape", {"r"}, {"s"});
  b.add_constant("zero", TensorData::from_int64s({}, {0}));
  b.add_node("Equal", {"s", "zero"}, {"e"});
  b.add_node("Cast", {"e"}, {"f"}, attrs({{"to", int64_t{1}}}));  // FLOAT
  b.add_outputs({"r", "f"});
  Graph out = graph::infer_shapes(b.build());
  EXPECT_EQ(type_of(out, "r"), "float32[2, 12]");
  EXPECT_EQ(type_of(out, "s"), "int64[2]");
  EXPECT_EQ(type_of(out, "e"), "bool[2]");
  EXPECT_EQ(type_of(out, "f"), "float32[2]");
}

TEST(InferShapesTest, ShapeChainDataReachesReshape) {
  // y = Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0), [0]), [-1])): the shape operand is
  // computed, not a constant, in the imported graph.
  GraphBuilder b;
  b.add_input("x", {2, 3, 4});
  b.add_constant("zero", TensorData::from_int64s({}, {0}));
  b.add_constant("axes", TensorData::from_int64s({1}, {0}));
  b.add_constant("minus_one", TensorData::from_int64s({1}, {-1}));
  b.add_node("Shape", {"x"}, {"s"});
  b.add_node("Gather", {"s", "zero"}, {"d"}, attrs({{"axis", int64_t{0}}}));
  b.add_node("Unsqueeze", {"d", "axes"}, {"u"});
  b.add_node("Concat", {"u", "minus_one"}, {"c"}, attrs({{"axis", int64_t{0}}}));
  b.add_node("Reshape", {"x", "c"}, {"y"});
  b.add_outputs({"y"});
  Graph out = graph::infer_shapes(b.build());
  EXPECT_EQ(type_of(out, "d"), "int64[]");
  EXPECT_EQ(type_of(out, "c"), "int64[2]");
  EXPECT_EQ(type_of(out, "y"), "float32[2, 12]");
  // Propagated data is private to the pass: folding is fold_constants' job.
  EXPECT_FALSE(out.value(*out.find_value("c")).constant);
  EXPECT_EQ(out.nodes.size(), 5u);
}

TEST(InferShapesTest, FloatShapeArithmeticReachesConstantOfShape) {
  // An upsampling-style size computation: floor(shape * 1.5) as int64.
  GraphBuilder b;
  b.add_input("x", {2, 4});
  b.add_constant("factor", TensorData::from_floats({}, {1.5f}));
  b.add_node("Shape", {"x"}, {"s"});
  b.add_node("Cast", {"s"}, {"f"}, attrs({{"to", int64_t{1}}}));  // FLOAT
  b.add_node("Mul", {"f", "factor"}, {"scaled"});
  b.add_node("Cast", {"scaled"}, {"size"}, attrs({{"to", int64_t{7}}}));  // INT64
  b.add_node("ConstantOfShape", {"size"}, {"y"});
  b.add_outputs({"y"});
  Graph out = graph::infer_shapes(b.build());
  EXPECT_EQ(type_of(out, "size"), "int64[2]");
  EXPECT_EQ(type_of(out, "y"), "float32[3, 6]");
}

TEST(InferShapesTest, MultipleOutputsAndAbsentOptionalInputs) {
  GraphBuilder b;
  b.add_input("x", {6, 4});
  b.add_constant("split", TensorData::from_int64s({2}, {2, 4}));
  b.add_node("Split", {"x", "split"}, {"lo", "hi"}, attrs({{"axis", int64_t{0}}}));
  b.add_constant("hi_limit", TensorData::from_floats({}, {1}));
  b.add_node("Clip", {"hi", "", "hi_limit"}, {"clipped"});
  b.add_outputs({"lo", "clipped"});
  Graph out = graph::infer_shapes(b.build());
  EXPECT_EQ(type_of(out, "lo"), "float32[2, 4]");
  EXPECT_EQ(type_of(out, "hi"), "float32[4, 4]");
  EXPECT_EQ(type_of(out, "clipped"), "float32[4, 4]");
}

TEST(InferShapesTest, AgreeingDeclaredShapesAreKeptAndPassIsIdempotent) {
  GraphBuilder b;
  b.add_input("a", {2, 3});
  b.add_input("b", {3, 5});
  b.add_node("MatMul", {"a", "b"}, {"y"});
  b.set_type("y", {2, 5});
  b.add_outputs({"y"});
  Graph once = graph::infer_shapes(b.build());
  EXPECT_EQ(type_of(once, "y"), "float32[2, 5]");
  EXPECT_GRAPH_EQ(graph::infer_shapes(once), once);
}

TEST(InferShapesTest, ConstantsGetTheirDataType) {
  GraphBuilder b;
  b.add_input("x", {3});
  graph::ValueId c = b.add_constant("c", TensorData::from_int64s({3}, {1, 2, 3}));
  b.add_node("Cast", {"c"}, {"f"}, attrs({{"to", int64_t{1}}}));
  b.add_node("Add", {"x", "f"}, {"y"});
  b.add_outputs({"y"});
  Graph in = b.build();
  in.value(c).shape_known = false;  // as an importer that leaves constants untyped
  Graph out = graph::infer_shapes(in);
  EXPECT_EQ(type_of(out, "c"), "int64[3]");
  EXPECT_EQ(type_of(out, "y"), "float32[3]");
}

}  // namespace
}  // namespace autotune::test

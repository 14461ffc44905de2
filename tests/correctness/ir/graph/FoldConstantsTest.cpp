// fold_constants (ir/graph/FoldConstants.cpp) with a naive C++ evaluator for the few ops used
// here: shape chains fold into Reshape's operand, Shape needs no evaluator, and large weights
// are left to the executor.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "ir/graph/Passes.h"
#include "tests/common/GraphBuilder.h"
#include "tests/common/TestUtil.h"

namespace autotune::test {
namespace {

using graph::ConstantPtr;
using graph::Graph;
using graph::Node;
using graph::TensorData;

/// Evaluates Gather (axis 0 of a 1-D tensor), Unsqueeze (axes input), Concat (1-D), Add and
/// Mul (same shapes) and Transpose (2-D) with plain loops, and records which ops it ran.
class NaiveEvaluator {
 public:
  std::vector<std::string> calls;

  graph::NodeEvaluator evaluator() {
    return [this](const Node &node, const std::vector<ConstantPtr> &in, int64_t) {
      calls.push_back(node.op_type);
      return std::vector<ConstantPtr>{eval(node, in)};
    };
  }

 private:
  static ConstantPtr eval(const Node &node, const std::vector<ConstantPtr> &in) {
    const std::string &op = node.op_type;
    if (op == "Gather") {
      std::vector<int64_t> out;
      for (int64_t i = 0; i < in[1]->size(); ++i)
        out.push_back(in[0]->as_int64(in[1]->as_int64(i)));
      return TensorData::from_int64s(in[1]->shape, out);
    }
    if (op == "Unsqueeze") {
      std::vector<int64_t> shape = in[0]->shape;
      for (int64_t i = 0; i < in[1]->size(); ++i)
        shape.insert(shape.begin() + in[1]->as_int64(i), 1);
      auto t = TensorData::make(in[0]->dtype, shape);
      t->bytes = in[0]->bytes;
      return t;
    }
    if (op == "Concat") {
      std::vector<int64_t> out;
      for (const ConstantPtr &t : in) {
        for (int64_t i = 0; i < t->size(); ++i) out.push_back(t->as_int64(i));
      }
      return TensorData::from_int64s({static_cast<int64_t>(out.size())}, out);
    }
    if (op == "Add" || op == "Mul") {
      std::vector<float> out(in[0]->size());
      for (size_t i = 0; i < out.size(); ++i) {
        double a = in[0]->as_double(i), b = in[1]->as_double(i);
        out[i] = static_cast<float>(op == "Add" ? a + b : a * b);
      }
      return TensorData::from_floats(in[0]->shape, out);
    }
    if (op == "Transpose") {
      int64_t rows = in[0]->shape[0], cols = in[0]->shape[1];
      std::vector<float> out(rows * cols);
      for (int64_t r = 0; r < rows; ++r) {
        for (int64_t c = 0; c < cols; ++c) out[c * rows + r] = in[0]->data<float>()[r * cols + c];
      }
      return TensorData::from_floats({cols, rows}, out);
    }
    ADD_FAILURE() << "NaiveEvaluator: no evaluation for " << op;
    return nullptr;
  }
};

/// An evaluator that must not be called.
graph::NodeEvaluator no_evaluator() {
  return [](const Node &node, const std::vector<ConstantPtr> &, int64_t) {
    ADD_FAILURE() << "unexpected evaluation of " << node.describe();
    return std::vector<ConstantPtr>{};
  };
}

/// x: [2, 3, 4] -> y = Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0), [0]), [-1])): [2, 12].
/// The builder b also gets every type (as infer_shapes would).
void build_shape_chain(GraphBuilder &b) {
  b.add_input("x", {2, 3, 4});
  b.add_constant("zero", TensorData::from_int64s({}, {0}));
  b.add_constant("axes", TensorData::from_int64s({1}, {0}));
  b.add_constant("minus_one", TensorData::from_int64s({1}, {-1}));
  b.add_node("Shape", {"x"}, {"s"});
  b.set_type("s", {3}, ir::Int(64));
  b.add_node("Gather", {"s", "zero"}, {"d"}, attrs({{"axis", int64_t{0}}}));
  b.set_type("d", {}, ir::Int(64));
  b.add_node("Unsqueeze", {"d", "axes"}, {"u"});
  b.set_type("u", {1}, ir::Int(64));
  b.add_node("Concat", {"u", "minus_one"}, {"c"}, attrs({{"axis", int64_t{0}}}));
  b.set_type("c", {2}, ir::Int(64));
  b.add_node("Reshape", {"x", "c"}, {"y"});
  b.set_type("y", {2, 12});
  b.add_outputs({"y"});
}

/// The folded shape chain: every value of the chain is a constant; only Reshape is left.
Graph folded_shape_chain() {
  GraphBuilder e;
  e.add_input("x", {2, 3, 4});
  e.add_constant("zero", TensorData::from_int64s({}, {0}));
  e.add_constant("axes", TensorData::from_int64s({1}, {0}));
  e.add_constant("minus_one", TensorData::from_int64s({1}, {-1}));
  e.add_constant("s", TensorData::from_int64s({3}, {2, 3, 4}));
  e.add_constant("d", TensorData::from_int64s({}, {2}));
  e.add_constant("u", TensorData::from_int64s({1}, {2}));
  e.add_constant("c", TensorData::from_int64s({2}, {2, -1}));
  e.add_node("Reshape", {"x", "c"}, {"y"});
  e.set_type("y", {2, 12});
  e.add_outputs({"y"});
  return e.build();
}

TEST(FoldConstantsTest, ShapeChainFoldsIntoReshapeOperand) {
  GraphBuilder b;
  build_shape_chain(b);
  NaiveEvaluator eval;
  Graph out = graph::fold_constants(b.build(), eval.evaluator());
  EXPECT_GRAPH_EQ(out, folded_shape_chain());
  // Shape is folded from the static shape, without the evaluator.
  // Small results are interpreted; the (compiling) evaluator is not needed for them.
  EXPECT_TRUE(eval.calls.empty());
  // Folded values keep their ids and lose their producer.
  ASSERT_TRUE(out.find_value("c").has_value());
  EXPECT_EQ(out.value(*out.find_value("c")).producer, graph::kNone);
  EXPECT_EQ(out.value(*out.find_value("y")).producer, 0);
}

TEST(FoldConstantsTest, ShapeComputationsIgnoreMaxElements) {
  GraphBuilder b;
  build_shape_chain(b);
  // A float computation on constants that max_elements = 0 keeps.
  b.add_constant("p", TensorData::from_floats({2}, {1, 2}));
  b.add_node("Add", {"p", "p"}, {"q"});
  b.set_type("q", {2});
  b.add_outputs({"q"});
  NaiveEvaluator eval;
  Graph out = graph::fold_constants(b.build(), eval.evaluator(), /*max_elements=*/0);
  // Small results are interpreted; the (compiling) evaluator is not needed for them.
  EXPECT_TRUE(eval.calls.empty());
  ASSERT_EQ(out.nodes.size(), 2u);
  EXPECT_EQ(out.nodes[0].op_type, "Reshape");
  EXPECT_EQ(out.nodes[1].op_type, "Add");
}

TEST(FoldConstantsTest, ShapeAndSizeUseStaticShapes) {
  GraphBuilder b(/*opset=*/15);
  b.add_input("x", {2, 3, 4, 5});
  b.add_node("Shape", {"x"}, {"inner"}, attrs({{"start", int64_t{1}}, {"end", int64_t{-1}}}));
  b.set_type("inner", {2}, ir::Int(64));
  b.add_node("Shape", {"x"}, {"tail"}, attrs({{"start", int64_t{-2}}}));
  b.set_type("tail", {2}, ir::Int(64));
  b.add_node("Size", {"x"}, {"n"});
  b.set_type("n", {}, ir::Int(64));
  b.add_outputs({"inner", "tail", "n"});

  GraphBuilder e(/*opset=*/15);
  e.add_input("x", {2, 3, 4, 5});
  e.add_constant("inner", TensorData::from_int64s({2}, {3, 4}));
  e.add_constant("tail", TensorData::from_int64s({2}, {4, 5}));
  e.add_constant("n", TensorData::from_int64s({}, {120}));
  e.add_outputs({"inner", "tail", "n"});
  EXPECT_GRAPH_EQ(graph::fold_constants(b.build(), no_evaluator()), e.build());
}

TEST(FoldConstantsTest, SmallFloatChainFolds) {
  GraphBuilder b;
  b.add_input("x", {2});
  b.add_constant("p", TensorData::from_floats({2}, {1, 2}));
  b.add_constant("q", TensorData::from_floats({2}, {3, 4}));
  b.add_node("Add", {"p", "q"}, {"s"});
  b.set_type("s", {2});
  b.add_node("Mul", {"s", "q"}, {"t"});
  b.set_type("t", {2});
  b.add_node("Mul", {"x", "t"}, {"y"});
  b.set_type("y", {2});
  b.add_outputs({"y", "t"});

  GraphBuilder e;
  e.add_input("x", {2});
  e.add_constant("p", TensorData::from_floats({2}, {1, 2}));
  e.add_constant("q", TensorData::from_floats({2}, {3, 4}));
  e.add_constant("s", TensorData::from_floats({2}, {4, 6}));
  e.add_constant("t", TensorData::from_floats({2}, {12, 24}));
  e.add_node("Mul", {"x", "t"}, {"y"});
  e.set_type("y", {2});
  e.add_outputs({"y", "t"});

  NaiveEvaluator eval;
  EXPECT_GRAPH_EQ(graph::fold_constants(b.build(), eval.evaluator()), e.build());
  EXPECT_TRUE(eval.calls.empty());
}

TEST(FoldConstantsTest, LargeWeightIsLeftToTheExecutor) {
  GraphBuilder b;
  b.add_input("x", {1, 80});
  b.add_constant("w", TensorData::from_floats({80, 80}, random_floats(80 * 80, 1)));
  b.add_node("Transpose", {"w"}, {"wt"}, attrs({{"perm", std::vector<int64_t>{1, 0}}}));
  b.set_type("wt", {80, 80});
  b.add_node("MatMul", {"x", "wt"}, {"y"});
  b.set_type("y", {1, 80});
  b.add_outputs({"y"});
  Graph in = b.build();
  Graph out = graph::fold_constants(in, no_evaluator(), /*max_elements=*/1000);
  EXPECT_GRAPH_EQ(out, in);

  // Under the default limit the same weight is small enough to pre-transpose; with more than
  // 4096 elements it goes to the evaluator rather than the interpreter.
  NaiveEvaluator eval;
  out = graph::fold_constants(in, eval.evaluator());
  EXPECT_EQ(eval.calls, std::vector<std::string>({"Transpose"}));
  ASSERT_EQ(out.nodes.size(), 1u);
  const graph::Value &wt = out.value(*out.find_value("wt"));
  ASSERT_TRUE(wt.constant);
  EXPECT_EQ(wt.constant->as_double(1 * 80 + 2),
            in.value(*in.find_value("w")).constant->as_double(2 * 80 + 1));
}

TEST(FoldConstantsTest, RandomOpsAreNotFolded) {
  GraphBuilder b;
  b.add_node("RandomUniform", {}, {"r"}, attrs({{"shape", std::vector<int64_t>{2}}}));
  b.set_type("r", {2});
  b.add_outputs({"r"});
  Graph in = b.build();
  EXPECT_GRAPH_EQ(graph::fold_constants(in, no_evaluator()), in);
}

TEST(FoldConstantsTest, EvaluatorResultMustMatchInferredType) {
  GraphBuilder b;
  b.add_constant("p", TensorData::from_floats({2}, {1, 2}));
  b.add_node("Add", {"p", "p"}, {"q"});
  b.set_type("q", {3});  // wrong on purpose: the evaluator returns [2]
  b.add_outputs({"q"});
  NaiveEvaluator eval;
  EXPECT_ERROR_WITH(InternalError, graph::fold_constants(b.build(), eval.evaluator()),
                    "produced float32[2] for 'q', inferred float32[3]");
}

}  // namespace
}  // namespace autotune::test

// eliminate_dead_code (ir/graph/EliminateDeadCode.cpp): dead branches and unused constants go,
// graph inputs and all outputs of live nodes stay, and ids are renumbered consistently.
#include <gtest/gtest.h>

#include "ir/graph/Passes.h"
#include "tests/common/GraphBuilder.h"

namespace autotune::test {
namespace {

using graph::Graph;
using graph::TensorData;

TEST(EliminateDeadCodeTest, RemovesUnreachableNodesAndUnusedConstants) {
  GraphBuilder b;
  b.add_input("x", {4});
  b.add_constant("unused", TensorData::from_floats({4}, {1, 2, 3, 4}));
  b.add_constant("dead_only", TensorData::from_floats({4}, {5, 6, 7, 8}));
  b.add_constant("w", TensorData::from_floats({4}, {9, 10, 11, 12}));
  b.add_node("Sigmoid", {"x"}, {"s"});
  b.add_node("Add", {"s", "dead_only"}, {"t"});
  b.add_node("Relu", {"x"}, {"a"});
  b.add_node("Mul", {"a", "w"}, {"y"});
  b.add_outputs({"y"});

  GraphBuilder e;
  e.add_input("x", {4});
  e.add_constant("w", TensorData::from_floats({4}, {9, 10, 11, 12}));
  e.add_node("Relu", {"x"}, {"a"});
  e.add_node("Mul", {"a", "w"}, {"y"});
  e.add_outputs({"y"});

  Graph out = graph::eliminate_dead_code(b.build());
  EXPECT_GRAPH_EQ(out, e.build());
}

TEST(EliminateDeadCodeTest, RenumbersIdsConsistently) {
  GraphBuilder b;
  b.add_input("x", {4});
  b.add_node("Sigmoid", {"x"}, {"dead"});
  b.add_constant("w", TensorData::from_floats({4}, {1, 2, 3, 4}));
  b.add_node("Relu", {"x"}, {"a"});
  b.add_node("Mul", {"a", "w"}, {"y"});
  b.add_outputs({"y"});

  Graph out = graph::eliminate_dead_code(b.build());
  out.verify();
  ASSERT_EQ(out.values.size(), 4u);
  ASSERT_EQ(out.nodes.size(), 2u);
  // Values keep their relative order: x, w, a, y.
  EXPECT_EQ(out.value(0).name, "x");
  EXPECT_EQ(out.value(1).name, "w");
  EXPECT_EQ(out.value(2).name, "a");
  EXPECT_EQ(out.value(3).name, "y");
  EXPECT_EQ(out.nodes[0].inputs, std::vector<graph::ValueId>({0}));
  EXPECT_EQ(out.nodes[0].outputs, std::vector<graph::ValueId>({2}));
  EXPECT_EQ(out.nodes[1].inputs, std::vector<graph::ValueId>({2, 1}));
  EXPECT_EQ(out.nodes[1].outputs, std::vector<graph::ValueId>({3}));
  EXPECT_EQ(out.value(2).producer, 0);
  EXPECT_EQ(out.value(3).producer, 1);
  EXPECT_EQ(out.value(1).producer, graph::kNone);
  EXPECT_EQ(out.inputs, std::vector<graph::ValueId>({0}));
  EXPECT_EQ(out.outputs, std::vector<graph::ValueId>({3}));
}

TEST(EliminateDeadCodeTest, KeepsUnusedGraphInputs) {
  GraphBuilder b;
  b.add_input("x", {4});
  b.add_input("unused_input", {2});
  b.add_node("Relu", {"x"}, {"y"});
  b.add_outputs({"y"});
  Graph in = b.build();
  EXPECT_GRAPH_EQ(graph::eliminate_dead_code(in), in);
}

TEST(EliminateDeadCodeTest, KeepsEveryOutputOfALiveNode) {
  GraphBuilder b;
  b.add_input("x", {4});
  b.add_constant("split", TensorData::from_int64s({2}, {2, 2}));
  b.add_node("Split", {"x", "split"}, {"lo", "hi"}, attrs({{"axis", int64_t{0}}}));
  b.add_node("Relu", {"hi"}, {"dead"});
  b.add_node("Relu", {"lo"}, {"y"});
  b.add_outputs({"y"});

  GraphBuilder e;
  e.add_input("x", {4});
  e.add_constant("split", TensorData::from_int64s({2}, {2, 2}));
  e.add_node("Split", {"x", "split"}, {"lo", "hi"}, attrs({{"axis", int64_t{0}}}));
  e.add_node("Relu", {"lo"}, {"y"});
  e.add_outputs({"y"});
  EXPECT_GRAPH_EQ(graph::eliminate_dead_code(b.build()), e.build());
}

TEST(EliminateDeadCodeTest, KeepsOutputsThatAreInputsOrConstants) {
  GraphBuilder b;
  b.add_input("x", {4});
  b.add_constant("c", TensorData::from_floats({1}, {1}));
  b.add_constant("unused", TensorData::from_floats({1}, {2}));
  b.add_outputs({"x", "c"});

  GraphBuilder e;
  e.add_input("x", {4});
  e.add_constant("c", TensorData::from_floats({1}, {1}));
  e.add_outputs({"x", "c"});
  EXPECT_GRAPH_EQ(graph::eliminate_dead_code(b.build()), e.build());
}

TEST(EliminateDeadCodeTest, LiveGraphIsUnchangedAndPassIsIdempotent) {
  GraphBuilder b;
  b.add_input("x", {4});
  b.add_node("Relu", {"x"}, {"a"});
  b.add_node("Sigmoid", {"a"}, {"s"});
  b.add_node("Add", {"a", "s"}, {"y"});
  b.add_outputs({"y", "a"});
  Graph in = b.build();
  Graph once = graph::eliminate_dead_code(in);
  EXPECT_GRAPH_EQ(once, in);
  EXPECT_GRAPH_EQ(graph::eliminate_dead_code(once), once);
}

}  // namespace
}  // namespace autotune::test

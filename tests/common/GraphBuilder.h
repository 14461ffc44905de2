// Test helpers for the graph IR: GraphBuilder writes small graphs by hand, by value name, and
// EXPECT_GRAPH_EQ compares two graphs by structure (names, ops, attributes, types, constants).
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "ir/graph/Graph.h"

namespace autotune::test {

/// Attributes from a list: attrs({{"axis", int64_t{0}}, {"perm", std::vector<int64_t>{1, 0}}}).
graph::Attributes attrs(std::initializer_list<std::pair<std::string, graph::Attribute>> list);

/// Builds a graph whose values are referred to by name. Nodes are appended in call order, which
/// must be topological.
class GraphBuilder {
 public:
  explicit GraphBuilder(int64_t opset = 13) { g_.opset = opset; }

  /// A runtime input with a static shape.
  graph::ValueId add_input(const std::string &name, std::vector<int64_t> shape,
                           ir::DataType dtype = ir::Float(32));
  /// A constant value (initializer) with the data's shape and type.
  graph::ValueId add_constant(const std::string &name, graph::ConstantPtr data);
  /// A node reading existing values by name ("" for an absent optional input) and writing new
  /// values `outputs`, whose types are unknown until set_type (or infer_shapes).
  graph::NodeId add_node(const std::string &op_type, const std::vector<std::string> &inputs,
                         const std::vector<std::string> &outputs, graph::Attributes attributes = {},
                         const std::string &node_name = "");
  /// Declares the type of an existing value (as shape inference would).
  void set_type(const std::string &name, std::vector<int64_t> shape,
                ir::DataType dtype = ir::Float(32));
  /// Marks existing values as graph outputs, in order.
  void add_outputs(const std::vector<std::string> &names);

  /// The id of the value called `name` (test failure when there is none).
  graph::ValueId id(const std::string &name) const;
  /// The graph so far, verified.
  graph::Graph build() const;

 private:
  graph::Graph g_;
};

/// The graph as text, one value or node per line (for failure messages).
std::string graph_str(const graph::Graph &g);

/// Structural equality of graphs up to value and node ids: the same graph inputs and outputs by
/// name, the same nodes in the same order (op type, domain, input and output names, attributes;
/// node names are not compared), the same values by name with equal types and constants (floats
/// within a relative 1e-5). Prints both graphs when they differ.
::testing::AssertionResult assert_graph_equal(const char *actual_text, const char *expected_text,
                                              const graph::Graph &actual,
                                              const graph::Graph &expected);

}  // namespace autotune::test

#define EXPECT_GRAPH_EQ(actual, expected) \
  EXPECT_PRED_FORMAT2(::autotune::test::assert_graph_equal, actual, expected)
#define ASSERT_GRAPH_EQ(actual, expected) \
  ASSERT_PRED_FORMAT2(::autotune::test::assert_graph_equal, actual, expected)

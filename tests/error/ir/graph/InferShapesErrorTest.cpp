// infer_shapes user errors: each names the user's value or node and shows the bad shape.
#include <gtest/gtest.h>

#include "ir/graph/Passes.h"
#include "tests/common/GraphBuilder.h"
#include "tests/common/TestUtil.h"

namespace autotune::test {
namespace {

using graph::Graph;

TEST(InferShapesError, ConflictingDeclaredShapeNamesValueAndBothShapes) {
  GraphBuilder b;
  b.add_input("x", {2, 3});
  b.add_node("Relu", {"x"}, {"y"});
  b.set_type("y", {2, 4});
  b.add_outputs({"y"});
  EXPECT_USER_ERROR(graph::infer_shapes(b.build()),
                    "value 'y' (output of node 'Relu_0' (Relu)): inferred type float32[2, 3] "
                    "conflicts with the declared type float32[2, 4]");
}

TEST(InferShapesError, GraphInputWithoutShapeIsNamed) {
  GraphBuilder b;
  graph::ValueId x = b.add_input("images", {1, 3, 8, 8});
  b.add_node("Relu", {"images"}, {"y"});
  b.add_outputs({"y"});
  Graph g = b.build();
  g.value(x).shape_known = false;
  EXPECT_USER_ERROR(graph::infer_shapes(g), "graph input 'images' has no static shape");
}

TEST(InferShapesError, UnsupportedOpNamesNode) {
  GraphBuilder b;
  b.add_input("x", {4});
  b.add_node("NoSuchOp", {"x"}, {"y"}, {}, "mystery");
  b.add_outputs({"y"});
  EXPECT_USER_ERROR(graph::infer_shapes(b.build()), "'mystery'");
}

}  // namespace
}  // namespace autotune::test

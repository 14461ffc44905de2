// The graph passes, one function each (each in its own .cpp named after it). Every pass takes a
// graph and returns a new one; node order stays topological. GraphPipeline.cpp composes them.
#pragma once

#include <functional>
#include <vector>

#include "ir/graph/Graph.h"

namespace autotune::graph {

/// Computes the outputs of a node from constant inputs (used by fold_constants). It is supplied
/// by the caller (codegen compiles and runs the node), which keeps ir/graph free of codegen.
using NodeEvaluator = std::function<std::vector<ConstantPtr>(
    const Node &node, const std::vector<ConstantPtr> &inputs, int64_t opset)>;

/// Fills dtype and static shape of every value by lowering each node over placeholders
/// (lower_node). Post: every value has shape_known. UserError for unsupported ops, naming the node.
Graph infer_shapes(const Graph &g);

/// Replaces every node whose inputs are all constants by constant outputs (computed by `eval`),
/// when the outputs are small (at most `max_elements` each) or the node is a shape computation.
/// Pre/post: shapes inferred.
Graph fold_constants(const Graph &g, const NodeEvaluator &eval, int64_t max_elements = 1 << 20);

/// Removes nodes whose outputs reach no graph output, and unused constant values.
Graph eliminate_dead_code(const Graph &g);

/// Inference-time rewrites: drops Dropout and Identity (rewiring consumers), folds
/// BatchNormalization into a preceding Conv's weights and bias (when the Conv output has no other
/// reader), folds constant bias Add into Conv/Gemm bias, turns remaining BatchNormalization into
/// a constant scale and shift (Mul + Add). Pre/post: shapes inferred.
Graph simplify_inference(const Graph &g);

}  // namespace autotune::graph

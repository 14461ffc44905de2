// ONNX operators as tensor expressions: one lowering function per op type. Shape and type
// inference, constant folding and kernel building all go through lower_node, so an op's
// semantics live in exactly one place.
#pragma once

#include <string>
#include <vector>

#include "ir/graph/Graph.h"
#include "ir/te/Tensor.h"

namespace autotune::graph {

/// One input of a node being lowered.
struct LoweringInput {
  /// The input as a tensor (a placeholder or an upstream stage); undefined for absent optionals.
  te::Tensor tensor;
  /// The input's data when it is a constant, so that shape-like operands (Reshape's shape,
  /// Slice's starts, Resize's scales, ...) can be read. Null otherwise.
  ConstantPtr constant;
};

/// Lowers `node` to one tensor per node output, built from `inputs` (one per node input, in
/// order). The result's shapes and types are the node's inferred output shapes and types.
/// UserError naming the node for unsupported ops/attributes/opsets, shape-like operands that
/// are not constant, and inconsistent shapes.
std::vector<te::Tensor> lower_node(const Node &node, const std::vector<LoweringInput> &inputs,
                                   int64_t opset);

/// True when op_type (in the default ONNX domain) has a lowering.
bool is_supported_op(const std::string &op_type);

/// Every supported ONNX op type, sorted.
std::vector<std::string> supported_ops();

}  // namespace autotune::graph

// A fused kernel's body subgraph as tensor expressions: one placeholder per body input, the
// body's nodes lowered in order (lower_node), one tensor per body output.
#pragma once

#include <vector>

#include "ir/graph/Graph.h"
#include "ir/te/Tensor.h"

namespace autotune::graph {

struct FusedCompute {
  /// One placeholder per body input, in order.
  std::vector<te::Tensor> inputs;
  /// One compute tensor per body output, in order (a copy stage when an output would otherwise
  /// be an input or another output).
  std::vector<te::Tensor> outputs;
  /// Indices into `inputs` of the placeholders the outputs actually read: the kernel's leading
  /// arguments (shape-only operands such as Reshape's shape are not read and not passed).
  std::vector<size_t> used_inputs;
};

/// Lowers a fused node's body. UserError naming the node for unsupported operators.
FusedCompute lower_fused(const Graph &body);

}  // namespace autotune::graph

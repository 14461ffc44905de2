// Constant folding's evaluator: computes one node on constant inputs by compiling it for the
// host. Passed to graph::fold_constants, which keeps ir/graph free of code generation.
#pragma once

#include "ir/graph/Passes.h"

namespace autotune::codegen {

/// Lowers `node` (default schedule, no threads), JIT-compiles it and runs it on `inputs`.
std::vector<graph::ConstantPtr> evaluate_node(const graph::Node &node,
                                              const std::vector<graph::ConstantPtr> &inputs,
                                              int64_t opset);

}  // namespace autotune::codegen

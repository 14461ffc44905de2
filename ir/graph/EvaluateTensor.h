// A host interpreter for small tensor expressions. infer_shapes uses it to propagate the data of
// shape computations (Shape -> Gather -> Concat -> Reshape's shape operand) while it infers
// types, with the same lowering (lower_node) that builds the kernels.
#pragma once

#include <cstdint>
#include <map>

#include "ir/graph/Graph.h"
#include "ir/te/Tensor.h"

namespace autotune::graph {

/// Computes every element of `t` by interpreting its expressions (and those of the compute
/// tensors it reads), with the placeholders in `bound` holding the given data. Integer Div/Mod
/// are floor division/modulo, float32 results are rounded to float after each operation, Select
/// evaluates only the chosen branch. Returns null instead of a result when `t` reads a
/// placeholder that is not bound, reads out of bounds, divides an integer by zero, uses a node
/// outside tensor expressions (Load, Ramp, Broadcast), has a type other than bool, int/uint
/// 8..64 or float32/64, or needs more than `max_steps` expression evaluations.
ConstantPtr evaluate_tensor(const te::Tensor &t,
                            const std::map<const te::TensorNode *, ConstantPtr> &bound,
                            int64_t max_steps = int64_t{1} << 20);

}  // namespace autotune::graph

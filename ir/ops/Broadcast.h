// Numpy broadcasting beyond two operands: element-wise maps over any number of broadcast inputs,
// expanding a tensor to a shape, and adding a per-channel bias. Each is one compute stage.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ir/te/Tensor.h"

namespace autotune::ops {

/// The shape that numpy broadcasting gives all of `shapes` together (see broadcast_shape in
/// Elemwise.h); user error naming `op` when two extents differ and neither is 1.
std::vector<int64_t> broadcast_shapes(const std::vector<std::vector<int64_t>> &shapes,
                                      const char *op);

/// The indices that read `t` at position `i` of a broadcast output (i.size() >= t.ndim()):
/// t's dimensions align with the last ones of `i`, and extents of 1 are read at 0.
std::vector<ir::Expr> broadcast_indices(const te::Tensor &t, const std::vector<ir::Var> &i);

/// out[i] = f(reads of every input at i) over broadcast_shapes of the inputs. `f` receives one
/// element per input, in order, and may return any type. Tagged "elemwise" when every input has
/// the output's shape and "broadcast" otherwise.
te::Tensor broadcast_map(const std::vector<te::Tensor> &inputs,
                         const std::function<ir::Expr(const std::vector<ir::Expr> &)> &f,
                         const std::string &name);

/// `x` expanded to broadcast_shape(x.shape, shape) (ONNX Expand: the broadcast goes both ways,
/// so an extent 1 in `shape` keeps x's extent). Tag "broadcast".
te::Tensor broadcast_to(const te::Tensor &x, const std::vector<int64_t> &shape);

/// out = x + bias[c] with c the index along `axis` of x (rank >= axis + 1); bias is [C]
/// with x's dtype. Tag "broadcast".
te::Tensor bias_add(const te::Tensor &x, const te::Tensor &bias, size_t axis = 1);

}  // namespace autotune::ops

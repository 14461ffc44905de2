// Tensors whose elements are known when the kernel is built: a fill value, or a small table of
// constants (shape vectors, folded literals) embedded in the kernel code.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/te/Tensor.h"

namespace autotune::ops {

/// out[i] = value for every i of `shape`. `value` is a scalar expression that reads no loop
/// variable (a constant, or a read of a rank-0 tensor at no indices). Tag "injective".
te::Tensor full(const std::vector<int64_t> &shape, ir::Expr value, const std::string &name);

/// The tensor of `shape` whose row-major elements are `elements` (scalar constants of one type,
/// shape_size(shape) of them). Each element is selected from the linear index by a balanced
/// tree of comparisons, so the code grows with the element count: meant for shape vectors and
/// other small constants (at most kMaxEmbeddedElements). Tag "injective".
te::Tensor constant_tensor(const std::vector<int64_t> &shape, const std::vector<ir::Expr> &elements,
                           const std::string &name);

/// The largest number of distinct elements constant_tensor embeds.
constexpr int64_t kMaxEmbeddedElements = 4096;

}  // namespace autotune::ops

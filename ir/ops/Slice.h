// Strided slicing: every output element reads one input element at begin + index * step per
// dimension (ONNX Slice and Split after their start/end clamping).
#pragma once

#include <cstdint>
#include <vector>

#include "ir/te/Tensor.h"

namespace autotune::ops {

/// out[i] = x[begin + i * step] (per dimension) with out of shape `out_shape`. `begin`, `step`
/// (non-zero, negative walks backwards) and `out_shape` have one entry per dimension of x, and
/// every read must fall inside x (user error otherwise). Tag "injective".
te::Tensor strided_slice(const te::Tensor &x, const std::vector<int64_t> &begin,
                         const std::vector<int64_t> &step, const std::vector<int64_t> &out_shape);

}  // namespace autotune::ops

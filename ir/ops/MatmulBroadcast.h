// Matrix multiplication with numpy batch broadcasting (ONNX MatMul on rank >= 2 operands whose
// batch dimensions differ); Dense.h holds the plain and 3-D batched forms that schedules know.
#pragma once

#include "ir/te/Tensor.h"

namespace autotune::ops {

/// out[b..., m, n] = sum_k a[b'..., m, k] * b[b''..., k, n] for a [..., M, K] and b [..., K, N]
/// (both rank >= 2), where the batch dimensions broadcast with numpy rules (extents of 1 are read
/// at 0). Out is [broadcast batch..., M, N]. Tag "matmul_broadcast".
te::Tensor matmul_broadcast(const te::Tensor &a, const te::Tensor &b);

}  // namespace autotune::ops

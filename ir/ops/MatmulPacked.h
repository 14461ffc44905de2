// Matrix multiply with the right operand packed into column panels inside the kernel, the
// layout that lets a register-tiled schedule stream B contiguously.
#pragma once

#include "ir/te/Tensor.h"

namespace autotune::ops {

/// The two stages of a packed matmul C = A * B.
struct PackedMatmul {
  te::Tensor packed_b;  ///< [ceil(N/bn), K, bn]: packed_b[jo, k, ji] = B[k, jo*bn + ji] (0 past N)
  te::Tensor c;         ///< [M, N]
};

/// C[i, j] = sum_k A[i, k] * packed_b[j / bn, k, j % bn], for A [M, K] and B [K, N].
PackedMatmul matmul_packed(const te::Tensor &a, const te::Tensor &b, int64_t bn);

}  // namespace autotune::ops

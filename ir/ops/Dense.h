// Matrix products as tensor expressions: the fully connected layer (dense), plain and batched
// matrix multiplication.
#pragma once

#include "ir/te/Tensor.h"

namespace autotune::ops {

/// The fully connected layer: out[m, n] = sum_k data[m, k] * weight[n, k] (+ bias[n]), with
/// data [M, K], weight [N, K] (rows are output features, as in ONNX Gemm with transB = 1) and
/// an optional bias [N] (pass an undefined Tensor for none). The product is tagged "dense"; a
/// bias adds a second stage tagged "broadcast" that reads it, and that stage is returned.
te::Tensor dense(const te::Tensor &data, const te::Tensor &weight,
                 const te::Tensor &bias = te::Tensor());

/// out[m, n] = sum_k a[m, k] * b[k, n] with a [M, K], b [K, N]. Tag "matmul".
te::Tensor matmul(const te::Tensor &a, const te::Tensor &b);

/// out[i, m, n] = sum_k a[i', m, k] * b[i'', k, n] with a [Ba, M, K], b [Bb, K, N]; the batch
/// extents are equal, or one is 1 and broadcasts (i' = 0 or i'' = 0). Out is
/// [max(Ba, Bb), M, N]. Tag "batch_matmul".
te::Tensor batch_matmul(const te::Tensor &a, const te::Tensor &b);

}  // namespace autotune::ops

// Local response normalization across channels (ONNX LRN, AlexNet-era models).
#pragma once

#include <cstdint>

#include "ir/te/Tensor.h"

namespace autotune::ops {

/// out[n, c, ...] = x[n, c, ...] / (bias + alpha / size * square_sum[n, c, ...]) ^ beta, where
/// square_sum adds x[n, c', ...]^2 over the channels c' in
/// [c - floor((size - 1) / 2), c + ceil((size - 1) / 2)] that exist. x is [N, C, ...] (rank >= 2),
/// size >= 1. Two stages: "lrn_square_sum" (tag "reduce") and the output (tag "elemwise").
te::Tensor local_response_norm(const te::Tensor &x, int64_t size, double alpha = 1e-4,
                               double beta = 0.75, double bias = 1.0);

}  // namespace autotune::ops

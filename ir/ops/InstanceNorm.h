// Instance normalization: each (sample, channel) plane normalized by its own mean and variance.
#pragma once

#include "ir/te/Tensor.h"

namespace autotune::ops {

/// out[n, c, ...] = scale[c] * (x[n, c, ...] - mean[n, c]) / sqrt(var[n, c] + epsilon) + bias[c]
/// over x [N, C, D...] (rank >= 3), with mean and (biased) variance over the D dimensions.
/// Three stages: "instance_norm_mean" and "instance_norm_var" ([N, C], tag "reduce") and the
/// output (tag "broadcast").
te::Tensor instance_norm(const te::Tensor &x, const te::Tensor &scale, const te::Tensor &bias,
                         double epsilon = 1e-5);

}  // namespace autotune::ops

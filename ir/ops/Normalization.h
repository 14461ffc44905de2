// Normalization operators as tensor expressions: inference batch normalization, softmax and
// log-softmax.
#pragma once

#include <cstdint>

#include "ir/te/Tensor.h"

namespace autotune::ops {

/// Inference batch normalization along axis 1 of data [N, C, ...] (rank >= 2):
///   out = (data - mean[c]) * gamma[c] / sqrt(var[c] + epsilon) + beta[c]
/// with gamma, beta, mean and var of shape [C] and epsilon >= 0. One stage tagged "broadcast".
te::Tensor batch_norm(const te::Tensor &data, const te::Tensor &gamma, const te::Tensor &beta,
                      const te::Tensor &mean, const te::Tensor &var, double epsilon = 1e-5);

/// exp(x - m) / sum(exp(x - m)) along `axis` (negative counts from the back), m the maximum
/// along that axis. Three stages: the maximum ("softmax_max") and the exponential sum
/// ("softmax_expsum"), both with extent 1 at `axis`, then the output ("softmax").
te::Tensor softmax(const te::Tensor &x, int64_t axis = -1);

/// x - m - log(sum(exp(x - m))) along `axis`: the same first two stages as softmax, then the
/// output ("log_softmax").
te::Tensor log_softmax(const te::Tensor &x, int64_t axis = -1);

}  // namespace autotune::ops

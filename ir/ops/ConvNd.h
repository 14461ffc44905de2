// Convolutions over any number of spatial dimensions (1-D and 3-D models; conv2d_nchw in
// Conv2d.h is the tuned 2-D form): data [N, C, D1..Dk], channels-first, grouped.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/te/Tensor.h"

namespace autotune::ops {

/// Attributes of a k-D convolution, one entry per spatial dimension in each vector.
struct ConvNdAttrs {
  std::vector<int64_t> strides;    ///< >= 1
  std::vector<int64_t> pad_begin;  ///< >= 0
  std::vector<int64_t> pad_end;    ///< >= 0
  std::vector<int64_t> dilations;  ///< >= 1
  int64_t groups = 1;              ///< divides C and K
};

/// out[n, k, o...] = sum over c in k's group and taps r... of
///   x[n, c, o*stride - pad_begin + r*dilation] * w[k, c - group_start, r...]
/// with taps outside x contributing 0; data [N, C, D...], weight [K, C/groups, R...], out
/// [N, K, O...] with O = conv_output_extent. One reduction stage (the padding is its condition).
/// Tag "conv_nd".
te::Tensor conv_nd(const te::Tensor &data, const te::Tensor &weight, const ConvNdAttrs &attrs);

/// The transposed convolution (ONNX ConvTranspose) with explicit output extents `out_extents`
/// (the caller resolves output_shape/output_padding/auto_pad): data [N, C, D...], weight
/// [C, K/groups, R...], out [N, K, out_extents...], where
///   out[n, k, o...] = sum over c in k's group and taps r with o + pad_begin = i*stride +
///   r*dilation for an in-range i of data[n, c, i...] * weight[c, k mod (K/groups), r...].
/// `attrs.pad_end` is unused. Tag "conv_transpose_nd".
te::Tensor conv_transpose_nd(const te::Tensor &data, const te::Tensor &weight,
                             const ConvNdAttrs &attrs, const std::vector<int64_t> &out_extents);

}  // namespace autotune::ops

// 2-D convolutions as tensor expressions: NCHW (grouped and depthwise included), the channel-
// blocked NCHW[x]c form, and the transposed convolution. Schedule templates pick them by tag.
#pragma once

#include <array>
#include <cstdint>

#include "ir/te/Tensor.h"

namespace autotune::ops {

/// Attributes of a 2-D convolution, in ONNX/PyTorch meaning.
struct Conv2dAttrs {
  std::array<int64_t, 2> strides{1, 1};        ///< {stride_h, stride_w}, >= 1
  std::array<int64_t, 4> padding{0, 0, 0, 0};  ///< {top, left, bottom, right}, >= 0
  std::array<int64_t, 2> dilation{1, 1};       ///< {dilation_h, dilation_w}, >= 1
  int64_t groups = 1;                          ///< divides both C and K
  /// Transposed convolution only: extra rows/columns at the bottom/right of the output, each
  /// smaller than the stride or the dilation of its dimension.
  std::array<int64_t, 2> output_padding{0, 0};
};

/// Output extent of a convolution along one dimension:
/// floor((in + pad_begin + pad_end - dilation*(kernel-1) - 1) / stride) + 1.
int64_t conv_output_extent(int64_t in, int64_t kernel, int64_t stride, int64_t pad_begin,
                           int64_t pad_end, int64_t dilation);

/// out[n, k, oh, ow] = sum over c in k's group, r, s of
///   padded[n, c, oh*sh + r*dh, ow*sw + s*dw] * weight[k, c - group_start, r, s]
/// with data [N, C, H, W], weight [K, C/groups, R, S], out [N, K, OH, OW]. Output channel k
/// belongs to group k / (K/groups). Padding is a separate "pad" stage (absent when all padding
/// is zero) so that schedules can inline it. The result is tagged "conv2d_nchw" for groups == 1,
/// "depthwise_conv2d_nchw" for groups == C (K = C * multiplier) and "group_conv2d_nchw" otherwise.
/// `output_padding` must be zero.
te::Tensor conv2d_nchw(const te::Tensor &data, const te::Tensor &weight, const Conv2dAttrs &attrs);

/// The channel-blocked convolution (groups == 1): data [N, C/ic_bn, H, W, ic_bn] (see
/// layout_nchw_to_nchwc), weight [K/oc_bn, C/ic_bn, R, S, ic_bn, oc_bn] (see
/// weight_oihw_to_blocked), out [N, K/oc_bn, OH, OW, oc_bn]. ic_bn and oc_bn are read from the
/// shapes. Reduction axes in order: ic_outer, r, s, ic_inner. Tag "conv2d_nchwc".
te::Tensor conv2d_nchwc(const te::Tensor &data, const te::Tensor &weight, const Conv2dAttrs &attrs);

/// The channel-blocked depthwise convolution with multiplier 1 (groups == C):
/// data [N, C/bn, H, W, bn], weight [C/bn, 1, R, S, 1, bn] (weight_oihw_to_blocked of a
/// [C, 1, R, S] weight with ic_bn = 1, oc_bn = bn), out [N, C/bn, OH, OW, bn].
/// `attrs.groups` must equal C. Tag "depthwise_conv2d_nchwc".
te::Tensor depthwise_conv2d_nchwc(const te::Tensor &data, const te::Tensor &weight,
                                  const Conv2dAttrs &attrs);

/// ONNX ConvTranspose: data [N, C, H, W], weight [C, K/groups, R, S], out [N, K, OH, OW] with
///   OH = sh*(H-1) + output_padding_h + dh*(R-1) + 1 - pad_top - pad_bottom   (same for W),
///   out[n, k, oh, ow] = sum over c in k's group, r, s with oh + pad_top = ih*sh + r*dh and
///   ow + pad_left = iw*sw + s*dw for some in-range ih, iw of data[n, c, ih, iw] * weight[c, k', r,
///   s]
/// where k' = k mod (K/groups). Computed directly, with the divisibility and range tests as the
/// reduction's condition (one stage). Tag "conv2d_transpose_nchw".
te::Tensor conv2d_transpose_nchw(const te::Tensor &data, const te::Tensor &weight,
                                 const Conv2dAttrs &attrs);

}  // namespace autotune::ops

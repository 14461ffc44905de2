// 2-D pooling over NCHW tensors as tensor expressions: windowed max/average pooling with ONNX
// attributes, and global pooling.
#pragma once

#include <array>
#include <cstdint>

#include "ir/te/Tensor.h"

namespace autotune::ops {

/// Attributes of a windowed 2-D pooling, in ONNX MaxPool/AveragePool meaning.
struct PoolAttrs {
  std::array<int64_t, 2> kernel{1, 1};         ///< {kh, kw}, >= 1
  std::array<int64_t, 2> strides{1, 1};        ///< >= 1
  std::array<int64_t, 4> padding{0, 0, 0, 0};  ///< {top, left, bottom, right}, >= 0
  std::array<int64_t, 2> dilation{1, 1};       ///< >= 1
  /// Rounds the output extent up instead of down; a last window that would start at or past
  /// the end of the input plus the begin padding is dropped (the PyTorch/ONNX rule).
  bool ceil_mode = false;
  /// Average pooling only: divide by the taps inside the padded input instead of the taps
  /// inside the input itself.
  bool count_include_pad = false;
};

/// Output extent along one dimension. With e = dilation*(kernel-1)+1:
/// floor_or_ceil((in + pad_begin + pad_end - e) / stride) + 1, minus one when ceil_mode made the
/// last window start at or beyond in + pad_begin.
int64_t pool_output_extent(int64_t in, int64_t kernel, int64_t stride, int64_t pad_begin,
                           int64_t pad_end, int64_t dilation, bool ceil_mode);

/// out[n, c, oh, ow] = max over taps (r, s) of x[n, c, oh*sh - pt + r*dh, ow*sw - pl + s*dw],
/// where taps outside the input count as -inf. x is [N, C, H, W]. The padding is a separate
/// "pad" stage (absent when not needed); the reduction is tagged "pool".
te::Tensor max_pool2d(const te::Tensor &x, const PoolAttrs &attrs);

/// The mean of the same window: a zero-padded sum (tagged "pool") divided, in a second stage
/// tagged "pool_avg", by the number of taps inside the input (count_include_pad = false) or
/// inside the padded input [-pad_begin, in + pad_end) (count_include_pad = true); taps that
/// ceil_mode pushes past the end padding never count. A count of 0 divides by 1.
te::Tensor avg_pool2d(const te::Tensor &x, const PoolAttrs &attrs);

/// [N, C, H, W] -> [N, C, 1, 1]: the mean over H and W, one reduction stage tagged
/// "global_pool" (each element is scaled by 1/(H*W) before summing).
te::Tensor global_avg_pool2d(const te::Tensor &x);

/// [N, C, H, W] -> [N, C, 1, 1]: the maximum over H and W. Tag "global_pool".
te::Tensor global_max_pool2d(const te::Tensor &x);

}  // namespace autotune::ops

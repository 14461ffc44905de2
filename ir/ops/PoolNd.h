// Windowed pooling over any number of spatial dimensions and any element type (1-D/3-D models,
// integer tensors, MaxPool's argmax output); Pool.h holds the tuned float 2-D forms.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/te/Tensor.h"

namespace autotune::ops {

/// Attributes of a k-D pooling window, one entry per spatial dimension in each vector, in
/// ONNX MaxPool/AveragePool meaning (see PoolAttrs in Pool.h).
struct PoolNdAttrs {
  std::vector<int64_t> kernel;     ///< >= 1
  std::vector<int64_t> strides;    ///< >= 1
  std::vector<int64_t> pad_begin;  ///< >= 0
  std::vector<int64_t> pad_end;    ///< >= 0
  std::vector<int64_t> dilations;  ///< >= 1
  bool ceil_mode = false;
  bool count_include_pad = false;  ///< average pooling only
};

/// The output shape [N, C, O...] of pooling x [N, C, D...] (O from pool_output_extent); user
/// error when a window does not fit.
std::vector<int64_t> pool_nd_output_shape(const te::Tensor &x, const PoolNdAttrs &attrs);

/// out[n, c, o...] = max over in-range taps r of x[n, c, o*stride - pad_begin + r*dilation];
/// taps outside x are skipped (the padding never wins, whatever the dtype). One reduction stage
/// tagged "pool".
te::Tensor max_pool_nd(const te::Tensor &x, const PoolNdAttrs &attrs);

/// The mean of the same windows: a sum over in-range taps ("pool") divided in a second stage
/// ("pool_avg") by the number of taps inside x, or inside [-pad_begin, D + pad_end) with
/// count_include_pad. Floating-point x only.
te::Tensor avg_pool_nd(const te::Tensor &x, const PoolNdAttrs &attrs);

/// ONNX MaxPool's Indices output for `max` = max_pool (any form) of x: the flat index into x of
/// the first tap (in row-major tap order) holding the maximum, counted over all of x
/// (n*C*D1*...*Dk + ...). With `column_major` (storage_order = 1) the spatial part of the index is
/// column-major (the last spatial dimension varies slowest). int64, tag "pool".
te::Tensor max_pool_nd_indices(const te::Tensor &x, const te::Tensor &max, const PoolNdAttrs &attrs,
                               bool column_major);

}  // namespace autotune::ops

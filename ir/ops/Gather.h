// Gathering slices of a tensor by an index tensor along one axis (ONNX Gather, numpy take).
#pragma once

#include <cstdint>

#include "ir/te/Tensor.h"

namespace autotune::ops {

/// out[a..., j..., b...] = data[a..., idx, b...] with idx = indices[j...] (plus the axis extent
/// when negative) and a, b the dimensions of data before and after `axis` (negative counts from
/// the back). Out has shape data[:axis] + indices.shape + data[axis+1:]. Indices are any integer
/// type; out-of-range indices are clamped into the axis (ONNX leaves them undefined). Tag
/// "injective".
te::Tensor take(const te::Tensor &data, const te::Tensor &indices, int64_t axis);

}  // namespace autotune::ops

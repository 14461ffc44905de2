// Data-movement operators: pad, concat, transpose, reshape and the NCHW <-> NCHW[x]c layout
// transforms. Each is one compute stage with no arithmetic, so schedules may inline it.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/te/Tensor.h"

namespace autotune::ops {

/// Pads every dimension d of `x` with `before[d]` elements in front and `after[d]` behind, all
/// equal to `value`: out[i] = x[i - before] inside the source, `value` elsewhere. `before` and
/// `after` have one non-negative entry per dimension. Out-of-range reads are never issued (the
/// read index is clamped under the select). Tag "pad".
te::Tensor pad(const te::Tensor &x, const std::vector<int64_t> &before,
               const std::vector<int64_t> &after, double value = 0.0);

/// Joins `tensors` along `axis` (negative counts from the back). All tensors have the same rank,
/// dtype and extents except along `axis`. Tag "injective".
te::Tensor concat(const std::vector<te::Tensor> &tensors, int64_t axis);

/// out[i_0, ..., i_{n-1}] = x[j] with j[perm[d]] = i_d, i.e. out.shape[d] = x.shape[perm[d]]
/// (numpy/ONNX semantics). An empty `perm` reverses the dimensions. Tag "injective".
te::Tensor transpose(const te::Tensor &x, std::vector<int64_t> perm = {});

/// The elements of `x` in row-major order, viewed with `new_shape`. Resolved here with ONNX
/// Reshape semantics (allowzero = 0): an entry 0 copies x's extent at the same position, and one
/// entry may be -1, inferred from the element count. The element counts must agree.
/// Tag "injective".
te::Tensor reshape(const te::Tensor &x, const std::vector<int64_t> &new_shape);

/// [N, C, H, W] -> [N, C/bn, H, W, bn] with out[n, co, h, w, cb] = x[n, co*bn + cb, h, w].
/// C must be divisible by bn. Tag "layout_transform".
te::Tensor layout_nchw_to_nchwc(const te::Tensor &x, int64_t bn);

/// [N, C/bn, H, W, bn] -> [N, C, H, W], the inverse of layout_nchw_to_nchwc.
/// Tag "layout_transform".
te::Tensor layout_nchwc_to_nchw(const te::Tensor &x);

/// Convolution weights [K, C, R, S] (OIHW) -> [K/oc_bn, C/ic_bn, R, S, ic_bn, oc_bn], the layout
/// conv2d_nchwc reads: out[ko, ci, r, s, ib, ob] = w[ko*oc_bn + ob, ci*ic_bn + ib, r, s].
/// K must be divisible by oc_bn and C by ic_bn. Tag "layout_transform".
te::Tensor weight_oihw_to_blocked(const te::Tensor &w, int64_t ic_bn, int64_t oc_bn);

}  // namespace autotune::ops

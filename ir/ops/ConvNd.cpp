// k-D convolutions: one reduction stage each, with padding and stride tests as conditions.
#include "ir/ops/ConvNd.h"

#include "ir/ops/Conv2d.h"
#include "ir/ops/detail/ShapeCheck.h"

namespace autotune::ops {

using detail::shape_str;
using ir::Expr;
using ir::IterVar;
using ir::Var;
using te::Tensor;

namespace {

/// Checks ranks, dtypes and attribute lengths shared by both convolutions; returns k.
size_t check_conv_nd(const Tensor &data, const Tensor &weight, const ConvNdAttrs &a,
                     const char *op) {
  user_check(data.ndim() >= 3 && weight.ndim() == data.ndim())
      << op << ": data '" << data.name() << "' with shape " << shape_str(data.shape())
      << " and weight '" << weight.name() << "' with shape " << shape_str(weight.shape())
      << " must have the same rank, at least 3";
  detail::check_same_dtype({data, weight}, op);
  size_t k = data.ndim() - 2;
  user_check(a.strides.size() == k && a.pad_begin.size() == k && a.pad_end.size() == k &&
             a.dilations.size() == k)
      << op << ": strides, pads and dilations need one entry per spatial dimension (" << k << ")";
  for (size_t d = 0; d < k; ++d) {
    user_check(a.strides[d] >= 1 && a.dilations[d] >= 1)
        << op << ": strides and dilations must be >= 1, got " << shape_str(a.strides) << " and "
        << shape_str(a.dilations);
    user_check(a.pad_begin[d] >= 0 && a.pad_end[d] >= 0)
        << op << ": pads must be non-negative, got " << shape_str(a.pad_begin) << " and "
        << shape_str(a.pad_end);
  }
  user_check(a.groups >= 1 && data.dim(1) % a.groups == 0)
      << op << ": groups " << a.groups << " must divide the input channels " << data.dim(1);
  return k;
}

}  // namespace

Tensor conv_nd(const Tensor &data, const Tensor &weight, const ConvNdAttrs &attrs) {
  const char *op = "conv_nd";
  size_t k = check_conv_nd(data, weight, attrs, op);
  int64_t c = data.dim(1), kout = weight.dim(0), groups = attrs.groups;
  int64_t cg = c / groups;
  user_check(kout % groups == 0 && weight.dim(1) == cg)
      << op << ": weight '" << weight.name() << "' with shape " << shape_str(weight.shape())
      << " must be [K, C/groups = " << cg << ", R...] with K divisible by groups " << groups;
  int64_t kg = kout / groups;
  std::vector<int64_t> out_shape = {data.dim(0), kout};
  for (size_t d = 0; d < k; ++d) {
    int64_t o = conv_output_extent(data.dim(2 + d), weight.dim(2 + d), attrs.strides[d],
                                   attrs.pad_begin[d], attrs.pad_end[d], attrs.dilations[d]);
    user_check(o >= 1) << op << ": the dilated kernel " << shape_str(weight.shape())
                       << " does not fit the padded input " << shape_str(data.shape());
    out_shape.push_back(o);
  }
  IterVar rc = te::reduce_axis(cg, "rc");
  std::vector<IterVar> taps;
  for (size_t d = 0; d < k; ++d)
    taps.push_back(te::reduce_axis(weight.dim(2 + d), "r" + std::to_string(d)));
  return te::compute(
      out_shape,
      [&](const std::vector<Var> &i) {
        Expr ic = groups == 1 ? Expr(rc) : i[1] / kg * cg + rc;
        std::vector<Expr> x_idx = {i[0], ic}, w_idx = {i[1], rc};
        Expr inside = ir::make_bool(true);
        for (size_t d = 0; d < k; ++d) {
          Expr pos =
              i[2 + d] * attrs.strides[d] - attrs.pad_begin[d] + Expr(taps[d]) * attrs.dilations[d];
          int64_t extent = data.dim(2 + d);
          bool pads = attrs.pad_begin[d] > 0 || attrs.pad_end[d] > 0;
          if (pads) inside = inside && pos >= Expr(int64_t(0)) && pos < Expr(extent);
          x_idx.push_back(detail::clamp_index(pos, 0, extent - 1, pads, pads));
          w_idx.push_back(taps[d]);
        }
        std::vector<IterVar> axes = {rc};
        axes.insert(axes.end(), taps.begin(), taps.end());
        return te::sum(data(x_idx) * weight(w_idx), axes, inside);
      },
      "conv_nd", "conv_nd");
}

Tensor conv_transpose_nd(const Tensor &data, const Tensor &weight, const ConvNdAttrs &attrs,
                         const std::vector<int64_t> &out_extents) {
  const char *op = "conv_transpose_nd";
  size_t k = check_conv_nd(data, weight, attrs, op);
  user_check(out_extents.size() == k)
      << op << ": expected " << k << " output extents, got " << shape_str(out_extents);
  int64_t c = data.dim(1), groups = attrs.groups;
  user_check(weight.dim(0) == c) << op << ": weight '" << weight.name() << "' with shape "
                                 << shape_str(weight.shape()) << " must be [C = " << c
                                 << ", K/groups, R...]";
  int64_t cg = c / groups, kg = weight.dim(1);
  std::vector<int64_t> out_shape = {data.dim(0), kg * groups};
  out_shape.insert(out_shape.end(), out_extents.begin(), out_extents.end());
  IterVar rc = te::reduce_axis(cg, "rc");
  std::vector<IterVar> taps;
  for (size_t d = 0; d < k; ++d)
    taps.push_back(te::reduce_axis(weight.dim(2 + d), "r" + std::to_string(d)));
  return te::compute(
      out_shape,
      [&](const std::vector<Var> &i) {
        Expr ic = groups == 1 ? Expr(rc) : i[1] / kg * cg + rc;
        Expr wk = groups == 1 ? Expr(i[1]) : i[1] % kg;
        std::vector<Expr> x_idx = {i[0], ic}, w_idx = {ic, wk};
        Expr cond = ir::make_bool(true);
        for (size_t d = 0; d < k; ++d) {
          // The input position feeding output o through tap r: (o + pad - r*dil) / stride when
          // the division is exact and the position is in range.
          Expr num = i[2 + d] + attrs.pad_begin[d] - Expr(taps[d]) * attrs.dilations[d];
          Expr pos = num;
          if (attrs.strides[d] > 1) {
            cond = cond && num % attrs.strides[d] == Expr(int64_t(0));
            pos = num / attrs.strides[d];
          }
          int64_t extent = data.dim(2 + d);
          cond = cond && pos >= Expr(int64_t(0)) && pos < Expr(extent);
          x_idx.push_back(detail::clamp_index(pos, 0, extent - 1, true, true));
          w_idx.push_back(taps[d]);
        }
        std::vector<IterVar> axes = {rc};
        axes.insert(axes.end(), taps.begin(), taps.end());
        return te::sum(data(x_idx) * weight(w_idx), axes, cond);
      },
      "conv_transpose_nd", "conv_transpose_nd");
}

}  // namespace autotune::ops

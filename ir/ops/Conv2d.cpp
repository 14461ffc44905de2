// 2-D convolutions: attribute checks, output shapes and the reduction bodies.
#include "ir/ops/Conv2d.h"

#include "ir/ops/Transform.h"
#include "ir/ops/detail/ShapeCheck.h"

namespace autotune::ops {

using detail::shape_str;
using ir::Expr;
using ir::IterVar;
using ir::Var;
using te::Tensor;

int64_t conv_output_extent(int64_t in, int64_t kernel, int64_t stride, int64_t pad_begin,
                           int64_t pad_end, int64_t dilation) {
  return ir::floor_div(in + pad_begin + pad_end - dilation * (kernel - 1) - 1, stride) + 1;
}

namespace {

/// Checks the attributes every convolution shares; `op` names the operator in messages.
void check_common_attrs(const Conv2dAttrs &a, const char *op) {
  user_check(a.strides[0] >= 1 && a.strides[1] >= 1)
      << op << ": strides must be >= 1, got {" << a.strides[0] << ", " << a.strides[1] << "}";
  user_check(a.dilation[0] >= 1 && a.dilation[1] >= 1)
      << op << ": dilation must be >= 1, got {" << a.dilation[0] << ", " << a.dilation[1] << "}";
  for (int64_t p : a.padding) {
    user_check(p >= 0) << op << ": padding must be non-negative, got {" << a.padding[0] << ", "
                       << a.padding[1] << ", " << a.padding[2] << ", " << a.padding[3]
                       << "} (top, left, bottom, right)";
  }
  user_check(a.groups >= 1) << op << ": groups must be >= 1, got " << a.groups;
}

/// Checks a forward convolution's attributes, including that output_padding is unused.
void check_forward_attrs(const Conv2dAttrs &a, const char *op) {
  check_common_attrs(a, op);
  user_check(a.output_padding[0] == 0 && a.output_padding[1] == 0)
      << op << ": output_padding applies only to conv2d_transpose_nchw, got {"
      << a.output_padding[0] << ", " << a.output_padding[1] << "}";
}

/// The spatial output extents {OH, OW} of a forward convolution; user error when empty.
std::array<int64_t, 2> output_hw(int64_t h, int64_t w, int64_t r, int64_t s, const Conv2dAttrs &a,
                                 const char *op) {
  int64_t oh = conv_output_extent(h, r, a.strides[0], a.padding[0], a.padding[2], a.dilation[0]);
  int64_t ow = conv_output_extent(w, s, a.strides[1], a.padding[1], a.padding[3], a.dilation[1]);
  user_check(oh >= 1 && ow >= 1) << op << ": the dilated kernel " << r << "x" << s << " (dilation {"
                                 << a.dilation[0] << ", " << a.dilation[1]
                                 << "}) does not fit the padded input "
                                 << h + a.padding[0] + a.padding[2] << "x"
                                 << w + a.padding[1] + a.padding[3] << ", output would be " << oh
                                 << "x" << ow;
  return {oh, ow};
}

bool has_padding(const Conv2dAttrs &a) {
  return a.padding[0] || a.padding[1] || a.padding[2] || a.padding[3];
}

/// `data` with the spatial padding of `a` (dims 2 and 3), or `data` itself when there is none.
Tensor pad_spatial(const Tensor &data, const Conv2dAttrs &a) {
  if (!has_padding(a)) return data;
  std::vector<int64_t> before(data.ndim(), 0), after(data.ndim(), 0);
  before[2] = a.padding[0];
  before[3] = a.padding[1];
  after[2] = a.padding[2];
  after[3] = a.padding[3];
  return pad(data, before, after, 0.0);
}

void check_dtypes(const Tensor &data, const Tensor &weight, const char *op) {
  user_check(data.dtype() == weight.dtype())
      << op << ": data '" << data.name() << "' is " << data.dtype().str() << " but weight '"
      << weight.name() << "' is " << weight.dtype().str();
}

}  // namespace

Tensor conv2d_nchw(const Tensor &data, const Tensor &weight, const Conv2dAttrs &attrs) {
  const char *op = "conv2d_nchw";
  detail::check_rank(data, 4, op, "data");
  detail::check_rank(weight, 4, op, "weight");
  check_dtypes(data, weight, op);
  check_forward_attrs(attrs, op);
  int64_t n = data.dim(0), c = data.dim(1), k = weight.dim(0), r = weight.dim(2), s = weight.dim(3);
  int64_t groups = attrs.groups;
  user_check(c % groups == 0 && k % groups == 0)
      << op << ": groups " << groups << " must divide the input channels " << c
      << " and the output channels " << k;
  int64_t cg = c / groups, kg = k / groups;
  user_check(weight.dim(1) == cg) << op << ": weight '" << weight.name() << "' with shape "
                                  << shape_str(weight.shape()) << " must have C/groups = " << cg
                                  << " input channels for data with shape "
                                  << shape_str(data.shape()) << " and groups " << groups;
  auto [oh, ow] = output_hw(data.dim(2), data.dim(3), r, s, attrs, op);

  Tensor padded = pad_spatial(data, attrs);
  int64_t sh = attrs.strides[0], sw = attrs.strides[1];
  int64_t dh = attrs.dilation[0], dw = attrs.dilation[1];
  IterVar ry = te::reduce_axis(r, "ry"), rx = te::reduce_axis(s, "rx");
  if (groups == 1) {
    IterVar rc = te::reduce_axis(c, "rc");
    return te::compute(
        {n, k, oh, ow},
        [&](Var b, Var kk, Var y, Var x) {
          return te::sum(padded(b, rc, y * sh + ry * dh, x * sw + rx * dw) * weight(kk, rc, ry, rx),
                         {rc, ry, rx});
        },
        "conv2d", "conv2d_nchw");
  }
  if (groups == c) {
    // One input channel per group: no channel reduction; kk / multiplier is its input channel.
    return te::compute(
        {n, k, oh, ow},
        [&](Var b, Var kk, Var y, Var x) {
          Expr ic = kg == 1 ? Expr(kk) : kk / kg;
          return te::sum(padded(b, ic, y * sh + ry * dh, x * sw + rx * dw) * weight(kk, 0, ry, rx),
                         {ry, rx});
        },
        "depthwise_conv2d", "depthwise_conv2d_nchw");
  }
  IterVar rc = te::reduce_axis(cg, "rc");
  return te::compute(
      {n, k, oh, ow},
      [&](Var b, Var kk, Var y, Var x) {
        Expr ic = kk / kg * cg + rc;
        return te::sum(padded(b, ic, y * sh + ry * dh, x * sw + rx * dw) * weight(kk, rc, ry, rx),
                       {rc, ry, rx});
      },
      "group_conv2d", "group_conv2d_nchw");
}

Tensor conv2d_nchwc(const Tensor &data, const Tensor &weight, const Conv2dAttrs &attrs) {
  const char *op = "conv2d_nchwc";
  detail::check_rank(data, 5, op, "data");
  detail::check_rank(weight, 6, op, "weight");
  check_dtypes(data, weight, op);
  check_forward_attrs(attrs, op);
  user_check(attrs.groups == 1) << op << ": only groups == 1 is supported, got " << attrs.groups
                                << " (use conv2d_nchw for grouped convolutions)";
  int64_t ic_chunks = data.dim(1), ic_bn = data.dim(4);
  user_check(weight.dim(1) == ic_chunks && weight.dim(4) == ic_bn)
      << op << ": weight '" << weight.name() << "' with shape " << shape_str(weight.shape())
      << " must be [K/oc_bn, " << ic_chunks << ", R, S, " << ic_bn
      << ", oc_bn] for data with shape " << shape_str(data.shape());
  int64_t r = weight.dim(2), s = weight.dim(3), oc_chunks = weight.dim(0), oc_bn = weight.dim(5);
  auto [oh, ow] = output_hw(data.dim(2), data.dim(3), r, s, attrs, op);

  Tensor padded = pad_spatial(data, attrs);
  int64_t sh = attrs.strides[0], sw = attrs.strides[1];
  int64_t dh = attrs.dilation[0], dw = attrs.dilation[1];
  IterVar ico = te::reduce_axis(ic_chunks, "ic_outer"), ici = te::reduce_axis(ic_bn, "ic_inner");
  IterVar ry = te::reduce_axis(r, "ry"), rx = te::reduce_axis(s, "rx");
  return te::compute(
      {data.dim(0), oc_chunks, oh, ow, oc_bn},
      [&](const std::vector<Var> &i) {
        return te::sum(padded(i[0], ico, i[2] * sh + ry * dh, i[3] * sw + rx * dw, ici) *
                           weight(i[1], ico, ry, rx, ici, i[4]),
                       {ico, ry, rx, ici});
      },
      "conv2d_nchwc", "conv2d_nchwc");
}

Tensor depthwise_conv2d_nchwc(const Tensor &data, const Tensor &weight, const Conv2dAttrs &attrs) {
  const char *op = "depthwise_conv2d_nchwc";
  detail::check_rank(data, 5, op, "data");
  detail::check_rank(weight, 6, op, "weight");
  check_dtypes(data, weight, op);
  check_forward_attrs(attrs, op);
  int64_t chunks = data.dim(1), bn = data.dim(4);
  user_check(attrs.groups == chunks * bn)
      << op << ": groups must equal the channel count " << chunks * bn << ", got " << attrs.groups;
  user_check(weight.dim(0) == chunks && weight.dim(1) == 1 && weight.dim(4) == 1 &&
             weight.dim(5) == bn)
      << op << ": weight '" << weight.name() << "' with shape " << shape_str(weight.shape())
      << " must be [" << chunks << ", 1, R, S, 1, " << bn << "] for data with shape "
      << shape_str(data.shape());
  int64_t r = weight.dim(2), s = weight.dim(3);
  auto [oh, ow] = output_hw(data.dim(2), data.dim(3), r, s, attrs, op);

  Tensor padded = pad_spatial(data, attrs);
  int64_t sh = attrs.strides[0], sw = attrs.strides[1];
  int64_t dh = attrs.dilation[0], dw = attrs.dilation[1];
  IterVar ry = te::reduce_axis(r, "ry"), rx = te::reduce_axis(s, "rx");
  return te::compute(
      {data.dim(0), chunks, oh, ow, bn},
      [&](const std::vector<Var> &i) {
        return te::sum(padded(i[0], i[1], i[2] * sh + ry * dh, i[3] * sw + rx * dw, i[4]) *
                           weight(i[1], 0, ry, rx, 0, i[4]),
                       {ry, rx});
      },
      "depthwise_conv2d_nchwc", "depthwise_conv2d_nchwc");
}

Tensor conv2d_transpose_nchw(const Tensor &data, const Tensor &weight, const Conv2dAttrs &attrs) {
  const char *op = "conv2d_transpose_nchw";
  detail::check_rank(data, 4, op, "data");
  detail::check_rank(weight, 4, op, "weight");
  check_dtypes(data, weight, op);
  check_common_attrs(attrs, op);
  for (int d = 0; d < 2; ++d) {
    int64_t p = attrs.output_padding[d];
    user_check(p >= 0 && (p < attrs.strides[d] || p < attrs.dilation[d]))
        << op << ": output_padding " << p << " of dimension " << (d == 0 ? "h" : "w")
        << " must be non-negative and smaller than its stride " << attrs.strides[d]
        << " or dilation " << attrs.dilation[d];
  }
  int64_t n = data.dim(0), c = data.dim(1), h = data.dim(2), w = data.dim(3);
  int64_t groups = attrs.groups;
  user_check(c % groups == 0) << op << ": groups " << groups << " must divide the input channels "
                              << c;
  user_check(weight.dim(0) == c)
      << op << ": weight '" << weight.name() << "' with shape " << shape_str(weight.shape())
      << " must have C = " << c << " as its first extent ([C, K/groups, R, S]) for data with shape "
      << shape_str(data.shape());
  int64_t cg = c / groups, kg = weight.dim(1), k = kg * groups;
  int64_t r = weight.dim(2), s = weight.dim(3);
  int64_t sh = attrs.strides[0], sw = attrs.strides[1];
  int64_t dh = attrs.dilation[0], dw = attrs.dilation[1];
  int64_t pt = attrs.padding[0], pl = attrs.padding[1];
  int64_t oh = sh * (h - 1) + attrs.output_padding[0] + dh * (r - 1) + 1 - pt - attrs.padding[2];
  int64_t ow = sw * (w - 1) + attrs.output_padding[1] + dw * (s - 1) + 1 - pl - attrs.padding[3];
  user_check(oh >= 1 && ow >= 1) << op << ": padding {" << attrs.padding[0] << ", "
                                 << attrs.padding[1] << ", " << attrs.padding[2] << ", "
                                 << attrs.padding[3] << "} leaves an empty output " << oh << "x"
                                 << ow;

  IterVar rc = te::reduce_axis(cg, "rc");
  IterVar ry = te::reduce_axis(r, "ry"), rx = te::reduce_axis(s, "rx");
  // The input row feeding output row `o` through kernel tap `t`: (o + pad - t*dil) / stride when
  // that division is exact and the row is in range.
  auto source_index = [](Expr o, Expr t, int64_t pad_begin, int64_t dil, int64_t stride,
                         int64_t extent, Expr &cond) {
    Expr num = o + pad_begin - t * dil;
    Expr idx = num;
    if (stride > 1) {
      cond = cond && num % stride == 0;
      idx = num / stride;
    }
    cond = cond && idx >= 0 && idx < extent;
    return idx;
  };
  return te::compute(
      {n, k, oh, ow},
      [&](Var b, Var kk, Var y, Var x) {
        Expr cond = ir::make_bool(true);
        Expr ih = source_index(y, ry, pt, dh, sh, h, cond);
        Expr iw = source_index(x, rx, pl, dw, sw, w, cond);
        Expr ic = groups == 1 ? Expr(rc) : kk / kg * cg + rc;
        Expr wk = groups == 1 ? Expr(kk) : kk % kg;
        return te::sum(data(b, ic, ih, iw) * weight(ic, wk, ry, rx), {rc, ry, rx}, cond);
      },
      "conv2d_transpose", "conv2d_transpose_nchw");
}

}  // namespace autotune::ops

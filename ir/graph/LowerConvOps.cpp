// Lowering of ONNX Conv and ConvTranspose: attribute resolution (kernel_shape, auto_pad,
// output_shape) onto ops::conv2d_nchw / conv2d_transpose_nchw for 2-D and the k-D forms otherwise.
#include <algorithm>

#include "ir/graph/detail/Lowering.h"
#include "ir/ops/Broadcast.h"
#include "ir/ops/Conv2d.h"
#include "ir/ops/ConvNd.h"

namespace autotune::graph::detail {

namespace {

/// Checks X and W ranks and returns the kernel extents (W's spatial extents), cross-checked with
/// the kernel_shape attribute when present.
std::vector<int64_t> kernel_extents(const LoweringContext &ctx, const te::Tensor &x,
                                    const te::Tensor &w) {
  user_check(x.ndim() >= 3 && w.ndim() == x.ndim())
      << ctx.describe() << ": X with shape " << shape_str(x.shape()) << " and W with shape "
      << shape_str(w.shape()) << " must have the same rank, at least 3 ([N, C, D...])";
  std::vector<int64_t> kernel(w.shape().begin() + 2, w.shape().end());
  if (ctx.attrs().has("kernel_shape")) {
    std::vector<int64_t> attr = ctx.attrs().get_ints("kernel_shape");
    user_check(attr == kernel) << ctx.describe() << ": kernel_shape " << shape_str(attr)
                               << " disagrees with the weight's spatial extents "
                               << shape_str(kernel);
  }
  return kernel;
}

std::vector<te::Tensor> with_bias(const LoweringContext &ctx, te::Tensor out) {
  if (ctx.has_input(2)) out = ops::bias_add(out, ctx.input(2, "B"), 1);
  return {out};
}

}  // namespace

std::vector<te::Tensor> lower_conv(const LoweringContext &ctx) {
  const te::Tensor &x = ctx.input(0, "X");
  const te::Tensor &w = ctx.input(1, "W");
  std::vector<int64_t> kernel = kernel_extents(ctx, x, w);
  std::vector<int64_t> in(x.shape().begin() + 2, x.shape().end());
  WindowAttrs win = read_window_attrs(ctx, in, kernel);
  int64_t groups = ctx.attrs().get_int("group", 1);
  if (kernel.size() == 2) {
    ops::Conv2dAttrs a;
    a.strides = {win.strides[0], win.strides[1]};
    a.dilation = {win.dilations[0], win.dilations[1]};
    a.padding = {win.pad_begin[0], win.pad_begin[1], win.pad_end[0], win.pad_end[1]};
    a.groups = groups;
    return with_bias(ctx, ops::conv2d_nchw(x, w, a));
  }
  ops::ConvNdAttrs a{win.strides, win.pad_begin, win.pad_end, win.dilations, groups};
  return with_bias(ctx, ops::conv_nd(x, w, a));
}

// Output extents and pads of ConvTranspose, per spatial dimension, where the full (unpadded)
// extent is full = stride*(in-1) + output_padding + dilation*(kernel-1) + 1:
//   1. output_shape given: out = output_shape; total = full - out is split into begin/end pads
//      (SAME_UPPER puts the odd element at the end, otherwise at the beginning). A negative
//      total (output larger than full) pads nothing and leaves zeros at the end.
//   2. auto_pad SAME_*: the same with out = in * stride.
//   3. otherwise: out = full - pad_begin - pad_end from `pads` (VALID: no pads).
std::vector<te::Tensor> lower_conv_transpose(const LoweringContext &ctx) {
  const te::Tensor &x = ctx.input(0, "X");
  const te::Tensor &w = ctx.input(1, "W");
  std::vector<int64_t> kernel = kernel_extents(ctx, x, w);
  size_t k = kernel.size();
  const Attributes &attrs = ctx.attrs();
  std::vector<int64_t> strides = attrs.get_ints("strides", std::vector<int64_t>(k, 1));
  std::vector<int64_t> dilations = attrs.get_ints("dilations", std::vector<int64_t>(k, 1));
  std::vector<int64_t> out_pad = attrs.get_ints("output_padding", std::vector<int64_t>(k, 0));
  std::vector<int64_t> pads = attrs.get_ints("pads", std::vector<int64_t>(2 * k, 0));
  std::string auto_pad = attrs.get_string("auto_pad", "NOTSET");
  user_check(strides.size() == k && dilations.size() == k && out_pad.size() == k &&
             pads.size() == 2 * k)
      << ctx.describe() << ": strides, dilations, output_padding and pads must have " << k << ", "
      << k << ", " << k << " and " << 2 * k << " entries";
  std::vector<int64_t> out_shape;
  if (attrs.has("output_shape")) {
    out_shape = attrs.get_ints("output_shape");
    if (out_shape.size() == k + 2) out_shape.erase(out_shape.begin(), out_shape.begin() + 2);
    user_check(out_shape.size() == k)
        << ctx.describe() << ": output_shape " << shape_str(attrs.get_ints("output_shape"))
        << " must have one entry per spatial dimension (" << k << ")";
  } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    for (size_t d = 0; d < k; ++d) out_shape.push_back(x.dim(2 + d) * strides[d]);
  } else {
    user_check(auto_pad == "NOTSET" || auto_pad == "VALID")
        << ctx.describe() << ": auto_pad '" << auto_pad
        << "' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER";
    if (auto_pad == "VALID") pads.assign(2 * k, 0);
  }
  std::vector<int64_t> pad_begin(k), pad_end(k), out(k);
  for (size_t d = 0; d < k; ++d) {
    int64_t full =
        strides[d] * (x.dim(2 + d) - 1) + out_pad[d] + dilations[d] * (kernel[d] - 1) + 1;
    if (!out_shape.empty()) {
      int64_t total = std::max<int64_t>(0, full - out_shape[d]);
      pad_begin[d] = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      pad_end[d] = total - pad_begin[d];
      out[d] = out_shape[d];
    } else {
      pad_begin[d] = pads[d];
      pad_end[d] = pads[k + d];
      out[d] = full - pad_begin[d] - pad_end[d];
    }
    user_check(pad_begin[d] >= 0 && pad_end[d] >= 0 && out[d] >= 1)
        << ctx.describe() << ": pads " << shape_str(pads) << " must be non-negative and leave a "
        << "non-empty output, got extent " << out[d] << " for spatial dimension " << d;
  }
  int64_t groups = attrs.get_int("group", 1);
  if (k == 2) {
    // conv2d_transpose_nchw adds output padding at the end, below the stride or dilation.
    ops::Conv2dAttrs a;
    a.strides = {strides[0], strides[1]};
    a.dilation = {dilations[0], dilations[1]};
    a.padding = {pad_begin[0], pad_begin[1], pad_end[0], pad_end[1]};
    a.groups = groups;
    bool fits = true;
    for (size_t d = 0; d < 2; ++d) {
      int64_t natural = strides[d] * (x.dim(2 + d) - 1) + dilations[d] * (kernel[d] - 1) + 1 -
                        pad_begin[d] - pad_end[d];
      int64_t extra = out[d] - natural;
      fits = fits && extra >= 0 && (extra < strides[d] || extra < dilations[d]);
      a.output_padding[d] = extra;
    }
    if (fits) return with_bias(ctx, ops::conv2d_transpose_nchw(x, w, a));
  }
  ops::ConvNdAttrs a{strides, pad_begin, pad_end, dilations, groups};
  return with_bias(ctx, ops::conv_transpose_nd(x, w, a, out));
}

}  // namespace autotune::graph::detail

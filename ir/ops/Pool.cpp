// 2-D pooling: ONNX output shapes (ceil_mode), padding stages and the window reductions.
#include "ir/ops/Pool.h"

#include <algorithm>
#include <limits>

#include "ir/ops/Transform.h"
#include "ir/ops/detail/ShapeCheck.h"

namespace autotune::ops {

using detail::shape_str;
using ir::Expr;
using ir::IterVar;
using ir::Var;
using te::Tensor;

int64_t pool_output_extent(int64_t in, int64_t kernel, int64_t stride, int64_t pad_begin,
                           int64_t pad_end, int64_t dilation, bool ceil_mode) {
  int64_t span = in + pad_begin + pad_end - (dilation * (kernel - 1) + 1);
  if (span < 0) return 0;
  int64_t out = (ceil_mode ? ir::ceil_div(span, stride) : span / stride) + 1;
  if (ceil_mode && (out - 1) * stride >= in + pad_begin) --out;
  return out;
}

namespace {

/// One spatial dimension of a pooling window.
struct WindowDim {
  int64_t in, kernel, stride, pad_begin, pad_end, dilation, out;
  /// Rows past in + pad_end that ceil_mode's last window reaches.
  int64_t overhang() const {
    return std::max<int64_t>(
        0, (out - 1) * stride + dilation * (kernel - 1) + 1 - (in + pad_begin + pad_end));
  }
};

/// Checks `attrs` and the input; returns the H and W window dimensions.
std::array<WindowDim, 2> window_dims(const Tensor &x, const PoolAttrs &a, const char *op) {
  detail::check_rank(x, 4, op, "input");
  std::array<WindowDim, 2> dims;
  for (int d = 0; d < 2; ++d) {
    user_check(a.kernel[d] >= 1) << op << ": kernel extents must be >= 1, got {" << a.kernel[0]
                                 << ", " << a.kernel[1] << "}";
    user_check(a.strides[d] >= 1) << op << ": strides must be >= 1, got {" << a.strides[0] << ", "
                                  << a.strides[1] << "}";
    user_check(a.dilation[d] >= 1)
        << op << ": dilation must be >= 1, got {" << a.dilation[0] << ", " << a.dilation[1] << "}";
    user_check(a.padding[d] >= 0 && a.padding[d + 2] >= 0)
        << op << ": padding must be non-negative, got {" << a.padding[0] << ", " << a.padding[1]
        << ", " << a.padding[2] << ", " << a.padding[3] << "} (top, left, bottom, right)";
    WindowDim w{
        x.dim(2 + d), a.kernel[d], a.strides[d], a.padding[d], a.padding[d + 2], a.dilation[d], 0};
    w.out = pool_output_extent(w.in, w.kernel, w.stride, w.pad_begin, w.pad_end, w.dilation,
                               a.ceil_mode);
    user_check(w.out >= 1) << op << ": the dilated " << a.kernel[0] << "x" << a.kernel[1]
                           << " window does not fit the padded input of '" << x.name()
                           << "' with shape " << shape_str(x.shape());
    dims[d] = w;
  }
  return dims;
}

/// x padded with `value` so that every window of `dims` lies inside it.
Tensor pad_for_windows(const Tensor &x, const std::array<WindowDim, 2> &dims, double value) {
  bool any = false;
  std::vector<int64_t> before(4, 0), after(4, 0);
  for (int d = 0; d < 2; ++d) {
    before[2 + d] = dims[d].pad_begin;
    after[2 + d] = dims[d].pad_end + dims[d].overhang();
    any = any || before[2 + d] || after[2 + d];
  }
  return any ? pad(x, before, after, value) : x;
}

/// The number of taps of the window at output position `o` that fall inside [lo, hi).
Expr taps_inside(const WindowDim &w, Expr o, int64_t lo, int64_t hi) {
  Expr start = o * w.stride - w.pad_begin;
  if (w.dilation == 1) {
    return ir::max(ir::min(start + w.kernel, Expr(hi)) - ir::max(start, Expr(lo)),
                   Expr(int64_t(0)));
  }
  // First tap t with start + t*d >= lo is ceil((lo - start) / d); last with < hi is
  // floor((hi - 1 - start) / d). Integer division is floor division.
  Expr first = ir::max((Expr(lo) - start + (w.dilation - 1)) / w.dilation, Expr(int64_t(0)));
  Expr last = ir::min((Expr(hi - 1) - start) / w.dilation, Expr(w.kernel - 1));
  return ir::max(last - first + 1, Expr(int64_t(0)));
}

}  // namespace

Tensor max_pool2d(const Tensor &x, const PoolAttrs &attrs) {
  std::array<WindowDim, 2> dims = window_dims(x, attrs, "max_pool2d");
  Tensor padded = pad_for_windows(x, dims, -std::numeric_limits<double>::infinity());
  IterVar ry = te::reduce_axis(dims[0].kernel, "ry"), rx = te::reduce_axis(dims[1].kernel, "rx");
  return te::compute(
      {x.dim(0), x.dim(1), dims[0].out, dims[1].out},
      [&](Var n, Var c, Var h, Var w) {
        return te::reduce_max(padded(n, c, h * dims[0].stride + ry * dims[0].dilation,
                                     w * dims[1].stride + rx * dims[1].dilation),
                              {ry, rx});
      },
      "max_pool2d", "pool");
}

Tensor avg_pool2d(const Tensor &x, const PoolAttrs &attrs) {
  std::array<WindowDim, 2> dims = window_dims(x, attrs, "avg_pool2d");
  Tensor padded = pad_for_windows(x, dims, 0.0);
  IterVar ry = te::reduce_axis(dims[0].kernel, "ry"), rx = te::reduce_axis(dims[1].kernel, "rx");
  Tensor sum = te::compute(
      {x.dim(0), x.dim(1), dims[0].out, dims[1].out},
      [&](Var n, Var c, Var h, Var w) {
        return te::sum(padded(n, c, h * dims[0].stride + ry * dims[0].dilation,
                              w * dims[1].stride + rx * dims[1].dilation),
                       {ry, rx});
      },
      "avg_pool2d_sum", "pool");
  // Every window counts all its taps when none can reach outside the counted region.
  bool full_windows = true;
  for (const WindowDim &w : dims) {
    bool reaches_pad = w.pad_begin > 0 || w.pad_end > 0;
    full_windows = full_windows && w.overhang() == 0 && (attrs.count_include_pad || !reaches_pad);
  }
  return te::compute(
      {x.dim(0), x.dim(1), dims[0].out, dims[1].out},
      [&](Var n, Var c, Var h, Var w) {
        Expr count;
        if (full_windows) {
          count = Expr(dims[0].kernel * dims[1].kernel);
        } else {
          Expr per_dim[2];
          Var o[2] = {h, w};
          for (int d = 0; d < 2; ++d) {
            const WindowDim &wd = dims[d];
            int64_t lo = attrs.count_include_pad ? -wd.pad_begin : 0;
            int64_t hi = attrs.count_include_pad ? wd.in + wd.pad_end : wd.in;
            per_dim[d] = taps_inside(wd, o[d], lo, hi);
          }
          count = ir::max(per_dim[0] * per_dim[1], Expr(int64_t(1)));
        }
        return sum(n, c, h, w) / ir::cast(x.dtype(), count);
      },
      "avg_pool2d", "pool_avg");
}

Tensor global_avg_pool2d(const Tensor &x) {
  detail::check_rank(x, 4, "global_avg_pool2d", "input");
  IterVar ry = te::reduce_axis(x.dim(2), "ry"), rx = te::reduce_axis(x.dim(3), "rx");
  Expr scale = ir::make_const(x.dtype(), 1.0 / static_cast<double>(x.dim(2) * x.dim(3)));
  return te::compute(
      {x.dim(0), x.dim(1), 1, 1},
      [&](Var n, Var c, Var, Var) {
        return te::sum(x(n, c, ry, rx) * scale, {ry, rx});
      },
      "global_avg_pool2d", "global_pool");
}

Tensor global_max_pool2d(const Tensor &x) {
  detail::check_rank(x, 4, "global_max_pool2d", "input");
  IterVar ry = te::reduce_axis(x.dim(2), "ry"), rx = te::reduce_axis(x.dim(3), "rx");
  return te::compute(
      {x.dim(0), x.dim(1), 1, 1},
      [&](Var n, Var c, Var, Var) {
        return te::reduce_max(x(n, c, ry, rx), {ry, rx});
      },
      "global_max_pool2d", "global_pool");
}

}  // namespace autotune::ops

// k-D pooling: window bounds as reduction conditions, closed-form tap counts, argmax indices.
#include "ir/ops/PoolNd.h"

#include <limits>

#include "ir/ops/Pool.h"
#include "ir/ops/detail/ShapeCheck.h"

namespace autotune::ops {

using detail::shape_str;
using ir::Expr;
using ir::IterVar;
using ir::Var;
using te::Tensor;

namespace {

size_t check_pool_nd(const Tensor &x, const PoolNdAttrs &a, const char *op) {
  user_check(x.ndim() >= 3) << op << ": input '" << x.name()
                            << "' must have rank >= 3 ([N, C, D...]), got shape "
                            << shape_str(x.shape());
  size_t k = x.ndim() - 2;
  user_check(a.kernel.size() == k && a.strides.size() == k && a.pad_begin.size() == k &&
             a.pad_end.size() == k && a.dilations.size() == k)
      << op << ": kernel, strides, pads and dilations need one entry per spatial dimension (" << k
      << ")";
  for (size_t d = 0; d < k; ++d) {
    user_check(a.kernel[d] >= 1 && a.strides[d] >= 1 && a.dilations[d] >= 1)
        << op << ": kernel " << shape_str(a.kernel) << ", strides " << shape_str(a.strides)
        << " and dilations " << shape_str(a.dilations) << " must be >= 1";
    user_check(a.pad_begin[d] >= 0 && a.pad_end[d] >= 0)
        << op << ": pads must be non-negative, got " << shape_str(a.pad_begin) << " and "
        << shape_str(a.pad_end);
  }
  return k;
}

/// The window taps of one stage and the positions they read.
struct Window {
  std::vector<IterVar> taps;
  /// x's indices for output position i, clamped inside x, and whether the tap is inside x.
  std::vector<Expr> read_index(const Tensor &x, const PoolNdAttrs &a, const std::vector<Var> &i,
                               Expr &inside) const {
    std::vector<Expr> idx = {i[0], i[1]};
    inside = ir::make_bool(true);
    for (size_t d = 0; d < taps.size(); ++d) {
      Expr pos = i[2 + d] * a.strides[d] - a.pad_begin[d] + Expr(taps[d]) * a.dilations[d];
      inside = inside && pos >= Expr(int64_t(0)) && pos < Expr(x.dim(2 + d));
      idx.push_back(detail::clamp_index(pos, 0, x.dim(2 + d) - 1, true, true));
    }
    return idx;
  }
};

Window make_window(const PoolNdAttrs &a) {
  Window w;
  for (size_t d = 0; d < a.kernel.size(); ++d) {
    w.taps.push_back(te::reduce_axis(a.kernel[d], "r" + std::to_string(d)));
  }
  return w;
}

/// The number of taps of the window at output position `o` along dimension d inside [lo, hi).
Expr taps_inside(const PoolNdAttrs &a, size_t d, Expr o, int64_t lo, int64_t hi) {
  Expr start = o * a.strides[d] - a.pad_begin[d];
  int64_t dil = a.dilations[d], kernel = a.kernel[d];
  // First tap t with start + t*dil >= lo is ceil((lo - start) / dil); the last with < hi is
  // floor((hi - 1 - start) / dil). Integer division is floor division.
  Expr first = ir::max((Expr(lo) - start + (dil - 1)) / dil, Expr(int64_t(0)));
  Expr last = ir::min((Expr(hi - 1) - start) / dil, Expr(kernel - 1));
  return ir::max(last - first + 1, Expr(int64_t(0)));
}

}  // namespace

std::vector<int64_t> pool_nd_output_shape(const Tensor &x, const PoolNdAttrs &a) {
  size_t k = check_pool_nd(x, a, "pool_nd");
  std::vector<int64_t> out = {x.dim(0), x.dim(1)};
  for (size_t d = 0; d < k; ++d) {
    int64_t o = pool_output_extent(x.dim(2 + d), a.kernel[d], a.strides[d], a.pad_begin[d],
                                   a.pad_end[d], a.dilations[d], a.ceil_mode);
    user_check(o >= 1) << "pool_nd: the dilated window " << shape_str(a.kernel)
                       << " does not fit the padded input '" << x.name() << "' with shape "
                       << shape_str(x.shape());
    out.push_back(o);
  }
  return out;
}

Tensor max_pool_nd(const Tensor &x, const PoolNdAttrs &attrs) {
  std::vector<int64_t> out_shape = pool_nd_output_shape(x, attrs);
  Window w = make_window(attrs);
  return te::compute(
      out_shape,
      [&](const std::vector<Var> &i) {
        Expr inside;
        std::vector<Expr> idx = w.read_index(x, attrs, i, inside);
        return te::reduce_max(x(idx), w.taps, inside);
      },
      "max_pool_nd", "pool");
}

Tensor avg_pool_nd(const Tensor &x, const PoolNdAttrs &attrs) {
  user_check(x.dtype().is_float())
      << "avg_pool_nd: input '" << x.name() << "' must be floating point, got " << x.dtype().str();
  std::vector<int64_t> out_shape = pool_nd_output_shape(x, attrs);
  Window w = make_window(attrs);
  Tensor sum = te::compute(
      out_shape,
      [&](const std::vector<Var> &i) {
        Expr inside;
        std::vector<Expr> idx = w.read_index(x, attrs, i, inside);
        return te::sum(x(idx), w.taps, inside);
      },
      "avg_pool_nd_sum", "pool");
  return te::compute(
      out_shape,
      [&](const std::vector<Var> &i) {
        Expr count = Expr(int64_t(1));
        for (size_t d = 0; d < attrs.kernel.size(); ++d) {
          int64_t in = x.dim(2 + d);
          int64_t lo = attrs.count_include_pad ? -attrs.pad_begin[d] : 0;
          int64_t hi = attrs.count_include_pad ? in + attrs.pad_end[d] : in;
          count = count * taps_inside(attrs, d, i[2 + d], lo, hi);
        }
        count = ir::max(count, Expr(int64_t(1)));
        return sum(std::vector<Expr>(i.begin(), i.end())) / ir::cast(x.dtype(), count);
      },
      "avg_pool_nd", "pool_avg");
}

Tensor max_pool_nd_indices(const Tensor &x, const Tensor &max, const PoolNdAttrs &attrs,
                           bool column_major) {
  std::vector<int64_t> out_shape = pool_nd_output_shape(x, attrs);
  user_check(max.shape() == out_shape)
      << "max_pool_nd_indices: maximum '" << max.name() << "' has shape " << shape_str(max.shape())
      << ", expected " << shape_str(out_shape);
  size_t k = attrs.kernel.size();
  Window w = make_window(attrs);
  int64_t spatial = 1;
  for (size_t d = 0; d < k; ++d) spatial *= x.dim(2 + d);
  // The smallest row-major offset among the taps holding the maximum is the first such tap.
  Tensor row_major = te::compute(
      out_shape,
      [&](const std::vector<Var> &i) {
        Expr inside;
        std::vector<Expr> idx = w.read_index(x, attrs, i, inside);
        Expr offset = Expr(int64_t(0));
        for (size_t d = 0; d < k; ++d) offset = offset * x.dim(2 + d) + idx[2 + d];
        Expr base = (Expr(i[0]) * x.dim(1) + i[1]) * spatial;
        Expr is_max = x(idx) == max(std::vector<Expr>(i.begin(), i.end()));
        Expr never = Expr(std::numeric_limits<int64_t>::max());
        return te::reduce_min(ir::select(is_max, base + offset, never), w.taps, inside);
      },
      "max_pool_nd_argmax", "pool");
  if (!column_major || k == 1) return row_major;
  return te::compute(
      out_shape,
      [&](const std::vector<Var> &i) {
        Expr flat = row_major(std::vector<Expr>(i.begin(), i.end()));
        Expr offset = flat % spatial;
        std::vector<Expr> coord(k);
        for (size_t d = k; d-- > 0;) {
          coord[d] = offset % x.dim(2 + d);
          offset = offset / x.dim(2 + d);
        }
        Expr col = Expr(int64_t(0));
        for (size_t d = k; d-- > 0;) col = col * x.dim(2 + d) + coord[d];
        return flat - flat % spatial + col;
      },
      "max_pool_nd_argmax_col", "injective");
}

}  // namespace autotune::ops

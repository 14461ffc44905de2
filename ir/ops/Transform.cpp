// Data-movement operators: each output element is one (guarded) read of an input element.
#include "ir/ops/Transform.h"

#include <algorithm>

#include "ir/ops/detail/ShapeCheck.h"

namespace autotune::ops {

using detail::shape_str;
using ir::Expr;
using ir::Var;
using te::Tensor;

Tensor pad(const Tensor &x, const std::vector<int64_t> &before, const std::vector<int64_t> &after,
           double value) {
  size_t rank = x.ndim();
  user_check(before.size() == rank && after.size() == rank)
      << "pad of '" << x.name() << "' with shape " << shape_str(x.shape())
      << ": expected one padding per dimension (" << rank << "), got " << before.size()
      << " before and " << after.size() << " after";
  std::vector<int64_t> out_shape(rank);
  for (size_t d = 0; d < rank; ++d) {
    user_check(before[d] >= 0 && after[d] >= 0)
        << "pad of '" << x.name() << "': padding of dimension " << d
        << " must be non-negative, got " << before[d] << " before and " << after[d] << " after";
    out_shape[d] = x.dim(d) + before[d] + after[d];
  }
  Expr fill = ir::make_const(x.dtype(), value);
  return te::compute(
      out_shape,
      [&](const std::vector<Var> &i) {
        Expr inside = ir::make_bool(true);
        std::vector<Expr> src(rank);
        for (size_t d = 0; d < rank; ++d) {
          Expr s = i[d] - Expr(before[d]);
          if (before[d] > 0) inside = inside && s >= Expr(int64_t(0));
          if (after[d] > 0) inside = inside && s < Expr(x.dim(d));
          // Select evaluates both sides, so the read itself must stay inside x.
          src[d] = detail::clamp_index(s, 0, x.dim(d) - 1, before[d] > 0, after[d] > 0);
        }
        return ir::select(inside, x(src), fill);
      },
      x.name() + "_pad", "pad");
}

Tensor concat(const std::vector<Tensor> &tensors, int64_t axis) {
  user_check(!tensors.empty()) << "concat: needs at least one input tensor";
  const Tensor &first = tensors.front();
  size_t rank = first.ndim();
  size_t ax = detail::normalize_axis(axis, rank, "concat");
  detail::check_same_dtype(tensors, "concat");
  std::vector<int64_t> offsets;  // start of each input along `ax`
  int64_t total = 0;
  for (const Tensor &t : tensors) {
    bool compatible = t.ndim() == rank;
    for (size_t d = 0; compatible && d < rank; ++d) {
      compatible = d == ax || t.dim(d) == first.dim(d);
    }
    user_check(compatible) << "concat along axis " << axis << ": shape " << shape_str(t.shape())
                           << " of '" << t.name() << "' does not match shape "
                           << shape_str(first.shape()) << " of '" << first.name()
                           << "' outside the concatenation axis";
    offsets.push_back(total);
    total += t.dim(ax);
  }
  std::vector<int64_t> out_shape = first.shape();
  out_shape[ax] = total;
  return te::compute(
      out_shape,
      [&](const std::vector<Var> &i) {
        // Innermost select first: the last input is the fall-through value.
        Expr result;
        for (size_t k = tensors.size(); k-- > 0;) {
          const Tensor &t = tensors[k];
          std::vector<Expr> src(i.begin(), i.end());
          src[ax] = detail::clamp_index(i[ax] - Expr(offsets[k]), 0, t.dim(ax) - 1, k > 0,
                                        k + 1 < tensors.size());
          Expr read = t(src);
          result = result.defined() ? ir::select(i[ax] < Expr(offsets[k] + t.dim(ax)), read, result)
                                    : read;
        }
        return result;
      },
      "concat", "injective");
}

Tensor transpose(const Tensor &x, std::vector<int64_t> perm) {
  size_t rank = x.ndim();
  if (perm.empty()) {
    for (size_t d = rank; d-- > 0;) perm.push_back(static_cast<int64_t>(d));
  }
  std::vector<bool> seen(rank, false);
  bool valid = perm.size() == rank;
  for (size_t d = 0; valid && d < rank; ++d) {
    valid = perm[d] >= 0 && perm[d] < static_cast<int64_t>(rank) && !seen[perm[d]];
    if (valid) seen[perm[d]] = true;
  }
  user_check(valid) << "transpose of '" << x.name() << "' with shape " << shape_str(x.shape())
                    << ": " << shape_str(perm) << " is not a permutation of 0.." << rank - 1;
  std::vector<int64_t> out_shape(rank);
  for (size_t d = 0; d < rank; ++d) out_shape[d] = x.dim(perm[d]);
  return te::compute(
      out_shape,
      [&](const std::vector<Var> &i) {
        std::vector<Expr> src(rank);
        for (size_t d = 0; d < rank; ++d) src[perm[d]] = i[d];
        return x(src);
      },
      "transpose", "injective");
}

Tensor reshape(const Tensor &x, const std::vector<int64_t> &new_shape) {
  std::vector<int64_t> shape = new_shape;
  int64_t known = 1;
  long inferred = -1;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 0) {
      user_check(d < x.ndim()) << "reshape of '" << x.name() << "' with shape "
                               << shape_str(x.shape()) << " to " << shape_str(new_shape)
                               << ": entry 0 at position " << d << " has no input extent to copy";
      shape[d] = x.dim(d);
    }
    if (shape[d] == -1) {
      user_check(inferred < 0) << "reshape of '" << x.name() << "' to " << shape_str(new_shape)
                               << ": at most one entry may be -1";
      inferred = static_cast<long>(d);
      continue;
    }
    user_check(shape[d] > 0) << "reshape of '" << x.name() << "' to " << shape_str(new_shape)
                             << ": extent " << shape[d] << " at position " << d
                             << " is invalid (expected a positive extent, 0 or -1)";
    known *= shape[d];
  }
  if (inferred >= 0) {
    user_check(x.size() % known == 0)
        << "reshape of '" << x.name() << "' with shape " << shape_str(x.shape()) << " to "
        << shape_str(new_shape) << ": " << x.size() << " elements cannot be divided into " << known
        << "-element groups to infer the -1 extent";
    shape[inferred] = x.size() / known;
    known *= shape[inferred];
  }
  user_check(known == x.size()) << "reshape of '" << x.name() << "' with shape "
                                << shape_str(x.shape()) << " (" << x.size() << " elements) to "
                                << shape_str(new_shape) << " (" << known
                                << " elements): element counts differ";
  return te::compute(
      shape,
      [&](const std::vector<Var> &i) {
        Expr linear = Expr(int64_t(0));
        for (size_t d = 0; d < shape.size(); ++d) linear = linear * Expr(shape[d]) + i[d];
        std::vector<Expr> src(x.ndim());
        int64_t stride = 1;
        for (size_t d = x.ndim(); d-- > 0;) {
          Expr q = stride == 1 ? linear : linear / Expr(stride);
          src[d] = d == 0 ? q : q % Expr(x.dim(d));
          stride *= x.dim(d);
        }
        return x(src);
      },
      "reshape", "injective");
}

Tensor layout_nchw_to_nchwc(const Tensor &x, int64_t bn) {
  detail::check_rank(x, 4, "layout_nchw_to_nchwc", "input");
  user_check(bn > 0 && x.dim(1) % bn == 0)
      << "layout_nchw_to_nchwc of '" << x.name() << "' with shape " << shape_str(x.shape())
      << ": channel block " << bn << " must be positive and divide the channel count " << x.dim(1);
  return te::compute(
      {x.dim(0), x.dim(1) / bn, x.dim(2), x.dim(3), bn},
      [&](Var n, Var co, Var h, Var w, Var cb) { return x(n, co * Expr(bn) + cb, h, w); },
      x.name() + "_nchwc", "layout_transform");
}

Tensor layout_nchwc_to_nchw(const Tensor &x) {
  detail::check_rank(x, 5, "layout_nchwc_to_nchw", "input");
  int64_t bn = x.dim(4);
  return te::compute(
      {x.dim(0), x.dim(1) * bn, x.dim(2), x.dim(3)},
      [&](Var n, Var c, Var h, Var w) { return x(n, c / Expr(bn), h, w, c % Expr(bn)); },
      x.name() + "_nchw", "layout_transform");
}

Tensor weight_oihw_to_blocked(const Tensor &w, int64_t ic_bn, int64_t oc_bn) {
  detail::check_rank(w, 4, "weight_oihw_to_blocked", "weight");
  user_check(oc_bn > 0 && w.dim(0) % oc_bn == 0)
      << "weight_oihw_to_blocked of '" << w.name() << "' with shape " << shape_str(w.shape())
      << ": output channel block " << oc_bn << " must be positive and divide " << w.dim(0);
  user_check(ic_bn > 0 && w.dim(1) % ic_bn == 0)
      << "weight_oihw_to_blocked of '" << w.name() << "' with shape " << shape_str(w.shape())
      << ": input channel block " << ic_bn << " must be positive and divide " << w.dim(1);
  return te::compute(
      {w.dim(0) / oc_bn, w.dim(1) / ic_bn, w.dim(2), w.dim(3), ic_bn, oc_bn},
      [&](Var ko, Var ci, Var r, Var s, Var ib, Var ob) {
        return w(ko * Expr(oc_bn) + ob, ci * Expr(ic_bn) + ib, r, s);
      },
      w.name() + "_blocked", "layout_transform");
}

}  // namespace autotune::ops

// Padding modes: each output index maps to a clamped, mirrored or guarded source index.
#include "ir/ops/PadModes.h"

#include "ir/ops/detail/ShapeCheck.h"

namespace autotune::ops {

using detail::shape_str;
using ir::Expr;
using ir::Var;
using te::Tensor;

Tensor pad_with_mode(const Tensor &x, const std::vector<int64_t> &before,
                     const std::vector<int64_t> &after, PadMode mode, Expr value) {
  size_t rank = x.ndim();
  user_check(before.size() == rank && after.size() == rank)
      << "pad of '" << x.name() << "' with shape " << shape_str(x.shape())
      << ": expected one padding per dimension (" << rank << "), got " << shape_str(before)
      << " before and " << shape_str(after) << " after";
  std::vector<int64_t> out_shape(rank);
  for (size_t d = 0; d < rank; ++d) {
    out_shape[d] = x.dim(d) + before[d] + after[d];
    user_check(out_shape[d] >= 1) << "pad of '" << x.name() << "' with shape "
                                  << shape_str(x.shape()) << ": pads " << before[d] << " and "
                                  << after[d] << " leave dimension " << d << " empty";
    if (mode == PadMode::Reflect) {
      user_check(before[d] < x.dim(d) && after[d] < x.dim(d))
          << "pad of '" << x.name() << "' with shape " << shape_str(x.shape()) << ": reflect pads "
          << before[d] << " and " << after[d] << " of dimension " << d
          << " must be smaller than its extent " << x.dim(d);
    }
  }
  if (mode == PadMode::Constant) {
    user_check(value.defined() && value.type() == x.dtype())
        << "pad of '" << x.name() << "': the fill value must be a scalar of type "
        << x.dtype().str();
  }
  return te::compute(
      out_shape,
      [&](const std::vector<Var> &i) {
        Expr inside = ir::make_bool(true);
        std::vector<Expr> src(rank);
        for (size_t d = 0; d < rank; ++d) {
          int64_t n = x.dim(d);
          Expr s = before[d] == 0 ? Expr(i[d]) : i[d] - Expr(before[d]);
          bool low = before[d] > 0, high = after[d] > 0;
          switch (mode) {
            case PadMode::Constant:
              if (low) inside = inside && s >= Expr(int64_t(0));
              if (high) inside = inside && s < Expr(n);
              src[d] = detail::clamp_index(s, 0, n - 1, low, high);
              break;
            case PadMode::Edge:
              src[d] = detail::clamp_index(s, 0, n - 1, low, high);
              break;
            case PadMode::Reflect:
              if (low) s = ir::select(s < Expr(int64_t(0)), -s, s);
              if (high) s = ir::select(s >= Expr(n), Expr(2 * (n - 1)) - s, s);
              src[d] = s;
              break;
          }
        }
        Expr read = x(src);
        return mode == PadMode::Constant ? ir::select(inside, read, value) : read;
      },
      x.name() + "_pad", "pad");
}

}  // namespace autotune::ops

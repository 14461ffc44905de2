// Gather along an axis: one injective stage reading the index tensor, then the data.
#include "ir/ops/Gather.h"

#include "ir/ops/detail/ShapeCheck.h"

namespace autotune::ops {

using ir::Expr;
using ir::Var;
using te::Tensor;

Tensor take(const Tensor &data, const Tensor &indices, int64_t axis) {
  size_t ax = detail::normalize_axis(axis, data.ndim(), "take");
  user_check(indices.dtype().is_integer_like())
      << "take: indices '" << indices.name() << "' must be integers, got " << indices.dtype().str();
  std::vector<int64_t> out_shape(data.shape().begin(), data.shape().begin() + ax);
  out_shape.insert(out_shape.end(), indices.shape().begin(), indices.shape().end());
  out_shape.insert(out_shape.end(), data.shape().begin() + ax + 1, data.shape().end());
  int64_t extent = data.dim(ax);
  size_t ni = indices.ndim();
  return te::compute(
      out_shape,
      [&](const std::vector<Var> &i) {
        std::vector<Expr> idx_of_idx(i.begin() + ax, i.begin() + ax + ni);
        Expr idx = ir::cast(ir::index_type(), indices(idx_of_idx));
        idx = ir::select(idx < Expr(int64_t(0)), idx + extent, idx);
        idx = ir::min(ir::max(idx, Expr(int64_t(0))), Expr(extent - 1));
        std::vector<Expr> src(i.begin(), i.begin() + ax);
        src.push_back(idx);
        src.insert(src.end(), i.begin() + ax + ni, i.end());
        return data(src);
      },
      "take", "injective");
}

}  // namespace autotune::ops

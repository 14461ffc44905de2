// Instance normalization: mean, variance, then the normalized output.
#include "ir/ops/InstanceNorm.h"

#include "ir/ops/detail/ShapeCheck.h"

namespace autotune::ops {

using detail::shape_str;
using ir::Expr;
using ir::IterVar;
using ir::Var;
using te::Tensor;

Tensor instance_norm(const Tensor &x, const Tensor &scale, const Tensor &bias, double epsilon) {
  user_check(x.ndim() >= 3) << "instance_norm: input '" << x.name()
                            << "' must have rank >= 3 ([N, C, D...]), got shape "
                            << shape_str(x.shape());
  detail::check_same_dtype({x, scale, bias}, "instance_norm");
  int64_t c = x.dim(1);
  for (const Tensor *p : {&scale, &bias}) {
    user_check(p->ndim() == 1 && p->dim(0) == c)
        << "instance_norm: parameter '" << p->name() << "' must have shape [" << c << "], got "
        << shape_str(p->shape());
  }
  size_t k = x.ndim() - 2;
  int64_t count = 1;
  for (size_t d = 0; d < k; ++d) count *= x.dim(2 + d);
  Expr inv_count = ir::make_const(x.dtype(), 1.0 / static_cast<double>(count));
  auto plane_axes = [&](const char *prefix) {
    std::vector<IterVar> axes;
    for (size_t d = 0; d < k; ++d) {
      axes.push_back(te::reduce_axis(x.dim(2 + d), prefix + std::to_string(d)));
    }
    return axes;
  };
  auto read_plane = [&](Var n, Var ch, const std::vector<IterVar> &axes) {
    std::vector<Expr> idx = {n, ch};
    for (const IterVar &a : axes) idx.push_back(a);
    return x(idx);
  };
  std::vector<IterVar> ax1 = plane_axes("m");
  Tensor mean = te::compute(
      {x.dim(0), c},
      [&](Var n, Var ch) { return te::sum(read_plane(n, ch, ax1) * inv_count, ax1); },
      "instance_norm_mean", "reduce");
  std::vector<IterVar> ax2 = plane_axes("v");
  Tensor var = te::compute(
      {x.dim(0), c},
      [&](Var n, Var ch) {
        Expr diff = read_plane(n, ch, ax2) - mean(n, ch);
        return te::sum(diff * diff * inv_count, ax2);
      },
      "instance_norm_var", "reduce");
  Expr eps = ir::make_const(x.dtype(), epsilon);
  return te::compute(
      x.shape(),
      [&](const std::vector<Var> &i) {
        Expr v = x(std::vector<Expr>(i.begin(), i.end()));
        Expr inv_std = scale(i[1]) / ir::sqrt(var(i[0], i[1]) + eps);
        return (v - mean(i[0], i[1])) * inv_std + bias(i[1]);
      },
      "instance_norm", "broadcast");
}

}  // namespace autotune::ops

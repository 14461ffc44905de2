// Local response normalization: a windowed sum of squares over channels, then the scaling.
#include "ir/ops/LocalResponseNorm.h"

#include "ir/ops/detail/ShapeCheck.h"

namespace autotune::ops {

using detail::shape_str;
using ir::Expr;
using ir::IterVar;
using ir::Var;
using te::Tensor;

Tensor local_response_norm(const Tensor &x, int64_t size, double alpha, double beta, double bias) {
  user_check(x.ndim() >= 2) << "local_response_norm: input '" << x.name()
                            << "' must have rank >= 2 ([N, C, ...]), got shape "
                            << shape_str(x.shape());
  user_check(size >= 1) << "local_response_norm: size must be >= 1, got " << size;
  user_check(x.dtype().is_float()) << "local_response_norm: input '" << x.name()
                                   << "' must be floating point, got " << x.dtype().str();
  int64_t c = x.dim(1);
  int64_t lo = (size - 1) / 2;
  IterVar k = te::reduce_axis(size, "k");
  Tensor square_sum = te::compute(
      x.shape(),
      [&](const std::vector<Var> &i) {
        std::vector<Expr> idx(i.begin(), i.end());
        Expr ch = i[1] - lo + Expr(k);
        idx[1] = detail::clamp_index(ch, 0, c - 1, true, true);
        Expr v = x(idx);
        return te::sum(v * v, {k}, ch >= Expr(int64_t(0)) && ch < Expr(c));
      },
      "lrn_square_sum", "reduce");
  Expr scale = ir::make_const(x.dtype(), alpha / static_cast<double>(size));
  Expr b = ir::make_const(x.dtype(), bias), e = ir::make_const(x.dtype(), beta);
  return te::compute(
      x.shape(),
      [&](const std::vector<Var> &i) {
        std::vector<Expr> idx(i.begin(), i.end());
        return x(idx) / ir::pow(b + scale * square_sum(idx), e);
      },
      "lrn", "elemwise");
}

}  // namespace autotune::ops

// Matrix products: shape checks and one reduction stage each.
#include "ir/ops/Dense.h"

#include <algorithm>

#include "ir/ops/detail/ShapeCheck.h"

namespace autotune::ops {

using detail::shape_str;
using ir::Expr;
using ir::IterVar;
using ir::Var;
using te::Tensor;

Tensor dense(const Tensor &data, const Tensor &weight, const Tensor &bias) {
  detail::check_rank(data, 2, "dense", "data");
  detail::check_rank(weight, 2, "dense", "weight");
  detail::check_same_dtype({data, weight}, "dense");
  user_check(data.dim(1) == weight.dim(1))
      << "dense: data '" << data.name() << "' with shape " << shape_str(data.shape())
      << " and weight '" << weight.name() << "' with shape " << shape_str(weight.shape())
      << " disagree on the reduction extent K (weight is [N, K])";
  int64_t m = data.dim(0), n = weight.dim(0);
  IterVar k = te::reduce_axis(data.dim(1), "k");
  Tensor out = te::compute(
      {m, n}, [&](Var i, Var j) { return te::sum(data(i, k) * weight(j, k), {k}); }, "dense",
      "dense");
  if (!bias.defined()) return out;
  detail::check_same_dtype({data, bias}, "dense");
  user_check(bias.ndim() == 1 && bias.dim(0) == n)
      << "dense: bias '" << bias.name() << "' must have shape [" << n << "], got "
      << shape_str(bias.shape());
  return te::compute(
      {m, n}, [&](Var i, Var j) { return out(i, j) + bias(j); }, "dense_bias", "broadcast");
}

Tensor matmul(const Tensor &a, const Tensor &b) {
  detail::check_rank(a, 2, "matmul", "a");
  detail::check_rank(b, 2, "matmul", "b");
  detail::check_same_dtype({a, b}, "matmul");
  user_check(a.dim(1) == b.dim(0))
      << "matmul: shapes " << shape_str(a.shape()) << " of '" << a.name() << "' and "
      << shape_str(b.shape()) << " of '" << b.name() << "' disagree on the reduction extent K";
  IterVar k = te::reduce_axis(a.dim(1), "k");
  return te::compute(
      {a.dim(0), b.dim(1)}, [&](Var i, Var j) { return te::sum(a(i, k) * b(k, j), {k}); }, "matmul",
      "matmul");
}

Tensor batch_matmul(const Tensor &a, const Tensor &b) {
  detail::check_rank(a, 3, "batch_matmul", "a");
  detail::check_rank(b, 3, "batch_matmul", "b");
  detail::check_same_dtype({a, b}, "batch_matmul");
  user_check(a.dim(2) == b.dim(1))
      << "batch_matmul: shapes " << shape_str(a.shape()) << " of '" << a.name() << "' and "
      << shape_str(b.shape()) << " of '" << b.name() << "' disagree on the reduction extent K";
  int64_t ba = a.dim(0), bb = b.dim(0);
  user_check(ba == bb || ba == 1 || bb == 1)
      << "batch_matmul: batch extents " << ba << " of '" << a.name() << "' and " << bb << " of '"
      << b.name() << "' must be equal or one of them 1";
  IterVar k = te::reduce_axis(a.dim(2), "k");
  return te::compute(
      {std::max(ba, bb), a.dim(1), b.dim(2)},
      [&](Var i, Var m, Var n) {
        Expr ia = ba == 1 ? Expr(int64_t(0)) : Expr(i);
        Expr ib = bb == 1 ? Expr(int64_t(0)) : Expr(i);
        return te::sum(a(ia, m, k) * b(ib, k, n), {k});
      },
      "batch_matmul", "batch_matmul");
}

}  // namespace autotune::ops

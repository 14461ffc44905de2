// Compute definition of the packed matmul.
#include "ir/ops/MatmulPacked.h"

namespace autotune::ops {

using namespace ir;
using te::Tensor;

PackedMatmul matmul_packed(const Tensor &a, const Tensor &b, int64_t bn) {
  user_check(a.ndim() == 2 && b.ndim() == 2)
      << "matmul_packed: operands must be matrices, got ranks " << a.ndim() << " and " << b.ndim();
  user_check(a.dim(1) == b.dim(0)) << "matmul_packed: inner extents " << a.dim(1) << " of '"
                                   << a.name() << "' and " << b.dim(0) << " of '" << b.name()
                                   << "' differ";
  user_check(bn > 0) << "matmul_packed: panel width must be positive, got " << bn;
  int64_t M = a.dim(0), K = a.dim(1), N = b.dim(1);
  int64_t panels = ceil_div(N, bn);
  Tensor packed = te::compute(
      {panels, K, bn},
      [&](Var jo, Var k, Var ji) {
        Expr col = jo * bn + ji;
        if (N % bn == 0) return b(k, col);
        return select(col < N, b(k, min(col, Expr(N - 1))), make_zero(b.dtype()));
      },
      b.name() + ".packed", "layout_transform");
  IterVar k = te::reduce_axis(K, "k");
  Tensor c = te::compute(
      {M, N}, [&](Var i, Var j) { return te::sum(a(i, k) * packed(j / bn, k, j % bn), {k}); },
      "matmul", "matmul_packed");
  return {packed, c};
}

}  // namespace autotune::ops

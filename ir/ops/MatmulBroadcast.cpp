// Batched matrix multiplication with broadcast batch dimensions, as one reduction stage.
#include "ir/ops/MatmulBroadcast.h"

#include "ir/ops/Elemwise.h"
#include "ir/ops/detail/ShapeCheck.h"

namespace autotune::ops {

using detail::shape_str;
using ir::Expr;
using ir::IterVar;
using ir::Var;
using te::Tensor;

Tensor matmul_broadcast(const Tensor &a, const Tensor &b) {
  user_check(a.ndim() >= 2 && b.ndim() >= 2)
      << "matmul_broadcast: operands '" << a.name() << "' with shape " << shape_str(a.shape())
      << " and '" << b.name() << "' with shape " << shape_str(b.shape()) << " must have rank >= 2";
  detail::check_same_dtype({a, b}, "matmul_broadcast");
  size_t ra = a.ndim(), rb = b.ndim();
  int64_t kext = a.dim(ra - 1);
  user_check(b.dim(rb - 2) == kext)
      << "matmul_broadcast: shapes " << shape_str(a.shape()) << " of '" << a.name() << "' and "
      << shape_str(b.shape()) << " of '" << b.name() << "' disagree on the reduction extent K";
  std::vector<int64_t> batch_a(a.shape().begin(), a.shape().end() - 2);
  std::vector<int64_t> batch_b(b.shape().begin(), b.shape().end() - 2);
  std::vector<int64_t> out_shape = broadcast_shape(batch_a, batch_b, "matmul_broadcast");
  size_t nb = out_shape.size();
  out_shape.push_back(a.dim(ra - 2));
  out_shape.push_back(b.dim(rb - 1));
  IterVar k = te::reduce_axis(kext, "k");
  // Batch indices of an operand with `batch` leading dimensions, aligned at the back.
  auto batch_index = [&](const Tensor &t, size_t batch, const std::vector<Var> &i) {
    std::vector<Expr> idx;
    for (size_t d = 0; d < batch; ++d) {
      idx.push_back(t.dim(d) == 1 ? Expr(int64_t(0)) : Expr(i[nb - batch + d]));
    }
    return idx;
  };
  return te::compute(
      out_shape,
      [&](const std::vector<Var> &i) {
        std::vector<Expr> ia = batch_index(a, ra - 2, i), ib = batch_index(b, rb - 2, i);
        ia.push_back(i[nb]);
        ia.push_back(k);
        ib.push_back(k);
        ib.push_back(i[nb + 1]);
        return te::sum(a(ia) * b(ib), {k});
      },
      "matmul_broadcast", "matmul_broadcast");
}

}  // namespace autotune::ops

// Lowering of ONNX Gemm and MatMul onto dense/matmul/batch_matmul (the forms schedule templates
// know) with transposes, alpha/beta epilogues, 1-D operands and broadcast batches around them.
#include "ir/graph/detail/Lowering.h"
#include "ir/ops/Broadcast.h"
#include "ir/ops/Dense.h"
#include "ir/ops/Elemwise.h"
#include "ir/ops/MatmulBroadcast.h"
#include "ir/ops/Transform.h"

namespace autotune::graph::detail {

// Gemm: Y = alpha * A' * B' + beta * C, with A' = transA ? A^T : A (same for B) and C
// broadcasting to [M, N]. transB = 1 is ops::dense (weights [N, K]), transB = 0 ops::matmul; an
// epilogue stage applies alpha, beta and C when they are not the identity.
std::vector<te::Tensor> lower_gemm(const LoweringContext &ctx) {
  te::Tensor a = ctx.input(0, "A");
  te::Tensor b = ctx.input(1, "B");
  user_check(a.ndim() == 2 && b.ndim() == 2)
      << ctx.describe() << ": A with shape " << shape_str(a.shape()) << " and B with shape "
      << shape_str(b.shape()) << " must be matrices";
  const Attributes &attrs = ctx.attrs();
  double alpha = attrs.get_float("alpha", 1.0), beta = attrs.get_float("beta", 1.0);
  if (attrs.get_int("transA", 0)) a = ops::transpose(a, {1, 0});
  bool trans_b = attrs.get_int("transB", 0) != 0;
  int64_t n = trans_b ? b.dim(0) : b.dim(1);
  bool has_c = ctx.has_input(2) && beta != 0.0;
  // dense's own bias stage covers the common fully connected layer: C of shape [N], beta 1.
  if (trans_b && alpha == 1.0 && has_c && beta == 1.0) {
    const te::Tensor &c = ctx.input(2, "C");
    if (c.ndim() == 1 && c.dim(0) == n) return {ops::dense(a, b, c)};
  }
  te::Tensor product = trans_b ? ops::dense(a, b) : ops::matmul(a, b);
  if (alpha == 1.0 && !has_c) return {product};
  ir::Expr alpha_e = ir::make_const(product.dtype(), alpha);
  if (!has_c) {
    return {ops::broadcast_map(
        {product}, [&](const std::vector<ir::Expr> &v) { return v[0] * alpha_e; }, "gemm")};
  }
  const te::Tensor &c = ctx.input(2, "C");
  std::vector<int64_t> shape = ops::broadcast_shape(product.shape(), c.shape(), "gemm");
  user_check(shape == product.shape())
      << ctx.describe() << ": C with shape " << shape_str(c.shape())
      << " does not broadcast to the product's shape " << shape_str(product.shape());
  ir::Expr beta_e = ir::make_const(product.dtype(), beta);
  return {ops::broadcast_map(
      {product, c},
      [&](const std::vector<ir::Expr> &v) {
        ir::Expr p = alpha == 1.0 ? v[0] : v[0] * alpha_e;
        return p + (beta == 1.0 ? v[1] : v[1] * beta_e);
      },
      "gemm")};
}

// MatMul with numpy semantics: a 1-D left operand is a row vector and a 1-D right operand a
// column vector (the added dimension is removed again); batch dimensions broadcast. Plain
// matrices use ops::matmul, equal-rank 3-D operands ops::batch_matmul, anything else
// ops::matmul_broadcast.
std::vector<te::Tensor> lower_matmul(const LoweringContext &ctx) {
  te::Tensor a = ctx.input(0, "A");
  te::Tensor b = ctx.input(1, "B");
  user_check(a.ndim() >= 1 && b.ndim() >= 1)
      << ctx.describe() << ": operands must have rank >= 1, got shapes " << shape_str(a.shape())
      << " and " << shape_str(b.shape());
  bool vec_a = a.ndim() == 1, vec_b = b.ndim() == 1;
  if (vec_a) a = ops::reshape(a, {1, a.dim(0)});
  if (vec_b) b = ops::reshape(b, {b.dim(0), 1});
  user_check(a.dim(a.ndim() - 1) == b.dim(b.ndim() - 2))
      << ctx.describe() << ": shapes " << shape_str(a.shape()) << " and " << shape_str(b.shape())
      << " disagree on the reduction extent";
  te::Tensor out;
  if (a.ndim() == 2 && b.ndim() == 2) {
    out = ops::matmul(a, b);
  } else if (a.ndim() == 3 && b.ndim() == 3 &&
             (a.dim(0) == b.dim(0) || a.dim(0) == 1 || b.dim(0) == 1)) {
    out = ops::batch_matmul(a, b);
  } else {
    out = ops::matmul_broadcast(a, b);
  }
  if (!vec_a && !vec_b) return {out};
  std::vector<int64_t> shape = out.shape();
  if (vec_b) shape.erase(shape.end() - 1);
  if (vec_a) shape.erase(shape.end() - (vec_b ? 1 : 2));
  return {ops::reshape(out, shape)};
}

}  // namespace autotune::graph::detail

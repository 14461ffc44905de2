// Element-wise operators: the unary activation functions and numpy-broadcast binary operators.
#include "ir/ops/Elemwise.h"

#include <algorithm>

#include "ir/ops/detail/ShapeCheck.h"

namespace autotune::ops {

using detail::shape_str;
using ir::Expr;
using ir::Var;
using te::Tensor;

Tensor elemwise(const Tensor &x, const std::function<Expr(Expr)> &f, const std::string &name) {
  return te::compute(
      x.shape(),
      [&](const std::vector<Var> &i) { return f(x(std::vector<Expr>(i.begin(), i.end()))); }, name,
      "elemwise");
}

namespace {
/// The constant v in x's dtype.
Expr constant(const Tensor &x, double v) { return ir::make_const(x.dtype(), v); }
}  // namespace

Tensor relu(const Tensor &x) {
  Expr zero = constant(x, 0);
  return elemwise(x, [&](Expr v) { return ir::max(v, zero); }, "relu");
}

Tensor leaky_relu(const Tensor &x, double alpha) {
  Expr zero = constant(x, 0), a = constant(x, alpha);
  return elemwise(x, [&](Expr v) { return ir::select(v > zero, v, v * a); }, "leaky_relu");
}

Tensor clip(const Tensor &x, double lo, double hi) {
  user_check(lo <= hi) << "clip of '" << x.name() << "': lower bound " << lo
                       << " is above upper bound " << hi;
  Expr l = constant(x, lo), h = constant(x, hi);
  return elemwise(x, [&](Expr v) { return ir::min(ir::max(v, l), h); }, "clip");
}

Tensor sigmoid(const Tensor &x) {
  return elemwise(x, [](Expr v) { return ir::sigmoid(v); }, "sigmoid");
}
Tensor tanh(const Tensor &x) { return elemwise(x, [](Expr v) { return ir::tanh(v); }, "tanh"); }
Tensor exp(const Tensor &x) { return elemwise(x, [](Expr v) { return ir::exp(v); }, "exp"); }
Tensor log(const Tensor &x) { return elemwise(x, [](Expr v) { return ir::log(v); }, "log"); }
Tensor sqrt(const Tensor &x) { return elemwise(x, [](Expr v) { return ir::sqrt(v); }, "sqrt"); }
Tensor abs(const Tensor &x) { return elemwise(x, [](Expr v) { return ir::abs(v); }, "abs"); }
Tensor neg(const Tensor &x) { return elemwise(x, [](Expr v) { return -v; }, "neg"); }
Tensor erf(const Tensor &x) { return elemwise(x, [](Expr v) { return ir::erf(v); }, "erf"); }

Tensor hard_sigmoid(const Tensor &x, double alpha, double beta) {
  Expr a = constant(x, alpha), b = constant(x, beta), zero = constant(x, 0), one = constant(x, 1);
  return elemwise(
      x, [&](Expr v) { return ir::max(zero, ir::min(one, v * a + b)); }, "hard_sigmoid");
}

Tensor hard_swish(const Tensor &x) {
  Expr a = constant(x, 1.0 / 6.0), b = constant(x, 0.5), zero = constant(x, 0),
       one = constant(x, 1);
  return elemwise(
      x, [&](Expr v) { return v * ir::max(zero, ir::min(one, v * a + b)); }, "hard_swish");
}

Tensor gelu(const Tensor &x) {
  Expr half = constant(x, 0.5), one = constant(x, 1);
  Expr inv_sqrt2 = constant(x, 0.70710678118654752440);
  return elemwise(
      x, [&](Expr v) { return half * v * (one + ir::erf(v * inv_sqrt2)); }, "gelu");
}

const char *binary_op_name(BinaryOp op) {
  switch (op) {
    case BinaryOp::Add: return "add";
    case BinaryOp::Sub: return "sub";
    case BinaryOp::Mul: return "mul";
    case BinaryOp::Div: return "div";
    case BinaryOp::Pow: return "pow";
    case BinaryOp::Max: return "max";
    case BinaryOp::Min: return "min";
    case BinaryOp::PRelu: return "prelu";
  }
  return "?";
}

std::vector<int64_t> broadcast_shape(const std::vector<int64_t> &a, const std::vector<int64_t> &b,
                                     const char *op) {
  size_t rank = std::max(a.size(), b.size());
  std::vector<int64_t> out(rank);
  for (size_t d = 0; d < rank; ++d) {
    // Dimension d of the output, counted from the back in each operand.
    size_t back = rank - 1 - d;
    int64_t ea = back < a.size() ? a[a.size() - 1 - back] : 1;
    int64_t eb = back < b.size() ? b[b.size() - 1 - back] : 1;
    user_check(ea == eb || ea == 1 || eb == 1)
        << op << ": shapes " << shape_str(a) << " and " << shape_str(b)
        << " cannot be broadcast (extents " << ea << " and " << eb << " at output dimension " << d
        << ")";
    out[d] = ea == 1 ? eb : ea;
  }
  return out;
}

namespace {

/// The indices reading `t` at output position `i` of a broadcast of rank i.size().
std::vector<Expr> broadcast_indices(const Tensor &t, const std::vector<Var> &i) {
  size_t offset = i.size() - t.ndim();
  std::vector<Expr> idx(t.ndim());
  for (size_t d = 0; d < t.ndim(); ++d) {
    idx[d] = t.dim(d) == 1 ? Expr(int64_t(0)) : Expr(i[offset + d]);
  }
  return idx;
}

Expr apply(BinaryOp op, Expr a, Expr b) {
  switch (op) {
    case BinaryOp::Add: return a + b;
    case BinaryOp::Sub: return a - b;
    case BinaryOp::Mul: return a * b;
    case BinaryOp::Div: return a / b;
    case BinaryOp::Pow: return ir::pow(a, b);
    case BinaryOp::Max: return ir::max(a, b);
    case BinaryOp::Min: return ir::min(a, b);
    case BinaryOp::PRelu: return ir::select(a >= ir::make_zero(a.type()), a, a * b);
  }
  internal_error << "unknown binary op " << static_cast<int>(op);
  return Expr();
}

}  // namespace

Tensor broadcast_binary(const Tensor &a, const Tensor &b, BinaryOp op) {
  const char *name = binary_op_name(op);
  user_check(a.dtype() == b.dtype()) << name << ": operand '" << a.name() << "' is "
                                     << a.dtype().str() << " but '" << b.name() << "' is "
                                     << b.dtype().str();
  std::vector<int64_t> shape = broadcast_shape(a.shape(), b.shape(), name);
  bool same = a.shape() == b.shape();
  return te::compute(
      shape,
      [&](const std::vector<Var> &i) {
        return apply(op, a(broadcast_indices(a, i)), b(broadcast_indices(b, i)));
      },
      name, same ? "elemwise" : "broadcast");
}

}  // namespace autotune::ops

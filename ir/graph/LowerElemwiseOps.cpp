// Lowering of ONNX element-wise operators: activations and other unary maps, binary and variadic
// arithmetic with numpy broadcasting (integer types included, as in shape computations),
// comparisons, Where, Cast, and the inference-time identities (Identity, Dropout).
#include "ir/graph/detail/Lowering.h"
#include "ir/ops/Broadcast.h"
#include "ir/ops/Constant.h"
#include "ir/ops/Elemwise.h"

namespace autotune::graph::detail {

using ir::Expr;

te::Tensor copy_tensor(const te::Tensor &x) {
  return ops::elemwise(
      x, [](Expr v) { return v; }, "copy");
}

namespace {

/// The single float input of a unary activation.
const te::Tensor &unary_input(const LoweringContext &ctx) { return ctx.input(0, "X"); }

/// Every present input as a tensor (variadic ops), at least one.
std::vector<te::Tensor> variadic_inputs(const LoweringContext &ctx) {
  std::vector<te::Tensor> ts;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    if (ctx.has_input(i)) ts.push_back(ctx.input(i, "data_0"));
  }
  user_check(!ts.empty()) << ctx.describe() << ": needs at least one input";
  for (const te::Tensor &t : ts) {
    user_check(t.dtype() == ts.front().dtype())
        << ctx.describe() << ": inputs have different types " << ts.front().dtype().str() << " and "
        << t.dtype().str();
  }
  return ts;
}

/// A binary op's two inputs, checked to have one dtype.
std::pair<te::Tensor, te::Tensor> same_typed_pair(const LoweringContext &ctx) {
  const te::Tensor &a = ctx.input(0, "A");
  const te::Tensor &b = ctx.input(1, "B");
  user_check(a.dtype() == b.dtype()) << ctx.describe() << ": operands have different types "
                                     << a.dtype().str() << " and " << b.dtype().str();
  return {a, b};
}

std::vector<te::Tensor> binary(const LoweringContext &ctx, ops::BinaryOp op) {
  auto [a, b] = same_typed_pair(ctx);
  return {ops::broadcast_binary(a, b, op)};
}

/// Reads a rank-0 (or single-element) tensor: the scalar operands of Clip and Pad.
Expr read_scalar(const te::Tensor &t) { return t(std::vector<Expr>(t.ndim(), Expr(int64_t(0)))); }

/// Clip's bound `i` (input form, opset >= 11) as an expression of x's dtype, or undefined when
/// absent: an immediate when the bound is a constant, else a read of the scalar tensor.
Expr clip_bound(const LoweringContext &ctx, size_t i, const char *what, ir::DataType dtype) {
  if (!ctx.has_input(i)) return Expr();
  std::vector<int64_t> shape = ctx.input_shape(i, what);
  user_check(shape_size(shape) == 1) << ctx.describe() << ": input '" << what
                                     << "' must be a scalar, got shape " << shape_str(shape);
  if (ctx.is_constant(i)) {
    ConstantPtr c = ctx.constant(i, what);
    return dtype.is_float() ? ir::make_const(dtype, c->as_double(0))
                            : ir::IntImm::make(dtype, c->as_int64(0));
  }
  Expr e = read_scalar(ctx.input(i, what));
  user_check(e.type() == dtype) << ctx.describe() << ": input '" << what << "' has type "
                                << e.type().str() << ", expected " << dtype.str();
  return e;
}

/// Sum, Max and Min: the inputs broadcast together and combined left to right,
/// combine(combine(v0, v1), v2)...; a single input is copied as is.
te::Tensor broadcast_fold(const std::vector<te::Tensor> &ts, Expr (*combine)(Expr, Expr),
                          const std::string &name) {
  if (ts.size() == 1) return copy_tensor(ts[0]);
  return ops::broadcast_map(
      ts,
      [combine](const std::vector<Expr> &v) {
        Expr acc = v[0];
        for (size_t i = 1; i < v.size(); ++i) acc = combine(acc, v[i]);
        return acc;
      },
      name);
}

}  // namespace

std::vector<te::Tensor> lower_relu(const LoweringContext &ctx) {
  return {ops::relu(unary_input(ctx))};
}
std::vector<te::Tensor> lower_leaky_relu(const LoweringContext &ctx) {
  return {ops::leaky_relu(unary_input(ctx), ctx.attrs().get_float("alpha", 0.01))};
}
std::vector<te::Tensor> lower_prelu(const LoweringContext &ctx) {
  const te::Tensor &x = ctx.input(0, "X");
  const te::Tensor &slope = ctx.input(1, "slope");
  user_check(ops::broadcast_shape(x.shape(), slope.shape(), "PRelu") == x.shape())
      << ctx.describe() << ": slope with shape " << shape_str(slope.shape())
      << " does not broadcast to X's shape " << shape_str(x.shape());
  return {ops::broadcast_binary(x, slope, ops::BinaryOp::PRelu)};
}
std::vector<te::Tensor> lower_sigmoid(const LoweringContext &ctx) {
  return {ops::sigmoid(unary_input(ctx))};
}
std::vector<te::Tensor> lower_tanh(const LoweringContext &ctx) {
  return {ops::tanh(unary_input(ctx))};
}
std::vector<te::Tensor> lower_hard_sigmoid(const LoweringContext &ctx) {
  return {ops::hard_sigmoid(unary_input(ctx), ctx.attrs().get_float("alpha", 0.2),
                            ctx.attrs().get_float("beta", 0.5))};
}
std::vector<te::Tensor> lower_hard_swish(const LoweringContext &ctx) {
  return {ops::hard_swish(unary_input(ctx))};
}
std::vector<te::Tensor> lower_sqrt(const LoweringContext &ctx) {
  return {ops::sqrt(unary_input(ctx))};
}
std::vector<te::Tensor> lower_exp(const LoweringContext &ctx) {
  return {ops::exp(unary_input(ctx))};
}
std::vector<te::Tensor> lower_log(const LoweringContext &ctx) {
  return {ops::log(unary_input(ctx))};
}
std::vector<te::Tensor> lower_neg(const LoweringContext &ctx) {
  return {ops::neg(unary_input(ctx))};
}
std::vector<te::Tensor> lower_abs(const LoweringContext &ctx) {
  return {ops::abs(unary_input(ctx))};
}
std::vector<te::Tensor> lower_erf(const LoweringContext &ctx) {
  return {ops::erf(unary_input(ctx))};
}

// Clip: bounds are the attributes min/max before opset 11 and the optional scalar inputs after;
// an absent bound does not clip (so integer types keep their whole range).
std::vector<te::Tensor> lower_clip(const LoweringContext &ctx) {
  const te::Tensor &x = ctx.input(0, "input");
  Expr lo, hi;
  if (ctx.opset() < 11) {
    if (ctx.attrs().has("min")) lo = ir::make_const(x.dtype(), ctx.attrs().get_float("min"));
    if (ctx.attrs().has("max")) hi = ir::make_const(x.dtype(), ctx.attrs().get_float("max"));
  } else {
    lo = clip_bound(ctx, 1, "min", x.dtype());
    hi = clip_bound(ctx, 2, "max", x.dtype());
  }
  return {ops::elemwise(
      x,
      [&](Expr v) {
        if (lo.defined()) v = ir::max(v, lo);
        if (hi.defined()) v = ir::min(v, hi);
        return v;
      },
      "clip")};
}

std::vector<te::Tensor> lower_add(const LoweringContext &ctx) {
  return binary(ctx, ops::BinaryOp::Add);
}
std::vector<te::Tensor> lower_sub(const LoweringContext &ctx) {
  return binary(ctx, ops::BinaryOp::Sub);
}
std::vector<te::Tensor> lower_mul(const LoweringContext &ctx) {
  return binary(ctx, ops::BinaryOp::Mul);
}

// Div: true division for floats; for integers ONNX (like C) truncates toward zero, while the IR's
// integer division floors, so a non-zero remainder with operands of opposite signs rounds up.
std::vector<te::Tensor> lower_div(const LoweringContext &ctx) {
  auto [a, b] = same_typed_pair(ctx);
  if (!a.dtype().is_int()) return {ops::broadcast_binary(a, b, ops::BinaryOp::Div)};
  return {ops::broadcast_map(
      {a, b},
      [](const std::vector<Expr> &v) {
        Expr zero = ir::make_zero(v[0].type());
        Expr q = v[0] / v[1], r = v[0] % v[1];
        Expr opposite = (v[0] < zero) != (v[1] < zero);
        return ir::select(r != zero && opposite, q + ir::make_const(q.type(), 1), q);
      },
      "div")};
}

// Pow: the result has the base's type. Float bases raise to the exponent converted to their
// type; integer bases are raised in double precision and converted back.
std::vector<te::Tensor> lower_pow(const LoweringContext &ctx) {
  const te::Tensor &x = ctx.input(0, "X");
  const te::Tensor &y = ctx.input(1, "Y");
  ir::DataType t = x.dtype();
  return {ops::broadcast_map(
      {x, y},
      [&](const std::vector<Expr> &v) {
        if (t.is_float()) return ir::pow(v[0], ir::cast(t, v[1]));
        ir::DataType f64 = ir::Float(64);
        return ir::cast(t, ir::pow(ir::cast(f64, v[0]), ir::cast(f64, v[1])));
      },
      "pow")};
}

std::vector<te::Tensor> lower_sum(const LoweringContext &ctx) {
  return {broadcast_fold(
      variadic_inputs(ctx), [](Expr a, Expr b) { return a + b; }, "sum")};
}

std::vector<te::Tensor> lower_max(const LoweringContext &ctx) {
  return {broadcast_fold(variadic_inputs(ctx), ir::max, "max")};
}

std::vector<te::Tensor> lower_min(const LoweringContext &ctx) {
  return {broadcast_fold(variadic_inputs(ctx), ir::min, "min")};
}

std::vector<te::Tensor> lower_mean(const LoweringContext &ctx) {
  std::vector<te::Tensor> ts = variadic_inputs(ctx);
  user_check(ts.front().dtype().is_float())
      << ctx.describe() << ": inputs must be floating point, got " << ts.front().dtype().str();
  if (ts.size() == 1) return {copy_tensor(ts[0])};
  Expr scale = ir::make_const(ts.front().dtype(), 1.0 / static_cast<double>(ts.size()));
  return {ops::broadcast_map(
      ts,
      [&](const std::vector<Expr> &v) {
        Expr s = v[0];
        for (size_t i = 1; i < v.size(); ++i) s = s + v[i];
        return s * scale;
      },
      "mean")};
}

std::vector<te::Tensor> lower_equal(const LoweringContext &ctx) {
  auto [a, b] = same_typed_pair(ctx);
  return {ops::broadcast_map(
      {a, b}, [](const std::vector<Expr> &v) { return v[0] == v[1]; }, "equal")};
}

std::vector<te::Tensor> lower_where(const LoweringContext &ctx) {
  const te::Tensor &cond = ctx.input(0, "condition");
  const te::Tensor &x = ctx.input(1, "X");
  const te::Tensor &y = ctx.input(2, "Y");
  user_check(x.dtype() == y.dtype()) << ctx.describe() << ": X and Y have different types "
                                     << x.dtype().str() << " and " << y.dtype().str();
  return {ops::broadcast_map(
      {cond, x, y},
      [](const std::vector<Expr> &v) {
        Expr c = v[0].type().is_bool() ? v[0] : ir::cast(ir::Bool(), v[0]);
        return ir::select(c, v[1], v[2]);
      },
      "where")};
}

// Cast: `to` is an ONNX data type code (a dtype name such as "float32" is accepted too).
// Float to integer truncates toward zero; anything to bool tests against zero.
std::vector<te::Tensor> lower_cast(const LoweringContext &ctx) {
  const te::Tensor &x = ctx.input(0, "input");
  const Attributes &attrs = ctx.attrs();
  ir::DataType to;
  const Attribute *raw = nullptr;
  auto it = attrs.all().find("to");
  if (it != attrs.all().end()) raw = &it->second;
  if (raw != nullptr && std::holds_alternative<std::string>(*raw)) {
    to = ir::DataType::parse(std::get<std::string>(*raw));
  } else {
    to = dtype_from_onnx(attrs.get_int("to"), ctx.describe());
  }
  return {ops::elemwise(
      x, [&](Expr v) { return ir::cast(to, v); }, "cast")};
}

std::vector<te::Tensor> lower_identity(const LoweringContext &ctx) {
  return {copy_tensor(ctx.input(0, "input"))};
}

// Dropout at inference: the output is the input and the optional mask is all true (bool from
// opset 10 on, the data type before).
std::vector<te::Tensor> lower_dropout(const LoweringContext &ctx) {
  const te::Tensor &x = ctx.input(0, "data");
  if (ctx.has_input(2)) {
    std::vector<int64_t> training = ctx.constant_ints(2, "training_mode");
    user_check(training.empty() || training[0] == 0)
        << ctx.describe() << ": training_mode = 1 is not supported (inference only)";
  }
  std::vector<te::Tensor> outs = {copy_tensor(x)};
  if (ctx.num_outputs() > 1) {
    ir::DataType mask_type = ctx.opset() >= 10 ? ir::Bool() : x.dtype();
    outs.push_back(ops::full(x.shape(), ir::make_const(mask_type, 1), "dropout_mask"));
  }
  return outs;
}

}  // namespace autotune::graph::detail

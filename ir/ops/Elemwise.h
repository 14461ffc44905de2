// Element-wise operators as tensor expressions: activation functions and other unary maps, and
// binary operators with numpy broadcasting.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ir/te/Tensor.h"

namespace autotune::ops {

/// out[i] = f(x[i]) over x's shape, named `name` and tagged "elemwise". The building block of
/// every unary operator below; `f` receives the element read and returns a value of x's dtype.
te::Tensor elemwise(const te::Tensor &x, const std::function<ir::Expr(ir::Expr)> &f,
                    const std::string &name);

/// max(x, 0).
te::Tensor relu(const te::Tensor &x);
/// x for x > 0, alpha * x otherwise.
te::Tensor leaky_relu(const te::Tensor &x, double alpha = 0.01);
/// min(max(x, lo), hi); requires lo <= hi.
te::Tensor clip(const te::Tensor &x, double lo, double hi);
/// 1 / (1 + exp(-x)).
te::Tensor sigmoid(const te::Tensor &x);
/// Hyperbolic tangent.
te::Tensor tanh(const te::Tensor &x);
/// e raised to x (inf on overflow).
te::Tensor exp(const te::Tensor &x);
/// Natural logarithm (NaN below 0, -inf at 0, as in C).
te::Tensor log(const te::Tensor &x);
/// Square root (NaN below 0).
te::Tensor sqrt(const te::Tensor &x);
/// |x|.
te::Tensor abs(const te::Tensor &x);
/// -x.
te::Tensor neg(const te::Tensor &x);
/// The Gauss error function.
te::Tensor erf(const te::Tensor &x);
/// max(0, min(1, alpha * x + beta)) (ONNX HardSigmoid defaults).
te::Tensor hard_sigmoid(const te::Tensor &x, double alpha = 0.2, double beta = 0.5);
/// x * max(0, min(1, x / 6 + 1/2)) (ONNX HardSwish).
te::Tensor hard_swish(const te::Tensor &x);
/// The exact GELU: 0.5 * x * (1 + erf(x / sqrt(2))).
te::Tensor gelu(const te::Tensor &x);

/// The binary operators of broadcast_binary.
enum class BinaryOp : uint8_t {
  Add,
  Sub,
  Mul,
  Div,  ///< true division (floats)
  Pow,  ///< a raised to b
  Max,
  Min,
  PRelu,  ///< a for a >= 0, b * a otherwise (b is the slope)
};
/// "add", "sub", ..., "prelu".
const char *binary_op_name(BinaryOp op);

/// The shape numpy broadcasting gives two operands: shapes are aligned at their last
/// dimensions, missing leading dimensions count as 1, and each pair of extents must be equal or
/// contain a 1. User error naming `op` and both shapes otherwise.
std::vector<int64_t> broadcast_shape(const std::vector<int64_t> &a, const std::vector<int64_t> &b,
                                     const char *op);

/// out = a op b with numpy broadcasting (shape: broadcast_shape). Tagged "elemwise" when both
/// shapes are equal and "broadcast" otherwise. The dtypes must match.
te::Tensor broadcast_binary(const te::Tensor &a, const te::Tensor &b, BinaryOp op);

}  // namespace autotune::ops

// Element-wise operators (ir/ops/Elemwise.h) against std:: math: every unary function and the
// numpy broadcasting rules of broadcast_binary.
#include <gtest/gtest.h>

#include <cmath>

#include "ir/ops/Elemwise.h"
#include "tests/correctness/ir/ops/OpTestUtil.h"

namespace autotune::test {
namespace {

using ops::BinaryOp;
using ref::HostTensor;

struct UnaryCase {
  const char *name;
  std::function<te::Tensor(const te::Tensor &)> op;
  std::function<float(float)> reference;
  float lo, hi;  ///< input range
};

TEST(ElemwiseTest, UnaryMatchesStdMath) {
  auto hsig = [](float v) { return std::max(0.0f, std::min(1.0f, 0.2f * v + 0.5f)); };
  const UnaryCase cases[] = {
      {"relu", ops::relu, [](float v) { return std::max(v, 0.0f); }, -2, 2},
      {"leaky_relu", [](const te::Tensor &t) { return ops::leaky_relu(t, 0.1); },
       [](float v) { return v > 0 ? v : 0.1f * v; }, -2, 2},
      {"clip", [](const te::Tensor &t) { return ops::clip(t, -0.5, 0.75); },
       [](float v) { return std::min(std::max(v, -0.5f), 0.75f); }, -2, 2},
      {"sigmoid", ops::sigmoid, [](float v) { return 1.0f / (1.0f + std::exp(-v)); }, -8, 8},
      {"tanh", ops::tanh, [](float v) { return std::tanh(v); }, -4, 4},
      {"exp", ops::exp, [](float v) { return std::exp(v); }, -5, 5},
      {"log", ops::log, [](float v) { return std::log(v); }, 0.01f, 10},
      {"sqrt", ops::sqrt, [](float v) { return std::sqrt(v); }, 0, 10},
      {"abs", ops::abs, [](float v) { return std::fabs(v); }, -3, 3},
      {"neg", ops::neg, [](float v) { return -v; }, -3, 3},
      {"erf", ops::erf, [](float v) { return std::erf(v); }, -3, 3},
      {"hard_sigmoid", [](const te::Tensor &t) { return ops::hard_sigmoid(t); }, hsig, -4, 4},
      {"hard_swish", ops::hard_swish,
       [](float v) { return v * std::max(0.0f, std::min(1.0f, v / 6.0f + 0.5f)); }, -5, 5},
      {"gelu", ops::gelu, [](float v) { return 0.5f * v * (1.0f + std::erf(v / std::sqrt(2.0f))); },
       -4, 4},
  };
  uint32_t seed = 1;
  for (const UnaryCase &c : cases) {
    SCOPED_TRACE(c.name);
    HostTensor x = ref::random_tensor({3, 5, 7}, seed++, c.lo, c.hi);
    te::Tensor X = placeholder_like(x, "x");
    te::Tensor out = c.op(X);
    EXPECT_EQ(out->tag, "elemwise");
    expect_matches({X}, {x}, out, ref::unary(x, c.reference), 1e-4f, 1e-5f);
  }
}

std::function<float(float, float)> reference_of(BinaryOp op) {
  switch (op) {
    case BinaryOp::Add: return [](float a, float b) { return a + b; };
    case BinaryOp::Sub: return [](float a, float b) { return a - b; };
    case BinaryOp::Mul: return [](float a, float b) { return a * b; };
    case BinaryOp::Div: return [](float a, float b) { return a / b; };
    case BinaryOp::Pow: return [](float a, float b) { return std::pow(a, b); };
    case BinaryOp::Max: return [](float a, float b) { return std::max(a, b); };
    case BinaryOp::Min: return [](float a, float b) { return std::min(a, b); };
    case BinaryOp::PRelu: return [](float a, float b) { return a >= 0 ? a : a * b; };
  }
  return {};
}

TEST(ElemwiseTest, BroadcastShapeRules) {
  EXPECT_EQ(ops::broadcast_shape({2, 3, 4}, {4}, "add"), (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(ops::broadcast_shape({2, 1, 4}, {3, 1}, "add"), (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(ops::broadcast_shape({1}, {5, 2}, "add"), (std::vector<int64_t>{5, 2}));
  EXPECT_EQ(ops::broadcast_shape({}, {3}, "add"), (std::vector<int64_t>{3}));
}

TEST(ElemwiseTest, BroadcastBinaryMatchesReference) {
  struct Case {
    BinaryOp op;
    std::vector<int64_t> a, b;
  };
  const Case cases[] = {
      {BinaryOp::Add, {2, 3, 4}, {4}},
      {BinaryOp::Sub, {1}, {2, 3}},
      {BinaryOp::Mul, {2, 1, 4}, {3, 1}},
      {BinaryOp::Div, {5, 1, 1}, {1, 4, 3}},
      {BinaryOp::Pow, {3, 5}, {3, 5}},
      {BinaryOp::Max, {4, 1}, {1, 7}},
      {BinaryOp::Min, {2, 3, 1, 5}, {3, 4, 1}},
      {BinaryOp::PRelu, {2, 3, 4, 5}, {3, 1, 1}},
      {BinaryOp::Add, {7}, {7}},
  };
  uint32_t seed = 100;
  for (const Case &c : cases) {
    SCOPED_TRACE(ops::binary_op_name(c.op));
    bool positive = c.op == BinaryOp::Pow || c.op == BinaryOp::Div;
    HostTensor a = ref::random_tensor(c.a, seed++, positive ? 0.5f : -2.0f, 2.0f);
    HostTensor b = ref::random_tensor(c.b, seed++, positive ? 0.5f : -2.0f, 2.0f);
    te::Tensor A = placeholder_like(a, "a"), B = placeholder_like(b, "b");
    te::Tensor out = ops::broadcast_binary(A, B, c.op);
    EXPECT_EQ(out->tag, c.a == c.b ? "elemwise" : "broadcast");
    expect_matches({A, B}, {a, b}, out, ref::broadcast_binary(a, b, reference_of(c.op)));
  }
}

}  // namespace
}  // namespace autotune::test

// evaluate_tensor (ir/graph/EvaluateTensor.cpp): host interpretation of small tensor
// expressions, checked against hand-computed values; unevaluable tensors give null.
#include <gtest/gtest.h>

#include <cmath>

#include "ir/graph/EvaluateTensor.h"
#include "ir/ops/Constant.h"

namespace autotune::graph {
namespace {

using ir::Expr;
using ir::Var;
using te::Tensor;

std::vector<int64_t> ints_of(const ConstantPtr &c) {
  std::vector<int64_t> out;
  for (int64_t i = 0; i < c->size(); ++i) out.push_back(c->as_int64(i));
  return out;
}

std::vector<double> doubles_of(const ConstantPtr &c) {
  std::vector<double> out;
  for (int64_t i = 0; i < c->size(); ++i) out.push_back(c->as_double(i));
  return out;
}

TEST(EvaluateTensorTest, IntegerDivisionAndModuloFloor) {
  Tensor a = te::placeholder({4}, ir::Int(64), "a");
  Tensor b = te::placeholder({4}, ir::Int(64), "b");
  Tensor q = te::compute(
      {4}, [&](Var i) { return a(i) / b(i); }, "q");
  Tensor r = te::compute(
      {4}, [&](Var i) { return a(i) % b(i); }, "r");
  std::map<const te::TensorNode *, ConstantPtr> bound = {
      {a.get(), TensorData::from_int64s({4}, {7, -7, 7, -7})},
      {b.get(), TensorData::from_int64s({4}, {2, 2, -2, -2})}};
  EXPECT_EQ(ints_of(evaluate_tensor(q, bound)), std::vector<int64_t>({3, -4, -4, 3}));
  EXPECT_EQ(ints_of(evaluate_tensor(r, bound)), std::vector<int64_t>({1, 1, -1, -1}));
}

TEST(EvaluateTensorTest, ChainedStagesReductionAndCasts) {
  // shape = [2, 3, 4]: prod over the vector, and float math on the cast values.
  Tensor s = te::placeholder({3}, ir::Int(64), "s");
  Tensor doubled = te::compute(
      {3}, [&](Var i) { return s(i) * Expr(int64_t{2}); }, "doubled");
  ir::IterVar k = te::reduce_axis(3, "k");
  Tensor prod = te::compute(
      {}, [&](const std::vector<Var> &) { return te::reduce_prod(doubled(k), {k}); }, "prod");
  Tensor halves = te::compute(
      {3},
      [&](Var i) { return ir::floor(ir::cast(ir::Float(32), s(i)) * Expr(0.5f) + Expr(0.25f)); },
      "halves");
  Tensor back = te::compute(
      {3}, [&](Var i) { return ir::cast(ir::Int(32), halves(i)); }, "back");
  std::map<const te::TensorNode *, ConstantPtr> bound = {
      {s.get(), TensorData::from_int64s({3}, {2, 3, 4})}};
  ConstantPtr p = evaluate_tensor(prod, bound);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->shape, std::vector<int64_t>{});
  EXPECT_EQ(ints_of(p), std::vector<int64_t>({192}));
  EXPECT_EQ(doubles_of(evaluate_tensor(halves, bound)), std::vector<double>({1, 1, 2}));
  ConstantPtr i32 = evaluate_tensor(back, bound);
  ASSERT_TRUE(i32);
  EXPECT_EQ(i32->dtype, ir::Int(32));
  EXPECT_EQ(ints_of(i32), std::vector<int64_t>({1, 1, 2}));
}

TEST(EvaluateTensorTest, ComparisonsGiveBoolAndSelectEvaluatesOneBranch) {
  Tensor a = te::placeholder({3}, ir::Int(64), "a");
  Tensor neg = te::compute(
      {3}, [&](Var i) { return a(i) < Expr(int64_t{0}); }, "neg");
  // a(i) + 3 would read out of bounds for the non-negative entries: only the taken branch runs.
  Tensor wrapped = te::compute(
      {3},
      [&](Var i) { return ir::select(a(i) < Expr(int64_t{0}), a(a(i) + Expr(int64_t{3})), a(i)); },
      "wrapped");
  std::map<const te::TensorNode *, ConstantPtr> bound = {
      {a.get(), TensorData::from_int64s({3}, {-1, 0, 2})}};
  ConstantPtr b = evaluate_tensor(neg, bound);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->dtype, ir::Bool());
  EXPECT_EQ(ints_of(b), std::vector<int64_t>({1, 0, 0}));
  EXPECT_EQ(ints_of(evaluate_tensor(wrapped, bound)), std::vector<int64_t>({2, 0, 2}));
}

TEST(EvaluateTensorTest, EmbeddedConstantsNeedNoBinding) {
  Tensor c = ops::constant_tensor(
      {2, 2}, {Expr(int64_t{5}), Expr(int64_t{6}), Expr(int64_t{7}), Expr(int64_t{8})}, "c");
  EXPECT_EQ(ints_of(evaluate_tensor(c, {})), std::vector<int64_t>({5, 6, 7, 8}));
}

TEST(EvaluateTensorTest, UnevaluableTensorsGiveNull) {
  Tensor x = te::placeholder({4}, ir::Float(32), "x");
  Tensor y = te::compute(
      {4}, [&](Var i) { return x(i) + Expr(1.0f); }, "y");
  EXPECT_EQ(evaluate_tensor(y, {}), nullptr);  // x is not bound
  std::map<const te::TensorNode *, ConstantPtr> bound = {
      {x.get(), TensorData::from_floats({4}, {1, 2, 3, 4})}};
  EXPECT_NE(evaluate_tensor(y, bound), nullptr);
  EXPECT_EQ(evaluate_tensor(y, bound, /*max_steps=*/5), nullptr);  // over the budget

  Tensor a = te::placeholder({2}, ir::Int(64), "a");
  Tensor div = te::compute(
      {2}, [&](Var i) { return Expr(int64_t{1}) / a(i); }, "div");
  EXPECT_EQ(evaluate_tensor(div, {{a.get(), TensorData::from_int64s({2}, {1, 0})}}), nullptr);
  Tensor oob = te::compute(
      {2}, [&](Var i) { return a(i + Expr(int64_t{1})); }, "oob");
  EXPECT_EQ(evaluate_tensor(oob, {{a.get(), TensorData::from_int64s({2}, {1, 0})}}), nullptr);
}

}  // namespace
}  // namespace autotune::graph

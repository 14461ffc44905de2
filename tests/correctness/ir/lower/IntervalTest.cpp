// Interval arithmetic: before/expected bounds of expressions, and a randomized soundness check
// (every value taken within the variable ranges lies inside the computed interval).
#include <gtest/gtest.h>

#include "ir/core/IROperators.h"
#include "ir/lower/Interval.h"
#include "tests/common/IRTestUtil.h"
#include "tests/common/RandomIntExpr.h"

namespace autotune::ir {
namespace {

Interval range(int64_t min, int64_t max) { return Interval(Expr(min), Expr(max)); }

class IntervalTest : public ::testing::Test {
 protected:
  Var x{"x"}, y{"y"}, n{"n"}, o{"o"}, i{"i"};
};

TEST_F(IntervalTest, ConstantsAndFreeVariables) {
  Interval c = eval_interval(Expr(5), {});
  EXPECT_IR_EQ(c.min, 5);
  EXPECT_IR_EQ(c.max, 5);
  EXPECT_TRUE(c.is_single_point());
  // A variable without a range is its own point.
  Interval free = eval_interval(Add::make(n, 1), {});
  EXPECT_IR_EQ(free.min, Add::make(n, 1));
  EXPECT_IR_EQ(free.max, Add::make(n, 1));
}

TEST_F(IntervalTest, SumsAndProducts) {
  VarIntervals vars = {{x.get(), range(0, 3)}, {y.get(), range(0, 7)}};
  Interval tiled = eval_interval(Add::make(Mul::make(x, 8), y), vars);
  EXPECT_IR_EQ(tiled.min, 0);
  EXPECT_IR_EQ(tiled.max, 31);
  Interval diff = eval_interval(Sub::make(x, y), vars);
  EXPECT_IR_EQ(diff.min, -7);
  EXPECT_IR_EQ(diff.max, 3);
  // A negative factor swaps the ends.
  Interval negated = eval_interval(Mul::make(x, -2), vars);
  EXPECT_IR_EQ(negated.min, -6);
  EXPECT_IR_EQ(negated.max, 0);
  // Products of two ranges take the extreme corners.
  VarIntervals signed_vars = {{x.get(), range(-2, 3)}, {y.get(), range(-5, 4)}};
  Interval product = eval_interval(Mul::make(x, y), signed_vars);
  EXPECT_IR_EQ(product.min, -15);
  EXPECT_IR_EQ(product.max, 12);
}

TEST_F(IntervalTest, CorrelatedTermsCancel) {
  VarIntervals vars = {{x.get(), range(0, 3)}, {y.get(), range(0, 7)}};
  Interval iv = eval_interval(Sub::make(Add::make(Mul::make(x, 8), y), Mul::make(x, 8)), vars);
  EXPECT_IR_EQ(iv.min, 0);
  EXPECT_IR_EQ(iv.max, 7);
}

TEST_F(IntervalTest, SymbolicBounds) {
  // i in [o*16, o*16 + 15] with o free.
  VarIntervals vars = {{i.get(), Interval(Mul::make(o, 16), Add::make(Mul::make(o, 16), 15))}};
  Interval local = eval_interval(Sub::make(i, Mul::make(o, 16)), vars);
  EXPECT_IR_EQ(local.min, 0);
  EXPECT_IR_EQ(local.max, 15);
  Interval shifted = eval_interval(Add::make(i, 1), vars);
  EXPECT_IR_EQ(shifted.min, Add::make(Mul::make(o, 16), 1));
  EXPECT_IR_EQ(shifted.max, Add::make(Mul::make(o, 16), 16));
  // One-sided ranges stay one-sided.
  Interval half = eval_interval(Add::make(x, 2), {{x.get(), Interval(Expr(0), Expr())}});
  EXPECT_IR_EQ(half.min, 2);
  EXPECT_FALSE(half.max.defined());
}

TEST_F(IntervalTest, FloorDivision) {
  VarIntervals vars = {{x.get(), range(-5, 17)}};
  Interval q = eval_interval(Div::make(x, 4), vars);
  EXPECT_IR_EQ(q.min, -2);
  EXPECT_IR_EQ(q.max, 4);
  Interval neg = eval_interval(Div::make(x, -4), vars);
  EXPECT_IR_EQ(neg.min, -5);
  EXPECT_IR_EQ(neg.max, 1);
  VarIntervals symbolic = {{i.get(), Interval(Mul::make(o, 16), Add::make(Mul::make(o, 16), 15))}};
  Interval tile = eval_interval(Div::make(i, 16), symbolic);
  EXPECT_IR_EQ(tile.min, o);
  EXPECT_IR_EQ(tile.max, o);
}

TEST_F(IntervalTest, Modulo) {
  Interval wide = eval_interval(Mod::make(x, 8), {{x.get(), range(-5, 17)}});
  EXPECT_IR_EQ(wide.min, 0);
  EXPECT_IR_EQ(wide.max, 7);
  // A range inside one period keeps its shape.
  Interval inside = eval_interval(Mod::make(x, 8), {{x.get(), range(10, 13)}});
  EXPECT_IR_EQ(inside.min, 2);
  EXPECT_IR_EQ(inside.max, 5);
  Interval negative = eval_interval(Mod::make(x, -8), {{x.get(), range(0, 100)}});
  EXPECT_IR_EQ(negative.min, -7);
  EXPECT_IR_EQ(negative.max, 0);
  // Without a range x % 8 is exactly itself; its constant bounds are still known.
  Interval exact = eval_interval(Mod::make(x, 8), {});
  EXPECT_IR_EQ(exact.min, Mod::make(x, 8));
  EXPECT_TRUE(exact.is_single_point());
  EXPECT_EQ(const_min(Mod::make(x, 8), {}), 0);
  EXPECT_EQ(const_max(Mod::make(x, 8), {}), 7);
  // Symbolic: o*16 + [2, 5] modulo 16 is [2, 5].
  VarIntervals symbolic = {
      {i.get(), Interval(Add::make(Mul::make(o, 16), 2), Add::make(Mul::make(o, 16), 5))}};
  Interval lane = eval_interval(Mod::make(i, 16), symbolic);
  EXPECT_IR_EQ(lane.min, 2);
  EXPECT_IR_EQ(lane.max, 5);
}

TEST_F(IntervalTest, MinMaxSelect) {
  VarIntervals vars = {{x.get(), range(0, 10)}, {y.get(), range(4, 6)}};
  Interval lo = eval_interval(Min::make(x, y), vars);
  EXPECT_IR_EQ(lo.min, 0);
  EXPECT_IR_EQ(lo.max, 6);
  Interval hi = eval_interval(Max::make(x, y), vars);
  EXPECT_IR_EQ(hi.min, 4);
  EXPECT_IR_EQ(hi.max, 10);
  Interval sel = eval_interval(Select::make(LT::make(n, 0), x, Add::make(y, 20)), vars);
  EXPECT_IR_EQ(sel.min, 0);
  EXPECT_IR_EQ(sel.max, 26);
  // min with an unbounded operand is still bounded above by the other.
  Interval clamp = eval_interval(Min::make(x, 8), {{x.get(), Interval(Expr(0), Expr())}});
  EXPECT_IR_EQ(clamp.min, 0);
  EXPECT_IR_EQ(clamp.max, 8);
}

TEST_F(IntervalTest, CastsLetsAndVectors) {
  VarIntervals vars = {{x.get(), range(0, 7)}};
  Interval widened = eval_interval(Cast::make(Float(32), x), vars);
  EXPECT_IR_EQ(widened.min, Expr(0.0f));
  EXPECT_IR_EQ(widened.max, Expr(7.0f));
  Interval narrowed = eval_interval(Cast::make(Int(8), Mul::make(x, 100)), vars);
  EXPECT_IR_EQ(narrowed.min, IntImm::make(Int(8), -128));
  EXPECT_IR_EQ(narrowed.max, IntImm::make(Int(8), 127));
  Var t("t");
  Interval let = eval_interval(Let::make(t, Mul::make(x, 2), Add::make(t, 1)), vars);
  EXPECT_IR_EQ(let.min, 1);
  EXPECT_IR_EQ(let.max, 15);
  Interval lanes = eval_interval(Ramp::make(Mul::make(x, 8), 1, 8), vars);
  EXPECT_IR_EQ(lanes.min, 0);
  EXPECT_IR_EQ(lanes.max, 63);
  Interval down = eval_interval(Ramp::make(x, -2, 4), vars);
  EXPECT_IR_EQ(down.min, -6);
  EXPECT_IR_EQ(down.max, 7);
  Interval splat = eval_interval(Broadcast::make(x, 4), vars);
  EXPECT_IR_EQ(splat.min, 0);
  EXPECT_IR_EQ(splat.max, 7);
}

TEST_F(IntervalTest, ConstBoundsFollowVariableChains) {
  // x in [0, n - 1] with n in [1, 16].
  VarIntervals vars = {{x.get(), Interval(Expr(0), Sub::make(n, 1))}, {n.get(), range(1, 16)}};
  EXPECT_EQ(const_min(x, vars), 0);
  EXPECT_EQ(const_max(x, vars), 15);
  EXPECT_EQ(const_max(Add::make(Mul::make(x, 2), 1), vars), 31);
  EXPECT_EQ(const_min(y, vars), std::nullopt);
  EXPECT_EQ(const_max(Add::make(x, y), vars), std::nullopt);
  EXPECT_EQ(const_max(Mod::make(y, 4), {}), 3);
  EXPECT_EQ(const_max(Min::make(y, 8), {}), 8);
  EXPECT_EQ(const_min(Max::make(y, -2), {}), -2);
  EXPECT_EQ(const_min(Min::make(y, 8), {}), std::nullopt);
}

TEST_F(IntervalTest, RandomIntervalsAreSound) {
  std::vector<test::RangedVar> vars = {{x, 0, 7}, {y, -3, 4}, {n, 1, 5}};
  VarIntervals intervals;
  for (const auto &v : vars) intervals[v.var.get()] = range(v.min, v.max);
  test::RandomIntExpr gen(vars, 2024);
  int bounded = 0;
  for (int k = 0; k < 3000; ++k) {
    Expr e = gen.expr(4);
    Interval iv = eval_interval(e, intervals);
    // With every variable ranged by constants, defined ends are constants.
    std::optional<int64_t> lo, hi;
    if (iv.min.defined()) lo = test::evaluate_int(iv.min, {});
    if (iv.max.defined()) hi = test::evaluate_int(iv.max, {});
    bounded += lo && hi;
    test::for_each_point(vars, [&](const test::IntEnv &env) {
      int64_t value = test::evaluate_int(e, env);
      ASSERT_TRUE(!lo || *lo <= value) << value << " below " << *lo << " for " << e;
      ASSERT_TRUE(!hi || value <= *hi) << value << " above " << *hi << " for " << e;
    });
    if (HasFatalFailure()) return;
    std::optional<int64_t> cmin = const_min(e, intervals), cmax = const_max(e, intervals);
    EXPECT_TRUE(!cmin || !lo || *cmin == *lo);
    EXPECT_TRUE(!cmax || !hi || *cmax == *hi);
  }
  EXPECT_GT(bounded, 2500) << "most random expressions should get finite bounds";
}

}  // namespace
}  // namespace autotune::ir

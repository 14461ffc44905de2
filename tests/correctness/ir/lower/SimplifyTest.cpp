// The simplifier: before/expected rewrites of expressions and statements, plus randomized checks
// that simplification preserves values within the given variable ranges.
#include <gtest/gtest.h>

#include <chrono>

#include "ir/core/IROperators.h"
#include "ir/lower/Simplify.h"
#include "tests/common/IRTestUtil.h"
#include "tests/common/RandomIntExpr.h"

namespace autotune::ir {
namespace {

Interval range(int64_t min, int64_t max) { return Interval(Expr(min), Expr(max)); }

class SimplifyTest : public ::testing::Test {
 protected:
  Var x{"x"}, y{"y"}, z{"z"}, o{"o"}, i{"i"};
};

// ---- Constant folding ----

TEST_F(SimplifyTest, FoldsIntegerConstants) {
  EXPECT_IR_EQ(simplify(Add::make(Mul::make(Expr(3), 4), Sub::make(Expr(10), 2))), 20);
  EXPECT_IR_EQ(simplify(Div::make(Expr(-7), 2)), -4);  // floor division
  EXPECT_IR_EQ(simplify(Mod::make(Expr(-7), 2)), 1);   // floor modulo
  EXPECT_IR_EQ(simplify(Mod::make(Expr(7), -2)), -1);
  EXPECT_IR_EQ(simplify(Min::make(Expr(3), -5)), -5);
  EXPECT_IR_EQ(simplify(Max::make(Expr(3), -5)), 3);
  // Narrow types wrap around.
  Expr big = IntImm::make(Int(32), 2147483647);
  EXPECT_IR_EQ(simplify(Add::make(big, IntImm::make(Int(32), 1))),
               IntImm::make(Int(32), -2147483648LL));
  EXPECT_IR_EQ(simplify(Sub::make(IntImm::make(UInt(8), 1), IntImm::make(UInt(8), 2))),
               IntImm::make(UInt(8), 255));
  // Division by a constant zero is left for the program to trip over.
  Expr div0 = Div::make(Expr(1), Expr(0));
  EXPECT_IR_EQ(simplify(div0), div0);
}

TEST_F(SimplifyTest, FoldsFloatAndBoolConstants) {
  EXPECT_IR_EQ(simplify(Add::make(Expr(1.5f), Expr(2.25f))), Expr(3.75f));
  EXPECT_IR_EQ(simplify(Div::make(Expr(1.0f), Expr(4.0f))), Expr(0.25f));
  EXPECT_IR_EQ(simplify(LT::make(Expr(1.0f), Expr(2.0f))), make_bool(true));
  EXPECT_IR_EQ(simplify(And::make(make_bool(true), Not::make(make_bool(true)))), make_bool(false));
  EXPECT_IR_EQ(simplify(Cast::make(Float(32), Expr(3))), Expr(3.0f));
  EXPECT_IR_EQ(simplify(Cast::make(Int(64), Expr(-2.75f))), -2);
  EXPECT_IR_EQ(simplify(Cast::make(Int(8), Expr(300))), IntImm::make(Int(8), 44));
  // Floats are not reassociated.
  Var f("f", Float(32));
  Expr sum = Add::make(Add::make(f, Expr(1.0f)), Expr(2.0f));
  EXPECT_IR_EQ(simplify(sum), sum);
}

// ---- Linear integer sums ----

TEST_F(SimplifyTest, CancelsAndCollectsLinearTerms) {
  EXPECT_IR_EQ(simplify(Sub::make(Add::make(Mul::make(x, 8), y), Mul::make(x, 8))), y);
  Expr tile_end = Add::make(Sub::make(Add::make(Mul::make(o, 16), 15), Mul::make(o, 16)), 1);
  EXPECT_IR_EQ(simplify(tile_end), 16);
  EXPECT_IR_EQ(simplify(Add::make(Add::make(x, 1), 2)), Add::make(x, 3));
  EXPECT_IR_EQ(simplify(Add::make(Mul::make(x, 2), Mul::make(Expr(3), x))), Mul::make(x, 5));
  EXPECT_IR_EQ(simplify(Sub::make(x, x)), 0);
  EXPECT_IR_EQ(simplify(Sub::make(Add::make(x, y), Add::make(y, x))), 0);
  EXPECT_IR_EQ(simplify(Sub::make(Mul::make(x, 8), Add::make(Mul::make(x, 8), 1))), -1);
  EXPECT_IR_EQ(simplify(Mul::make(Add::make(x, 1), 4)), Add::make(Mul::make(x, 4), 4));
  EXPECT_IR_EQ(simplify(Mul::make(x, 0)), 0);
  EXPECT_IR_EQ(simplify(Add::make(x, 0)), x);
}

TEST_F(SimplifyTest, CanonicalOrderOfSums) {
  // Positive terms first, in order of appearance, then negative ones, then the constant.
  EXPECT_IR_EQ(simplify(Add::make(Sub::make(Expr(0), x), y)), Sub::make(y, x));
  EXPECT_IR_EQ(simplify(Sub::make(Expr(5), Add::make(x, 1))), Sub::make(Expr(4), x));
  EXPECT_IR_EQ(simplify(Sub::make(Add::make(x, -3), y)), Sub::make(Sub::make(x, y), 3));
  EXPECT_IR_EQ(simplify(Sub::make(Expr(0), x)), Sub::make(Expr(0), x));
}

// ---- Division and modulo ----

TEST_F(SimplifyTest, DivModOfTiledIndices) {
  VarIntervals vars = {{y.get(), range(0, 7)}};
  Expr tiled = Add::make(Mul::make(x, 8), y);
  EXPECT_IR_EQ(simplify(Div::make(tiled, 8), vars), x);
  EXPECT_IR_EQ(simplify(Mod::make(tiled, 8), vars), y);
  EXPECT_IR_EQ(simplify(Div::make(Add::make(tiled, 8), 8), vars), Add::make(x, 1));
  EXPECT_IR_EQ(simplify(Div::make(Mul::make(x, 16), 8)), Mul::make(x, 2));
  EXPECT_IR_EQ(simplify(Mod::make(Mul::make(x, 16), 8)), 0);
  // Without a range for y only the multiple of 8 moves out.
  EXPECT_IR_EQ(simplify(Div::make(tiled, 8)), Add::make(x, Div::make(y, 8)));
  EXPECT_IR_EQ(simplify(Mod::make(tiled, 8)), Mod::make(y, 8));
}

TEST_F(SimplifyTest, DivModIdentities) {
  EXPECT_IR_EQ(simplify(Div::make(x, 1)), x);
  EXPECT_IR_EQ(simplify(Mod::make(x, 1)), 0);
  EXPECT_IR_EQ(simplify(Div::make(Div::make(x, 4), 2)), Div::make(x, 8));
  EXPECT_IR_EQ(simplify(Mod::make(Mod::make(x, 16), 8)), Mod::make(x, 8));
  EXPECT_IR_EQ(simplify(Mod::make(x, 8), {{x.get(), range(0, 7)}}), x);
  EXPECT_IR_EQ(simplify(Mod::make(x, 8), {{x.get(), range(8, 15)}}), Sub::make(x, 8));
  EXPECT_IR_EQ(simplify(Div::make(x, 8), {{x.get(), range(-8, -1)}}), -1);
  EXPECT_IR_EQ(simplify(Mod::make(Add::make(x, 9), 8)), Mod::make(Add::make(x, 1), 8));
  // Negative divisors are only folded.
  Expr negative = Div::make(x, -2);
  EXPECT_IR_EQ(simplify(negative), negative);
}

// ---- Min, max, comparisons, select, logic ----

TEST_F(SimplifyTest, MinMaxResolvedByRanges) {
  VarIntervals vars = {{x.get(), range(0, 7)}};
  EXPECT_IR_EQ(simplify(Min::make(x, 10), vars), x);
  EXPECT_IR_EQ(simplify(Max::make(x, 10), vars), 10);
  EXPECT_IR_EQ(simplify(Max::make(x, 3), vars), Max::make(x, 3));
  EXPECT_IR_EQ(simplify(Min::make(Add::make(y, 1), y)), y);
  EXPECT_IR_EQ(simplify(Max::make(Add::make(y, 1), y)), Add::make(y, 1));
  EXPECT_IR_EQ(simplify(Min::make(y, y)), y);
  EXPECT_IR_EQ(simplify(Min::make(Expr(4), y)), Min::make(y, 4));
  EXPECT_IR_EQ(simplify(Min::make(Min::make(y, 4), 8)), Min::make(y, 4));
}

TEST_F(SimplifyTest, ComparisonsDecidedByRanges) {
  VarIntervals vars = {{o.get(), range(0, 3)}, {i.get(), range(0, 15)}};
  EXPECT_IR_EQ(simplify(LT::make(Add::make(Mul::make(o, 16), i), 64), vars), make_bool(true));
  EXPECT_IR_EQ(simplify(GE::make(Add::make(Mul::make(o, 16), i), 64), vars), make_bool(false));
  EXPECT_IR_EQ(simplify(EQ::make(i, 20), vars), make_bool(false));
  EXPECT_IR_EQ(simplify(LE::make(x, x)), make_bool(true));
  EXPECT_IR_EQ(simplify(LT::make(Add::make(x, 1), x)), make_bool(false));
  Expr open = LT::make(Add::make(Mul::make(o, 16), i), 40);
  EXPECT_IR_EQ(simplify(open, vars), open);
  EXPECT_TRUE(can_prove(LT::make(Add::make(Mul::make(o, 16), i), 64), vars));
  EXPECT_FALSE(can_prove(open, vars));
}

TEST_F(SimplifyTest, SymbolicLoopRangesCancel) {
  // i in [o*16, o*16 + 15]: i - o*16 is in [0, 15] whatever o is.
  VarIntervals vars = {{i.get(), Interval(Mul::make(o, 16), Add::make(Mul::make(o, 16), 15))}};
  EXPECT_TRUE(can_prove(LT::make(Sub::make(i, Mul::make(o, 16)), 16), vars));
  EXPECT_TRUE(can_prove(GE::make(i, Mul::make(o, 16)), vars));
  EXPECT_FALSE(can_prove(LT::make(Sub::make(i, Mul::make(o, 16)), 15), vars));
  EXPECT_IR_EQ(simplify(Div::make(i, 16), vars), Div::make(i, 16));
}

TEST_F(SimplifyTest, SelectAndLogic) {
  VarIntervals vars = {{x.get(), range(0, 7)}};
  EXPECT_IR_EQ(simplify(Select::make(LT::make(x, 8), x, y), vars), x);
  EXPECT_IR_EQ(simplify(Select::make(LT::make(x, 0), x, y), vars), y);
  EXPECT_IR_EQ(simplify(Select::make(LT::make(y, 3), x, x)), x);
  Expr c = LT::make(y, 3);
  EXPECT_IR_EQ(simplify(And::make(c, make_bool(true))), c);
  EXPECT_IR_EQ(simplify(Or::make(c, make_bool(true))), make_bool(true));
  EXPECT_IR_EQ(simplify(And::make(c, Not::make(c))), make_bool(false));
  EXPECT_IR_EQ(simplify(Not::make(Not::make(c))), c);
  EXPECT_IR_EQ(simplify(Not::make(c)), GE::make(y, 3));
  // Float comparisons are not negated (NaN); a negated select condition swaps the branches.
  Var f("f", Float(32));
  Expr f_small = LT::make(f, Expr(1.0f));
  EXPECT_IR_EQ(simplify(Select::make(Not::make(f_small), x, y)), Select::make(f_small, y, x));
  EXPECT_IR_EQ(simplify(Select::make(Not::make(c), x, y)), Select::make(GE::make(y, 3), x, y));
}

TEST_F(SimplifyTest, LetOfConstantIsSubstituted) {
  Var t("t");
  EXPECT_IR_EQ(simplify(Let::make(t, 3, Add::make(t, 1))), 4);
  EXPECT_IR_EQ(simplify(Let::make(t, Mul::make(x, 2), Sub::make(t, t))), 0);
  Expr kept = Let::make(t, Mul::make(x, 2), Mul::make(t, t));
  EXPECT_IR_EQ(simplify(kept), kept);
  // The let value's range is known in the body.
  EXPECT_IR_EQ(simplify(Let::make(t, Mod::make(x, 4), LT::make(t, 4))), make_bool(true));
}

TEST_F(SimplifyTest, PointRangesBecomeConstants) {
  EXPECT_IR_EQ(simplify(Add::make(x, y), {{x.get(), range(3, 3)}}), Add::make(y, 3));
}

// ---- Vectors ----

TEST_F(SimplifyTest, RampAndBroadcastArithmetic) {
  Expr ramp = Ramp::make(x, 1, 8);
  EXPECT_IR_EQ(simplify(Add::make(ramp, Broadcast::make(y, 8))), Ramp::make(Add::make(x, y), 1, 8));
  EXPECT_IR_EQ(simplify(Add::make(Broadcast::make(y, 8), ramp)), Ramp::make(Add::make(y, x), 1, 8));
  EXPECT_IR_EQ(simplify(Mul::make(Broadcast::make(x, 8), Broadcast::make(y, 8))),
               Broadcast::make(Mul::make(x, y), 8));
  EXPECT_IR_EQ(simplify(Mul::make(ramp, Broadcast::make(Expr(4), 8))),
               Ramp::make(Mul::make(x, 4), 4, 8));
  EXPECT_IR_EQ(simplify(Sub::make(ramp, ramp)), Broadcast::make(Expr(0), 8));
  EXPECT_IR_EQ(simplify(Add::make(Broadcast::make(Expr(2), 4), Broadcast::make(Expr(3), 4))),
               Broadcast::make(Expr(5), 4));
  Var f("f", Float(32));
  EXPECT_IR_EQ(simplify(Mul::make(Broadcast::make(f, 4), Broadcast::make(Expr(2.0f), 4))),
               Broadcast::make(Mul::make(f, Expr(2.0f)), 4));
}

TEST_F(SimplifyTest, RampDivModByBroadcast) {
  Expr eight = Broadcast::make(Expr(8), 8);
  // Lanes of ramp(x*8, 1, 8) stay inside one period of 8.
  Expr ramp = Ramp::make(Mul::make(x, 8), 1, 8);
  EXPECT_IR_EQ(simplify(Div::make(ramp, eight)), Broadcast::make(x, 8));
  EXPECT_IR_EQ(simplify(Mod::make(ramp, eight)), Ramp::make(Expr(0), 1, 8));
  // A stride that is a multiple of the divisor.
  Expr strided = Ramp::make(x, 16, 8);
  EXPECT_IR_EQ(simplify(Div::make(strided, eight)), Ramp::make(Div::make(x, 8), 2, 8));
  EXPECT_IR_EQ(simplify(Mod::make(strided, eight)), Broadcast::make(Mod::make(x, 8), 8));
  // Lanes crossing a period boundary stay as they are.
  Expr crossing = Ramp::make(Add::make(Mul::make(x, 8), 1), 1, 8);
  EXPECT_IR_EQ(simplify(Div::make(crossing, eight)), Div::make(crossing, eight));
}

TEST_F(SimplifyTest, VectorComparisons) {
  VarIntervals vars = {{o.get(), range(0, 7)}};
  Expr lanes = Ramp::make(Mul::make(o, 8), 1, 8);
  EXPECT_IR_EQ(simplify(LT::make(lanes, Broadcast::make(Expr(64), 8)), vars),
               Broadcast::make(make_bool(true), 8));
  Expr partial = LT::make(lanes, Broadcast::make(Expr(60), 8));
  EXPECT_IR_EQ(simplify(partial, vars), partial);
}

TEST_F(SimplifyTest, UnchangedInputKeepsIdentity) {
  VarIntervals vars = {{x.get(), range(0, 100)}};
  Expr e = Add::make(Mul::make(x, 8), Div::make(y, 3));
  Expr once = simplify(e, vars);
  EXPECT_TRUE(simplify(once, vars).same_as(once));
  Expr c = LT::make(x, y);
  EXPECT_TRUE(simplify(c).same_as(c));
}

// ---- Statements ----

TEST_F(SimplifyTest, LoopRangesDecideBranches) {
  Var buf("B", Handle());
  Stmt store = Store::make(buf, Expr(1.0f), Add::make(Mul::make(o, 16), i));
  // for o in [0, 4), i in [0, 16): o*16 + i < 64 always holds.
  Stmt guarded = IfThenElse::make(LT::make(Add::make(Mul::make(o, 16), i), 64), store);
  Stmt before =
      For::make(o, 0, 4, ForKind::Parallel, For::make(i, 0, 16, ForKind::Serial, guarded));
  Stmt expected =
      For::make(o, 0, 4, ForKind::Parallel, For::make(i, 0, 16, ForKind::Serial, store));
  EXPECT_IR_EQ(simplify(before), expected);

  Stmt dead = IfThenElse::make(GE::make(i, 16), store, Evaluate::make(Expr(0)));
  EXPECT_IR_EQ(simplify(For::make(i, 0, 16, ForKind::Serial, dead)), Block::make({}));
}

TEST_F(SimplifyTest, TrivialLoops) {
  Var buf("B", Handle());
  // Extent 0: gone. Extent 1: the body with the loop variable replaced by the min.
  Stmt store = Store::make(buf, Expr(0.0f), Add::make(Mul::make(i, 8), 3));
  EXPECT_IR_EQ(simplify(For::make(i, 0, 0, ForKind::Serial, store)), Block::make({}));
  EXPECT_IR_EQ(simplify(For::make(i, 2, 1, ForKind::Vectorized, store)),
               Store::make(buf, Expr(0.0f), 19));
  Stmt before =
      For::make(i, 0, 1, ForKind::Serial,
                IfThenElse::make(LT::make(i, 4),
                                 Store::make(buf, Expr(1.0f), Add::make(Mul::make(i, 8), 3))));
  EXPECT_IR_EQ(simplify(before), Store::make(buf, Expr(1.0f), 3));
  // An extent known only from a range.
  Var n("n");
  EXPECT_IR_EQ(simplify(For::make(i, 0, n, ForKind::Serial, store), {{n.get(), range(-3, 0)}}),
               Block::make({}));
}

TEST_F(SimplifyTest, SymbolicLoopMin) {
  Var buf("B", Handle());
  Expr base = Mul::make(o, 16);
  Stmt store = Store::make(buf, Expr(0.0f), Sub::make(i, base));
  Stmt guarded = IfThenElse::make(LT::make(Sub::make(i, base), 16), store);
  Stmt before =
      For::make(o, 0, 4, ForKind::Serial, For::make(i, base, 16, ForKind::Serial, guarded));
  Stmt expected =
      For::make(o, 0, 4, ForKind::Serial, For::make(i, base, 16, ForKind::Serial, store));
  EXPECT_IR_EQ(simplify(before), expected);
}

TEST_F(SimplifyTest, BranchConditionsNarrowRanges) {
  Var buf("B", Handle());
  Stmt inner = IfThenElse::make(LT::make(i, 64), Store::make(buf, Expr(1.0f), i));
  Stmt before =
      For::make(i, 0, 100, ForKind::Serial,
                IfThenElse::make(LT::make(i, 60), inner, Store::make(buf, Expr(2.0f), i)));
  Stmt expected = For::make(i, 0, 100, ForKind::Serial,
                            IfThenElse::make(LT::make(i, 60), Store::make(buf, Expr(1.0f), i),
                                             Store::make(buf, Expr(2.0f), i)));
  EXPECT_IR_EQ(simplify(before), expected);
  // In the else branch i >= 60, so i < 50 is false there.
  Stmt else_guard = IfThenElse::make(LT::make(i, 50), Store::make(buf, Expr(3.0f), i));
  Stmt with_else =
      For::make(i, 0, 100, ForKind::Serial,
                IfThenElse::make(LT::make(i, 60), Store::make(buf, Expr(1.0f), i), else_guard));
  Stmt expected_else =
      For::make(i, 0, 100, ForKind::Serial,
                IfThenElse::make(LT::make(i, 60), Store::make(buf, Expr(1.0f), i)));
  EXPECT_IR_EQ(simplify(with_else), expected_else);
  // Equality pins the variable inside the branch.
  Stmt pinned = IfThenElse::make(EQ::make(x, 3), Store::make(buf, Expr(1.0f), Add::make(x, 1)));
  EXPECT_IR_EQ(simplify(pinned), IfThenElse::make(EQ::make(x, 3), Store::make(buf, Expr(1.0f), 4)));
}

TEST_F(SimplifyTest, RemovesStatementsWithoutEffect) {
  Var buf("B", Handle()), t("t");
  Stmt store = Store::make(buf, Expr(1.0f), x);
  Stmt before =
      Block::make({Evaluate::make(Expr(0)), store,
                   Store::make(buf, Broadcast::make(Expr(1.0f), 4), Ramp::make(x, 1, 4),
                               Broadcast::make(make_bool(false), 4)),
                   Allocate::make(buf, Float(32), 4, MemoryScope::Local, Evaluate::make(Expr(1)))});
  EXPECT_IR_EQ(simplify(before), store);
  // An all-true mask is dropped; an unused let disappears; a then-less branch is inverted.
  Stmt masked = Store::make(buf, Broadcast::make(Expr(1.0f), 4), Ramp::make(x, 1, 4),
                            Broadcast::make(make_bool(true), 4));
  EXPECT_IR_EQ(simplify(masked),
               Store::make(buf, Broadcast::make(Expr(1.0f), 4), Ramp::make(x, 1, 4)));
  EXPECT_IR_EQ(simplify(LetStmt::make(t, Mul::make(x, 2), store)), store);
  Stmt inverted = IfThenElse::make(LT::make(x, y), Evaluate::make(Expr(0)), store);
  EXPECT_IR_EQ(simplify(inverted), IfThenElse::make(GE::make(x, y), store));
}

TEST_F(SimplifyTest, LetStmtRangesReachTheBody) {
  Var buf("B", Handle()), t("t");
  Stmt body = IfThenElse::make(LT::make(t, 8), Store::make(buf, Expr(1.0f), t));
  Stmt before = LetStmt::make(t, Mod::make(x, 8), body);
  EXPECT_IR_EQ(simplify(before),
               LetStmt::make(t, Mod::make(x, 8), Store::make(buf, Expr(1.0f), t)));
}

TEST_F(SimplifyTest, UnchangedStatementKeepsIdentity) {
  Var buf("B", Handle());
  Stmt s = For::make(i, 0, 16, ForKind::Serial,
                     Store::make(buf, Expr(1.0f), Add::make(Mul::make(o, 16), i)));
  EXPECT_TRUE(simplify(s).same_as(s));
}

TEST_F(SimplifyTest, LargeUnrolledNestIsFast) {
  // 64 x 64 stores with constant indices, as unrolling leaves them.
  Var a("A", Handle()), c("C", Handle());
  std::vector<Stmt> stores, expected;
  for (int64_t u = 0; u < 64; ++u) {
    for (int64_t v = 0; v < 64; ++v) {
      Expr index =
          Add::make(Add::make(Mul::make(Add::make(Mul::make(o, 64), Expr(u)), 64), Expr(v)),
                    Sub::make(Mul::make(x, 0), Expr(0)));
      Expr cond = LT::make(Add::make(Expr(u), Mul::make(o, 64)), 256);
      Stmt store = Store::make(c, Load::make(Float(32), a, index), index);
      stores.push_back(IfThenElse::make(cond, store));
      Expr simple = Add::make(Mul::make(o, 4096), Expr(u * 64 + v));
      if (u == 0 && v == 0) simple = Mul::make(o, 4096);
      expected.push_back(Store::make(c, Load::make(Float(32), a, simple), simple));
    }
  }
  Stmt before = For::make(o, 0, 4, ForKind::Parallel, Block::make(stores));
  auto start = std::chrono::steady_clock::now();
  Stmt after = simplify(before);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_IR_EQ(after, For::make(o, 0, 4, ForKind::Parallel, Block::make(expected)));
  EXPECT_LT(seconds, 5.0) << "simplifying 4096 stores took " << seconds << " s";
}

// ---- Randomized value preservation ----

TEST_F(SimplifyTest, RandomExpressionsKeepTheirValuesInRange) {
  std::vector<test::RangedVar> vars = {{x, 0, 7}, {y, -3, 4}, {z, 1, 5}};
  VarIntervals intervals;
  for (const auto &v : vars) intervals[v.var.get()] = range(v.min, v.max);
  test::RandomIntExpr gen(vars, 1234);
  int checked = 0;
  for (int n = 0; n < 3000; ++n) {
    Expr e = gen.expr(4);
    Expr s = simplify(e, intervals);
    ASSERT_EQ(s.type(), e.type());
    test::for_each_point(vars, [&](const test::IntEnv &env) {
      int64_t want = test::evaluate_int(e, env);
      int64_t got = test::evaluate_int(s, env);
      ASSERT_EQ(got, want) << "at x=" << env.at(x.get()) << " y=" << env.at(y.get())
                           << " z=" << env.at(z.get()) << "\n  original:   " << e
                           << "\n  simplified: " << s;
    });
    if (HasFatalFailure()) return;
    ++checked;
  }
  EXPECT_EQ(checked, 3000);
}

TEST_F(SimplifyTest, RandomExpressionsWithoutRanges) {
  // Rules that need no ranges must hold everywhere, including negative values.
  std::vector<test::RangedVar> vars = {{x, -9, 9}, {y, -9, 9}, {z, 1, 3}};
  test::RandomIntExpr gen(vars, 99);
  for (int n = 0; n < 1500; ++n) {
    Expr e = gen.expr(4);
    Expr s = simplify(e, {{z.get(), range(1, 3)}});
    test::for_each_point(vars, [&](const test::IntEnv &env) {
      ASSERT_EQ(test::evaluate_int(s, env), test::evaluate_int(e, env))
          << "original: " << e << "\nsimplified: " << s;
    });
    if (HasFatalFailure()) return;
  }
}

TEST_F(SimplifyTest, RandomProofsAreSound) {
  std::vector<test::RangedVar> vars = {{x, 0, 7}, {y, -3, 4}, {z, 1, 5}};
  VarIntervals intervals;
  for (const auto &v : vars) intervals[v.var.get()] = range(v.min, v.max);
  test::RandomIntExpr gen(vars, 4321);
  int proven = 0;
  for (int n = 0; n < 3000; ++n) {
    Expr cond = gen.condition(3);
    if (!can_prove(cond, intervals)) continue;
    ++proven;
    test::for_each_point(vars, [&](const test::IntEnv &env) {
      ASSERT_TRUE(test::evaluate_int(cond, env)) << "proved but false: " << cond;
    });
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(proven, 50) << "the generator should produce some provable conditions";
}

TEST_F(SimplifyTest, SimplifyIsIdempotentOnRandomExpressions) {
  std::vector<test::RangedVar> vars = {{x, 0, 7}, {y, -3, 4}, {z, 1, 5}};
  VarIntervals intervals;
  for (const auto &v : vars) intervals[v.var.get()] = range(v.min, v.max);
  test::RandomIntExpr gen(vars, 777);
  int stable = 0;
  for (int n = 0; n < 1000; ++n) {
    Expr once = simplify(gen.expr(4), intervals);
    Expr twice = simplify(once, intervals);
    stable += structural_equal(once, twice);
  }
  // Not a hard guarantee of the rules, but nearly every expression should be a fixed point.
  EXPECT_GT(stable, 950);
}

// ---- Randomized statements ----

/// The (index, value) of every store a statement executes, in order.
using StoreTrace = std::vector<std::pair<int64_t, int64_t>>;

/// Runs loops serially, whatever their kind; stores record into the trace.
void run(const Stmt &s, test::IntEnv &env, StoreTrace &trace) {
  if (const For *op = s.as<For>()) {
    int64_t min = test::evaluate_int(op->min, env), extent = test::evaluate_int(op->extent, env);
    for (int64_t v = min; v < min + extent; ++v) {
      env[op->loop_var.get()] = v;
      run(op->body, env, trace);
    }
    env.erase(op->loop_var.get());
  } else if (const IfThenElse *op = s.as<IfThenElse>()) {
    if (test::evaluate_int(op->condition, env)) {
      run(op->then_case, env, trace);
    } else if (op->else_case.defined()) {
      run(op->else_case, env, trace);
    }
  } else if (const Block *op = s.as<Block>()) {
    for (const Stmt &child : op->stmts) run(child, env, trace);
  } else if (const Store *op = s.as<Store>()) {
    trace.emplace_back(test::evaluate_int(op->index, env), test::evaluate_int(op->value, env));
  } else if (const LetStmt *op = s.as<LetStmt>()) {
    env[op->var.get()] = test::evaluate_int(op->value, env);
    run(op->body, env, trace);
    env.erase(op->var.get());
  } else if (const Evaluate *op = s.as<Evaluate>()) {
    test::evaluate_int(op->value, env);
  } else {
    FAIL() << "unexpected statement " << node_kind_name(s.kind());
  }
}

/// Random loop nests over the variables in scope: loops with constant or symbolic mins and small
/// extents (including 0 and 1), branches on comparisons, lets and stores.
class RandomStmt {
 public:
  RandomStmt(Var buffer, uint32_t seed) : buffer_(std::move(buffer)), rng_(seed) {}

  Stmt stmt(int depth, std::vector<test::RangedVar> scope) {
    int choice = depth <= 0 ? 0 : pick(0, 9);
    test::RandomIntExpr gen(scope, rng_());
    if (choice <= 2) return Store::make(buffer_, gen.expr(2), gen.expr(2));
    if (choice <= 5) {
      Var v("v" + std::to_string(++vars_));
      Expr min = pick(0, 2) ? Expr(int64_t(pick(-2, 3)))
                            : Mul::make(scope[pick(0, int(scope.size()) - 1)].var, 4);
      Expr extent = Expr(int64_t(pick(0, 4)));
      ForKind kind = pick(0, 3) ? ForKind::Serial : ForKind::Unrolled;
      // The generated bodies divide only by variables with a positive minimum, so a
      // conservative [0, 0] minimum keeps loop variables out of divisors.
      std::vector<test::RangedVar> inner = scope;
      inner.push_back({v, 0, 0});
      return For::make(v, min, extent, kind, stmt(depth - 1, inner));
    }
    if (choice <= 7) {
      Stmt then_case = stmt(depth - 1, scope);
      Stmt else_case = pick(0, 1) ? stmt(depth - 1, scope) : Stmt();
      return IfThenElse::make(gen.condition(1), then_case, else_case);
    }
    if (choice == 8) return Block::make({stmt(depth - 1, scope), stmt(depth - 1, scope)});
    Var t("l" + std::to_string(++vars_));
    std::vector<test::RangedVar> inner = scope;
    inner.push_back({t, 0, 0});
    return LetStmt::make(t, gen.expr(2), stmt(depth - 1, inner));
  }

 private:
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  Var buffer_;
  std::mt19937 rng_;
  int vars_ = 0;
};

TEST_F(SimplifyTest, RandomStatementsKeepTheirStores) {
  Var buf("B", Handle());
  std::vector<test::RangedVar> params = {{x, 0, 3}, {z, 1, 3}};
  VarIntervals intervals = {{x.get(), range(0, 3)}, {z.get(), range(1, 3)}};
  RandomStmt gen(buf, 31337);
  int nonempty = 0;
  for (int n = 0; n < 1500; ++n) {
    Stmt before = gen.stmt(4, params);
    Stmt after = simplify(before, intervals);
    test::for_each_point(params, [&](const test::IntEnv &point) {
      test::IntEnv env = point;
      StoreTrace want, got;
      run(before, env, want);
      run(after, env, got);
      nonempty += !want.empty();
      ASSERT_EQ(got, want) << "before:\n" << before << "after:\n" << after;
    });
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(nonempty, 1000);
}

}  // namespace
}  // namespace autotune::ir

// Substitution of variables and the variable-use queries.
#include <gtest/gtest.h>

#include "ir/core/IROperators.h"
#include "ir/core/Substitute.h"
#include "tests/common/IRTestUtil.h"

namespace autotune::ir {
namespace {

TEST(Substitute, ReplacesEveryOccurrence) {
  Var x("x"), y("y"), z("z");
  Expr e = Add::make(Mul::make(x, 8), Sub::make(x, y));
  Expr replaced = substitute(e, {{x.get(), Add::make(z, 1)}});
  EXPECT_IR_EQ(replaced, Add::make(Mul::make(Add::make(z, 1), 8), Sub::make(Add::make(z, 1), y)));
  EXPECT_IR_EQ(substitute(e, x, Expr(2)), Add::make(Mul::make(Expr(2), 8), Sub::make(Expr(2), y)));
}

TEST(Substitute, SimultaneousNotSequential) {
  // Replacements are not substituted into: swapping x and y works.
  Var x("x"), y("y");
  Expr swapped = substitute(Sub::make(x, y), {{x.get(), y}, {y.get(), x}});
  EXPECT_IR_EQ(swapped, Sub::make(y, x));
}

TEST(Substitute, UnchangedInputKeepsIdentity) {
  Var x("x"), y("y");
  Expr e = Add::make(x, 1);
  EXPECT_TRUE(substitute(e, y, Expr(3)).same_as(e));
  Stmt s = Evaluate::make(e);
  EXPECT_TRUE(substitute(s, y, Expr(3)).same_as(s));
  // Untouched siblings are shared.
  Expr both = Add::make(e, y);
  Expr out = substitute(both, y, Expr(3));
  ASSERT_TRUE(out.as<Add>());
  EXPECT_TRUE(out.as<Add>()->a.same_as(e));
}

TEST(Substitute, InsideStatements) {
  Var buf("B", Handle()), i("i"), n("n");
  Stmt loop = For::make(i, 0, n, ForKind::Serial,
                        Store::make(buf, Cast::make(Float(32), n), Add::make(i, n)));
  Stmt expected = For::make(i, 0, 16, ForKind::Serial,
                            Store::make(buf, Cast::make(Float(32), Expr(16)), Add::make(i, 16)));
  EXPECT_IR_EQ(substitute(loop, n, Expr(16)), expected);
}

TEST(Substitute, BindersShadowTheirVariable) {
  Var x("x"), y("y");
  // let x = x + 1 in x*2: the value sees the outer x, the body the bound one.
  Expr let = Let::make(x, Add::make(x, 1), Mul::make(x, 2));
  EXPECT_IR_EQ(substitute(let, x, Expr(y)), Let::make(x, Add::make(y, 1), Mul::make(x, 2)));

  Var buf("B", Handle()), i("i");
  Stmt loop = For::make(i, i, 4, ForKind::Serial, Store::make(buf, Expr(0.0f), i));
  Stmt expected = For::make(i, Expr(7), 4, ForKind::Serial, Store::make(buf, Expr(0.0f), i));
  EXPECT_IR_EQ(substitute(loop, i, Expr(7)), expected);
}

TEST(Substitute, BufferVariables) {
  Var a("A", Handle()), b("B", Handle()), i("i");
  Stmt copy = Store::make(a, Load::make(Float(32), a, i), i);
  Stmt expected = Store::make(b, Load::make(Float(32), b, i), i);
  EXPECT_IR_EQ(substitute(copy, a, Expr(b)), expected);
}

TEST(Substitute, ReduceAxesShadow) {
  Var k("k"), x("x");
  IterVar kv(Range::from_min_extent(0, 4), k, IterVarKind::Reduce);
  Expr sum = Reduce::make(ReduceKind::Sum, Add::make(k, x), {kv}, Expr());
  Expr replaced = substitute(sum, {{k.get(), Expr(1)}, {x.get(), Expr(2)}});
  const Reduce *r = replaced.as<Reduce>();
  ASSERT_TRUE(r);
  EXPECT_IR_EQ(r->source, Add::make(k, Expr(2)));
}

TEST(Substitute, UsesVar) {
  Var x("x"), y("y"), z("z"), buf("B", Handle()), i("i");
  Expr e = Add::make(x, Mul::make(y, 2));
  EXPECT_TRUE(uses_var(e, x.get()));
  EXPECT_TRUE(uses_var(e, y.get()));
  EXPECT_FALSE(uses_var(e, z.get()));
  EXPECT_TRUE(uses_any_var(e, {z.get(), y.get()}));
  EXPECT_FALSE(uses_any_var(e, {z.get()}));
  EXPECT_FALSE(uses_any_var(e, {}));

  Stmt s = For::make(i, 0, 4, ForKind::Serial, Store::make(buf, Load::make(Float(32), buf, x), i));
  EXPECT_TRUE(uses_var(s, x.get()));
  EXPECT_TRUE(uses_var(s, buf.get()));
  EXPECT_TRUE(uses_var(s, i.get()));
  EXPECT_FALSE(uses_var(s, y.get()));
  // A loop that never reads its variable does not use it.
  Stmt unused = For::make(i, 0, 4, ForKind::Serial, Evaluate::make(x));
  EXPECT_FALSE(uses_var(unused, i.get()));
}

}  // namespace
}  // namespace autotune::ir

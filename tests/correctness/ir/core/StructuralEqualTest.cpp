// Structural equality up to renaming of bound variables, and the consistency of the hash.
#include <gtest/gtest.h>

#include "ir/core/IROperators.h"
#include "ir/core/StructuralEqual.h"
#include "tests/common/IRTestUtil.h"

namespace autotune::ir {
namespace {

Stmt fill_loop(const Var &buffer, const Var &i, Expr value) {
  return For::make(i, 0, 16, ForKind::Serial, Store::make(buffer, std::move(value), i));
}

TEST(StructuralEqual, EqualStructureOfDistinctNodes) {
  Var x("x"), y("y");
  Expr a = Add::make(Mul::make(x, 8), y), b = Add::make(Mul::make(x, 8), y);
  EXPECT_FALSE(a.same_as(b));
  EXPECT_TRUE(structural_equal(a, b));
  EXPECT_EQ(structural_hash(a), structural_hash(b));
  EXPECT_IR_EQ(a, b);
}

TEST(StructuralEqual, DifferencesInKindTypeAndFields) {
  Var x("x");
  EXPECT_FALSE(structural_equal(Add::make(x, 1), Sub::make(x, 1)));
  EXPECT_FALSE(structural_equal(Add::make(x, 1), Add::make(x, 2)));
  EXPECT_FALSE(structural_equal(Add::make(x, 1), Add::make(1, x)));
  EXPECT_FALSE(structural_equal(IntImm::make(Int(32), 1), IntImm::make(Int(64), 1)));
  EXPECT_FALSE(structural_equal(Expr(1.0f), FloatImm::make(Float(64), 1.0)));
  EXPECT_FALSE(structural_equal(Ramp::make(x, 1, 4), Ramp::make(x, 1, 8)));
  EXPECT_FALSE(structural_equal(Broadcast::make(x, 4), Broadcast::make(x, 8)));
  EXPECT_FALSE(structural_equal(Cast::make(Int(32), x), Cast::make(Int(16), x)));
  EXPECT_FALSE(structural_equal(exp(Cast::make(Float(32), x)), log(Cast::make(Float(32), x))));
  EXPECT_FALSE(structural_equal(Expr(0.0f), Expr(-0.0f)));
  EXPECT_TRUE(structural_equal(Expr(), Expr()));
  EXPECT_FALSE(structural_equal(Expr(), Expr(x)));
}

TEST(StructuralEqual, FreeVariablesCompareByIdentity) {
  Var x("x"), other_x("x");
  EXPECT_TRUE(structural_equal(x, x));
  EXPECT_FALSE(structural_equal(x, other_x));
  EXPECT_FALSE(structural_equal(Add::make(x, 1), Add::make(other_x, 1)));
  // Free variables hash by name and type, so equal names collide but the hash is stable.
  EXPECT_EQ(structural_hash(x), structural_hash(other_x));
  EXPECT_NE(structural_hash(x), structural_hash(Var("y")));
  EXPECT_NE(structural_hash(x), structural_hash(Var("x", Int(32))));
}

TEST(StructuralEqual, LoopVariablesAreAlphaEquivalent) {
  Var buf("B", Handle()), i("i"), j("j");
  Stmt a = fill_loop(buf, i, Cast::make(Float(32), i));
  Stmt b = fill_loop(buf, j, Cast::make(Float(32), j));
  EXPECT_IR_EQ(a, b);
  EXPECT_EQ(structural_hash(a), structural_hash(b));

  // Different extents, kinds or thread tags are different loops.
  Stmt serial = For::make(i, 0, 16, ForKind::Serial, Evaluate::make(i));
  EXPECT_FALSE(structural_equal(serial, For::make(j, 0, 8, ForKind::Serial, Evaluate::make(j))));
  EXPECT_FALSE(structural_equal(serial, For::make(j, 0, 16, ForKind::Parallel, Evaluate::make(j))));
}

TEST(StructuralEqual, BoundVariableNeverMatchesAFreeOne) {
  Var buf("B", Handle()), i("i"), j("j");
  // for i: B[i] = i   vs   for j: B[j] = i (i free on the right).
  Stmt a = fill_loop(buf, i, Cast::make(Float(32), i));
  Stmt b = fill_loop(buf, j, Cast::make(Float(32), i));
  EXPECT_FALSE(structural_equal(a, b));
  EXPECT_FALSE(structural_equal(b, a));
  // A subtree shared by both sides still compares under the renaming.
  Expr shared = Cast::make(Float(32), i);
  EXPECT_FALSE(structural_equal(fill_loop(buf, i, shared), fill_loop(buf, j, shared)));
}

TEST(StructuralEqual, NestedAndSwappedBinders) {
  Var buf("B", Handle()), i("i"), j("j"), u("u"), v("v");
  auto nest = [&](const Var &outer, const Var &inner, Expr index) {
    return For::make(
        outer, 0, 4, ForKind::Serial,
        For::make(inner, 0, 4, ForKind::Serial, Store::make(buf, Expr(1.0f), std::move(index))));
  };
  Stmt a = nest(i, j, Add::make(Mul::make(i, 4), j));
  EXPECT_IR_EQ(a, nest(u, v, Add::make(Mul::make(u, 4), v)));
  // Swapping which loop drives which index changes the meaning.
  EXPECT_FALSE(structural_equal(a, nest(u, v, Add::make(Mul::make(v, 4), u))));
  EXPECT_NE(structural_hash(a), structural_hash(nest(u, v, Add::make(Mul::make(v, 4), u))));
}

TEST(StructuralEqual, LetAllocateAndReduceBinders) {
  Var x("x"), y("y");
  EXPECT_IR_EQ(Let::make(x, 3, Add::make(x, 1)), Let::make(y, 3, Add::make(y, 1)));
  EXPECT_FALSE(structural_equal(Let::make(x, 3, x), Let::make(y, 3, x)));

  Var a("A", Handle()), b("B", Handle()), i("i");
  Stmt sa = Allocate::make(a, Float(32), 8, MemoryScope::Local, Store::make(a, Expr(0.0f), i));
  Stmt sb = Allocate::make(b, Float(32), 8, MemoryScope::Local, Store::make(b, Expr(0.0f), i));
  EXPECT_IR_EQ(sa, sb);
  EXPECT_EQ(structural_hash(sa), structural_hash(sb));
  Stmt other_scope =
      Allocate::make(b, Float(32), 8, MemoryScope::Global, Store::make(b, Expr(0.0f), i));
  EXPECT_FALSE(structural_equal(sa, other_scope));

  Var k("k"), l("l");
  IterVar kv(Range::from_min_extent(0, 8), k, IterVarKind::Reduce);
  IterVar lv(Range::from_min_extent(0, 8), l, IterVarKind::Reduce);
  IterVar longer(Range::from_min_extent(0, 9), l, IterVarKind::Reduce);
  Expr ra = Reduce::make(ReduceKind::Sum, Cast::make(Float(32), k), {kv}, Expr());
  Expr rb = Reduce::make(ReduceKind::Sum, Cast::make(Float(32), l), {lv}, Expr());
  EXPECT_IR_EQ(ra, rb);
  EXPECT_EQ(structural_hash(ra), structural_hash(rb));
  EXPECT_FALSE(structural_equal(
      ra, Reduce::make(ReduceKind::Sum, Cast::make(Float(32), l), {longer}, Expr())));
  EXPECT_FALSE(
      structural_equal(ra, Reduce::make(ReduceKind::Max, Cast::make(Float(32), l), {lv}, Expr())));
}

TEST(StructuralEqual, TensorProducersCompareByIdentity) {
  auto make = [](const char *name) {
    auto *p = new DataProducerNode;
    p->name = name;
    p->shape = {4};
    p->dtype = Float(32);
    return DataProducer(p);
  };
  DataProducer a = make("A"), a_again = make("A");
  Var i("i");
  EXPECT_IR_EQ(TensorRead::make(a, {i}), TensorRead::make(a, {i}));
  EXPECT_FALSE(structural_equal(TensorRead::make(a, {i}), TensorRead::make(a_again, {i})));
  EXPECT_EQ(structural_hash(TensorRead::make(a, {i})),
            structural_hash(TensorRead::make(a_again, {i})));
}

TEST(StructuralEqual, BlocksAndBranches) {
  Var x("x");
  Stmt s1 = Evaluate::make(x), s2 = Evaluate::make(Add::make(x, 1));
  EXPECT_IR_EQ(Block::make({s1, s2}), Block::make({Evaluate::make(x), s2}));
  EXPECT_FALSE(structural_equal(Block::make({s1, s2}), Block::make({s2, s1})));
  EXPECT_FALSE(structural_equal(IfThenElse::make(LT::make(x, 1), s1),
                                IfThenElse::make(LT::make(x, 1), s1, s2)));
  EXPECT_TRUE(structural_equal(Stmt(), Stmt()));
}

TEST(StructuralEqual, HashIsStableAcrossRuns) {
  // Fixed structure and names must hash the same in every process (workload keys persist).
  Var x("x"), y("y");
  Expr e = Add::make(Mul::make(x, 8), y);
  EXPECT_EQ(structural_hash(e), structural_hash(Add::make(Mul::make(Var("x"), 8), Var("y"))));
  EXPECT_NE(structural_hash(e), structural_hash(Add::make(Mul::make(x, 8), x)));
  EXPECT_NE(structural_hash(Expr(1)), structural_hash(Expr(2)));
}

}  // namespace
}  // namespace autotune::ir

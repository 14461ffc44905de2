// Before/expected tests of the lowering passes: unrolling, vectorization, storage flattening
// and loop-nest construction (init placement, guards, compute_at regions).
#include "ir/core/IROperators.h"
#include "ir/lower/BuildLoopNest.h"
#include "ir/lower/FlattenStorage.h"
#include "ir/lower/Simplify.h"
#include "ir/lower/UnrollLoops.h"
#include "ir/lower/VectorizeLoops.h"
#include "ir/te/Schedule.h"
#include "tests/common/IRTestUtil.h"
#include "tests/common/TestUtil.h"

namespace autotune::lower {
namespace {

using namespace ir;

TEST(UnrollLoops, CopiesBodyWithLoopValue) {
  Var buf("A", Handle()), i("i");
  Stmt before = For::make(i, Expr(2), Expr(3), ForKind::Unrolled,
                          Store::make(buf, Expr(1.0f), i * Expr(4)));
  Stmt expected = Block::make({Store::make(buf, Expr(1.0f), Expr(2) * Expr(4)),
                               Store::make(buf, Expr(1.0f), (Expr(2) + Expr(1)) * Expr(4)),
                               Store::make(buf, Expr(1.0f), (Expr(2) + Expr(2)) * Expr(4))});
  EXPECT_IR_EQ(simplify(unroll_loops(before)), simplify(expected));
}

TEST(UnrollLoops, LeavesOtherLoopsAlone) {
  Var buf("A", Handle()), i("i");
  Stmt before = For::make(i, Expr(0), Expr(8), ForKind::Serial, Store::make(buf, Expr(1.0f), i));
  EXPECT_TRUE(unroll_loops(before).same_as(before));
}

TEST(VectorizeLoops, WidensLoadsStoresAndScalars) {
  Var a("A", Handle()), c("C", Handle()), x("x"), b("b", Float(32));
  Stmt before = For::make(x, Expr(0), Expr(8), ForKind::Vectorized,
                          Store::make(c, Load::make(Float(32), a, x) + b, x));
  Expr ramp = Ramp::make(Expr(0), Expr(1), 8);
  Stmt expected =
      Store::make(c, Add::make(Load::make(Float(32), a, ramp), Broadcast::make(b, 8)), ramp);
  EXPECT_IR_EQ(vectorize_loops(before), expected);
}

TEST(VectorizeLoops, LaneGuardBecomesPredicate) {
  Var a("A", Handle()), c("C", Handle()), x("x");
  Stmt before = For::make(
      x, Expr(0), Expr(4), ForKind::Vectorized,
      IfThenElse::make(x < Expr(3), Store::make(c, Load::make(Float(32), a, x), x)));
  Expr ramp = Ramp::make(Expr(0), Expr(1), 4);
  Expr mask = LT::make(ramp, Broadcast::make(Expr(3), 4));
  Stmt expected = Store::make(c, Load::make(Float(32), a, ramp, mask), ramp, mask);
  EXPECT_IR_EQ(vectorize_loops(before), expected);
}

TEST(VectorizeLoops, AllocationInsideStaysScalarWithWarning) {
  Var t("T", Handle()), c("C", Handle()), x("x");
  Stmt body = Allocate::make(t, Float(32), 1, MemoryScope::Local,
                             Store::make(c, Expr(0.0f), x));
  Stmt before = For::make(x, Expr(0), Expr(4), ForKind::Vectorized, body);
  int warnings = warning_count();
  Stmt after = vectorize_loops(before);
  EXPECT_EQ(warning_count(), warnings + 1);
  const For *f = after.as<For>();
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->kind, ForKind::Serial);
}

TEST(FlattenStorage, RowMajorIndicesAndArgs) {
  te::Tensor A = te::placeholder({3, 5}, Float(32), "A");
  te::Tensor B = te::compute({3, 5}, [&](Var i, Var j) { return A(i, j); }, "B");
  Var i("i"), j("j");
  Stmt before = Provide::make(B, A(i, j), {i, j});
  std::vector<KernelArg> args;
  Stmt after = flatten_storage(before, {A, B}, &args);
  ASSERT_EQ(args.size(), 2u);
  EXPECT_EQ(args[0].shape, (std::vector<int64_t>{3, 5}));
  Stmt expected = Store::make(args[1].buffer, Load::make(Float(32), args[0].buffer, i * Expr(5) + j),
                              i * Expr(5) + j);
  EXPECT_IR_EQ(simplify(after), simplify(expected));
}

TEST(FlattenStorage, RealizeRegionIsRelativeToItsMin) {
  te::Tensor A = te::placeholder({8}, Float(32), "A");
  te::Tensor T = te::compute({8}, [&](Var i) { return A(i); }, "T");
  Var o("o"), i("i");
  Stmt before = Realize::make(T, {Range(o * Expr(4), Expr(4))}, MemoryScope::Local,
                              Provide::make(T, Expr(1.0f), {o * Expr(4) + i}));
  std::vector<KernelArg> args;
  Stmt after = simplify(flatten_storage(before, {A}, &args));
  const Allocate *alloc = after.as<Allocate>();
  ASSERT_NE(alloc, nullptr);
  EXPECT_EQ(alloc->extent, 4);
  EXPECT_EQ(alloc->scope, MemoryScope::Local);
  EXPECT_IR_EQ(alloc->body, Store::make(alloc->buffer, Expr(1.0f), i));
}

/// Finds the first node of kind T in s (pre-order).
template <typename T>
const T *find_first(const Stmt &s) {
  if (const T *t = s.as<T>()) return t;
  if (const For *f = s.as<For>()) return find_first<T>(f->body);
  if (const Realize *r = s.as<Realize>()) return find_first<T>(r->body);
  if (const IfThenElse *c = s.as<IfThenElse>()) return find_first<T>(c->then_case);
  if (const Block *b = s.as<Block>()) {
    for (const Stmt &x : b->stmts) {
      if (const T *t = find_first<T>(x)) return t;
    }
  }
  return nullptr;
}

TEST(BuildLoopNest, ReductionInitSitsOutsideTheReductionLoop) {
  te::Tensor A = te::placeholder({4, 6}, Float(32), "A");
  IterVar k = te::reduce_axis(6, "k");
  te::Tensor S = te::compute({4}, [&](Var i) { return te::sum(A(i, k), {k}); }, "S");
  te::Schedule sch = te::create_schedule({S});
  Stmt nest = build_loop_nest(sch);
  // for (i) { S(i) = 0; for (k) { S(i) = S(i) + A(i, k) } }
  const For *outer = nest.as<For>();
  ASSERT_NE(outer, nullptr);
  const Block *body = outer->body.as<Block>();
  ASSERT_NE(body, nullptr);
  ASSERT_EQ(body->stmts.size(), 2u);
  const Provide *init = body->stmts[0].as<Provide>();
  ASSERT_NE(init, nullptr);
  EXPECT_IR_EQ(init->value, Expr(0.0f));
  const For *kloop = body->stmts[1].as<For>();
  ASSERT_NE(kloop, nullptr);
  EXPECT_EQ(kloop->loop_var.name(), "k");
}

TEST(BuildLoopNest, NonDivisibleSplitGetsGuard) {
  te::Tensor A = te::placeholder({10}, Float(32), "A");
  te::Tensor B = te::compute({10}, [&](Var i) { return A(i) * 2.0f; }, "B");
  te::Schedule sch = te::create_schedule({B});
  auto [o, i] = sch[B].split(B.axis()[0], 4);
  Stmt nest = build_loop_nest(sch);
  const IfThenElse *guard = find_first<IfThenElse>(nest);
  ASSERT_NE(guard, nullptr);
  EXPECT_IR_EQ(guard->condition, o.var() * Expr(4) + i.var() < Expr(10));
  // A divisible split needs none.
  te::Schedule sch2 = te::create_schedule({B});
  sch2[B].split(B.axis()[0], 5);
  EXPECT_EQ(find_first<IfThenElse>(build_loop_nest(sch2)), nullptr);
}

TEST(BuildLoopNest, ComputeAtRealizesOnlyTheNeededRegion) {
  te::Tensor A = te::placeholder({16, 16}, Float(32), "A");
  te::Tensor T = te::compute({16, 16}, [&](Var i, Var j) { return A(i, j) + 1.0f; }, "T");
  te::Tensor C = te::compute({16, 14}, [&](Var i, Var j) { return T(i, j) + T(i, j + 2); }, "C");
  te::Schedule sch = te::create_schedule({C});
  auto [io, ii] = sch[C].split(C.axis()[0], 4);
  sch[T].compute_at(sch[C], io);
  Stmt nest = build_loop_nest(sch);
  const Realize *r = find_first<Realize>(nest);
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->bounds.size(), 2u);
  // Rows: the 4 rows of this tile; columns: j + {0, 2} over j in [0, 13] -> [0, 15].
  EXPECT_IR_EQ(simplify(r->bounds[0].min), simplify(io.var() * Expr(4)));
  EXPECT_IR_EQ(r->bounds[0].extent, Expr(4));
  EXPECT_IR_EQ(simplify(r->bounds[1].min), Expr(0));
  EXPECT_IR_EQ(r->bounds[1].extent, Expr(16));
}

}  // namespace
}  // namespace autotune::lower

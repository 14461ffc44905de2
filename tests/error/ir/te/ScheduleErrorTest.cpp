// Schedule misuse is reported as a UserError naming the stage and axis.
#include "ir/lower/Lower.h"
#include "ir/te/Schedule.h"
#include "tests/common/TestUtil.h"

namespace autotune::te {
namespace {

struct Matmul {
  Tensor A = placeholder({16, 8}, ir::Float(32), "A");
  Tensor B = placeholder({8, 12}, ir::Float(32), "B");
  IterVar k = reduce_axis(8, "k");
  Tensor C = compute(
      {16, 12}, [&](Var i, Var j) { return sum(A(i, k) * B(k, j), {k}); }, "C");
  Schedule sch = create_schedule({C});
  Stage s = sch[C];
};

TEST(ScheduleError, SplitByZero) {
  Matmul m;
  EXPECT_USER_ERROR(m.s.split(m.C.axis()[0], 0), "factor must be positive");
}

TEST(ScheduleError, SplitByNegativeNamesAxis) {
  Matmul m;
  EXPECT_USER_ERROR(m.s.split(m.C.axis()[1], -3), "split of axis 'j' in 'C'");
}

TEST(ScheduleError, SplitOfAxisAlreadySplit) {
  Matmul m;
  m.s.split(m.C.axis()[0], 4);
  EXPECT_USER_ERROR(m.s.split(m.C.axis()[0], 2), "was already split or fused");
}

TEST(ScheduleError, ReorderAxisTwice) {
  Matmul m;
  EXPECT_USER_ERROR(m.s.reorder({m.C.axis()[0], m.k, m.C.axis()[0]}), "appears twice");
}

TEST(ScheduleError, ReorderForeignAxis) {
  Matmul m;
  Matmul other;
  EXPECT_USER_ERROR(m.s.reorder({other.C.axis()[0], m.k}), "is not a loop of this stage");
}

TEST(ScheduleError, VectorizeReductionAxis) {
  Matmul m;
  EXPECT_USER_ERROR(m.s.vectorize(m.k), "cannot vectorize a reduction axis");
}

TEST(ScheduleError, VectorizeTooWide) {
  Tensor A = placeholder({1000}, ir::Float(32), "A");
  Tensor B = compute({1000}, [&](Var i) { return A(i) * 2.0f; }, "B");
  Schedule sch = create_schedule({B});
  sch[B].vectorize(B.axis()[0]);
  EXPECT_USER_ERROR(lower::lower(sch, {A, B}, "k"), "exceeds the maximum of 64 lanes");
}

TEST(ScheduleError, ParallelReductionAxis) {
  Matmul m;
  EXPECT_USER_ERROR(m.s.parallel(m.k), "cannot parallelize a reduction axis");
}

TEST(ScheduleError, ConflictingAnnotations) {
  Matmul m;
  m.s.parallel(m.C.axis()[0]);
  EXPECT_USER_ERROR(m.s.unroll(m.C.axis()[0]), "already marked parallel");
}

TEST(ScheduleError, FuseNonAdjacent) {
  Matmul m;
  EXPECT_USER_ERROR(m.s.fuse(m.C.axis()[0], m.k), "must be adjacent");
}

TEST(ScheduleError, FuseSpatialWithReduction) {
  Matmul m;
  m.s.reorder({m.C.axis()[0], m.k, m.C.axis()[1]});
  EXPECT_USER_ERROR(m.s.fuse(m.C.axis()[0], m.k), "cannot fuse a reduction axis");
}

TEST(ScheduleError, ComputeAtAxisOfAnotherStage) {
  Tensor A = placeholder({16}, ir::Float(32), "A");
  Tensor B = compute({16}, [&](Var i) { return A(i) + 1.0f; }, "B");
  Tensor C = compute({16}, [&](Var i) { return B(i) * 2.0f; }, "C");
  Schedule sch = create_schedule({C});
  EXPECT_USER_ERROR(sch[B].compute_at(sch[C], B.axis()[0]), "is not a loop of stage 'C'");
}

TEST(ScheduleError, ComputeAtIntoNonConsumer) {
  Tensor A = placeholder({16}, ir::Float(32), "A");
  Tensor B = compute({16}, [&](Var i) { return A(i) + 1.0f; }, "B");
  Tensor D = compute({16}, [&](Var i) { return A(i) - 1.0f; }, "D");
  Tensor C = compute({16}, [&](Var i) { return B(i) * D(i); }, "C");
  Schedule sch = create_schedule({C});
  sch[B].compute_at(sch[D], D.axis()[0]);
  EXPECT_USER_ERROR(lower::lower(sch, {A, C}, "k"), "which does not read it");
}

TEST(ScheduleError, ComputeInlineReduction) {
  Matmul m;
  Tensor D = compute({16, 12}, [&](Var i, Var j) { return m.C(i, j) + 1.0f; }, "D");
  Schedule sch = create_schedule({D});
  EXPECT_USER_ERROR(sch[m.C].compute_inline(), "a reduction cannot be inlined");
}

TEST(ScheduleError, ComputeInlineOutput) {
  Matmul m;
  EXPECT_USER_ERROR(m.s.compute_inline(), "an output of the kernel cannot be inlined");
}

TEST(ScheduleError, UnknownScope) {
  Matmul m;
  EXPECT_USER_ERROR(m.sch.cache_write(m.C, "registers"), "unknown memory scope 'registers'");
}

TEST(ScheduleError, CacheWriteAfterSplit) {
  Matmul m;
  m.s.split(m.C.axis()[0], 4);
  EXPECT_USER_ERROR(m.sch.cache_write(m.C, "local"), "call it before splitting");
}

TEST(ScheduleError, BindUnknownThreadTag) {
  Matmul m;
  EXPECT_USER_ERROR(m.s.bind(m.C.axis()[0], "warpIdx.x"), "unknown thread tag 'warpIdx.x'");
}

TEST(ScheduleError, PlaceholderHasNoStage) {
  Matmul m;
  EXPECT_USER_ERROR(m.sch[m.A], "is a placeholder");
}

TEST(ScheduleError, MissingKernelArgument) {
  Matmul m;
  EXPECT_USER_ERROR(lower::lower(m.sch, {m.A, m.C}, "k"), "tensor 'B' is used by the kernel");
}

TEST(ScheduleError, OutputNotAnArgument) {
  Matmul m;
  EXPECT_USER_ERROR(lower::lower(m.sch, {m.A, m.B}, "k"), "output 'C' is not among");
}

TEST(ScheduleError, IndexCountMismatch) {
  Tensor A = placeholder({4, 4}, ir::Float(32), "A");
  EXPECT_USER_ERROR(A(Expr(1)), "has 2 dimensions but is indexed with 1");
}

TEST(ScheduleError, UnrollSingleIterationWarns) {
  Tensor A = placeholder({1, 8}, ir::Float(32), "A");
  Tensor B = compute({1, 8}, [&](Var i, Var j) { return A(i, j); }, "B");
  Schedule sch = create_schedule({B});
  int before = warning_count();
  sch[B].unroll(B.axis()[0]);
  EXPECT_EQ(warning_count(), before + 1);
}

}  // namespace
}  // namespace autotune::te

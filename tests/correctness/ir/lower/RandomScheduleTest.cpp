// Random schedules (splits, reorders, unroll/vectorize/parallel, cache_write + compute_at,
// inlining) of matmul and conv2d must compute what naive C++ loops compute.
#include <algorithm>
#include <random>

#include "ir/te/Schedule.h"
#include "tests/common/KernelRunner.h"
#include "tests/common/TestUtil.h"

namespace autotune::te {
namespace {

using ir::Float;

/// Applies random loop transformations to one stage; returns nothing, mutates the stage.
void randomize_stage(Stage s, std::mt19937 &rng, bool allow_parallel) {
  auto pick = [&](int n) { return static_cast<int>(rng() % n); };
  std::vector<IterVar> leaves = s.leaf_iter_vars();
  // Split each axis with probability 1/2 by a random factor (divisible or not).
  for (const IterVar &iv : leaves) {
    if (pick(2) == 0) continue;
    int64_t extent = *ir::as_const_int(iv.dom().extent);
    int64_t factor = 1 + pick(static_cast<int>(std::min<int64_t>(extent, 9)));
    if (pick(3) == 0) s.split_nparts(iv, factor); else s.split(iv, factor);
  }
  // Random permutation of the loops.
  std::vector<IterVar> order = s.leaf_iter_vars();
  std::shuffle(order.begin(), order.end(), rng);
  s.reorder(order);
  // Maybe fuse the two outermost loops when they are of the same kind.
  order = s.leaf_iter_vars();
  if (order.size() >= 2 && order[0].kind() == order[1].kind() && pick(3) == 0) {
    s.fuse(order[0], order[1]);
  }
  order = s.leaf_iter_vars();
  // Annotations: innermost spatial loop vectorized, small loops unrolled, outer parallel.
  const IterVar &last = order.back();
  if (last.kind() == ir::IterVarKind::DataPar && pick(2) == 0 &&
      *ir::as_const_int(last.dom().extent) <= 64) {
    s.vectorize(last);
  }
  for (size_t i = 0; i + 1 < order.size(); ++i) {
    if (pick(4) == 0) s.unroll(order[i]);
  }
  if (allow_parallel && order[0].kind() == ir::IterVarKind::DataPar && pick(2) == 0 &&
      s->annotations.count(order[0].get()) == 0) {
    s.parallel(order[0]);
  }
}

std::vector<float> matmul_reference(const std::vector<float> &A, const std::vector<float> &B,
                                    int M, int N, int K) {
  std::vector<float> C(M * N, 0.0f);
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      double acc = 0;
      for (int k = 0; k < K; ++k) acc += double(A[i * K + k]) * B[k * N + j];
      C[i * N + j] = static_cast<float>(acc);
    }
  return C;
}

class RandomMatmulSchedule : public ::testing::TestWithParam<int> {};

TEST_P(RandomMatmulSchedule, MatchesReference) {
  std::mt19937 rng(1000 + GetParam());
  int M = 1 + rng() % 40, N = 1 + rng() % 40, K = 1 + rng() % 30;
  Tensor A = placeholder({M, K}, Float(32), "A");
  Tensor B = placeholder({K, N}, Float(32), "B");
  IterVar k = reduce_axis(K, "k");
  Tensor C = compute({M, N}, [&](Var i, Var j) { return sum(A(i, k) * B(k, j), {k}); }, "C");
  Schedule sch = create_schedule({C});
  bool cached = rng() % 2 == 0;
  if (cached) {
    Tensor CL = sch.cache_write(C, "local");
    randomize_stage(sch[C], rng, true);
    randomize_stage(sch[CL], rng, false);
    const auto &leaves = sch[C].leaf_iter_vars();
    sch[CL].compute_at(sch[C], leaves[rng() % leaves.size()]);
  } else {
    randomize_stage(sch[C], rng, true);
  }
  std::vector<std::vector<float>> data = {test::random_floats(M * K, 1), test::random_floats(K * N, 2),
                                          std::vector<float>(M * N, -7.0f)};
  test::run_on_host(sch, {A, B, C}, data, 1 + GetParam() % 2);
  EXPECT_TRUE(test::all_close(data[2], matmul_reference(data[0], data[1], M, N, K)))
      << "M=" << M << " N=" << N << " K=" << K << " cached=" << cached;
}

INSTANTIATE_TEST_SUITE_P(Seeds, RandomMatmulSchedule, ::testing::Range(0, 40));

std::vector<float> conv_reference(const std::vector<float> &x, const std::vector<float> &w, int C,
                                  int H, int W, int K, int R, int S, int stride, int pad, int OH,
                                  int OW) {
  std::vector<float> y(K * OH * OW, 0.0f);
  for (int k = 0; k < K; ++k)
    for (int oh = 0; oh < OH; ++oh)
      for (int ow = 0; ow < OW; ++ow) {
        double acc = 0;
        for (int c = 0; c < C; ++c)
          for (int r = 0; r < R; ++r)
            for (int s = 0; s < S; ++s) {
              int ih = oh * stride + r - pad, iw = ow * stride + s - pad;
              if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
              acc += double(x[(c * H + ih) * W + iw]) * w[((k * C + c) * R + r) * S + s];
            }
        y[(k * OH + oh) * OW + ow] = static_cast<float>(acc);
      }
  return y;
}

class RandomConvSchedule : public ::testing::TestWithParam<int> {};

TEST_P(RandomConvSchedule, MatchesReference) {
  std::mt19937 rng(5000 + GetParam());
  int C = 1 + rng() % 6, H = 3 + rng() % 10, W = 3 + rng() % 10, K = 1 + rng() % 9;
  int R = 1 + rng() % 3, S = 1 + rng() % 3, stride = 1 + rng() % 2, pad = rng() % 2;
  int OH = (H + 2 * pad - R) / stride + 1, OW = (W + 2 * pad - S) / stride + 1;
  Tensor X = placeholder({1, C, H, W}, Float(32), "X");
  Tensor Wt = placeholder({K, C, R, S}, Float(32), "W");
  Tensor P = compute(
      {1, C, H + 2 * pad, W + 2 * pad},
      [&](Var n, Var c, Var h, Var w) {
        Expr inside = h >= pad && h < H + pad && w >= pad && w < W + pad;
        return ir::select(inside, X(n, c, h - pad, w - pad), Expr(0.0f));
      },
      "pad");
  IterVar rc = reduce_axis(C, "rc"), rr = reduce_axis(R, "rr"), rs = reduce_axis(S, "rs");
  Tensor Y = compute(
      {1, K, OH, OW},
      [&](Var n, Var k, Var oh, Var ow) {
        return sum(P(n, rc, oh * stride + rr, ow * stride + rs) * Wt(k, rc, rr, rs), {rc, rr, rs});
      },
      "conv");
  Schedule sch = create_schedule({Y});
  int placement = rng() % 3;
  if (placement == 0) sch[P].compute_inline();
  if (rng() % 2 == 0) {
    Tensor YL = sch.cache_write(Y, "local");
    randomize_stage(sch[Y], rng, true);
    randomize_stage(sch[YL], rng, false);
    const auto &leaves = sch[Y].leaf_iter_vars();
    sch[YL].compute_at(sch[Y], leaves[rng() % leaves.size()]);
    if (placement == 2) {
      const auto &ll = sch[YL].leaf_iter_vars();
      sch[P].compute_at(sch[YL], ll[rng() % ll.size()]);
    }
  } else {
    randomize_stage(sch[Y], rng, true);
    if (placement == 2) {
      const auto &ll = sch[Y].leaf_iter_vars();
      sch[P].compute_at(sch[Y], ll[rng() % ll.size()]);
    }
  }
  if (placement != 0) randomize_stage(sch[P], rng, false);
  std::vector<std::vector<float>> data = {test::random_floats(C * H * W, 3),
                                          test::random_floats(K * C * R * S, 4),
                                          std::vector<float>(K * OH * OW, 9.0f)};
  test::run_on_host(sch, {X, Wt, Y}, data, 1 + GetParam() % 2);
  EXPECT_TRUE(test::all_close(
      data[2], conv_reference(data[0], data[1], C, H, W, K, R, S, stride, pad, OH, OW)))
      << "C=" << C << " H=" << H << " W=" << W << " K=" << K << " R=" << R << " S=" << S
      << " stride=" << stride << " pad=" << pad << " placement=" << placement;
}

INSTANTIATE_TEST_SUITE_P(Seeds, RandomConvSchedule, ::testing::Range(0, 40));

}  // namespace
}  // namespace autotune::te

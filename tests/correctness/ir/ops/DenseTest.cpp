// Matrix products (ir/ops/Dense.h) against the naive reference, with odd sizes and batch
// broadcasting.
#include <gtest/gtest.h>

#include "ir/ops/Dense.h"
#include "tests/correctness/ir/ops/OpTestUtil.h"

namespace autotune::test {
namespace {

using ref::HostTensor;

TEST(DenseTest, WithoutBias) {
  HostTensor x = ref::random_tensor({7, 13}, 1), w = ref::random_tensor({5, 13}, 2);
  te::Tensor X = placeholder_like(x, "x"), W = placeholder_like(w, "w");
  te::Tensor out = ops::dense(X, W);
  EXPECT_EQ(out->tag, "dense");
  expect_matches({X, W}, {x, w}, out, ref::dense(x, w, nullptr));
}

TEST(DenseTest, WithBias) {
  HostTensor x = ref::random_tensor({3, 33}, 3), w = ref::random_tensor({10, 33}, 4);
  HostTensor b = ref::random_tensor({10}, 5);
  te::Tensor X = placeholder_like(x, "x"), W = placeholder_like(w, "w"),
             B = placeholder_like(b, "b");
  te::Tensor out = ops::dense(X, W, B);
  EXPECT_EQ(out->tag, "broadcast");
  EXPECT_EQ(te::input_tensors(out)[0]->tag, "dense");
  expect_matches({X, W, B}, {x, w, b}, out, ref::dense(x, w, &b));
}

TEST(DenseTest, Matmul) {
  for (auto [m, k, n] : {std::array<int64_t, 3>{9, 17, 6}, {1, 4, 1}, {16, 16, 16}}) {
    HostTensor a = ref::random_tensor({m, k}, uint32_t(m * 100 + k)),
               b = ref::random_tensor({k, n}, uint32_t(n));
    te::Tensor A = placeholder_like(a, "a"), B = placeholder_like(b, "b");
    te::Tensor out = ops::matmul(A, B);
    EXPECT_EQ(out->tag, "matmul");
    expect_matches({A, B}, {a, b}, out, ref::matmul(a, b));
  }
}

TEST(DenseTest, BatchMatmulWithBroadcast) {
  const std::array<int64_t, 2> batches[] = {{3, 3}, {1, 4}, {2, 1}};
  uint32_t seed = 10;
  for (auto [ba, bb] : batches) {
    HostTensor a = ref::random_tensor({ba, 5, 7}, seed++),
               b = ref::random_tensor({bb, 7, 3}, seed++);
    te::Tensor A = placeholder_like(a, "a"), B = placeholder_like(b, "b");
    te::Tensor out = ops::batch_matmul(A, B);
    EXPECT_EQ(out->tag, "batch_matmul");
    expect_matches({A, B}, {a, b}, out, ref::batch_matmul(a, b));
  }
}

}  // namespace
}  // namespace autotune::test

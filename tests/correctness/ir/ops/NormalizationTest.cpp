// Normalization (ir/ops/Normalization.h) against the naive reference: batch norm along axis 1
// and softmax/log_softmax over several axes with large inputs (stability).
#include <gtest/gtest.h>

#include "ir/ops/Normalization.h"
#include "tests/correctness/ir/ops/OpTestUtil.h"

namespace autotune::test {
namespace {

using ref::HostTensor;

TEST(NormalizationTest, BatchNorm) {
  for (std::vector<int64_t> shape : {std::vector<int64_t>{2, 3, 5, 4}, {3, 7}, {1, 5, 6}}) {
    int64_t c = shape[1];
    uint32_t seed = static_cast<uint32_t>(shape.size() * 10);
    HostTensor x = ref::random_tensor(shape, seed, -3, 3);
    HostTensor gamma = ref::random_tensor({c}, seed + 1), beta = ref::random_tensor({c}, seed + 2);
    HostTensor mean = ref::random_tensor({c}, seed + 3),
               var = ref::random_tensor({c}, seed + 4, 0.1f, 2.0f);
    te::Tensor X = placeholder_like(x, "x"), G = placeholder_like(gamma, "gamma"),
               B = placeholder_like(beta, "beta"), M = placeholder_like(mean, "mean"),
               V = placeholder_like(var, "var");
    te::Tensor out = ops::batch_norm(X, G, B, M, V, 1e-3);
    expect_matches({X, G, B, M, V}, {x, gamma, beta, mean, var}, out,
                   ref::batch_norm(x, gamma, beta, mean, var, 1e-3));
  }
}

TEST(NormalizationTest, SoftmaxAndLogSoftmax) {
  struct Case {
    std::vector<int64_t> shape;
    int64_t axis;
  };
  const Case cases[] = {{{3, 7}, -1}, {{3, 7}, 0}, {{2, 5, 3}, 1}, {{2, 5, 3}, -1}, {{11}, 0}};
  uint32_t seed = 7;
  for (const Case &c : cases) {
    // Inputs up to 60 would overflow exp() without the max subtraction.
    HostTensor x = ref::random_tensor(c.shape, seed++, -60, 60);
    int64_t axis = c.axis < 0 ? c.axis + static_cast<int64_t>(c.shape.size()) : c.axis;
    te::Tensor X = placeholder_like(x, "x");
    te::Tensor sm = ops::softmax(X, c.axis);
    EXPECT_EQ(sm->tag, "softmax");
    expect_matches({X}, {x}, sm, ref::softmax(x, axis), 1e-4f, 1e-6f);
    te::Tensor lsm = ops::log_softmax(X, c.axis);
    EXPECT_EQ(lsm->tag, "log_softmax");
    expect_matches({X}, {x}, lsm, ref::log_softmax(x, axis), 1e-4f, 1e-4f);
  }
}

}  // namespace
}  // namespace autotune::test

// Data-movement operators (ir/ops/Transform.h) against the naive reference: pad, concat,
// transpose, reshape (with 0 and -1) and the layout transforms.
#include <gtest/gtest.h>

#include "ir/ops/Transform.h"
#include "tests/correctness/ir/ops/OpTestUtil.h"

namespace autotune::test {
namespace {

using ref::HostTensor;

TEST(TransformTest, Pad) {
  HostTensor x = ref::random_tensor({2, 3, 4}, 1);
  te::Tensor X = placeholder_like(x, "x");
  te::Tensor out = ops::pad(X, {0, 2, 1}, {1, 0, 3}, 1.5);
  EXPECT_EQ(out->tag, "pad");
  expect_matches({X}, {x}, out, ref::pad(x, {0, 2, 1}, {1, 0, 3}, 1.5f));
  te::Tensor copy = ops::pad(X, {0, 0, 0}, {0, 0, 0});
  expect_matches({X}, {x}, copy, x);
}

TEST(TransformTest, Concat) {
  HostTensor a = ref::random_tensor({2, 3, 4}, 1), b = ref::random_tensor({2, 1, 4}, 2),
             c = ref::random_tensor({2, 5, 4}, 3);
  te::Tensor A = placeholder_like(a, "a"), B = placeholder_like(b, "b"),
             C = placeholder_like(c, "c");
  expect_matches({A, B, C}, {a, b, c}, ops::concat({A, B, C}, 1), ref::concat({a, b, c}, 1));
  HostTensor d = ref::random_tensor({2, 3, 1}, 4);
  te::Tensor D = placeholder_like(d, "d");
  expect_matches({A, D}, {a, d}, ops::concat({A, D}, -1), ref::concat({a, d}, 2));
  expect_matches({A}, {a}, ops::concat({A}, 0), a);
}

TEST(TransformTest, Transpose) {
  HostTensor x = ref::random_tensor({2, 3, 4, 5}, 5);
  te::Tensor X = placeholder_like(x, "x");
  for (std::vector<int64_t> perm : {std::vector<int64_t>{0, 2, 3, 1}, {3, 1, 0, 2}, {0, 1, 2, 3}}) {
    expect_matches({X}, {x}, ops::transpose(X, perm), ref::transpose(x, perm));
  }
  expect_matches({X}, {x}, ops::transpose(X), ref::transpose(x, {3, 2, 1, 0}));
}

TEST(TransformTest, Reshape) {
  HostTensor x = ref::random_tensor({2, 3, 4}, 6);
  te::Tensor X = placeholder_like(x, "x");
  struct Case {
    std::vector<int64_t> requested, resolved;
  };
  const Case cases[] = {{{6, 4}, {6, 4}},         {{-1}, {24}},
                        {{0, -1}, {2, 12}},       {{4, 0, 2}, {4, 3, 2}},
                        {{1, 24, 1}, {1, 24, 1}}, {{2, 2, 2, 3}, {2, 2, 2, 3}}};
  for (const Case &c : cases) {
    te::Tensor out = ops::reshape(X, c.requested);
    EXPECT_EQ(out->tag, "injective");
    expect_matches({X}, {x}, out, ref::reshape(x, c.resolved));
  }
}

TEST(TransformTest, LayoutTransforms) {
  HostTensor x = ref::random_tensor({2, 12, 3, 5}, 7);
  te::Tensor X = placeholder_like(x, "x");
  for (int64_t bn : {1, 4, 12}) {
    te::Tensor blocked = ops::layout_nchw_to_nchwc(X, bn);
    EXPECT_EQ(blocked->tag, "layout_transform");
    expect_matches({X}, {x}, blocked, ref::nchw_to_nchwc(x, bn));
    HostTensor xb = ref::nchw_to_nchwc(x, bn);
    te::Tensor XB = placeholder_like(xb, "xb");
    expect_matches({XB}, {xb}, ops::layout_nchwc_to_nchw(XB), x);
  }
  HostTensor w = ref::random_tensor({6, 8, 3, 2}, 8);
  te::Tensor W = placeholder_like(w, "w");
  expect_matches({W}, {w}, ops::weight_oihw_to_blocked(W, 4, 3),
                 ref::weight_oihw_to_blocked(w, 4, 3));
}

}  // namespace
}  // namespace autotune::test

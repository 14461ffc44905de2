// Convolutions (ir/ops/Conv2d.h) against the naive reference: strides, asymmetric padding,
// dilation, groups, depthwise, the blocked layout and the transposed convolution.
#include <gtest/gtest.h>

#include "ir/ops/Conv2d.h"
#include "ir/ops/Transform.h"
#include "tests/correctness/ir/ops/OpTestUtil.h"

namespace autotune::test {
namespace {

using ops::Conv2dAttrs;
using ref::HostTensor;

Conv2dAttrs attrs_of(ref::Pair strides, ref::Pads pads, ref::Pair dilation, int64_t groups) {
  Conv2dAttrs a;
  a.strides = strides;
  a.padding = pads;
  a.dilation = dilation;
  a.groups = groups;
  return a;
}

struct ConvCase {
  int64_t n, c, h, w, k, r, s;
  ref::Pair strides;
  ref::Pads pads;
  ref::Pair dilation;
  int64_t groups;
  const char *expected_tag;
};

TEST(Conv2dTest, OutputExtentFormula) {
  EXPECT_EQ(ops::conv_output_extent(224, 7, 2, 3, 3, 1), 112);
  EXPECT_EQ(ops::conv_output_extent(7, 3, 2, 0, 1, 1), 3);
  EXPECT_EQ(ops::conv_output_extent(8, 3, 2, 0, 1, 1), 4);
  EXPECT_EQ(ops::conv_output_extent(10, 3, 1, 0, 0, 2), 6);
}

TEST(Conv2dTest, NchwMatchesReference) {
  const ConvCase cases[] = {
      {1, 3, 7, 9, 4, 3, 3, {1, 1}, {1, 1, 1, 1}, {1, 1}, 1, "conv2d_nchw"},
      {2, 4, 11, 10, 6, 3, 2, {2, 2}, {0, 1, 2, 0}, {1, 1}, 1, "conv2d_nchw"},
      {1, 5, 13, 12, 3, 3, 3, {2, 1}, {2, 1, 1, 2}, {2, 3}, 1, "conv2d_nchw"},
      {2, 8, 5, 5, 16, 1, 1, {1, 1}, {0, 0, 0, 0}, {1, 1}, 1, "conv2d_nchw"},
      {1, 6, 9, 9, 4, 3, 3, {1, 1}, {1, 1, 1, 1}, {1, 1}, 2, "group_conv2d_nchw"},
      {1, 6, 8, 7, 9, 3, 1, {2, 1}, {1, 0, 0, 0}, {1, 1}, 3, "group_conv2d_nchw"},
      {1, 5, 10, 11, 5, 3, 3, {2, 2}, {1, 1, 0, 0}, {1, 1}, 5, "depthwise_conv2d_nchw"},
      {1, 3, 8, 8, 6, 3, 3, {1, 1}, {1, 2, 1, 0}, {2, 2}, 3, "depthwise_conv2d_nchw"},
  };
  uint32_t seed = 1;
  for (const ConvCase &t : cases) {
    SCOPED_TRACE("case with C=" + std::to_string(t.c) + " groups=" + std::to_string(t.groups));
    HostTensor x = ref::random_tensor({t.n, t.c, t.h, t.w}, seed++);
    HostTensor w = ref::random_tensor({t.k, t.c / t.groups, t.r, t.s}, seed++);
    te::Tensor X = placeholder_like(x, "x"), W = placeholder_like(w, "w");
    te::Tensor out = ops::conv2d_nchw(X, W, attrs_of(t.strides, t.pads, t.dilation, t.groups));
    EXPECT_EQ(out->tag, t.expected_tag);
    HostTensor expected = ref::conv2d_nchw(x, w, t.strides, t.pads, t.dilation, t.groups);
    expect_matches({X, W}, {x, w}, out, expected);
  }
}

TEST(Conv2dTest, PaddingIsASeparateStage) {
  te::Tensor X = te::placeholder({1, 2, 5, 5}, ir::Float(32), "x");
  te::Tensor W = te::placeholder({3, 2, 3, 3}, ir::Float(32), "w");
  te::Tensor padded = ops::conv2d_nchw(X, W, attrs_of({1, 1}, {1, 0, 0, 1}, {1, 1}, 1));
  std::vector<te::Tensor> reads = te::input_tensors(padded);
  ASSERT_EQ(reads.size(), 2u);
  EXPECT_EQ(reads[0]->tag, "pad");
  te::Tensor unpadded = ops::conv2d_nchw(X, W, Conv2dAttrs());
  EXPECT_TRUE(te::input_tensors(unpadded)[0].same_as(X));
}

TEST(Conv2dTest, NchwcMatchesReference) {
  struct Case {
    int64_t n, c, h, w, k, r, s, ic_bn, oc_bn;
    ref::Pair strides;
    ref::Pads pads;
    ref::Pair dilation;
  };
  const Case cases[] = {
      {1, 8, 7, 6, 6, 3, 3, 4, 3, {1, 1}, {1, 1, 1, 1}, {1, 1}},
      {2, 6, 9, 9, 4, 3, 2, 2, 4, {2, 2}, {0, 1, 2, 0}, {1, 1}},
      {1, 4, 11, 8, 8, 3, 3, 4, 8, {1, 2}, {2, 2, 1, 0}, {2, 1}},
  };
  uint32_t seed = 100;
  for (const Case &t : cases) {
    HostTensor x = ref::random_tensor({t.n, t.c, t.h, t.w}, seed++);
    HostTensor w = ref::random_tensor({t.k, t.c, t.r, t.s}, seed++);
    HostTensor xb = ref::nchw_to_nchwc(x, t.ic_bn);
    HostTensor wb = ref::weight_oihw_to_blocked(w, t.ic_bn, t.oc_bn);
    te::Tensor X = placeholder_like(xb, "x"), W = placeholder_like(wb, "w");
    te::Tensor out = ops::conv2d_nchwc(X, W, attrs_of(t.strides, t.pads, t.dilation, 1));
    EXPECT_EQ(out->tag, "conv2d_nchwc");
    // The blocked result is the plain convolution, re-blocked.
    HostTensor plain = ref::conv2d_nchw(x, w, t.strides, t.pads, t.dilation, 1);
    expect_matches({X, W}, {xb, wb}, out, ref::nchw_to_nchwc(plain, t.oc_bn));
  }
}

TEST(Conv2dTest, NchwcChainWithLayoutTransforms) {
  HostTensor x = ref::random_tensor({1, 8, 6, 7}, 7);
  HostTensor w = ref::random_tensor({12, 8, 3, 3}, 8);
  te::Tensor X = placeholder_like(x, "x"), W = placeholder_like(w, "w");
  Conv2dAttrs a = attrs_of({2, 1}, {1, 0, 1, 2}, {1, 1}, 1);
  te::Tensor out = ops::layout_nchwc_to_nchw(
      ops::conv2d_nchwc(ops::layout_nchw_to_nchwc(X, 4), ops::weight_oihw_to_blocked(W, 4, 6), a));
  expect_matches({X, W}, {x, w}, out, ref::conv2d_nchw(x, w, a.strides, a.padding, a.dilation, 1));
}

TEST(Conv2dTest, DepthwiseNchwcMatchesReference) {
  HostTensor x = ref::random_tensor({2, 8, 9, 7}, 21);
  HostTensor w = ref::random_tensor({8, 1, 3, 3}, 22);
  const int64_t bn = 4;
  HostTensor xb = ref::nchw_to_nchwc(x, bn), wb = ref::weight_oihw_to_blocked(w, 1, bn);
  te::Tensor X = placeholder_like(xb, "x"), W = placeholder_like(wb, "w");
  for (ref::Pair strides : {ref::Pair{1, 1}, ref::Pair{2, 2}}) {
    Conv2dAttrs a = attrs_of(strides, {1, 0, 1, 1}, {1, 2}, 8);
    te::Tensor out = ops::depthwise_conv2d_nchwc(X, W, a);
    EXPECT_EQ(out->tag, "depthwise_conv2d_nchwc");
    HostTensor plain = ref::conv2d_nchw(x, w, a.strides, a.padding, a.dilation, 8);
    expect_matches({X, W}, {xb, wb}, out, ref::nchw_to_nchwc(plain, bn));
    expect_matches({X, W}, {xb, wb}, out,
                   ref::depthwise_conv2d_nchwc(xb, wb, a.strides, a.padding, a.dilation));
  }
}

TEST(Conv2dTest, TransposeMatchesReference) {
  struct Case {
    int64_t n, c, h, w, k, r, s;
    ref::Pair strides;
    ref::Pads pads;
    ref::Pair dilation;
    int64_t groups;
    ref::Pair output_padding;
  };
  const Case cases[] = {
      {1, 3, 5, 4, 2, 3, 3, {1, 1}, {0, 0, 0, 0}, {1, 1}, 1, {0, 0}},
      {1, 4, 5, 6, 3, 3, 3, {2, 2}, {1, 1, 1, 1}, {1, 1}, 1, {1, 1}},
      {2, 4, 4, 5, 6, 4, 3, {2, 3}, {1, 0, 2, 1}, {1, 1}, 2, {0, 2}},
      {1, 2, 6, 5, 3, 3, 2, {3, 2}, {2, 1, 0, 0}, {2, 3}, 1, {1, 0}},
  };
  uint32_t seed = 200;
  for (const Case &t : cases) {
    HostTensor x = ref::random_tensor({t.n, t.c, t.h, t.w}, seed++);
    HostTensor w = ref::random_tensor({t.c, t.k / t.groups, t.r, t.s}, seed++);
    te::Tensor X = placeholder_like(x, "x"), W = placeholder_like(w, "w");
    Conv2dAttrs a = attrs_of(t.strides, t.pads, t.dilation, t.groups);
    a.output_padding = t.output_padding;
    te::Tensor out = ops::conv2d_transpose_nchw(X, W, a);
    EXPECT_EQ(out->tag, "conv2d_transpose_nchw");
    HostTensor expected =
        ref::conv2d_transpose_nchw(x, w, t.strides, t.pads, t.dilation, t.groups, t.output_padding);
    expect_matches({X, W}, {x, w}, out, expected);
  }
}

}  // namespace
}  // namespace autotune::test

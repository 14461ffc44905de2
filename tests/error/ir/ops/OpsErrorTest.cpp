// User errors of the operator definitions in ir/ops: one bad attribute or shape per test, each
// asserting that the message names the operator and the bad value.
#include <gtest/gtest.h>

#include "ir/ops/Conv2d.h"
#include "ir/ops/Dense.h"
#include "ir/ops/Elemwise.h"
#include "ir/ops/Normalization.h"
#include "ir/ops/Pool.h"
#include "ir/ops/Reduce.h"
#include "ir/ops/Transform.h"
#include "tests/common/TestUtil.h"

namespace autotune {
namespace {

te::Tensor input(std::vector<int64_t> shape, const std::string &name = "x") {
  return te::placeholder(std::move(shape), ir::Float(32), name);
}

ops::Conv2dAttrs conv_attrs() { return ops::Conv2dAttrs(); }

TEST(Conv2dError, StrideZero) {
  ops::Conv2dAttrs a = conv_attrs();
  a.strides = {0, 1};
  EXPECT_USER_ERROR(ops::conv2d_nchw(input({1, 3, 8, 8}), input({4, 3, 3, 3}, "w"), a),
                    "conv2d_nchw: strides must be >= 1, got {0, 1}");
}

TEST(Conv2dError, DilationZero) {
  ops::Conv2dAttrs a = conv_attrs();
  a.dilation = {1, 0};
  EXPECT_USER_ERROR(ops::conv2d_nchw(input({1, 3, 8, 8}), input({4, 3, 3, 3}, "w"), a),
                    "dilation must be >= 1, got {1, 0}");
}

TEST(Conv2dError, NegativePadding) {
  ops::Conv2dAttrs a = conv_attrs();
  a.padding = {0, -1, 0, 0};
  EXPECT_USER_ERROR(ops::conv2d_nchw(input({1, 3, 8, 8}), input({4, 3, 3, 3}, "w"), a),
                    "padding must be non-negative, got {0, -1, 0, 0}");
}

TEST(Conv2dError, GroupsDoNotDivideChannels) {
  ops::Conv2dAttrs a = conv_attrs();
  a.groups = 4;
  EXPECT_USER_ERROR(ops::conv2d_nchw(input({1, 6, 8, 8}), input({8, 1, 3, 3}, "w"), a),
                    "groups 4 must divide the input channels 6");
}

TEST(Conv2dError, WeightChannelsDisagreeWithGroups) {
  ops::Conv2dAttrs a = conv_attrs();
  a.groups = 2;
  EXPECT_USER_ERROR(ops::conv2d_nchw(input({1, 6, 8, 8}), input({4, 6, 3, 3}, "w"), a),
                    "must have C/groups = 3 input channels");
}

TEST(Conv2dError, KernelLargerThanInput) {
  EXPECT_USER_ERROR(ops::conv2d_nchw(input({1, 3, 4, 4}), input({4, 3, 5, 5}, "w"), conv_attrs()),
                    "does not fit the padded input 4x4");
}

TEST(Conv2dError, DataRank) {
  EXPECT_USER_ERROR(ops::conv2d_nchw(input({3, 8, 8}), input({4, 3, 3, 3}, "w"), conv_attrs()),
                    "conv2d_nchw: data 'x' must have rank 4, got shape [3, 8, 8]");
}

TEST(Conv2dError, OutputPaddingOnForwardConvolution) {
  ops::Conv2dAttrs a = conv_attrs();
  a.output_padding = {1, 0};
  EXPECT_USER_ERROR(ops::conv2d_nchw(input({1, 3, 8, 8}), input({4, 3, 3, 3}, "w"), a),
                    "output_padding applies only to conv2d_transpose_nchw");
}

TEST(Conv2dError, NchwcGroups) {
  ops::Conv2dAttrs a = conv_attrs();
  a.groups = 2;
  EXPECT_USER_ERROR(ops::conv2d_nchwc(input({1, 2, 8, 8, 4}), input({2, 2, 3, 3, 4, 4}, "w"), a),
                    "conv2d_nchwc: only groups == 1 is supported, got 2");
}

TEST(Conv2dError, NchwcWeightBlocks) {
  EXPECT_USER_ERROR(
      ops::conv2d_nchwc(input({1, 2, 8, 8, 4}), input({2, 2, 3, 3, 8, 4}, "w"), conv_attrs()),
      "must be [K/oc_bn, 2, R, S, 4, oc_bn]");
}

TEST(Conv2dError, DepthwiseNchwcGroups) {
  EXPECT_USER_ERROR(ops::depthwise_conv2d_nchwc(input({1, 2, 8, 8, 4}),
                                                input({2, 1, 3, 3, 1, 4}, "w"), conv_attrs()),
                    "groups must equal the channel count 8, got 1");
}

TEST(Conv2dError, TransposeOutputPaddingTooLarge) {
  ops::Conv2dAttrs a = conv_attrs();
  a.strides = {2, 2};
  a.output_padding = {2, 0};
  EXPECT_USER_ERROR(
      ops::conv2d_transpose_nchw(input({1, 3, 8, 8}), input({3, 4, 3, 3}, "w"), a),
      "output_padding 2 of dimension h must be non-negative and smaller than its stride 2");
}

TEST(Conv2dError, TransposeWeightChannels) {
  EXPECT_USER_ERROR(
      ops::conv2d_transpose_nchw(input({1, 3, 8, 8}), input({4, 3, 3, 3}, "w"), conv_attrs()),
      "must have C = 3 as its first extent");
}

TEST(DenseError, ReductionExtentMismatch) {
  EXPECT_USER_ERROR(ops::dense(input({4, 8}), input({5, 7}, "w")),
                    "dense: data 'x' with shape [4, 8] and weight 'w' with shape [5, 7]");
}

TEST(DenseError, BiasShape) {
  EXPECT_USER_ERROR(ops::dense(input({4, 8}), input({5, 8}, "w"), input({4}, "b")),
                    "dense: bias 'b' must have shape [5], got [4]");
}

TEST(DenseError, MatmulMismatch) {
  EXPECT_USER_ERROR(ops::matmul(input({4, 8}, "a"), input({7, 3}, "b")),
                    "matmul: shapes [4, 8] of 'a' and [7, 3] of 'b'");
}

TEST(DenseError, BatchMatmulBatchMismatch) {
  EXPECT_USER_ERROR(ops::batch_matmul(input({2, 4, 8}, "a"), input({3, 8, 3}, "b")),
                    "batch extents 2 of 'a' and 3 of 'b' must be equal or one of them 1");
}

TEST(PoolError, KernelZero) {
  ops::PoolAttrs a;
  a.kernel = {0, 2};
  EXPECT_USER_ERROR(ops::max_pool2d(input({1, 3, 8, 8}), a),
                    "max_pool2d: kernel extents must be >= 1, got {0, 2}");
}

TEST(PoolError, StrideZero) {
  ops::PoolAttrs a;
  a.kernel = {2, 2};
  a.strides = {2, 0};
  EXPECT_USER_ERROR(ops::avg_pool2d(input({1, 3, 8, 8}), a),
                    "avg_pool2d: strides must be >= 1, got {2, 0}");
}

TEST(PoolError, WindowLargerThanInput) {
  ops::PoolAttrs a;
  a.kernel = {5, 5};
  EXPECT_USER_ERROR(ops::max_pool2d(input({1, 3, 4, 4}), a),
                    "the dilated 5x5 window does not fit the padded input of 'x'");
}

TEST(PoolError, NegativePadding) {
  ops::PoolAttrs a;
  a.kernel = {2, 2};
  a.padding = {0, 0, -1, 0};
  EXPECT_USER_ERROR(ops::max_pool2d(input({1, 3, 4, 4}), a),
                    "padding must be non-negative, got {0, 0, -1, 0}");
}

TEST(ElemwiseError, IncompatibleBroadcast) {
  EXPECT_USER_ERROR(ops::broadcast_binary(input({2, 3}, "a"), input({4}, "b"), ops::BinaryOp::Add),
                    "add: shapes [2, 3] and [4] cannot be broadcast");
}

TEST(ElemwiseError, DtypeMismatch) {
  te::Tensor b = te::placeholder({2, 3}, ir::Int(32), "b");
  EXPECT_USER_ERROR(ops::broadcast_binary(input({2, 3}, "a"), b, ops::BinaryOp::Mul),
                    "mul: operand 'a' is float32 but 'b' is int32");
}

TEST(ElemwiseError, ClipBoundsReversed) {
  EXPECT_USER_ERROR(ops::clip(input({4}), 1.0, -1.0),
                    "clip of 'x': lower bound 1 is above upper bound -1");
}

TEST(NormalizationError, SoftmaxAxisOutOfRange) {
  EXPECT_USER_ERROR(ops::softmax(input({2, 3}), 2),
                    "softmax: axis 2 is out of range for a tensor of rank 2");
}

TEST(NormalizationError, BatchNormParameterShape) {
  te::Tensor c3 = input({3}, "p"), bad = input({4}, "var");
  EXPECT_USER_ERROR(ops::batch_norm(input({1, 3, 4, 4}), c3, c3, c3, bad),
                    "batch_norm: parameter 'var' must have shape [3]");
}

TEST(NormalizationError, BatchNormNegativeEpsilon) {
  te::Tensor c3 = input({3}, "p");
  EXPECT_USER_ERROR(ops::batch_norm(input({1, 3, 4, 4}), c3, c3, c3, c3, -1.0),
                    "batch_norm: epsilon must be non-negative, got -1");
}

TEST(ReduceError, DuplicateAxis) {
  EXPECT_USER_ERROR(ops::reduce(input({2, 3, 4}), {1, -2}, false, ops::ReduceOp::Sum),
                    "reduce_sum of 'x': axis -2 is listed twice in [1, -2]");
}

TEST(ReduceError, AxisOutOfRange) {
  EXPECT_USER_ERROR(ops::reduce(input({2, 3, 4}), {3}, true, ops::ReduceOp::Max),
                    "reduce_max: axis 3 is out of range for a tensor of rank 3");
}

TEST(TransformError, LayoutBlockDoesNotDivideChannels) {
  EXPECT_USER_ERROR(ops::layout_nchw_to_nchwc(input({1, 6, 4, 4}), 4),
                    "channel block 4 must be positive and divide the channel count 6");
}

TEST(TransformError, WeightBlockDoesNotDivide) {
  EXPECT_USER_ERROR(ops::weight_oihw_to_blocked(input({6, 8, 3, 3}, "w"), 4, 4),
                    "output channel block 4 must be positive and divide 6");
}

TEST(TransformError, ReshapeElementCountDiffers) {
  EXPECT_USER_ERROR(ops::reshape(input({2, 3}), {4, 2}),
                    "reshape of 'x' with shape [2, 3] (6 elements) to [4, 2] (8 elements)");
}

TEST(TransformError, ReshapeTwoInferredExtents) {
  EXPECT_USER_ERROR(ops::reshape(input({2, 3}), {-1, -1}), "at most one entry may be -1");
}

TEST(TransformError, ReshapeInferredExtentNotIntegral) {
  EXPECT_USER_ERROR(ops::reshape(input({2, 3}), {4, -1}),
                    "6 elements cannot be divided into 4-element groups");
}

TEST(TransformError, TransposeNotAPermutation) {
  EXPECT_USER_ERROR(ops::transpose(input({2, 3, 4}), {0, 0, 1}),
                    "[0, 0, 1] is not a permutation of 0..2");
}

TEST(TransformError, ConcatShapesDisagree) {
  EXPECT_USER_ERROR(ops::concat({input({2, 3}, "a"), input({3, 3}, "b")}, 1),
                    "concat along axis 1: shape [3, 3] of 'b' does not match shape [2, 3] of 'a'");
}

TEST(TransformError, PadNegative) {
  EXPECT_USER_ERROR(ops::pad(input({2, 3}), {0, -1}, {0, 0}),
                    "pad of 'x': padding of dimension 1 must be non-negative, got -1 before");
}

}  // namespace
}  // namespace autotune

// Lowering of ONNX normalization operators: inference BatchNormalization, InstanceNormalization,
// LRN, and Softmax/LogSoftmax with both the opset < 13 (flatten to 2-D) and the single-axis
// semantics.
#include "ir/graph/detail/Lowering.h"
#include "ir/ops/InstanceNorm.h"
#include "ir/ops/LocalResponseNorm.h"
#include "ir/ops/Normalization.h"
#include "ir/ops/Transform.h"

namespace autotune::graph::detail {

std::vector<te::Tensor> lower_batch_normalization(const LoweringContext &ctx) {
  user_check(ctx.attrs().get_int("training_mode", 0) == 0 && ctx.num_outputs() == 1)
      << ctx.describe() << ": only inference is supported (training_mode = 0, one output), got "
      << ctx.num_outputs() << " outputs";
  return {ops::batch_norm(ctx.input(0, "X"), ctx.input(1, "scale"), ctx.input(2, "B"),
                          ctx.input(3, "input_mean"), ctx.input(4, "input_var"),
                          ctx.attrs().get_float("epsilon", 1e-5))};
}

std::vector<te::Tensor> lower_instance_normalization(const LoweringContext &ctx) {
  return {ops::instance_norm(ctx.input(0, "input"), ctx.input(1, "scale"), ctx.input(2, "B"),
                             ctx.attrs().get_float("epsilon", 1e-5))};
}

std::vector<te::Tensor> lower_lrn(const LoweringContext &ctx) {
  const Attributes &attrs = ctx.attrs();
  return {ops::local_response_norm(ctx.input(0, "X"), attrs.get_int("size"),
                                   attrs.get_float("alpha", 1e-4), attrs.get_float("beta", 0.75),
                                   attrs.get_float("bias", 1.0))};
}

namespace {

// Before opset 13, Softmax and LogSoftmax treat the input as a matrix: the dimensions before
// `axis` are rows, the rest one long row (default axis 1). From 13 on they normalize along one
// axis (default -1).
te::Tensor softmax_family(const LoweringContext &ctx,
                          te::Tensor (*op)(const te::Tensor &, int64_t)) {
  const te::Tensor &x = ctx.input(0, "input");
  bool legacy = ctx.opset() < 13;
  int64_t axis_attr = ctx.attrs().get_int("axis", legacy ? 1 : -1);
  user_check(x.ndim() >= 1) << ctx.describe() << ": input must have rank >= 1";
  size_t axis = ctx.normalize_axis(axis_attr, x.ndim());
  if (!legacy || axis + 1 == x.ndim()) return op(x, static_cast<int64_t>(axis));
  int64_t rows = 1, cols = 1;
  for (size_t d = 0; d < x.ndim(); ++d) (d < axis ? rows : cols) *= x.dim(d);
  te::Tensor flat = op(ops::reshape(x, {rows, cols}), 1);
  return ops::reshape(flat, x.shape());
}

}  // namespace

std::vector<te::Tensor> lower_softmax(const LoweringContext &ctx) {
  return {softmax_family(ctx, ops::softmax)};
}

std::vector<te::Tensor> lower_log_softmax(const LoweringContext &ctx) {
  return {softmax_family(ctx, ops::log_softmax)};
}

}  // namespace autotune::graph::detail

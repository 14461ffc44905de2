// Lowering of the ONNX Reduce* family onto ops::reduce: axes from the attribute (ReduceSum before
// opset 13, the others before 18) or from the optional constant input, keepdims, and
// noop_with_empty_axes.
#include "ir/graph/detail/Lowering.h"
#include "ir/ops/Reduce.h"

namespace autotune::graph::detail {

namespace {

// Algorithm:
//   1. Read the axes: from input 1 when the opset passes them as an input (absent means none),
//      else from the `axes` attribute.
//   2. No axes: with noop_with_empty_axes the output is a copy of the input, otherwise every
//      axis is reduced.
//   3. ops::reduce over the axes, keeping them as extent 1 when keepdims (default 1).
te::Tensor lower_reduce(const LoweringContext &ctx, ops::ReduceOp op, int64_t axes_input_opset) {
  const te::Tensor &x = ctx.input(0, "data");
  std::vector<int64_t> axes;
  if (ctx.opset() >= axes_input_opset) {
    if (ctx.has_input(1)) axes = ctx.constant_ints(1, "axes");
  } else {
    axes = ctx.attrs().get_ints("axes", {});
  }
  bool keepdims = ctx.attrs().get_int("keepdims", 1) != 0;
  if (axes.empty() && (ctx.attrs().get_int("noop_with_empty_axes", 0) != 0 || x.ndim() == 0)) {
    return copy_tensor(x);
  }
  for (int64_t &a : axes) a = static_cast<int64_t>(ctx.normalize_axis(a, x.ndim(), "axis"));
  return ops::reduce(x, axes, keepdims, op);
}

}  // namespace

std::vector<te::Tensor> lower_reduce_sum(const LoweringContext &ctx) {
  return {lower_reduce(ctx, ops::ReduceOp::Sum, 13)};
}
std::vector<te::Tensor> lower_reduce_mean(const LoweringContext &ctx) {
  return {lower_reduce(ctx, ops::ReduceOp::Mean, 18)};
}
std::vector<te::Tensor> lower_reduce_max(const LoweringContext &ctx) {
  return {lower_reduce(ctx, ops::ReduceOp::Max, 18)};
}
std::vector<te::Tensor> lower_reduce_min(const LoweringContext &ctx) {
  return {lower_reduce(ctx, ops::ReduceOp::Min, 18)};
}
std::vector<te::Tensor> lower_reduce_prod(const LoweringContext &ctx) {
  return {lower_reduce(ctx, ops::ReduceOp::Prod, 18)};
}

}  // namespace autotune::graph::detail

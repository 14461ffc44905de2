// Lowering of ONNX MaxPool, AveragePool and the global pools: float 2-D pooling goes to the
// tuned ops in Pool.h, other ranks and integer types to PoolNd.h; MaxPool's Indices output too.
#include "ir/graph/detail/Lowering.h"
#include "ir/ops/Pool.h"
#include "ir/ops/PoolNd.h"
#include "ir/ops/Reduce.h"

namespace autotune::graph::detail {

namespace {

/// The k-D window of a MaxPool/AveragePool node over x (kernel_shape is required).
ops::PoolNdAttrs read_pool_attrs(const LoweringContext &ctx, const te::Tensor &x) {
  user_check(x.ndim() >= 3) << ctx.describe() << ": X must have rank >= 3 ([N, C, D...]), got "
                            << shape_str(x.shape());
  std::vector<int64_t> kernel = ctx.attrs().get_ints("kernel_shape");
  std::vector<int64_t> in(x.shape().begin() + 2, x.shape().end());
  user_check(kernel.size() == in.size())
      << ctx.describe() << ": kernel_shape " << shape_str(kernel) << " must have one entry per "
      << "spatial dimension of X with shape " << shape_str(x.shape());
  WindowAttrs win = read_window_attrs(ctx, in, kernel);
  ops::PoolNdAttrs a;
  a.kernel = win.kernel;
  a.strides = win.strides;
  a.pad_begin = win.pad_begin;
  a.pad_end = win.pad_end;
  a.dilations = win.dilations;
  a.ceil_mode = ctx.attrs().get_int("ceil_mode", 0) != 0;
  a.count_include_pad = ctx.attrs().get_int("count_include_pad", 0) != 0;
  return a;
}

ops::PoolAttrs to_pool2d(const ops::PoolNdAttrs &a) {
  ops::PoolAttrs p;
  p.kernel = {a.kernel[0], a.kernel[1]};
  p.strides = {a.strides[0], a.strides[1]};
  p.padding = {a.pad_begin[0], a.pad_begin[1], a.pad_end[0], a.pad_end[1]};
  p.dilation = {a.dilations[0], a.dilations[1]};
  p.ceil_mode = a.ceil_mode;
  p.count_include_pad = a.count_include_pad;
  return p;
}

/// The spatial axes 2..rank-1 of x.
std::vector<int64_t> spatial_axes(const te::Tensor &x) {
  std::vector<int64_t> axes;
  for (size_t d = 2; d < x.ndim(); ++d) axes.push_back(static_cast<int64_t>(d));
  return axes;
}

}  // namespace

std::vector<te::Tensor> lower_max_pool(const LoweringContext &ctx) {
  const te::Tensor &x = ctx.input(0, "X");
  ops::PoolNdAttrs a = read_pool_attrs(ctx, x);
  te::Tensor max = a.kernel.size() == 2 && x.dtype().is_float() ? ops::max_pool2d(x, to_pool2d(a))
                                                                : ops::max_pool_nd(x, a);
  if (ctx.num_outputs() < 2) return {max};
  bool column_major = ctx.attrs().get_int("storage_order", 0) != 0;
  return {max, ops::max_pool_nd_indices(x, max, a, column_major)};
}

std::vector<te::Tensor> lower_average_pool(const LoweringContext &ctx) {
  const te::Tensor &x = ctx.input(0, "X");
  ops::PoolNdAttrs a = read_pool_attrs(ctx, x);
  user_check(x.dtype().is_float())
      << ctx.describe() << ": X must be floating point, got " << x.dtype().str();
  if (a.kernel.size() == 2) return {ops::avg_pool2d(x, to_pool2d(a))};
  return {ops::avg_pool_nd(x, a)};
}

std::vector<te::Tensor> lower_global_average_pool(const LoweringContext &ctx) {
  const te::Tensor &x = ctx.input(0, "X");
  user_check(x.ndim() >= 3) << ctx.describe() << ": X must have rank >= 3 ([N, C, D...]), got "
                            << shape_str(x.shape());
  if (x.ndim() == 4) return {ops::global_avg_pool2d(x)};
  return {ops::reduce(x, spatial_axes(x), true, ops::ReduceOp::Mean)};
}

std::vector<te::Tensor> lower_global_max_pool(const LoweringContext &ctx) {
  const te::Tensor &x = ctx.input(0, "X");
  user_check(x.ndim() >= 3) << ctx.describe() << ": X must have rank >= 3 ([N, C, D...]), got "
                            << shape_str(x.shape());
  if (x.ndim() == 4) return {ops::global_max_pool2d(x)};
  return {ops::reduce(x, spatial_axes(x), true, ops::ReduceOp::Max)};
}

}  // namespace autotune::graph::detail

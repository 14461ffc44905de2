// Lowering of ONNX data-movement and shape operators: Flatten, Reshape, Transpose, Concat, Split,
// Slice, Pad, Squeeze, Unsqueeze, Gather, Expand, and the ones that make tensors from shapes and
// literals (Shape, Constant, ConstantOfShape). Shape-like operands must be constants.
#include <algorithm>

#include "ir/graph/detail/Lowering.h"
#include "ir/ops/Broadcast.h"
#include "ir/ops/Constant.h"
#include "ir/ops/Gather.h"
#include "ir/ops/PadModes.h"
#include "ir/ops/Slice.h"
#include "ir/ops/Transform.h"

namespace autotune::graph::detail {

using ir::Expr;

namespace {

/// UserError unless every extent of `shape` is positive (TE tensors cannot be empty).
void check_not_empty(const LoweringContext &ctx, const std::vector<int64_t> &shape,
                     const char *what) {
  bool empty = std::any_of(shape.begin(), shape.end(), [](int64_t d) { return d <= 0; });
  user_check(!empty) << ctx.describe() << ": " << what << " would have shape " << shape_str(shape)
                     << " (zero-size tensors are not supported)";
}

/// Axes read from the attribute (before `input_opset`) or the optional constant input 1, each
/// normalized against `rank`; duplicates are a user error.
std::vector<size_t> read_axes(const LoweringContext &ctx, int64_t input_opset, size_t rank) {
  std::vector<int64_t> raw;
  if (ctx.opset() >= input_opset) {
    if (ctx.has_input(1)) raw = ctx.constant_ints(1, "axes");
  } else {
    raw = ctx.attrs().get_ints("axes", {});
  }
  std::vector<size_t> axes;
  for (int64_t a : raw) {
    size_t ax = ctx.normalize_axis(a, rank, "axis");
    user_check(std::find(axes.begin(), axes.end(), ax) == axes.end())
        << ctx.describe() << ": axis " << a << " is listed twice in " << shape_str(raw);
    axes.push_back(ax);
  }
  return axes;
}

}  // namespace

std::vector<te::Tensor> lower_flatten(const LoweringContext &ctx) {
  const te::Tensor &x = ctx.input(0, "input");
  int64_t rank = static_cast<int64_t>(x.ndim());
  int64_t axis = ctx.attrs().get_int("axis", 1);
  user_check(axis >= -rank && axis <= rank)
      << ctx.describe() << ": axis " << axis << " is out of range for rank " << rank
      << " (expected [" << -rank << ", " << rank << "])";
  if (axis < 0) axis += rank;
  int64_t rows = 1, cols = 1;
  for (int64_t d = 0; d < rank; ++d) (d < axis ? rows : cols) *= x.dim(static_cast<size_t>(d));
  return {ops::reshape(x, {rows, cols})};
}

// Reshape: the target comes from the constant input `shape` (opset >= 5) or the attribute. An
// entry 0 copies the input's extent unless allowzero = 1, where it means an empty dimension.
std::vector<te::Tensor> lower_reshape(const LoweringContext &ctx) {
  const te::Tensor &x = ctx.input(0, "data");
  std::vector<int64_t> shape =
      ctx.opset() >= 5 ? ctx.constant_ints(1, "shape") : ctx.attrs().get_ints("shape");
  bool has_zero = std::count(shape.begin(), shape.end(), 0) > 0;
  user_check(ctx.attrs().get_int("allowzero", 0) == 0 || !has_zero)
      << ctx.describe() << ": with allowzero = 1, shape " << shape_str(shape)
      << " makes an empty tensor (zero-size tensors are not supported)";
  return {ops::reshape(x, shape)};
}

std::vector<te::Tensor> lower_transpose(const LoweringContext &ctx) {
  return {ops::transpose(ctx.input(0, "data"), ctx.attrs().get_ints("perm", {}))};
}

std::vector<te::Tensor> lower_concat(const LoweringContext &ctx) {
  std::vector<te::Tensor> ts;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    if (!ctx.has_input(i)) continue;
    const te::Tensor &t = ctx.input(i, "inputs");
    ts.push_back(t);
  }
  user_check(!ts.empty()) << ctx.describe() << ": needs at least one input";
  int64_t axis = ctx.attrs().get_int("axis");
  ctx.normalize_axis(axis, ts.front().ndim());
  if (ts.size() == 1) return {copy_tensor(ts.front())};
  return {ops::concat(ts, axis)};
}

// Split: part sizes from the constant input `split` (opset >= 13) or attribute (before), else
// num_outputs (opset 18: ceil-sized parts, the last one smaller), else equal parts.
std::vector<te::Tensor> lower_split(const LoweringContext &ctx) {
  const te::Tensor &x = ctx.input(0, "input");
  size_t axis = ctx.normalize_axis(ctx.attrs().get_int("axis", 0), x.ndim());
  int64_t extent = x.dim(axis);
  int64_t n = static_cast<int64_t>(ctx.num_outputs());
  std::vector<int64_t> sizes;
  if (ctx.opset() >= 13 && ctx.has_input(1)) {
    sizes = ctx.constant_ints(1, "split");
  } else if (ctx.opset() < 13 && ctx.attrs().has("split")) {
    sizes = ctx.attrs().get_ints("split");
  } else if (ctx.attrs().has("num_outputs")) {
    int64_t chunk = ir::ceil_div(extent, n);
    for (int64_t i = 0; i < n; ++i) sizes.push_back(std::min(chunk, extent - i * chunk));
  } else {
    user_check(extent % n == 0) << ctx.describe() << ": extent " << extent << " of axis " << axis
                                << " cannot be split into " << n << " equal parts";
    sizes.assign(static_cast<size_t>(n), extent / n);
  }
  int64_t total = 0;
  for (int64_t s : sizes) total += s;
  user_check(static_cast<int64_t>(sizes.size()) == n && total == extent)
      << ctx.describe() << ": split " << shape_str(sizes) << " must have one entry per output ("
      << n << ") summing to the extent " << extent << " of axis " << axis;
  std::vector<te::Tensor> outs;
  int64_t offset = 0;
  for (int64_t s : sizes) {
    std::vector<int64_t> begin(x.ndim(), 0), step(x.ndim(), 1), shape = x.shape();
    begin[axis] = offset;
    shape[axis] = s;
    check_not_empty(ctx, shape, "an output");
    outs.push_back(ops::strided_slice(x, begin, step, shape));
    offset += s;
  }
  return outs;
}

// Slice: starts/ends/axes/steps are attributes before opset 10 and constant inputs after.
// Per axis (extent n): negative starts/ends count from the back, then positive steps clamp
// start and end into [0, n] and negative steps clamp start into [0, n-1] and end into [-1, n-1];
// the output extent is ceil((end - start) / step), at least 0.
std::vector<te::Tensor> lower_slice(const LoweringContext &ctx) {
  const te::Tensor &x = ctx.input(0, "data");
  std::vector<int64_t> starts, ends, axes, steps;
  if (ctx.opset() < 10) {
    starts = ctx.attrs().get_ints("starts");
    ends = ctx.attrs().get_ints("ends");
    axes = ctx.attrs().get_ints("axes", {});
  } else {
    starts = ctx.constant_ints(1, "starts");
    ends = ctx.constant_ints(2, "ends");
    if (ctx.has_input(3)) axes = ctx.constant_ints(3, "axes");
    if (ctx.has_input(4)) steps = ctx.constant_ints(4, "steps");
  }
  if (axes.empty()) {
    for (size_t d = 0; d < starts.size(); ++d) axes.push_back(static_cast<int64_t>(d));
  }
  if (steps.empty()) steps.assign(starts.size(), 1);
  user_check(ends.size() == starts.size() && axes.size() == starts.size() &&
             steps.size() == starts.size())
      << ctx.describe() << ": starts " << shape_str(starts) << ", ends " << shape_str(ends)
      << ", axes " << shape_str(axes) << " and steps " << shape_str(steps)
      << " must have the same length";
  size_t rank = x.ndim();
  std::vector<int64_t> begin(rank, 0), step(rank, 1), shape = x.shape();
  std::vector<bool> seen(rank, false);
  for (size_t i = 0; i < starts.size(); ++i) {
    size_t ax = ctx.normalize_axis(axes[i], rank, "axis");
    user_check(!seen[ax]) << ctx.describe() << ": axis " << axes[i] << " is listed twice in "
                          << shape_str(axes);
    seen[ax] = true;
    user_check(steps[i] != 0) << ctx.describe() << ": steps must be non-zero, got "
                              << shape_str(steps);
    int64_t n = x.dim(ax), s = starts[i], e = ends[i], st = steps[i];
    if (s < 0) s += n;
    if (e < 0) e += n;
    int64_t extent;
    if (st > 0) {
      s = std::clamp<int64_t>(s, 0, n);
      e = std::clamp<int64_t>(e, 0, n);
      extent = e > s ? ir::ceil_div(e - s, st) : 0;
    } else {
      s = std::clamp<int64_t>(s, 0, n - 1);
      e = std::clamp<int64_t>(e, -1, n - 1);
      extent = s > e ? ir::ceil_div(s - e, -st) : 0;
    }
    begin[ax] = s;
    step[ax] = st;
    shape[ax] = extent;
  }
  check_not_empty(ctx, shape, "the output");
  return {ops::strided_slice(x, begin, step, shape)};
}

// Pad: `pads` ([begin of each padded axis..., end of each...]) and the fill value are attributes
// before opset 11 and inputs after (pads constant; constant_value an optional scalar, constant or
// computed; axes, opset 18, an optional constant). Modes: constant, reflect, edge.
std::vector<te::Tensor> lower_pad(const LoweringContext &ctx) {
  const te::Tensor &x = ctx.input(0, "data");
  size_t rank = x.ndim();
  std::string mode_name = ctx.attrs().get_string("mode", "constant");
  ops::PadMode mode = ops::PadMode::Constant;
  if (mode_name == "constant") {
    mode = ops::PadMode::Constant;
  } else if (mode_name == "reflect") {
    mode = ops::PadMode::Reflect;
  } else if (mode_name == "edge") {
    mode = ops::PadMode::Edge;
  } else {
    user_error << ctx.describe() << ": mode '" << mode_name
               << "' is not supported (expected constant, reflect or edge)";
  }
  std::vector<int64_t> pads;
  Expr value;
  std::vector<size_t> axes;
  if (ctx.opset() < 11) {
    pads = ctx.attrs().has("paddings") ? ctx.attrs().get_ints("paddings")
                                       : ctx.attrs().get_ints("pads");
    value = ir::make_const(x.dtype(), ctx.attrs().get_float("value", 0.0));
  } else {
    pads = ctx.constant_ints(1, "pads");
    if (ctx.has_input(2) && ctx.is_constant(2)) {
      ConstantPtr c = ctx.constant(2, "constant_value");
      user_check(c->size() == 1) << ctx.describe() << ": constant_value must be a scalar, got "
                                 << shape_str(c->shape);
      value = x.dtype().is_float() ? ir::make_const(x.dtype(), c->as_double(0))
                                   : ir::IntImm::make(x.dtype(), c->as_int64(0));
    } else if (ctx.has_input(2)) {
      const te::Tensor &v = ctx.input(2, "constant_value");
      user_check(v.size() == 1 && v.dtype() == x.dtype())
          << ctx.describe() << ": constant_value must be a scalar of type " << x.dtype().str();
      value = v(std::vector<Expr>(v.ndim(), Expr(int64_t(0))));
    } else {
      value = ir::make_zero(x.dtype());
    }
    if (ctx.has_input(3)) {
      for (int64_t a : ctx.constant_ints(3, "axes")) {
        axes.push_back(ctx.normalize_axis(a, rank, "axis"));
      }
    }
  }
  if (axes.empty()) {
    for (size_t d = 0; d < rank; ++d) axes.push_back(d);
  }
  user_check(pads.size() == 2 * axes.size())
      << ctx.describe() << ": pads " << shape_str(pads) << " must have " << 2 * axes.size()
      << " entries (a begin and an end per padded axis)";
  std::vector<int64_t> before(rank, 0), after(rank, 0);
  for (size_t i = 0; i < axes.size(); ++i) {
    before[axes[i]] = pads[i];
    after[axes[i]] = pads[axes.size() + i];
  }
  bool non_negative = std::all_of(pads.begin(), pads.end(), [](int64_t p) { return p >= 0; });
  if (mode == ops::PadMode::Constant && non_negative && ir::is_const(value) &&
      x.dtype().is_float()) {
    return {ops::pad(x, before, after, *ir::as_const_float(value))};
  }
  return {ops::pad_with_mode(x, before, after, mode, value)};
}

std::vector<te::Tensor> lower_squeeze(const LoweringContext &ctx) {
  const te::Tensor &x = ctx.input(0, "data");
  std::vector<size_t> axes = read_axes(ctx, 13, x.ndim());
  std::vector<int64_t> shape;
  for (size_t d = 0; d < x.ndim(); ++d) {
    bool listed = std::find(axes.begin(), axes.end(), d) != axes.end();
    if (axes.empty() ? x.dim(d) == 1 : listed) {
      user_check(x.dim(d) == 1) << ctx.describe() << ": axis " << d << " of shape "
                                << shape_str(x.shape()) << " has extent " << x.dim(d)
                                << ", not 1, and cannot be squeezed";
      continue;
    }
    shape.push_back(x.dim(d));
  }
  return {ops::reshape(x, shape)};
}

std::vector<te::Tensor> lower_unsqueeze(const LoweringContext &ctx) {
  const te::Tensor &x = ctx.input(0, "data");
  std::vector<int64_t> raw =
      ctx.opset() >= 13 ? ctx.constant_ints(1, "axes") : ctx.attrs().get_ints("axes");
  size_t out_rank = x.ndim() + raw.size();
  std::vector<bool> inserted(out_rank, false);
  for (int64_t a : raw) {
    size_t ax = ctx.normalize_axis(a, out_rank, "axis");
    user_check(!inserted[ax]) << ctx.describe() << ": axis " << a << " is listed twice in "
                              << shape_str(raw);
    inserted[ax] = true;
  }
  std::vector<int64_t> shape;
  size_t src = 0;
  for (size_t d = 0; d < out_rank; ++d) shape.push_back(inserted[d] ? 1 : x.dim(src++));
  return {ops::reshape(x, shape)};
}

// Shape: the input's extents [start, end) as int64 (start/end from opset 15, negative counting
// from the back, clamped into [0, rank]).
std::vector<te::Tensor> lower_shape(const LoweringContext &ctx) {
  std::vector<int64_t> shape = ctx.input_shape(0, "data");
  int64_t rank = static_cast<int64_t>(shape.size());
  int64_t start = ctx.attrs().get_int("start", 0), end = ctx.attrs().get_int("end", rank);
  if (start < 0) start += rank;
  if (end < 0) end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, 0, rank);
  std::vector<int64_t> dims(shape.begin() + start, shape.begin() + std::max(start, end));
  check_not_empty(ctx, {static_cast<int64_t>(dims.size())}, "the output");
  std::vector<Expr> elements;
  for (int64_t d : dims) elements.push_back(ir::IntImm::make(ir::Int(64), d));
  return {ops::constant_tensor({static_cast<int64_t>(dims.size())}, elements, "shape")};
}

std::vector<te::Tensor> lower_gather(const LoweringContext &ctx) {
  return {ops::take(ctx.input(0, "data"), ctx.input(1, "indices"), ctx.attrs().get_int("axis", 0))};
}

std::vector<te::Tensor> lower_expand(const LoweringContext &ctx) {
  const te::Tensor &x = ctx.input(0, "input");
  std::vector<int64_t> shape = ctx.constant_ints(1, "shape");
  return {ops::broadcast_to(x, shape)};
}

// Constant: the literal from one of value (a tensor), value_float(s) or value_int(s).
std::vector<te::Tensor> lower_constant(const LoweringContext &ctx) {
  const Attributes &attrs = ctx.attrs();
  ConstantPtr data;
  if (attrs.has("value")) {
    data = attrs.get_tensor("value");
  } else if (attrs.has("value_float")) {
    data = TensorData::from_floats({}, {static_cast<float>(attrs.get_float("value_float"))});
  } else if (attrs.has("value_floats")) {
    std::vector<float> v;
    for (double d : attrs.get_floats("value_floats")) v.push_back(static_cast<float>(d));
    data = TensorData::from_floats({static_cast<int64_t>(v.size())}, v);
  } else if (attrs.has("value_int")) {
    data = TensorData::from_int64s({}, {attrs.get_int("value_int")});
  } else if (attrs.has("value_ints")) {
    std::vector<int64_t> v = attrs.get_ints("value_ints");
    data = TensorData::from_int64s({static_cast<int64_t>(v.size())}, v);
  } else {
    user_error << ctx.describe()
               << ": needs one of the attributes value, value_float(s) or value_int(s) "
                  "(sparse and string constants are not supported)";
  }
  return {constant_to_tensor(*data, "constant", ctx.describe())};
}

// ConstantOfShape: a tensor of the constant input's shape filled with `value`'s single element
// (float32 0 by default).
std::vector<te::Tensor> lower_constant_of_shape(const LoweringContext &ctx) {
  std::vector<int64_t> shape = ctx.constant_ints(0, "input");
  check_not_empty(ctx, shape, "the output");
  Expr value = ir::make_zero(ir::Float(32));
  if (ctx.attrs().has("value")) {
    ConstantPtr v = ctx.attrs().get_tensor("value");
    user_check(v->size() == 1) << ctx.describe() << ": value must have one element, got shape "
                               << shape_str(v->shape);
    value = v->dtype.is_float() ? ir::make_const(v->dtype, v->as_double(0))
                                : ir::IntImm::make(v->dtype, v->as_int64(0));
  }
  return {ops::full(shape, value, "constant_of_shape")};
}

}  // namespace autotune::graph::detail

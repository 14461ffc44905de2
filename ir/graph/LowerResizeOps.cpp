// Lowering of ONNX Resize (opset 10, and 11+ with roi/scales/sizes inputs) and the older Upsample
// onto ops::resize: output extents from sizes or scales, and the mode attributes mapped to enums.
#include <algorithm>
#include <cmath>

#include "ir/graph/detail/Lowering.h"
#include "ir/ops/Resize.h"

namespace autotune::graph::detail {

namespace {

ops::ResizeMode read_mode(const LoweringContext &ctx) {
  std::string mode = ctx.attrs().get_string("mode", "nearest");
  if (mode == "nearest") return ops::ResizeMode::Nearest;
  if (mode == "linear" || mode == "bilinear") return ops::ResizeMode::Linear;
  user_error << ctx.describe() << ": mode '" << mode
             << "' is not supported (expected nearest or linear)";
  return ops::ResizeMode::Nearest;
}

ops::ResizeCoordinates read_coordinates(const LoweringContext &ctx) {
  std::string c = ctx.attrs().get_string("coordinate_transformation_mode", "half_pixel");
  if (c == "half_pixel") return ops::ResizeCoordinates::HalfPixel;
  if (c == "pytorch_half_pixel") return ops::ResizeCoordinates::PytorchHalfPixel;
  if (c == "align_corners") return ops::ResizeCoordinates::AlignCorners;
  if (c == "asymmetric") return ops::ResizeCoordinates::Asymmetric;
  if (c == "tf_half_pixel_for_nn") return ops::ResizeCoordinates::TfHalfPixelForNn;
  user_error << ctx.describe() << ": coordinate_transformation_mode '" << c
             << "' is not supported (expected half_pixel, pytorch_half_pixel, align_corners, "
                "asymmetric or tf_half_pixel_for_nn)";
  return ops::ResizeCoordinates::HalfPixel;
}

ops::NearestRounding read_rounding(const LoweringContext &ctx) {
  std::string r = ctx.attrs().get_string("nearest_mode", "round_prefer_floor");
  if (r == "round_prefer_floor") return ops::NearestRounding::RoundPreferFloor;
  if (r == "round_prefer_ceil") return ops::NearestRounding::RoundPreferCeil;
  if (r == "floor") return ops::NearestRounding::Floor;
  if (r == "ceil") return ops::NearestRounding::Ceil;
  user_error << ctx.describe() << ": nearest_mode '" << r
             << "' is not supported (expected round_prefer_floor, round_prefer_ceil, floor or "
                "ceil)";
  return ops::NearestRounding::RoundPreferFloor;
}

/// x resized by per-dimension `scales`: each output extent is floor(in * scale), computed in
/// float32 as ONNX Runtime does.
te::Tensor resize_by_scales(const LoweringContext &ctx, const te::Tensor &x,
                            const std::vector<double> &scales, const ops::ResizeAttrs &attrs) {
  user_check(scales.size() == x.ndim())
      << ctx.describe() << ": scales has " << scales.size() << " entries for input with shape "
      << shape_str(x.shape()) << " (expected one per dimension)";
  std::vector<int64_t> out(x.ndim());
  for (size_t d = 0; d < x.ndim(); ++d) {
    float extent = static_cast<float>(scales[d]) * static_cast<float>(x.dim(d));
    out[d] = static_cast<int64_t>(std::floor(extent));
    user_check(out[d] >= 1) << ctx.describe() << ": scale " << scales[d] << " of dimension " << d
                            << " leaves an empty output from extent " << x.dim(d);
  }
  return ops::resize(x, out, scales, attrs);
}

}  // namespace

// Resize: opset 10 takes (X, scales) with asymmetric coordinates and the "simple" nearest
// rounding; opset 11+ takes (X, roi, scales, sizes) where exactly one of scales and sizes is
// given (an empty constant counts as absent) and the modes come from the attributes.
std::vector<te::Tensor> lower_resize(const LoweringContext &ctx) {
  const te::Tensor &x = ctx.input(0, "X");
  ops::ResizeAttrs attrs;
  attrs.mode = read_mode(ctx);
  if (ctx.opset() < 11) {
    attrs.coordinates = ops::ResizeCoordinates::Asymmetric;
    attrs.rounding = ops::NearestRounding::FloorUpCeilDown;
    return {resize_by_scales(ctx, x, ctx.constant_floats(1, "scales"), attrs)};
  }
  attrs.coordinates = read_coordinates(ctx);
  attrs.rounding = read_rounding(ctx);
  user_check(ctx.attrs().get_int("exclude_outside", 0) == 0)
      << ctx.describe() << ": exclude_outside = 1 is not supported";
  user_check(ctx.attrs().get_int("antialias", 0) == 0)
      << ctx.describe() << ": antialias = 1 is not supported";
  // Opset 18: scales and sizes may cover only `axes`; the other dimensions keep their extent.
  size_t rank = x.ndim();
  std::vector<size_t> axes;
  for (int64_t a : ctx.attrs().get_ints("axes", {})) {
    axes.push_back(ctx.normalize_axis(a, rank, "axis"));
  }
  if (axes.empty()) {
    for (size_t d = 0; d < rank; ++d) axes.push_back(d);
  }
  auto given = [&](size_t i, const char *what) {
    return ctx.has_input(i) && (!ctx.is_constant(i) || ctx.constant(i, what)->size() > 0);
  };
  std::vector<double> scales(rank, 1.0);
  if (given(3, "sizes")) {
    std::vector<int64_t> given_sizes = ctx.constant_ints(3, "sizes");
    user_check(given_sizes.size() == axes.size())
        << ctx.describe() << ": sizes " << shape_str(given_sizes) << " must have one entry per "
        << "resized axis (" << axes.size() << ") of X with shape " << shape_str(x.shape());
    std::vector<int64_t> sizes = x.shape();
    for (size_t i = 0; i < axes.size(); ++i) {
      user_check(given_sizes[i] >= 1)
          << ctx.describe() << ": sizes " << shape_str(given_sizes) << " must be positive";
      sizes[axes[i]] = given_sizes[i];
    }
    // keep_aspect_ratio_policy (opset 18) scales every axis by the smallest or largest ratio.
    std::string policy = ctx.attrs().get_string("keep_aspect_ratio_policy", "stretch");
    if (policy == "not_larger" || policy == "not_smaller") {
      double scale = policy == "not_larger" ? 1e300 : 0.0;
      for (size_t a : axes) {
        double r = static_cast<double>(sizes[a]) / static_cast<double>(x.dim(a));
        scale = policy == "not_larger" ? std::min(scale, r) : std::max(scale, r);
      }
      for (size_t a : axes) {
        sizes[a] = static_cast<int64_t>(std::round(scale * static_cast<double>(x.dim(a))));
        scales[a] = scale;
      }
      return {ops::resize(x, sizes, scales, attrs)};
    }
    user_check(policy == "stretch") << ctx.describe() << ": keep_aspect_ratio_policy '" << policy
                                    << "' is not one of stretch, not_larger, not_smaller";
    for (size_t d = 0; d < rank; ++d) {
      scales[d] = static_cast<double>(static_cast<float>(sizes[d]) / static_cast<float>(x.dim(d)));
    }
    return {ops::resize(x, sizes, scales, attrs)};
  }
  user_check(given(2, "scales")) << ctx.describe() << ": needs the input scales or sizes";
  std::vector<double> given_scales = ctx.constant_floats(2, "scales");
  user_check(given_scales.size() == axes.size())
      << ctx.describe() << ": scales has " << given_scales.size() << " entries for " << axes.size()
      << " resized axes of X with shape " << shape_str(x.shape());
  for (size_t i = 0; i < axes.size(); ++i) scales[axes[i]] = given_scales[i];
  return {resize_by_scales(ctx, x, scales, attrs)};
}

// Upsample (deprecated since opset 10): scales is an attribute in opset 7 and a constant input
// from opset 9; coordinates are asymmetric.
std::vector<te::Tensor> lower_upsample(const LoweringContext &ctx) {
  const te::Tensor &x = ctx.input(0, "X");
  ops::ResizeAttrs attrs;
  attrs.mode = read_mode(ctx);
  attrs.coordinates = ops::ResizeCoordinates::Asymmetric;
  attrs.rounding = ops::NearestRounding::FloorUpCeilDown;
  std::vector<double> scales =
      ctx.opset() >= 9 ? ctx.constant_floats(1, "scales") : ctx.attrs().get_floats("scales");
  return {resize_by_scales(ctx, x, scales, attrs)};
}

}  // namespace autotune::graph::detail

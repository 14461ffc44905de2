// Resize: per-dimension float32 coordinate transforms, then nearest rounding or linear blending.
#include "ir/ops/Resize.h"

#include "ir/ops/detail/ShapeCheck.h"

namespace autotune::ops {

using detail::shape_str;
using ir::Expr;
using ir::Var;
using te::Tensor;

namespace {

/// The fractional input coordinate (float32) of output index `o` along one dimension.
Expr source_coordinate(Expr o, int64_t in, int64_t out, double scale, ResizeCoordinates mode) {
  ir::DataType f32 = ir::Float(32);
  Expr x = ir::cast(f32, o);
  Expr s = ir::make_const(f32, scale);
  Expr half = ir::make_const(f32, 0.5);
  switch (mode) {
    case ResizeCoordinates::HalfPixel:
      return (x + half) / s - half;
    case ResizeCoordinates::PytorchHalfPixel:
      return out > 1 ? (x + half) / s - half : ir::make_zero(f32);
    case ResizeCoordinates::AlignCorners:
      return out > 1 ? x * ir::make_const(f32, static_cast<double>(in - 1)) /
                           ir::make_const(f32, static_cast<double>(out - 1))
                     : ir::make_zero(f32);
    case ResizeCoordinates::Asymmetric:
      return x / s;
    case ResizeCoordinates::TfHalfPixelForNn:
      return (x + half) / s;
  }
  return Expr();
}

Expr round_nearest(Expr c, NearestRounding rounding, double scale) {
  ir::DataType f32 = ir::Float(32);
  Expr half = ir::make_const(f32, 0.5);
  switch (rounding) {
    case NearestRounding::RoundPreferFloor:
      return ir::ceil(c - half);
    case NearestRounding::RoundPreferCeil:
      return ir::floor(c + half);
    case NearestRounding::Floor:
      return ir::floor(c);
    case NearestRounding::Ceil:
      return ir::ceil(c);
    case NearestRounding::FloorUpCeilDown:
      return scale < 1.0 ? ir::ceil(c) : ir::floor(c);
  }
  return Expr();
}

Expr clamp(Expr v, int64_t hi) { return ir::min(ir::max(v, Expr(int64_t(0))), Expr(hi)); }

}  // namespace

Tensor resize(const Tensor &x, const std::vector<int64_t> &out_shape,
              const std::vector<double> &scales, const ResizeAttrs &attrs) {
  size_t rank = x.ndim();
  user_check(out_shape.size() == rank && scales.size() == rank)
      << "resize of '" << x.name() << "' with shape " << shape_str(x.shape()) << ": output shape "
      << shape_str(out_shape) << " and " << scales.size() << " scales need one entry per dimension";
  for (size_t d = 0; d < rank; ++d) {
    user_check(scales[d] > 0) << "resize of '" << x.name() << "': scale " << scales[d]
                              << " of dimension " << d << " must be positive";
  }
  user_check(attrs.mode == ResizeMode::Nearest || x.dtype().is_float())
      << "resize of '" << x.name() << "': linear interpolation needs a floating-point tensor, got "
      << x.dtype().str();
  std::vector<bool> resized(rank);
  for (size_t d = 0; d < rank; ++d) resized[d] = out_shape[d] != x.dim(d) || scales[d] != 1.0;
  return te::compute(
      out_shape,
      [&](const std::vector<Var> &i) -> Expr {
        if (attrs.mode == ResizeMode::Nearest) {
          std::vector<Expr> src(rank);
          for (size_t d = 0; d < rank; ++d) {
            if (!resized[d]) {
              src[d] = i[d];
              continue;
            }
            Expr c = source_coordinate(i[d], x.dim(d), out_shape[d], scales[d], attrs.coordinates);
            Expr idx = ir::cast(ir::index_type(), round_nearest(c, attrs.rounding, scales[d]));
            src[d] = clamp(idx, x.dim(d) - 1);
          }
          return x(src);
        }
        // Linear: the two neighbours and their weights along every resized dimension.
        ir::DataType f32 = ir::Float(32);
        std::vector<Expr> lo(rank), hi(rank), w_hi(rank);
        std::vector<size_t> interp;
        for (size_t d = 0; d < rank; ++d) {
          if (!resized[d]) {
            lo[d] = i[d];
            continue;
          }
          Expr c = source_coordinate(i[d], x.dim(d), out_shape[d], scales[d], attrs.coordinates);
          c = ir::min(ir::max(c, ir::make_zero(f32)),
                      ir::make_const(f32, static_cast<double>(x.dim(d) - 1)));
          Expr base = ir::floor(c);
          lo[d] = ir::cast(ir::index_type(), base);
          hi[d] = ir::min(lo[d] + 1, Expr(x.dim(d) - 1));
          w_hi[d] = c - base;
          interp.push_back(d);
        }
        Expr result;
        for (size_t corner = 0; corner < (size_t(1) << interp.size()); ++corner) {
          std::vector<Expr> src = lo;
          Expr weight;
          for (size_t b = 0; b < interp.size(); ++b) {
            size_t d = interp[b];
            bool upper = (corner >> b) & 1;
            if (upper) src[d] = hi[d];
            Expr w = upper ? w_hi[d] : ir::make_const(f32, 1.0) - w_hi[d];
            weight = weight.defined() ? weight * w : w;
          }
          Expr v = ir::cast(f32, x(src));
          Expr term = weight.defined() ? v * weight : v;
          result = result.defined() ? result + term : term;
        }
        return ir::cast(x.dtype(), result);
      },
      "resize", "resize");
}

}  // namespace autotune::ops

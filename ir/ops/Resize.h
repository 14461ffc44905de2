// Resizing a tensor by nearest-neighbour or (multi)linear interpolation, with the coordinate
// mappings of ONNX Resize/Upsample. Each output position maps back to a fractional input one.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/te/Tensor.h"

namespace autotune::ops {

enum class ResizeMode : uint8_t { Nearest, Linear };

/// How output coordinate x (along a dimension of input length `in`, output length `out` and
/// scale s) maps to an input coordinate:
enum class ResizeCoordinates : uint8_t {
  HalfPixel,         ///< (x + 0.5) / s - 0.5
  PytorchHalfPixel,  ///< out > 1 ? (x + 0.5) / s - 0.5 : 0
  AlignCorners,      ///< out > 1 ? x * (in - 1) / (out - 1) : 0
  Asymmetric,        ///< x / s
  TfHalfPixelForNn,  ///< (x + 0.5) / s
};

/// How Nearest rounds a fractional input coordinate to an index.
enum class NearestRounding : uint8_t {
  RoundPreferFloor,  ///< round halves down
  RoundPreferCeil,   ///< round halves up
  Floor,
  Ceil,
  /// Floor when upsampling (s >= 1), ceil when downsampling: ONNX Upsample and Resize-10.
  FloorUpCeilDown,
};

struct ResizeAttrs {
  ResizeMode mode = ResizeMode::Nearest;
  ResizeCoordinates coordinates = ResizeCoordinates::HalfPixel;
  NearestRounding rounding = NearestRounding::RoundPreferFloor;
};

/// x resized to `out_shape` (same rank as x), with `scales[d]` the scale s of dimension d
/// (out/in when the caller gave sizes). Dimensions with equal extents and scale 1 are copied.
/// Coordinates are computed in float32. Nearest clamps the rounded index into [0, in - 1];
/// Linear clamps the coordinate into [0, in - 1] and blends the two neighbours of every
/// resized dimension (2^k reads for k resized dimensions), for floating-point x only.
/// Tag "resize".
te::Tensor resize(const te::Tensor &x, const std::vector<int64_t> &out_shape,
                  const std::vector<double> &scales, const ResizeAttrs &attrs);

}  // namespace autotune::ops

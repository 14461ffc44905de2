// Padding with ONNX Pad's three modes (constant, reflect, edge), negative pads that crop, and a
// fill value that may be computed; Transform.h's pad is the plain constant case.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/te/Tensor.h"

namespace autotune::ops {

enum class PadMode : uint8_t {
  Constant,  ///< outside elements are the fill value
  Reflect,   ///< mirrored about the first/last element, which is not repeated (pad < extent)
  Edge,      ///< the nearest edge element
};

/// out[i] = x[i - before] per dimension, with positions outside x filled by `mode`. `before`
/// and `after` have one entry per dimension; negative entries remove elements. `value` (for
/// Constant) is a scalar of x's dtype that reads no loop variable (a constant, or a read of a
/// rank-0 tensor). Reflect needs every pad below the dimension's extent. Tag "pad".
te::Tensor pad_with_mode(const te::Tensor &x, const std::vector<int64_t> &before,
                         const std::vector<int64_t> &after, PadMode mode, ir::Expr value);

}  // namespace autotune::ops

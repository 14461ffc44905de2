// Shape helpers shared by the operator definitions: printing shapes in messages, normalizing
// axes, checking ranks. Header-only; ir/ops internal.
#pragma once

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "ir/te/Tensor.h"

namespace autotune::ops::detail {

/// "[1, 3, 224, 224]".
inline std::string shape_str(const std::vector<int64_t> &shape) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < shape.size(); ++i) os << (i ? ", " : "") << shape[i];
  os << "]";
  return os.str();
}

/// Maps `axis` in [-rank, rank) to [0, rank); user error naming `op` otherwise.
inline size_t normalize_axis(int64_t axis, size_t rank, const char *op) {
  int64_t r = static_cast<int64_t>(rank);
  user_check(axis >= -r && axis < r)
      << op << ": axis " << axis << " is out of range for a tensor of rank " << rank;
  return static_cast<size_t>(axis < 0 ? axis + r : axis);
}

/// User error naming `op` and the tensor unless `t` has rank `rank`.
inline void check_rank(const te::Tensor &t, size_t rank, const char *op, const char *what) {
  user_check(t.ndim() == rank) << op << ": " << what << " '" << t.name() << "' must have rank "
                               << rank << ", got shape " << shape_str(t.shape());
}

/// User error naming `op` unless every tensor has the dtype of the first one.
inline void check_same_dtype(const std::vector<te::Tensor> &ts, const char *op) {
  for (const te::Tensor &t : ts) {
    user_check(t.dtype() == ts.front().dtype())
        << op << ": tensor '" << t.name() << "' has dtype " << t.dtype().str() << " but '"
        << ts.front().name() << "' has " << ts.front().dtype().str();
  }
}

/// `x` clamped into [lo, hi]; constant bounds that cannot bind are left out.
inline ir::Expr clamp_index(ir::Expr x, int64_t lo, int64_t hi, bool need_lo, bool need_hi) {
  if (need_lo) x = ir::max(x, ir::Expr(lo));
  if (need_hi) x = ir::min(x, ir::Expr(hi));
  return x;
}

}  // namespace autotune::ops::detail

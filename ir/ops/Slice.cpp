// Strided slicing as one injective stage.
#include "ir/ops/Slice.h"

#include "ir/ops/detail/ShapeCheck.h"

namespace autotune::ops {

using detail::shape_str;
using ir::Expr;
using ir::Var;
using te::Tensor;

Tensor strided_slice(const Tensor &x, const std::vector<int64_t> &begin,
                     const std::vector<int64_t> &step, const std::vector<int64_t> &out_shape) {
  size_t rank = x.ndim();
  user_check(begin.size() == rank && step.size() == rank && out_shape.size() == rank)
      << "strided_slice of '" << x.name() << "' with shape " << shape_str(x.shape()) << ": begin "
      << shape_str(begin) << ", step " << shape_str(step) << " and output shape "
      << shape_str(out_shape) << " need one entry per dimension";
  for (size_t d = 0; d < rank; ++d) {
    int64_t last = begin[d] + (out_shape[d] - 1) * step[d];
    user_check(step[d] != 0 && begin[d] >= 0 && begin[d] < x.dim(d) && last >= 0 && last < x.dim(d))
        << "strided_slice of '" << x.name() << "' with shape " << shape_str(x.shape())
        << ": dimension " << d << " reads from " << begin[d] << " to " << last << " in steps of "
        << step[d] << ", outside [0, " << x.dim(d) << ")";
  }
  return te::compute(
      out_shape,
      [&](const std::vector<Var> &i) {
        std::vector<Expr> src(rank);
        for (size_t d = 0; d < rank; ++d) {
          src[d] = step[d] == 1 ? Expr(i[d]) : Expr(i[d]) * step[d];
          if (begin[d] != 0) src[d] = src[d] + begin[d];
        }
        return x(src);
      },
      "strided_slice", "injective");
}

}  // namespace autotune::ops

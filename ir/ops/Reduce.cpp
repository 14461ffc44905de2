// Reductions over axes: output shape (keepdims) and one reduction stage.
#include "ir/ops/Reduce.h"

#include "ir/ops/detail/ShapeCheck.h"

namespace autotune::ops {

using ir::Expr;
using ir::IterVar;
using ir::Var;
using te::Tensor;

const char *reduce_op_name(ReduceOp op) {
  switch (op) {
    case ReduceOp::Sum: return "sum";
    case ReduceOp::Mean: return "mean";
    case ReduceOp::Max: return "max";
    case ReduceOp::Min: return "min";
    case ReduceOp::Prod: return "prod";
  }
  return "?";
}

Tensor reduce(const Tensor &x, const std::vector<int64_t> &axes, bool keepdims, ReduceOp op) {
  std::string name = std::string("reduce_") + reduce_op_name(op);
  size_t rank = x.ndim();
  std::vector<bool> reduced(rank, axes.empty());
  for (int64_t a : axes) {
    size_t ax = detail::normalize_axis(a, rank, name.c_str());
    user_check(!reduced[ax]) << name << " of '" << x.name() << "': axis " << a
                             << " is listed twice in " << detail::shape_str(axes);
    reduced[ax] = true;
  }
  std::vector<int64_t> out_shape;
  std::vector<IterVar> raxes;
  int64_t count = 1;
  for (size_t d = 0; d < rank; ++d) {
    if (reduced[d]) {
      raxes.push_back(te::reduce_axis(x.dim(d), "k" + std::to_string(d)));
      count *= x.dim(d);
      if (keepdims) out_shape.push_back(1);
    } else {
      out_shape.push_back(x.dim(d));
    }
  }
  return te::compute(
      out_shape,
      [&](const std::vector<Var> &i) {
        std::vector<Expr> idx(rank);
        size_t out_d = 0, r = 0;
        for (size_t d = 0; d < rank; ++d) {
          if (reduced[d]) {
            idx[d] = raxes[r++];
            if (keepdims) ++out_d;
          } else {
            idx[d] = i[out_d++];
          }
        }
        Expr v = x(idx);
        switch (op) {
          case ReduceOp::Sum: return te::sum(v, raxes);
          case ReduceOp::Mean:
            return te::sum(v * ir::make_const(x.dtype(), 1.0 / static_cast<double>(count)), raxes);
          case ReduceOp::Max: return te::reduce_max(v, raxes);
          case ReduceOp::Min: return te::reduce_min(v, raxes);
          case ReduceOp::Prod: return te::reduce_prod(v, raxes);
        }
        return Expr();
      },
      name, "reduce");
}

}  // namespace autotune::ops

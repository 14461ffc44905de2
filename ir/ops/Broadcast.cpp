// N-ary numpy broadcasting: output shapes, broadcast reads and the single-stage maps built on them.
#include "ir/ops/Broadcast.h"

#include "ir/ops/Elemwise.h"
#include "ir/ops/detail/ShapeCheck.h"

namespace autotune::ops {

using detail::shape_str;
using ir::Expr;
using ir::Var;
using te::Tensor;

std::vector<int64_t> broadcast_shapes(const std::vector<std::vector<int64_t>> &shapes,
                                      const char *op) {
  std::vector<int64_t> out;
  for (const std::vector<int64_t> &s : shapes) out = broadcast_shape(out, s, op);
  return out;
}

std::vector<Expr> broadcast_indices(const Tensor &t, const std::vector<Var> &i) {
  internal_check(i.size() >= t.ndim()) << "broadcast read of '" << t.name() << "' with rank "
                                       << t.ndim() << " from rank " << i.size();
  size_t offset = i.size() - t.ndim();
  std::vector<Expr> idx(t.ndim());
  for (size_t d = 0; d < t.ndim(); ++d) {
    idx[d] = t.dim(d) == 1 ? Expr(int64_t(0)) : Expr(i[offset + d]);
  }
  return idx;
}

Tensor broadcast_map(const std::vector<Tensor> &inputs,
                     const std::function<Expr(const std::vector<Expr> &)> &f,
                     const std::string &name) {
  user_check(!inputs.empty()) << name << ": needs at least one input";
  std::vector<std::vector<int64_t>> shapes;
  for (const Tensor &t : inputs) shapes.push_back(t.shape());
  std::vector<int64_t> shape = broadcast_shapes(shapes, name.c_str());
  bool same = true;
  for (const Tensor &t : inputs) same = same && t.shape() == shape;
  return te::compute(
      shape,
      [&](const std::vector<Var> &i) {
        std::vector<Expr> reads;
        for (const Tensor &t : inputs) reads.push_back(t(broadcast_indices(t, i)));
        return f(reads);
      },
      name, same ? "elemwise" : "broadcast");
}

Tensor broadcast_to(const Tensor &x, const std::vector<int64_t> &shape) {
  std::vector<int64_t> out_shape = broadcast_shape(x.shape(), shape, "broadcast_to");
  return te::compute(
      out_shape, [&](const std::vector<Var> &i) { return x(broadcast_indices(x, i)); },
      "broadcast_to", "broadcast");
}

Tensor bias_add(const Tensor &x, const Tensor &bias, size_t axis) {
  user_check(axis < x.ndim()) << "bias_add: axis " << axis << " is out of range for '" << x.name()
                              << "' with shape " << shape_str(x.shape());
  detail::check_same_dtype({x, bias}, "bias_add");
  user_check(bias.ndim() == 1 && bias.dim(0) == x.dim(axis))
      << "bias_add: bias '" << bias.name() << "' must have shape [" << x.dim(axis)
      << "] (extent of axis " << axis << " of '" << x.name() << "' with shape "
      << shape_str(x.shape()) << "), got " << shape_str(bias.shape());
  return te::compute(
      x.shape(),
      [&](const std::vector<Var> &i) {
        return x(std::vector<Expr>(i.begin(), i.end())) + bias(i[axis]);
      },
      "bias_add", "broadcast");
}

}  // namespace autotune::ops

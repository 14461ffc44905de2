// Constant tensors as compute stages: a broadcast fill, or a select tree over the linear index.
#include "ir/ops/Constant.h"

#include "ir/ops/detail/ShapeCheck.h"

namespace autotune::ops {

using detail::shape_str;
using ir::Expr;
using ir::Var;
using te::Tensor;

Tensor full(const std::vector<int64_t> &shape, Expr value, const std::string &name) {
  user_check(value.defined() && value.type().is_scalar())
      << "full '" << name << "': the fill value must be a scalar expression";
  return te::compute(
      shape, [&](const std::vector<Var> &) { return value; }, name, "injective");
}

namespace {

/// elements[lo, hi) chosen by `linear` with a balanced tree of selects.
Expr select_tree(const std::vector<Expr> &elements, const Expr &linear, size_t lo, size_t hi) {
  if (hi - lo == 1) return elements[lo];
  size_t mid = lo + (hi - lo) / 2;
  return ir::select(linear < Expr(static_cast<int64_t>(mid)),
                    select_tree(elements, linear, lo, mid), select_tree(elements, linear, mid, hi));
}

}  // namespace

Tensor constant_tensor(const std::vector<int64_t> &shape, const std::vector<Expr> &elements,
                       const std::string &name) {
  int64_t count = 1;
  for (int64_t d : shape) count *= d;
  user_check(static_cast<int64_t>(elements.size()) == count)
      << "constant_tensor '" << name << "' with shape " << shape_str(shape) << " needs " << count
      << " elements, got " << elements.size();
  user_check(count <= kMaxEmbeddedElements)
      << "constant_tensor '" << name << "' with shape " << shape_str(shape) << " has " << count
      << " elements, more than the " << kMaxEmbeddedElements
      << " a kernel can embed (fold it into a graph constant instead)";
  for (const Expr &e : elements) {
    user_check(ir::is_const(e) && e.type() == elements.front().type())
        << "constant_tensor '" << name << "': every element must be a constant of type "
        << elements.front().type().str();
  }
  return te::compute(
      shape,
      [&](const std::vector<Var> &i) {
        Expr linear = Expr(int64_t(0));
        for (size_t d = 0; d < shape.size(); ++d) linear = linear * Expr(shape[d]) + i[d];
        return select_tree(elements, linear, 0, elements.size());
      },
      name, "injective");
}

}  // namespace autotune::ops

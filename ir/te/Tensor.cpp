// Construction of placeholders, compute tensors and reductions.
#include "ir/te/Tensor.h"

#include <unordered_set>

#include "ir/core/IRVisitor.h"

namespace autotune::te {

using namespace ir;

int64_t Tensor::size() const {
  int64_t n = 1;
  for (int64_t d : shape()) n *= d;
  return n;
}

Expr Tensor::operator()(std::vector<Expr> indices) const {
  user_check(indices.size() == ndim())
      << "tensor '" << name() << "' has " << ndim() << " dimensions but is indexed with "
      << indices.size() << " indices";
  for (Expr &i : indices) {
    user_check(i.type().is_scalar() && i.type().is_integer_like())
        << "index of tensor '" << name() << "' must be an integer, got " << i.type().str();
    i = cast(index_type(), i);
  }
  return TensorRead::make(*this, std::move(indices));
}

namespace {

void check_shape(const std::vector<int64_t> &shape, const std::string &name) {
  for (size_t d = 0; d < shape.size(); ++d) {
    user_check(shape[d] > 0) << "tensor '" << name << "': dimension " << d
                             << " must be positive, got " << shape[d];
  }
}

}  // namespace

Tensor placeholder(std::vector<int64_t> shape, DataType dtype, std::string name) {
  check_shape(shape, name);
  user_check(dtype.is_scalar() && !dtype.is_handle())
      << "placeholder '" << name << "' must have a scalar element type";
  auto *n = new TensorNode;
  n->name = std::move(name);
  n->shape = std::move(shape);
  n->dtype = dtype;
  n->kind = TensorKind::Placeholder;
  return Tensor(n);
}

Tensor compute(std::vector<int64_t> shape,
               const std::function<Expr(const std::vector<Var> &)> &fcompute, std::string name,
               std::string tag) {
  check_shape(shape, name);
  static const char *kAxisNames[] = {"i", "j", "k", "l", "m", "n"};
  std::vector<IterVar> axis;
  std::vector<Var> vars;
  for (size_t d = 0; d < shape.size(); ++d) {
    std::string axis_name = d < 6 ? kAxisNames[d] : "ax" + std::to_string(d);
    Var v(axis_name);
    vars.push_back(v);
    axis.emplace_back(Range::from_min_extent(0, shape[d]), v, IterVarKind::DataPar);
  }
  Expr body = fcompute(vars);
  user_check(body.defined()) << "compute '" << name << "' returned an undefined expression";
  user_check(body.type().is_scalar())
      << "compute '" << name << "' must produce a scalar per element, got " << body.type().str();
  auto *n = new TensorNode;
  n->name = std::move(name);
  n->shape = std::move(shape);
  n->dtype = body.type();
  n->kind = TensorKind::Compute;
  n->axis = std::move(axis);
  if (const Reduce *r = body.as<Reduce>()) n->reduce_axis = r->axes;
  n->body = body;
  n->tag = std::move(tag);
  return Tensor(n);
}

IterVar reduce_axis(int64_t extent, const std::string &name) { return reduce_axis(0, extent, name); }

IterVar reduce_axis(int64_t min, int64_t extent, const std::string &name) {
  user_check(extent > 0) << "reduction axis '" << name << "' must have a positive extent, got "
                         << extent;
  return IterVar(Range::from_min_extent(min, extent), Var(name), IterVarKind::Reduce);
}

namespace {
Expr make_reduce(ReduceKind kind, Expr source, std::vector<IterVar> axes, Expr condition) {
  user_check(!axes.empty()) << reduce_kind_name(kind) << " needs at least one reduction axis";
  for (const IterVar &iv : axes) {
    user_check(iv.kind() == IterVarKind::Reduce)
        << reduce_kind_name(kind) << " over '" << iv.name()
        << "', which is not a reduction axis (make it with reduce_axis)";
  }
  if (condition.defined()) {
    user_check(condition.type() == Bool()) << reduce_kind_name(kind) << " condition must be bool";
  }
  return Reduce::make(kind, std::move(source), std::move(axes), std::move(condition));
}
}  // namespace

Expr sum(Expr s, std::vector<IterVar> a, Expr c) { return make_reduce(ReduceKind::Sum, s, a, c); }
Expr reduce_max(Expr s, std::vector<IterVar> a, Expr c) {
  return make_reduce(ReduceKind::Max, s, a, c);
}
Expr reduce_min(Expr s, std::vector<IterVar> a, Expr c) {
  return make_reduce(ReduceKind::Min, s, a, c);
}
Expr reduce_prod(Expr s, std::vector<IterVar> a, Expr c) {
  return make_reduce(ReduceKind::Prod, s, a, c);
}

std::vector<Tensor> tensors_read(const Expr &e) {
  struct Collect : IRVisitor {
    std::vector<Tensor> out;
    std::unordered_set<const void *> seen;
    void visit(const TensorRead *op) override {
      if (seen.insert(op->producer.get()).second) {
        out.emplace_back(static_cast<const TensorNode *>(op->producer.get()));
      }
      IRVisitor::visit(op);
    }
  } c;
  c(e);
  return c.out;
}

std::vector<Tensor> input_tensors(const Tensor &t) {
  if (t.is_placeholder()) return {};
  return tensors_read(t->body);
}

}  // namespace autotune::te

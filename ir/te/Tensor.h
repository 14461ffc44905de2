// Tensor expressions: placeholders, element-wise `compute` definitions and reductions.
// A Tensor is the single output of one operation; schedules (Schedule.h) decide how it is computed.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "ir/core/IR.h"
#include "ir/core/IROperators.h"

namespace autotune::te {

using ir::DataType;
using ir::Expr;
using ir::IterVar;
using ir::Range;
using ir::Var;

enum class TensorKind : uint8_t { Placeholder, Compute };

/// One tensor-producing operation. Placeholders are kernel inputs; compute tensors define each
/// element by `body` over the data-parallel `axis` (one per dimension, domain [0, shape[d]))
/// and, for reductions, the `reduce_axis` that the body's top-level Reduce combines over.
struct TensorNode : ir::DataProducerNode {
  TensorKind kind = TensorKind::Placeholder;
  std::vector<IterVar> axis;
  std::vector<IterVar> reduce_axis;
  Expr body;        ///< undefined for placeholders
  std::string tag;  ///< operator family ("conv2d_nchw", "injective"), used by schedule templates
};

class Tensor : public Ref<const TensorNode> {
 public:
  Tensor() = default;
  explicit Tensor(const TensorNode *n) : Ref<const TensorNode>(n) {}

  const std::string &name() const { return get()->name; }
  const std::vector<int64_t> &shape() const { return get()->shape; }
  int64_t dim(size_t d) const { return get()->shape.at(d); }
  size_t ndim() const { return get()->shape.size(); }
  DataType dtype() const { return get()->dtype; }
  bool is_placeholder() const { return get()->kind == TensorKind::Placeholder; }
  /// The data-parallel axes (compute tensors only).
  const std::vector<IterVar> &axis() const { return get()->axis; }
  const std::vector<IterVar> &reduce_axis() const { return get()->reduce_axis; }
  /// Number of elements.
  int64_t size() const;

  /// Reads this tensor at the given indices (one per dimension).
  Expr operator()(std::vector<Expr> indices) const;
  template <typename... Args>
  Expr operator()(Args &&...indices) const {
    return (*this)(std::vector<Expr>{Expr(std::forward<Args>(indices))...});
  }
};

/// A kernel input of the given shape and type.
Tensor placeholder(std::vector<int64_t> shape, DataType dtype, std::string name);

/// Defines each element of a new tensor of `shape` by `fcompute(indices)`.
/// A top-level Reduce in the result makes it a reduction over that Reduce's axes.
Tensor compute(std::vector<int64_t> shape, const std::function<Expr(const std::vector<Var> &)> &fcompute,
               std::string name, std::string tag = "");

/// Convenience forms taking one Var per dimension: compute({M, N}, [&](Var i, Var j) {...}, "C").
template <typename F>
Tensor compute(std::vector<int64_t> shape, F fcompute, std::string name, std::string tag = "") {
  if constexpr (std::is_invocable_r_v<Expr, F, const std::vector<Var> &>) {
    return compute(std::move(shape), std::function<Expr(const std::vector<Var> &)>(fcompute),
                   std::move(name), std::move(tag));
  } else {
    return compute(
        std::move(shape),
        std::function<Expr(const std::vector<Var> &)>([&](const std::vector<Var> &v) -> Expr {
          if constexpr (std::is_invocable_v<F, Var>) {
            return fcompute(v.at(0));
          } else if constexpr (std::is_invocable_v<F, Var, Var>) {
            return fcompute(v.at(0), v.at(1));
          } else if constexpr (std::is_invocable_v<F, Var, Var, Var>) {
            return fcompute(v.at(0), v.at(1), v.at(2));
          } else if constexpr (std::is_invocable_v<F, Var, Var, Var, Var>) {
            return fcompute(v.at(0), v.at(1), v.at(2), v.at(3));
          } else if constexpr (std::is_invocable_v<F, Var, Var, Var, Var, Var>) {
            return fcompute(v.at(0), v.at(1), v.at(2), v.at(3), v.at(4));
          } else {
            return fcompute(v.at(0), v.at(1), v.at(2), v.at(3), v.at(4), v.at(5));
          }
        }),
        std::move(name), std::move(tag));
  }
}

/// A reduction axis over [0, extent) (or the given range).
IterVar reduce_axis(int64_t extent, const std::string &name);
IterVar reduce_axis(int64_t min, int64_t extent, const std::string &name);

/// Reductions of `source` over `axes`, only where `condition` holds (when given).
Expr sum(Expr source, std::vector<IterVar> axes, Expr condition = Expr());
Expr reduce_max(Expr source, std::vector<IterVar> axes, Expr condition = Expr());
Expr reduce_min(Expr source, std::vector<IterVar> axes, Expr condition = Expr());
Expr reduce_prod(Expr source, std::vector<IterVar> axes, Expr condition = Expr());

/// The tensors read directly by a compute tensor's body (in first-read order, no duplicates).
std::vector<Tensor> input_tensors(const Tensor &t);
/// The tensors read by an expression.
std::vector<Tensor> tensors_read(const Expr &e);

}  // namespace autotune::te

// Normalization operators: batch normalization (one broadcast stage) and the numerically stable
// softmax family (maximum, exponential sum, output).
#include "ir/ops/Normalization.h"

#include "ir/ops/detail/ShapeCheck.h"

namespace autotune::ops {

using detail::shape_str;
using ir::Expr;
using ir::IterVar;
using ir::Var;
using te::Tensor;

Tensor batch_norm(const Tensor &data, const Tensor &gamma, const Tensor &beta, const Tensor &mean,
                  const Tensor &var, double epsilon) {
  user_check(data.ndim() >= 2) << "batch_norm: data '" << data.name()
                               << "' must have rank >= 2 (N, C, ...), got shape "
                               << shape_str(data.shape());
  detail::check_same_dtype({data, gamma, beta, mean, var}, "batch_norm");
  int64_t c = data.dim(1);
  for (const Tensor *p : {&gamma, &beta, &mean, &var}) {
    user_check(p->ndim() == 1 && p->dim(0) == c)
        << "batch_norm: parameter '" << p->name() << "' must have shape [" << c
        << "] (the channels of data with shape " << shape_str(data.shape()) << "), got "
        << shape_str(p->shape());
  }
  user_check(epsilon >= 0) << "batch_norm: epsilon must be non-negative, got " << epsilon;
  Expr eps = ir::make_const(data.dtype(), epsilon);
  return te::compute(
      data.shape(),
      [&](const std::vector<Var> &i) {
        Var ch = i[1];
        Expr x = data(std::vector<Expr>(i.begin(), i.end()));
        return (x - mean(ch)) * (gamma(ch) / ir::sqrt(var(ch) + eps)) + beta(ch);
      },
      "batch_norm", "broadcast");
}

namespace {

/// The maximum and exponential-sum stages shared by softmax and log_softmax.
struct SoftmaxStages {
  size_t axis;
  Tensor max, expsum;
  /// Indices of `i` with the softmax axis set to 0, for reading the reduced stages.
  std::vector<Expr> reduced_index(const std::vector<Var> &i) const {
    std::vector<Expr> idx(i.begin(), i.end());
    idx[axis] = Expr(int64_t(0));
    return idx;
  }
};

SoftmaxStages softmax_stages(const Tensor &x, int64_t axis, const char *op) {
  SoftmaxStages st;
  st.axis = detail::normalize_axis(axis, x.ndim(), op);
  std::vector<int64_t> reduced = x.shape();
  reduced[st.axis] = 1;
  auto read_along = [&](const std::vector<Var> &i, const IterVar &k) {
    std::vector<Expr> idx(i.begin(), i.end());
    idx[st.axis] = k;
    return x(idx);
  };
  IterVar k1 = te::reduce_axis(x.dim(st.axis), "k");
  st.max = te::compute(
      reduced, [&](const std::vector<Var> &i) { return te::reduce_max(read_along(i, k1), {k1}); },
      std::string(op) + "_max", "softmax_max");
  IterVar k2 = te::reduce_axis(x.dim(st.axis), "k");
  st.expsum = te::compute(
      reduced,
      [&](const std::vector<Var> &i) {
        return te::sum(ir::exp(read_along(i, k2) - st.max(st.reduced_index(i))), {k2});
      },
      std::string(op) + "_expsum", "softmax_expsum");
  return st;
}

}  // namespace

Tensor softmax(const Tensor &x, int64_t axis) {
  SoftmaxStages st = softmax_stages(x, axis, "softmax");
  return te::compute(
      x.shape(),
      [&](const std::vector<Var> &i) {
        std::vector<Expr> r = st.reduced_index(i);
        return ir::exp(x(std::vector<Expr>(i.begin(), i.end())) - st.max(r)) / st.expsum(r);
      },
      "softmax", "softmax");
}

Tensor log_softmax(const Tensor &x, int64_t axis) {
  SoftmaxStages st = softmax_stages(x, axis, "log_softmax");
  return te::compute(
      x.shape(),
      [&](const std::vector<Var> &i) {
        std::vector<Expr> r = st.reduced_index(i);
        return x(std::vector<Expr>(i.begin(), i.end())) - st.max(r) - ir::log(st.expsum(r));
      },
      "log_softmax", "log_softmax");
}

}  // namespace autotune::ops

// Lowering of autotune-domain operators to tensor expressions.
#include "ir/graph/LowerAutotuneOps.h"

#include <limits>

#include "ir/core/IROperators.h"
#include "ir/ops/Conv2d.h"
#include "ir/ops/Transform.h"

namespace autotune::graph {

using namespace ir;
using te::Tensor;

namespace {

ops::Conv2dAttrs conv_attrs(const Node &n, int64_t groups) {
  ops::Conv2dAttrs a;
  auto s = n.attrs.get_ints("strides", {1, 1});
  auto d = n.attrs.get_ints("dilations", {1, 1});
  auto p = n.attrs.get_ints("pads", {0, 0, 0, 0});
  user_check(s.size() == 2 && d.size() == 2 && p.size() == 4)
      << n.describe() << ": expects 2 strides, 2 dilations and 4 pads";
  a.strides = {s[0], s[1]};
  a.dilation = {d[0], d[1]};
  a.padding = {p[0], p[1], p[2], p[3]};
  a.groups = groups;
  return a;
}

/// Max or average pooling over the spatial dims 2, 3 of a blocked tensor [N, Cb, H, W, bn].
Tensor pool_nchwc(const Node &n, const Tensor &x, bool is_max) {
  auto k = n.attrs.get_ints("kernel_shape");
  auto s = n.attrs.get_ints("strides", {1, 1});
  auto p = n.attrs.get_ints("pads", {0, 0, 0, 0});
  auto d = n.attrs.get_ints("dilations", {1, 1});
  bool include_pad = n.attrs.get_int("count_include_pad", 0) != 0;
  user_check(k.size() == 2 && s.size() == 2 && p.size() == 4)
      << n.describe() << ": expects a 2-D window";
  int64_t H = x.dim(2), W = x.dim(3);
  int64_t OH = (H + p[0] + p[2] - d[0] * (k[0] - 1) - 1) / s[0] + 1;
  int64_t OW = (W + p[1] + p[3] - d[1] * (k[1] - 1) - 1) / s[1] + 1;
  IterVar ry = te::reduce_axis(k[0], "ry"), rx = te::reduce_axis(k[1], "rx");
  Expr pad_value = is_max ? Expr(-std::numeric_limits<float>::infinity()) : Expr(0.0f);
  auto read = [&](const std::vector<Var> &i) {
    Expr h = i[2] * s[0] + ry * d[0] - p[0], w = i[3] * s[1] + rx * d[1] - p[1];
    Expr inside = h >= Expr(0) && h < Expr(H) && w >= Expr(0) && w < Expr(W);
    Expr hc = max(min(h, Expr(H - 1)), Expr(0)), wc = max(min(w, Expr(W - 1)), Expr(0));
    return select(inside, x(i[0], i[1], hc, wc, i[4]), pad_value);
  };
  if (is_max) {
    return te::compute(
        {x.dim(0), x.dim(1), OH, OW, x.dim(4)},
        [&](const std::vector<Var> &i) { return te::reduce_max(read(i), {ry, rx}); }, "max_pool",
        "pool");
  }
  Tensor total = te::compute(
      {x.dim(0), x.dim(1), OH, OW, x.dim(4)},
      [&](const std::vector<Var> &i) { return te::sum(read(i), {ry, rx}); }, "avg_pool_sum",
      "pool");
  return te::compute(
      total.shape(),
      [&](const std::vector<Var> &i) {
        Expr count;
        if (include_pad) {
          // Windows clipped to the padded input.
          Expr hs = i[2] * s[0] - p[0], ws = i[3] * s[1] - p[1];
          Expr he = min(hs + Expr(k[0]), Expr(H + p[2])), we = min(ws + Expr(k[1]), Expr(W + p[3]));
          count = (he - hs) * (we - ws);
        } else {
          Expr hs = i[2] * s[0] - p[0], ws = i[3] * s[1] - p[1];
          Expr he = min(hs + Expr(k[0]), Expr(H)), we = min(ws + Expr(k[1]), Expr(W));
          count = (he - max(hs, Expr(0))) * (we - max(ws, Expr(0)));
        }
        return total(std::vector<Expr>(i.begin(), i.end())) / cast(Float(32), count);
      },
      "avg_pool", "pool_avg");
}

}  // namespace

std::vector<Tensor> lower_autotune_node(const Node &n, const std::vector<LoweringInput> &in) {
  auto input = [&](size_t i) {
    user_check(i < in.size() && in[i].tensor.defined())
        << n.describe() << ": missing input " << i;
    return in[i].tensor;
  };
  const std::string &op = n.op_type;
  if (op == "to_nchwc") return {ops::layout_nchw_to_nchwc(input(0), n.attrs.get_int("block"))};
  if (op == "to_nchw") return {ops::layout_nchwc_to_nchw(input(0))};
  if (op == "conv2d_nchwc") return {ops::conv2d_nchwc(input(0), input(1), conv_attrs(n, 1))};
  if (op == "depthwise_conv2d_nchwc") {
    Tensor x = input(0);
    return {ops::depthwise_conv2d_nchwc(x, input(1), conv_attrs(n, x.dim(1) * x.dim(4)))};
  }
  if (op == "max_pool2d_nchwc") return {pool_nchwc(n, input(0), true)};
  if (op == "avg_pool2d_nchwc") return {pool_nchwc(n, input(0), false)};
  if (op == "global_avg_pool2d_nchwc") {
    Tensor x = input(0);
    IterVar ry = te::reduce_axis(x.dim(2), "ry"), rx = te::reduce_axis(x.dim(3), "rx");
    Tensor total = te::compute(
        {x.dim(0), x.dim(1), 1, 1, x.dim(4)},
        [&](const std::vector<Var> &i) { return te::sum(x(i[0], i[1], ry, rx, i[4]), {ry, rx}); },
        "global_pool_sum", "global_pool");
    float scale = 1.0f / static_cast<float>(x.dim(2) * x.dim(3));
    return {te::compute(
        total.shape(),
        [&](const std::vector<Var> &i) {
          return total(std::vector<Expr>(i.begin(), i.end())) * Expr(scale);
        },
        "global_avg_pool", "broadcast")};
  }
  user_error << "unsupported operator 'autotune." << op << "' at " << n.describe();
  return {};
}

std::vector<Tensor> lower_any_node(const Node &node, const std::vector<LoweringInput> &inputs,
                                   int64_t opset) {
  if (node.domain == "autotune") return lower_autotune_node(node, inputs);
  return lower_node(node, inputs, opset);
}

}  // namespace autotune::graph

// Inference-time simplification of the graph IR: removes Identity and Dropout, folds
// BatchNormalization and constant bias additions into the preceding Conv/Gemm, and turns the
// remaining BatchNormalization into a constant scale and shift. New constants are computed
// here, in double precision, on float32 TensorData. Runs after fold_constants.
#include <algorithm>
#include <cmath>
#include <optional>
#include <set>
#include <string>

#include "ir/graph/Passes.h"
#include "ir/graph/detail/CompactGraph.h"

namespace autotune::graph {

namespace {

bool is_onnx_op(const Node &node, const char *op_type) {
  return node.domain.empty() && node.op_type == op_type;
}

bool is_float32(const Value &v) { return v.dtype == ir::Float(32); }

/// The float32 constant held by `v`, or null.
const TensorData *float32_constant(const Value &v) {
  return v.constant && v.constant->dtype == ir::Float(32) ? v.constant.get() : nullptr;
}

/// Flat index into a tensor of shape `in` that numpy-broadcasts to `out`, for the element at
/// flat index `flat` of `out`.
int64_t broadcast_source(int64_t flat, const std::vector<int64_t> &out,
                         const std::vector<int64_t> &in) {
  int64_t src = 0, stride = 1;
  size_t offset = out.size() - in.size();
  for (size_t d = out.size(); d-- > 0;) {
    int64_t i = flat % out[d];
    flat /= out[d];
    if (d < offset) continue;
    int64_t extent = in[d - offset];
    if (extent != 1) src += i * stride;
    stride *= extent;
  }
  return src;
}

/// The numpy broadcast of two shapes, or nullopt when they are incompatible.
std::optional<std::vector<int64_t>> broadcast_shapes(const std::vector<int64_t> &a,
                                                     const std::vector<int64_t> &b) {
  size_t rank = std::max(a.size(), b.size());
  std::vector<int64_t> out(rank);
  for (size_t d = 0; d < rank; ++d) {
    int64_t da = d + a.size() >= rank ? a[d + a.size() - rank] : 1;
    int64_t db = d + b.size() >= rank ? b[d + b.size() - rank] : 1;
    if (da != db && da != 1 && db != 1) return std::nullopt;
    out[d] = da == 1 ? db : da;
  }
  return out;
}

/// The per-channel values (channel = axis 1 of an output of shape `out`) of a constant added
/// to that output, or nullopt when the constant varies along another axis or would grow the
/// output. [1, K, 1, 1], [K, 1, 1] and scalars qualify for a [N, K, H, W] output; [K] does not
/// (it broadcasts along W).
std::optional<std::vector<double>> per_channel_values(const TensorData &c,
                                                      const std::vector<int64_t> &out) {
  if (out.size() < 2 || c.shape.size() > out.size()) return std::nullopt;
  int64_t channels = out[1];
  size_t offset = out.size() - c.shape.size();
  bool varies = false;
  for (size_t d = 0; d < c.shape.size(); ++d) {
    if (c.shape[d] == 1) continue;
    if (d + offset != 1 || c.shape[d] != channels) return std::nullopt;
    varies = true;
  }
  std::vector<double> values(channels);
  for (int64_t k = 0; k < channels; ++k) values[k] = c.as_double(varies ? k : 0);
  return values;
}

/// A float32 constant of `shape` with the given values.
ConstantPtr float32_tensor(std::vector<int64_t> shape, const std::vector<double> &values) {
  return TensorData::from_floats(std::move(shape),
                                 std::vector<float>(values.begin(), values.end()));
}

/// A copy of `g` (same value ids) with `nodes` in place of its nodes; producers recomputed.
Graph with_nodes(const Graph &g, std::vector<Node> nodes) {
  Graph out;
  out.values = g.values;
  for (Value &v : out.values) v.producer = kNone;
  out.inputs = g.inputs;
  out.outputs = g.outputs;
  out.opset = g.opset;
  out.name = g.name;
  for (Node &node : nodes) out.add_node(std::move(node));
  return out;
}

/// For each value, whether a node reads or writes it or it is a graph input/output.
std::vector<bool> referenced_values(const Graph &g) {
  std::vector<bool> referenced(g.values.size(), false);
  auto mark = [&](ValueId v) {
    if (v != kNone) referenced.at(v) = true;
  };
  for (const Node &node : g.nodes) {
    for (ValueId v : node.inputs) mark(v);
    for (ValueId v : node.outputs) mark(v);
  }
  for (ValueId v : g.inputs) mark(v);
  for (ValueId v : g.outputs) mark(v);
  return referenced;
}

/// The rewrites keep value ids stable (new values are appended) until the final compaction.
class SimplifyInference {
 public:
  explicit SimplifyInference(const Graph &g) : in_(g) {}

  Graph run() {
    in_.verify();
    for (const Value &v : in_.values) names_.insert(v.name);
    Graph g = remove_identities(in_);
    g = rewrite_normalizations(g);
    return drop_orphans(g);
  }

 private:
  // ---- Identity and Dropout -----------------------------------------------------------------

  /// Dropout in inference mode copies its input, unless the model reads its mask.
  static bool is_identity(const Node &node, const std::vector<std::vector<NodeId>> &readers,
                          const std::vector<bool> &is_output) {
    if (is_onnx_op(node, "Identity")) return node.inputs.size() == 1 && node.outputs.size() == 1;
    if (!is_onnx_op(node, "Dropout") || node.inputs.empty() || node.outputs.empty()) return false;
    for (size_t k = 1; k < node.outputs.size(); ++k) {
      ValueId mask = node.outputs[k];
      if (!readers[mask].empty() || is_output[mask]) return false;
    }
    return true;
  }

  /// Drops every Identity/Dropout y = f(x) by making the readers of y read x. When y is a graph
  /// output, x's producer writes y instead (so the output keeps its name); when x is itself a
  /// graph input, constant or output, the node stays as the copy.
  static Graph remove_identities(const Graph &g) {
    std::vector<ValueId> alias(g.values.size());
    for (size_t v = 0; v < alias.size(); ++v) alias[v] = static_cast<ValueId>(v);
    auto resolve = [&](ValueId v) {
      while (v != kNone && alias[v] != v) v = alias[v];
      return v;
    };
    std::vector<bool> is_output(g.values.size(), false), is_input(g.values.size(), false);
    for (ValueId o : g.outputs) is_output[o] = true;
    for (ValueId i : g.inputs) is_input[i] = true;
    std::vector<std::vector<NodeId>> readers = g.consumers();
    std::vector<bool> removed(g.nodes.size(), false);
    for (size_t n = 0; n < g.nodes.size(); ++n) {
      const Node &node = g.nodes[n];
      if (!is_identity(node, readers, is_output)) continue;
      ValueId x = resolve(node.inputs[0]), y = node.outputs[0];
      if (!is_output[y]) {
        alias[y] = x;
        removed[n] = true;
      } else if (g.value(x).producer != kNone && !is_output[x] && !is_input[x]) {
        alias[x] = y;
        removed[n] = true;
      }
    }
    // Apply the aliases to every node, including those before the Identity that read x.
    std::vector<Node> nodes;
    for (size_t n = 0; n < g.nodes.size(); ++n) {
      if (removed[n]) continue;
      Node node = g.nodes[n];
      for (ValueId &in : node.inputs) in = resolve(in);
      for (ValueId &o : node.outputs) o = resolve(o);
      nodes.push_back(std::move(node));
    }
    return with_nodes(g, std::move(nodes));
  }

  // ---- BatchNormalization and bias additions ------------------------------------------------

  /// Per-channel scale gamma / sqrt(var + eps) and shift beta - mean * scale of an inference
  /// BatchNormalization with float32 input and constant float32 parameters of shape [C].
  static bool batch_norm_affine(const Graph &g, const Node &bn, std::vector<double> &scale,
                                std::vector<double> &shift) {
    if (bn.inputs.size() != 5 || bn.attrs.get_int("training_mode", 0) != 0 ||
        bn.attrs.get_int("spatial", 1) != 1) {
      return false;
    }
    const Value &x = g.value(bn.inputs[0]);
    if (x.shape.size() < 2 || !is_float32(x)) return false;
    int64_t channels = x.shape[1];
    const TensorData *p[4];  // gamma, beta, mean, var
    for (int i = 0; i < 4; ++i) {
      p[i] = bn.inputs[i + 1] == kNone ? nullptr : float32_constant(g.value(bn.inputs[i + 1]));
      if (!p[i] || p[i]->shape != std::vector<int64_t>{channels}) return false;
    }
    double eps = bn.attrs.get_float("epsilon", 1e-5);
    scale.resize(channels);
    shift.resize(channels);
    for (int64_t c = 0; c < channels; ++c) {
      scale[c] = p[0]->as_double(c) / std::sqrt(p[3]->as_double(c) + eps);
      shift[c] = p[1]->as_double(c) - p[2]->as_double(c) * scale[c];
    }
    return true;
  }

  /// The node producing `v` when it is a (not removed) `op_type` node with one float32 output
  /// and a constant float32 bias when it has one, and `v` has a single reader and is no graph
  /// output; else kNone.
  NodeId sole_producer(const Graph &g, ValueId v, const char *op_type) const {
    NodeId p = g.value(v).producer;
    if (p == kNone || removed_[p] || readers_[v] != 1 || is_output_[v]) return kNone;
    const Node &node = g.nodes[p];
    if (!is_onnx_op(node, op_type) || node.outputs.size() != 1 || node.inputs.size() < 2 ||
        !is_float32(g.value(v))) {
      return kNone;
    }
    if (node.inputs.size() > 2 && node.inputs[2] != kNone &&
        !float32_constant(g.value(node.inputs[2]))) {
      return kNone;
    }
    return p;
  }

  /// A new constant value named after `base` (made unique).
  ValueId add_constant(Graph &g, const std::string &base, ConstantPtr data) {
    Value v;
    v.name = unique_name(base);
    v.dtype = data->dtype;
    v.shape = data->shape;
    v.shape_known = true;
    v.constant = std::move(data);
    return g.add_value(std::move(v));
  }

  std::string unique_name(const std::string &base) {
    std::string name = base;
    for (int i = 1; names_.count(name); ++i) name = base + "_" + std::to_string(i);
    names_.insert(name);
    return name;
  }

  /// The Conv's current bias as doubles (zeros when absent).
  static std::vector<double> conv_bias(const Graph &g, const Node &conv, int64_t channels) {
    std::vector<double> b(channels, 0.0);
    if (conv.inputs.size() > 2 && conv.inputs[2] != kNone) {
      const TensorData &t = *g.value(conv.inputs[2]).constant;
      for (int64_t k = 0; k < channels; ++k) b[k] = t.as_double(k);
    }
    return b;
  }

  void set_conv_bias(Graph &g, NodeId conv, const std::string &base, const std::vector<double> &b) {
    ValueId bias = add_constant(g, base, float32_tensor({static_cast<int64_t>(b.size())}, b));
    g.nodes[conv].inputs.resize(3, kNone);
    g.nodes[conv].inputs[2] = bias;
  }

  /// `node` takes over the role of the removed node `replaced`, writing its output `v`.
  void take_over(Graph &g, NodeId node, NodeId replaced, ValueId v) {
    g.nodes[node].outputs[0] = v;
    g.value(v).producer = node;
    removed_[replaced] = true;
  }

  /// y = BatchNormalization(Conv(x, W, b)): W'[k] = W[k] * s[k], b' = (b - mean) * s + beta.
  bool fold_batch_norm_into_conv(Graph &g, NodeId bn_id) {
    const Node bn = g.nodes[bn_id];
    std::vector<double> scale, shift;
    NodeId conv_id = sole_producer(g, bn.inputs[0], "Conv");
    if (conv_id == kNone || !batch_norm_affine(g, bn, scale, shift)) return false;
    ConstantPtr w = g.value(g.nodes[conv_id].inputs[1]).constant;
    int64_t channels = static_cast<int64_t>(scale.size());
    if (!w || w->dtype != ir::Float(32) || w->shape.empty() || w->shape[0] != channels) {
      return false;
    }
    ValueId y = bn.outputs[0];
    std::string base = g.value(y).name;
    int64_t per_channel = w->size() / channels;
    std::vector<double> folded(w->size());
    for (int64_t i = 0; i < w->size(); ++i) folded[i] = w->as_double(i) * scale[i / per_channel];
    g.nodes[conv_id].inputs[1] =
        add_constant(g, base + "_weight", float32_tensor(w->shape, folded));
    std::vector<double> b = conv_bias(g, g.nodes[conv_id], channels);
    // (b - mean) * s + beta == b * s + (beta - mean * s).
    for (int64_t k = 0; k < channels; ++k) b[k] = b[k] * scale[k] + shift[k];
    set_conv_bias(g, conv_id, base + "_bias", b);
    take_over(g, conv_id, bn_id, y);
    return true;
  }

  /// z = Add(Conv(x, W, b), c) with c constant per output channel: b' = b + c.
  /// z = Add(Gemm(A, B, C), c) with c broadcastable to the Gemm output: C' = beta * C + c.
  bool fold_bias_add(Graph &g, NodeId add_id) {
    const Node add = g.nodes[add_id];
    if (add.inputs.size() != 2 || add.outputs.size() != 1) return false;
    ValueId z = add.outputs[0];
    std::string base = g.value(z).name;
    for (int side = 0; side < 2; ++side) {
      ValueId v = add.inputs[side], c_id = add.inputs[1 - side];
      ConstantPtr c = g.value(c_id).constant;
      if (!c || c->dtype != ir::Float(32) || g.value(v).constant) continue;
      std::vector<int64_t> out_shape = g.value(v).shape;
      if (g.value(z).shape != out_shape) continue;  // the constant would grow the output
      if (NodeId conv_id = sole_producer(g, v, "Conv"); conv_id != kNone) {
        std::optional<std::vector<double>> bias = per_channel_values(*c, out_shape);
        if (!bias) continue;
        std::vector<double> b = conv_bias(g, g.nodes[conv_id], out_shape[1]);
        for (size_t k = 0; k < b.size(); ++k) b[k] += (*bias)[k];
        set_conv_bias(g, conv_id, base + "_bias", b);
        take_over(g, conv_id, add_id, z);
        return true;
      }
      NodeId gemm_id = sole_producer(g, v, "Gemm");
      if (gemm_id == kNone || out_shape.size() != 2 || c->shape.size() > 2) continue;
      Node &gemm = g.nodes[gemm_id];
      if (gemm.inputs.size() > 2 && gemm.inputs[2] != kNone) {
        ConstantPtr old = g.value(gemm.inputs[2]).constant;
        std::optional<std::vector<int64_t>> shape = broadcast_shapes(old->shape, c->shape);
        if (!shape || broadcast_shapes(*shape, out_shape) != out_shape) continue;
        double beta = gemm.attrs.get_float("beta", 1.0);
        std::vector<double> sum(shape_size(*shape));
        for (int64_t i = 0; i < static_cast<int64_t>(sum.size()); ++i) {
          sum[i] = beta * old->as_double(broadcast_source(i, *shape, old->shape)) +
                   c->as_double(broadcast_source(i, *shape, c->shape));
        }
        c_id = add_constant(g, base + "_bias", float32_tensor(*shape, sum));
      }
      g.nodes[gemm_id].inputs.resize(3, kNone);
      g.nodes[gemm_id].inputs[2] = c_id;
      g.nodes[gemm_id].attrs.set("beta", 1.0);
      take_over(g, gemm_id, add_id, z);
      return true;
    }
    return false;
  }

  /// y = BatchNormalization(x) -> y = x * scale + shift, with constants of shape [C, 1, ..., 1]
  /// (rank(x) - 1) so that they broadcast along axis 1.
  bool decompose_batch_norm(Graph &g, NodeId bn_id) {
    const Node bn = g.nodes[bn_id];
    std::vector<double> scale, shift;
    if (!batch_norm_affine(g, bn, scale, shift)) return false;
    Value scaled = g.value(bn.inputs[0]);
    std::vector<int64_t> param_shape(scaled.shape.size() - 1, 1);
    param_shape[0] = static_cast<int64_t>(scale.size());
    std::string base = bn.name.empty() ? g.value(bn.outputs[0]).name : bn.name;
    scaled.name = unique_name(base + "_scaled");
    scaled.constant = nullptr;
    scaled.producer = kNone;
    ValueId scaled_id = g.add_value(std::move(scaled));
    Node mul;
    mul.name = base + "_scale";
    mul.op_type = "Mul";
    mul.inputs = {bn.inputs[0],
                  add_constant(g, base + "_scale", float32_tensor(param_shape, scale))};
    mul.outputs = {scaled_id};
    Node add;
    add.name = base + "_shift";
    add.op_type = "Add";
    add.inputs = {scaled_id, add_constant(g, base + "_shift", float32_tensor(param_shape, shift))};
    add.outputs = {bn.outputs[0]};
    replacements_[bn_id] = {std::move(mul), std::move(add)};
    removed_[bn_id] = true;
    return true;
  }

  /// One sweep in node order, so that Conv -> BN -> Add(bias) folds completely. Conv/Gemm nodes
  /// are edited in place; the Mul/Add of a decomposed BN are spliced in at the BN's position.
  Graph rewrite_normalizations(Graph g) {
    removed_.assign(g.nodes.size(), false);
    replacements_.assign(g.nodes.size(), {});
    readers_.assign(g.values.size(), 0);
    for (const Node &node : g.nodes) {
      for (ValueId in : node.inputs) {
        if (in != kNone) ++readers_[in];
      }
    }
    is_output_.assign(g.values.size(), false);
    for (ValueId o : g.outputs) is_output_[o] = true;
    for (size_t n = 0; n < g.nodes.size(); ++n) {
      const Node &node = g.nodes[n];
      NodeId id = static_cast<NodeId>(n);
      // Training-mode outputs (running mean/var) must be unused.
      bool single_output =
          !node.outputs.empty() &&
          std::all_of(node.outputs.begin() + 1, node.outputs.end(),
                      [&](ValueId o) { return !readers_[o] && !is_output_[o]; });
      if (is_onnx_op(node, "BatchNormalization") && single_output) {
        if (!fold_batch_norm_into_conv(g, id)) decompose_batch_norm(g, id);
      } else if (is_onnx_op(node, "Add")) {
        fold_bias_add(g, id);
      }
    }
    std::vector<Node> nodes;
    for (size_t n = 0; n < g.nodes.size(); ++n) {
      if (!removed_[n]) nodes.push_back(std::move(g.nodes[n]));
      for (Node &r : replacements_[n]) nodes.push_back(std::move(r));
    }
    return with_nodes(g, std::move(nodes));
  }

  // ---- Cleanup ------------------------------------------------------------------------------

  /// Drops the values this pass made unreferenced (removed outputs, replaced weights, superseded
  /// new constants). Values the input graph already left unreferenced stay: removing them is
  /// eliminate_dead_code's job.
  Graph drop_orphans(const Graph &g) const {
    std::vector<bool> before = referenced_values(in_), keep = referenced_values(g);
    for (size_t v = 0; v < before.size(); ++v) keep[v] = keep[v] || !before[v];
    return detail::compact_graph(g, std::vector<bool>(g.nodes.size(), true), keep);
  }

  const Graph &in_;
  std::set<std::string> names_;  ///< every value name, for unique names of new values
  std::vector<bool> removed_;    ///< per node of the swept graph
  std::vector<std::vector<Node>> replacements_;
  std::vector<int> readers_;  ///< per value of the swept graph (before the sweep)
  std::vector<bool> is_output_;
};

}  // namespace

// Algorithm:
//   1. Identity and Dropout (whose mask nothing reads): readers of the output read the input.
//      A graph output keeps its name: the input's producer writes it directly, or, when the
//      input is a graph input, constant or another output, the node stays as the copy.
//   2. One sweep in node order over the rest:
//      a. y = BatchNormalization(x = Conv(.., W, b)), x read only by the BN, all constant:
//         s = gamma / sqrt(var + eps); W'[k] = W[k] * s[k]; b' = (b - mean) * s + beta
//         (a bias input is created when absent); the Conv writes y and the BN goes.
//      b. z = Add(x = Conv(..), c), c constant per output channel ([1, K, 1, 1], [K, 1, 1],
//         scalar): b' = b + c. z = Add(x = Gemm(A, B, C), c), c broadcastable to [M, N]:
//         C' = beta * C + c, beta = 1. The Conv/Gemm writes z and the Add goes.
//      c. Any other BatchNormalization with constant parameters becomes Mul by a constant
//         scale and Add of a constant shift, both of shape [C, 1, ..., 1] (rank(x) - 1).
//   3. Values the rewrites made unreferenced (BN inputs, replaced weights) are dropped.
//   Constants are computed in double and stored as float32.
//
//   before: t = Conv(x, W); u = BatchNormalization(t, g, b, m, v); y = Identity(u) (output)
//   after:  y = Conv(x, W', b')
Graph simplify_inference(const Graph &g) { return SimplifyInference(g).run(); }

}  // namespace autotune::graph

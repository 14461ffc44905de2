// Layout conversion to NCHW[x]c.
//
// Algorithm:
//  1. Walk nodes in order, tracking for each original value the new values holding it in NCHW
//     and/or blocked layout (either is created on demand by a to_nchw / to_nchwc node).
//  2. Conv (4-D, groups 1 or depthwise, output channels a multiple of 8): blocked conv reading
//     the blocked input (block = the input's existing block, or chosen from its channels) with
//     the weight re-laid out now; the bias becomes a broadcast Add in the blocked layout.
//  3. Unary element-wise ops, binary ops of two blocked values (or a blocked value and a
//     per-channel constant, re-laid out), channel Concat of blocked values, max/average pooling
//     without ceil_mode and global average pooling stay blocked.
//  4. Every other node reads NCHW versions of its inputs.
// Example: x -> Conv -> Relu -> Conv -> Flatten
//   -> x -> to_nchwc -> conv2d_nchwc -> Relu -> conv2d_nchwc -> to_nchw -> Flatten
#include "ir/graph/ConvertLayout.h"

#include <map>
#include <set>

namespace autotune::graph {

namespace {

const std::set<std::string> kUnary = {"Relu", "LeakyRelu", "Clip", "Sigmoid", "Tanh",
                                      "HardSigmoid", "HardSwish", "Sqrt", "Exp", "Abs",
                                      "Neg", "Erf", "Identity", "Dropout"};
const std::set<std::string> kBinary = {"Add", "Sub", "Mul", "Div", "Max", "Min", "Sum"};

std::vector<int64_t> blocked_shape(const std::vector<int64_t> &s, int64_t bn) {
  return {s[0], s[1] / bn, s[2], s[3], bn};
}

/// Explicit {top, left, bottom, right} pads of a Conv/Pool node (auto_pad resolved).
std::vector<int64_t> explicit_pads(const Node &n, const std::vector<int64_t> &in_shape,
                                   const std::vector<int64_t> &kernel) {
  std::string auto_pad = n.attrs.get_string("auto_pad", "NOTSET");
  std::vector<int64_t> strides = n.attrs.get_ints("strides", {1, 1});
  std::vector<int64_t> dil = n.attrs.get_ints("dilations", {1, 1});
  if (auto_pad == "NOTSET") return n.attrs.get_ints("pads", {0, 0, 0, 0});
  if (auto_pad == "VALID") return {0, 0, 0, 0};
  std::vector<int64_t> pads(4);
  for (int d = 0; d < 2; ++d) {
    int64_t in = in_shape[2 + d], out = (in + strides[d] - 1) / strides[d];
    int64_t total = std::max<int64_t>(0, (out - 1) * strides[d] + (kernel[d] - 1) * dil[d] + 1 - in);
    int64_t small = total / 2, large = total - small;
    pads[d] = auto_pad == "SAME_UPPER" ? small : large;
    pads[d + 2] = total - pads[d];
  }
  return pads;
}

class LayoutConverter {
 public:
  explicit LayoutConverter(const Graph &g) : g_(g) {
    out_.opset = g.opset;
    out_.name = g.name;
  }

  Graph run() {
    // Inputs and constants keep their ids' meaning through copies in the new graph.
    for (ValueId in : g_.inputs) out_.inputs.push_back(nchw_of(in));
    for (const Node &n : g_.nodes) convert(n);
    for (ValueId o : g_.outputs) out_.outputs.push_back(nchw_of(o));
    out_.verify();
    return out_;
  }

 private:
  /// The NCHW (original layout) version of original value v in the new graph.
  ValueId nchw_of(ValueId v) {
    auto it = nchw_.find(v);
    if (it != nchw_.end()) return it->second;
    auto b = blocked_.find(v);
    if (b == blocked_.end()) {
      Value copy = g_.value(v);
      copy.producer = kNone;
      ValueId id = out_.add_value(copy);
      nchw_[v] = id;
      return id;
    }
    // Convert back at the region boundary.
    Value copy = g_.value(v);
    copy.producer = kNone;
    ValueId id = out_.add_value(copy);
    Node n;
    n.name = copy.name + "/to_nchw";
    n.op_type = "to_nchw";
    n.domain = "autotune";
    n.inputs = {b->second.first};
    n.outputs = {id};
    out_.add_node(n);
    nchw_[v] = id;
    return id;
  }

  /// The blocked version of original 4-D value v with block bn (converting when needed).
  ValueId blocked_of(ValueId v, int64_t bn) {
    auto b = blocked_.find(v);
    if (b != blocked_.end() && b->second.second == bn) return b->second.first;
    ValueId src = nchw_of(v);
    Value bv = g_.value(v);
    bv.name += "/nchw" + std::to_string(bn) + "c";
    bv.shape = blocked_shape(bv.shape, bn);
    bv.producer = kNone;
    bv.constant = nullptr;
    ValueId id = out_.add_value(bv);
    Node n;
    n.name = g_.value(v).name + "/to_nchwc";
    n.op_type = "to_nchwc";
    n.domain = "autotune";
    n.attrs.set("block", bn);
    n.inputs = {src};
    n.outputs = {id};
    out_.add_node(n);
    if (b == blocked_.end()) blocked_[v] = {id, bn};
    return id;
  }

  /// A new blocked value holding original value v (produced by the caller's node).
  ValueId new_blocked(ValueId v, int64_t bn) {
    Value bv = g_.value(v);
    bv.name += "/nchw" + std::to_string(bn) + "c";
    bv.shape = blocked_shape(bv.shape, bn);
    bv.producer = kNone;
    ValueId id = out_.add_value(bv);
    blocked_[v] = {id, bn};
    return id;
  }

  ValueId add_constant(const std::string &name, std::shared_ptr<TensorData> t) {
    Value v;
    v.name = name;
    v.dtype = t->dtype;
    v.shape = t->shape;
    v.shape_known = true;
    v.constant = t;
    return out_.add_value(v);
  }

  bool is_blocked(ValueId v) const { return v != kNone && blocked_.count(v); }
  int64_t block_of(ValueId v) const { return blocked_.at(v).second; }

  void keep(const Node &n) {
    Node copy = n;
    for (ValueId &v : copy.inputs) {
      if (v != kNone) v = nchw_of(v);
    }
    for (ValueId &v : copy.outputs) v = nchw_of(v);
    out_.add_node(copy);
  }

  void convert(const Node &n) {
    if (n.op_type == "Conv" && try_conv(n)) return;
    if (kUnary.count(n.op_type) && n.inputs.size() >= 1 && is_blocked(n.inputs[0]) &&
        n.outputs.size() == 1 && all_constant_after_first(n)) {
      emit_blocked(n, block_of(n.inputs[0]), {});
      return;
    }
    if (kBinary.count(n.op_type) && try_binary(n)) return;
    if (n.op_type == "Concat" && try_concat(n)) return;
    if ((n.op_type == "MaxPool" || n.op_type == "AveragePool" ||
         n.op_type == "GlobalAveragePool") &&
        is_blocked(n.inputs[0]) && n.attrs.get_int("ceil_mode", 0) == 0 &&
        n.outputs.size() == 1) {
      Node copy = n;
      copy.op_type = n.op_type == "MaxPool"       ? "max_pool2d_nchwc"
                     : n.op_type == "AveragePool" ? "avg_pool2d_nchwc"
                                                  : "global_avg_pool2d_nchwc";
      copy.domain = "autotune";
      if (n.op_type != "GlobalAveragePool") {
        copy.attrs.set("pads", explicit_pads(n, g_.value(n.inputs[0]).shape,
                                             n.attrs.get_ints("kernel_shape")));
        copy.attrs.erase("auto_pad");
      }
      emit_blocked(copy, block_of(n.inputs[0]), {});
      return;
    }
    keep(n);
  }

  /// Later inputs (Clip's min/max) must be constants for a unary op to stay blocked.
  bool all_constant_after_first(const Node &n) const {
    for (size_t i = 1; i < n.inputs.size(); ++i) {
      if (n.inputs[i] != kNone && !g_.value(n.inputs[i]).constant) return false;
    }
    return true;
  }

  /// Emits `n` reading its first input blocked and writing its output blocked; other inputs
  /// are passed through (constants) unless replaced by `extra`.
  void emit_blocked(const Node &n, int64_t bn, const std::map<size_t, ValueId> &extra) {
    Node copy = n;
    copy.inputs[0] = blocked_of(n.inputs[0], bn);
    for (size_t i = 1; i < n.inputs.size(); ++i) {
      auto e = extra.find(i);
      if (e != extra.end()) {
        copy.inputs[i] = e->second;
      } else if (n.inputs[i] != kNone) {
        copy.inputs[i] = nchw_of(n.inputs[i]);
      }
    }
    copy.outputs = {new_blocked(n.outputs[0], bn)};
    out_.add_node(copy);
  }

  bool try_binary(const Node &n) {
    if (n.inputs.size() != 2 || n.outputs.size() != 1) return false;
    ValueId a = n.inputs[0], b = n.inputs[1];
    const std::vector<int64_t> &out_shape = g_.value(n.outputs[0]).shape;
    if (out_shape.size() != 4) return false;
    auto same_block = [&](ValueId x, ValueId y) {
      return is_blocked(x) && is_blocked(y) && block_of(x) == block_of(y) &&
             g_.value(x).shape == out_shape && g_.value(y).shape == out_shape;
    };
    if (same_block(a, b)) {
      Node copy = n;
      copy.inputs = {blocked_.at(a).first, blocked_.at(b).first};
      copy.outputs = {new_blocked(n.outputs[0], block_of(a))};
      out_.add_node(copy);
      return true;
    }
    // A blocked value with a per-channel constant ([C,1,1] or [1,C,1,1]) or a scalar.
    for (int side = 0; side < 2; ++side) {
      ValueId x = side == 0 ? a : b, c = side == 0 ? b : a;
      if (!is_blocked(x) || g_.value(x).shape != out_shape || !g_.value(c).constant) continue;
      auto blocked_c = per_channel_constant(*g_.value(c).constant, out_shape[1], block_of(x));
      if (!blocked_c) continue;
      Node copy = n;
      ValueId cid = add_constant(g_.value(c).name + "/blocked", blocked_c);
      copy.inputs[side] = blocked_.at(x).first;
      copy.inputs[1 - side] = cid;
      copy.outputs = {new_blocked(n.outputs[0], block_of(x))};
      out_.add_node(copy);
      return true;
    }
    return false;
  }

  /// A constant broadcastable over NCHW as per-channel ([C,1,1], [1,C,1,1]) or scalar, as
  /// [1, C/bn, 1, 1, bn]; null when it has another shape.
  static std::shared_ptr<TensorData> per_channel_constant(const TensorData &c, int64_t C,
                                                          int64_t bn) {
    int64_t n = c.size();
    bool scalar = n == 1;
    std::vector<int64_t> s = c.shape;
    while (!s.empty() && s.front() == 1 && s.size() > 3) s.erase(s.begin());
    bool per_channel = n == C && s.size() == 3 && s[0] == C && s[1] == 1 && s[2] == 1;
    if (!(scalar || per_channel) || c.dtype != ir::Float(32)) return nullptr;
    auto t = TensorData::make(ir::Float(32), {1, C / bn, 1, 1, bn});
    for (int64_t ch = 0; ch < C; ++ch) {
      t->mutable_data<float>()[ch] = static_cast<float>(c.as_double(scalar ? 0 : ch));
    }
    return t;
  }

  bool try_concat(const Node &n) {
    if (n.outputs.size() != 1 || g_.value(n.outputs[0]).shape.size() != 4) return false;
    int64_t axis = n.attrs.get_int("axis", 1);
    if (axis != 1 && axis != -3) return false;
    int64_t bn = 0;
    for (ValueId v : n.inputs) {
      if (!is_blocked(v)) return false;
      if (bn == 0) bn = block_of(v);
      if (block_of(v) != bn) return false;
    }
    Node copy = n;
    for (ValueId &v : copy.inputs) v = blocked_.at(v).first;
    copy.outputs = {new_blocked(n.outputs[0], bn)};
    out_.add_node(copy);
    return true;
  }

  bool try_conv(const Node &n) {
    const Value &x = g_.value(n.inputs[0]);
    const Value &w = g_.value(n.inputs[1]);
    if (x.shape.size() != 4 || !w.constant || n.outputs.size() != 1) return false;
    if (n.inputs.size() > 2 && n.inputs[2] != kNone && !g_.value(n.inputs[2]).constant) {
      return false;
    }
    int64_t C = x.shape[1], K = w.shape[0], R = w.shape[2], S = w.shape[3];
    int64_t groups = n.attrs.get_int("group", 1);
    int64_t oc_bn = channel_block(K);
    if (oc_bn == 0) return false;
    bool depthwise = groups == C && groups == K && groups > 1 && w.shape[1] == 1;
    if (groups != 1 && !depthwise) return false;
    int64_t ic_bn;
    if (depthwise) {
      ic_bn = is_blocked(n.inputs[0]) ? block_of(n.inputs[0]) : oc_bn;
      oc_bn = ic_bn;
    } else if (is_blocked(n.inputs[0])) {
      ic_bn = block_of(n.inputs[0]);
    } else {
      ic_bn = channel_block(C) ? channel_block(C) : C;
    }
    if (C % ic_bn != 0) return false;

    // Weights: [K, C, R, S] -> [K/ocb, C/icb, R, S, icb, ocb]; depthwise [C, 1, R, S] ->
    // [C/bn, 1, R, S, 1, bn].
    const TensorData &wt = *w.constant;
    std::shared_ptr<TensorData> wb;
    if (depthwise) {
      wb = TensorData::make(ir::Float(32), {C / ic_bn, 1, R, S, 1, ic_bn});
      float *dst = wb->mutable_data<float>();
      for (int64_t c = 0; c < C; ++c)
        for (int64_t r = 0; r < R; ++r)
          for (int64_t s = 0; s < S; ++s)
            dst[(((c / ic_bn) * R + r) * S + s) * ic_bn + c % ic_bn] =
                static_cast<float>(wt.as_double((c * R + r) * S + s));
    } else {
      wb = TensorData::make(ir::Float(32), {K / oc_bn, C / ic_bn, R, S, ic_bn, oc_bn});
      float *dst = wb->mutable_data<float>();
      const float *src = wt.data<float>();
      for (int64_t k = 0; k < K; ++k)
        for (int64_t c = 0; c < C; ++c)
          for (int64_t r = 0; r < R; ++r)
            for (int64_t s = 0; s < S; ++s)
              dst[(((((k / oc_bn) * (C / ic_bn) + c / ic_bn) * R + r) * S + s) * ic_bn +
                   c % ic_bn) * oc_bn + k % oc_bn] = src[((k * C + c) * R + r) * S + s];
    }
    Node conv;
    conv.name = n.name;
    conv.op_type = depthwise ? "depthwise_conv2d_nchwc" : "conv2d_nchwc";
    conv.domain = "autotune";
    conv.attrs.set("strides", n.attrs.get_ints("strides", {1, 1}));
    conv.attrs.set("dilations", n.attrs.get_ints("dilations", {1, 1}));
    conv.attrs.set("pads", explicit_pads(n, x.shape, {R, S}));
    conv.inputs = {blocked_of(n.inputs[0], ic_bn), add_constant(w.name + "/blocked", wb)};
    bool has_bias = n.inputs.size() > 2 && n.inputs[2] != kNone;
    ValueId out_orig = n.outputs[0];
    if (!has_bias) {
      conv.outputs = {new_blocked(out_orig, oc_bn)};
      out_.add_node(conv);
      return true;
    }
    // conv -> Add(bias) in the blocked layout; fusion puts the add in the conv's epilogue.
    Value tmp = g_.value(out_orig);
    tmp.name += "/nobias";
    tmp.shape = blocked_shape(tmp.shape, oc_bn);
    tmp.producer = kNone;
    ValueId tmp_id = out_.add_value(tmp);
    conv.outputs = {tmp_id};
    out_.add_node(conv);
    const TensorData &b = *g_.value(n.inputs[2]).constant;
    auto bb = TensorData::make(ir::Float(32), {1, K / oc_bn, 1, 1, oc_bn});
    for (int64_t k = 0; k < K; ++k) bb->mutable_data<float>()[k] = static_cast<float>(b.as_double(k));
    Node add;
    add.name = n.name + "/bias";
    add.op_type = "Add";
    add.inputs = {tmp_id, add_constant(g_.value(n.inputs[2]).name + "/blocked", bb)};
    add.outputs = {new_blocked(out_orig, oc_bn)};
    out_.add_node(add);
    return true;
  }

  const Graph &g_;
  Graph out_;
  std::map<ValueId, ValueId> nchw_;
  std::map<ValueId, std::pair<ValueId, int64_t>> blocked_;
};

}  // namespace

int64_t channel_block(int64_t channels) {
  if (channels % 16 == 0) return 16;
  if (channels % 8 == 0) return 8;
  return 0;
}

Graph convert_layout(const Graph &g) { return LayoutConverter(g).run(); }

}  // namespace autotune::graph

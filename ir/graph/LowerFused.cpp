// Lowering of fused bodies to tensor expressions.
#include "ir/graph/LowerFused.h"

#include <cctype>
#include <functional>
#include <set>

#include "ir/graph/LowerAutotuneOps.h"

namespace autotune::graph {

namespace {

/// A fresh stage that copies t (so an output is always its own compute tensor).
te::Tensor copy_of(const te::Tensor &t, const std::string &name) {
  return te::compute(
      t.shape(), [&](const std::vector<ir::Var> &v) { return t(std::vector<ir::Expr>(v.begin(), v.end())); },
      name, "injective");
}

std::string sanitize(const std::string &name) {
  std::string s;
  for (char c : name) s += (std::isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
  return s.empty() ? "t" : s;
}

}  // namespace

FusedCompute lower_fused(const Graph &body) {
  FusedCompute fc;
  std::vector<te::Tensor> tensor_of(body.values.size());
  for (ValueId in : body.inputs) {
    const Value &v = body.value(in);
    user_check(v.shape_known) << "value '" << v.name << "' has no inferred shape";
    // Generic names keep identical kernels textually identical (they are compiled once).
    te::Tensor p = te::placeholder(v.shape, v.dtype, "in" + std::to_string(fc.inputs.size()));
    tensor_of[in] = p;
    fc.inputs.push_back(p);
  }
  for (const Node &node : body.nodes) {
    std::vector<LoweringInput> ins;
    for (ValueId v : node.inputs) {
      LoweringInput li;
      if (v != kNone) {
        li.tensor = tensor_of.at(v);
        li.constant = body.value(v).constant;
        internal_check(li.tensor.defined()) << node.describe() << " reads an unlowered value";
      }
      ins.push_back(li);
    }
    std::vector<te::Tensor> outs = lower_any_node(node, ins, body.opset);
    internal_check(outs.size() >= node.outputs.size())
        << node.describe() << " lowered to " << outs.size() << " tensors for "
        << node.outputs.size() << " outputs";
    for (size_t i = 0; i < node.outputs.size(); ++i) tensor_of[node.outputs[i]] = outs[i];
  }
  std::set<const void *> taken;
  for (ValueId out : body.outputs) {
    te::Tensor t = tensor_of.at(out);
    if (t.is_placeholder() || taken.count(t.get())) t = copy_of(t, sanitize(body.value(out).name));
    taken.insert(t.get());
    fc.outputs.push_back(t);
  }
  // Which placeholders are read: walk the tensor graph from the outputs.
  std::set<const void *> reached;
  std::function<void(const te::Tensor &)> walk = [&](const te::Tensor &t) {
    if (!reached.insert(t.get()).second) return;
    for (const te::Tensor &in : te::input_tensors(t)) walk(in);
  };
  for (const te::Tensor &t : fc.outputs) walk(t);
  for (size_t i = 0; i < fc.inputs.size(); ++i) {
    if (reached.count(fc.inputs[i].get())) fc.used_inputs.push_back(i);
  }
  return fc;
}

}  // namespace autotune::graph

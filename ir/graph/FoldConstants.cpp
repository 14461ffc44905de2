// Constant folding for the graph IR: nodes whose inputs are all constants become constant
// values, computed by a caller-supplied evaluator (codegen runs the node's own lowering).
// Runs after infer_shapes, before eliminate_dead_code (which drops the inputs left unused).
#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "ir/graph/Passes.h"

#include "ir/graph/EvaluateTensor.h"
#include "ir/graph/OpRegistry.h"
#include "ir/graph/detail/CompactGraph.h"

namespace autotune::graph {

namespace {

bool is_onnx_op(const Node &node, const char *op_type) {
  return node.domain.empty() && node.op_type == op_type;
}

/// Ops that compute shapes in exported models (Shape -> Gather -> Unsqueeze -> Concat ->
/// Reshape and friends). On integer or boolean outputs they fold whatever their size, so that
/// shape operands become constants even when max_elements is tiny.
bool is_shape_computation(const Node &node, const Graph &g) {
  static const std::set<std::string> kShapeOps = {"Shape",     "Gather",  "Concat",
                                                  "Unsqueeze", "Squeeze", "Slice",
                                                  "Cast",      "Reshape", "ConstantOfShape",
                                                  "Range",     "Equal",   "Where",
                                                  "Expand",    "Add",     "Sub",
                                                  "Mul",       "Div"};
  if (!node.domain.empty() || !kShapeOps.count(node.op_type)) return false;
  return std::all_of(node.outputs.begin(), node.outputs.end(), [&](ValueId o) {
    DataType t = g.value(o).dtype;
    return t.is_int() || t.is_bool();
  });
}

/// Ops whose result is not a function of their inputs.
bool is_nondeterministic(const Node &node) {
  static const std::set<std::string> kRandomOps = {"RandomNormal",  "RandomNormalLike",
                                                   "RandomUniform", "RandomUniformLike",
                                                   "Multinomial",   "Bernoulli"};
  return node.domain.empty() && kRandomOps.count(node.op_type) > 0;
}

/// ONNX Shape (with opset-15 start/end) or Size of a value whose static shape is known.
ConstantPtr fold_static_shape(const Node &node, const Value &input) {
  const std::vector<int64_t> &shape = input.shape;
  if (node.op_type == "Size") return TensorData::from_int64s({}, {shape_size(shape)});
  int64_t rank = static_cast<int64_t>(shape.size());
  auto clamp_axis = [&](int64_t a) { return std::clamp(a < 0 ? a + rank : a, int64_t{0}, rank); };
  int64_t start = clamp_axis(node.attrs.get_int("start", 0));
  int64_t end = clamp_axis(node.attrs.get_int("end", rank));
  std::vector<int64_t> dims;
  for (int64_t d = start; d < end; ++d) dims.push_back(shape[d]);
  return TensorData::from_int64s({static_cast<int64_t>(dims.size())}, dims);
}

/// Makes `v` a constant holding `data`, which must match the inferred type.
void set_folded(Value &v, ConstantPtr data, const Node &node) {
  internal_check(data != nullptr) << "constant folding of " << node.describe()
                                  << " produced no data for '" << v.name << "'";
  internal_check(data->dtype == v.dtype && data->shape == v.shape)
      << "constant folding of " << node.describe() << " produced " << data->dtype.str()
      << shape_str(data->shape) << " for '" << v.name << "', inferred " << v.dtype.str()
      << shape_str(v.shape);
  v.constant = std::move(data);
  v.producer = kNone;
}

}  // namespace

// Algorithm:
//   1. Walk the nodes in order, so that a folded value makes its readers foldable in turn.
//   2. Shape and Size need only their input's static shape: fold them directly, without eval.
//   3. Any other deterministic ONNX node whose present inputs are all constants folds through
//      `eval` when every output has at most max_elements elements, or when it is a shape
//      computation on integers/booleans. Large outputs of large weights (a transposed weight
//      matrix) are left to the executor.
//   4. Folded values keep their names and ids and lose their producer; folded nodes are dropped.
//      Inputs that became unused stay for eliminate_dead_code.
//
//   before: s = Shape(x); d = Gather(s, 0); u = Unsqueeze(d, [0]); c = Concat(u, [-1]);
//           y = Reshape(x, c)
//   after:  c = constant [2, -1]; y = Reshape(x, c)   (s, d, u are constants too)
namespace {

/// The outputs of `node` computed by the tensor-expression interpreter when every output has at
/// most 4096 elements and the interpreter manages them all; empty otherwise.
std::vector<ConstantPtr> interpret_small(const Node &node, const std::vector<ConstantPtr> &inputs,
                                         const Graph &g) {
  constexpr int64_t kMaxInterpreted = 4096;
  for (ValueId o : node.outputs) {
    if (shape_size(g.value(o).shape) > kMaxInterpreted) return {};
  }
  std::vector<LoweringInput> lin;
  std::map<const te::TensorNode *, ConstantPtr> bound;
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    LoweringInput li;
    if (inputs[i]) {
      li.tensor = te::placeholder(inputs[i]->shape, inputs[i]->dtype, "c" + std::to_string(i));
      li.constant = inputs[i];
      bound[li.tensor.get()] = inputs[i];
    }
    lin.push_back(li);
  }
  std::vector<te::Tensor> tensors = lower_node(node, lin, g.opset);
  std::vector<ConstantPtr> results;
  for (size_t k = 0; k < node.outputs.size() && k < tensors.size(); ++k) {
    ConstantPtr c = evaluate_tensor(tensors[k], bound);
    if (!c) return {};
    results.push_back(c);
  }
  return results.size() == node.outputs.size() ? results : std::vector<ConstantPtr>{};
}

}  // namespace

Graph fold_constants(const Graph &g, const NodeEvaluator &eval, int64_t max_elements) {
  g.verify();
  Graph out = g;
  std::vector<bool> keep_nodes(out.nodes.size(), true);
  for (size_t n = 0; n < out.nodes.size(); ++n) {
    const Node &node = out.nodes[n];
    for (ValueId id : node.inputs) {
      internal_check(id == kNone || out.value(id).shape_known)
          << "fold_constants needs inferred shapes: '" << out.value(id).name
          << "' has none (run infer_shapes first)";
    }
    if ((is_onnx_op(node, "Shape") || is_onnx_op(node, "Size")) && node.inputs.size() == 1 &&
        node.outputs.size() == 1) {
      set_folded(out.value(node.outputs[0]), fold_static_shape(node, out.value(node.inputs[0])),
                 node);
      keep_nodes[n] = false;
      continue;
    }
    if (!node.domain.empty() || is_nondeterministic(node)) continue;
    bool all_constant = std::all_of(node.inputs.begin(), node.inputs.end(), [&](ValueId id) {
      return id == kNone || out.value(id).constant != nullptr;
    });
    if (!all_constant) continue;
    bool small = std::all_of(node.outputs.begin(), node.outputs.end(), [&](ValueId o) {
      return shape_size(out.value(o).shape) <= max_elements;
    });
    if (!small && !is_shape_computation(node, out)) continue;
    std::vector<ConstantPtr> inputs;
    inputs.reserve(node.inputs.size());
    for (ValueId id : node.inputs) inputs.push_back(id == kNone ? nullptr : out.value(id).constant);
    // Small results (shape arithmetic) are interpreted directly; the evaluator compiles code,
    // which costs milliseconds per node.
    std::vector<ConstantPtr> results = interpret_small(node, inputs, out);
    if (results.empty()) results = eval(node, inputs, out.opset);
    internal_check(results.size() == node.outputs.size())
        << "constant folding of " << node.describe() << " returned " << results.size()
        << " tensors for " << node.outputs.size() << " outputs";
    for (size_t k = 0; k < results.size(); ++k) {
      set_folded(out.value(node.outputs[k]), results[k], node);
    }
    keep_nodes[n] = false;
  }
  return detail::compact_graph(out, keep_nodes, std::vector<bool>(out.values.size(), true));
}

}  // namespace autotune::graph

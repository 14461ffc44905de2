// Shape and type inference for the graph IR: lowers every node over placeholders of its input
// shapes (lower_node) and reads the output shapes off the resulting tensors. First graph pass
// after import; every later pass relies on its postcondition (all shapes static and known).
#include <algorithm>

#include "ir/graph/EvaluateTensor.h"
#include "ir/graph/OpRegistry.h"
#include "ir/graph/Passes.h"

namespace autotune::graph {

namespace {

/// "float32[1, 3, 224, 224]".
std::string type_str(DataType dtype, const std::vector<int64_t> &shape) {
  return dtype.str() + shape_str(shape);
}

/// Records the inferred type of `v`; when the model already declared one it must agree.
void set_inferred(Value &v, DataType dtype, const std::vector<int64_t> &shape,
                  const std::string &source) {
  if (v.shape_known) {
    user_check(v.shape == shape && v.dtype == dtype)
        << "value '" << v.name << "' (" << source << "): inferred type " << type_str(dtype, shape)
        << " conflicts with the declared type " << type_str(v.dtype, v.shape)
        << "; fix the model's value_info or its input shapes";
  }
  v.dtype = dtype;
  v.shape = shape;
  v.shape_known = true;
}

/// Outputs up to this many elements carry their data to later nodes when it can be computed.
constexpr int64_t kMaxPropagatedElements = 4096;

/// Whether the outputs of `node` may be computable at compile time: every present input has
/// known data (Shape and Size need only the static shape), and the outputs are small.
bool may_propagate(const Node &node, const std::vector<LoweringInput> &inputs,
                   const std::vector<te::Tensor> &results) {
  bool static_shape = node.domain.empty() && (node.op_type == "Shape" || node.op_type == "Size");
  bool inputs_known = std::all_of(inputs.begin(), inputs.end(), [](const LoweringInput &in) {
    return !in.tensor.defined() || in.constant != nullptr;
  });
  bool small = std::all_of(results.begin(), results.end(),
                           [](const te::Tensor &t) { return t.size() <= kMaxPropagatedElements; });
  return (static_shape || inputs_known) && small;
}

}  // namespace

// Algorithm:
//   1. Check that every graph input has a static shape; give constants their data's type.
//   2. For each node in (topological) order, build one LoweringInput per input: a placeholder
//      with the value's shape and type, plus its data when known (step 4), so that shape
//      operands can be read; absent optional inputs stay undefined.
//   3. lower_node returns one tensor per output; its shape and type become the output value's
//      (a conflicting declared shape is a user error).
//   4. Data propagation: when the inputs' data is known (constants, or earlier propagated
//      values; Shape and Size need none) and the outputs are small, the lowered tensors are
//      interpreted (evaluate_tensor) and their data is passed as `constant` to later readers.
//      So Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), [-1])) gets a shape it can read.
//      The data stays private to this pass: making values constant is fold_constants' job.
//
//   before: x: float32[1, 8] (input)  ->  Relu  ->  y: ?
//   after:  x: float32[1, 8] (input)  ->  Relu  ->  y: float32[1, 8]
Graph infer_shapes(const Graph &g) {
  g.verify();
  Graph out = g;
  for (ValueId in : out.inputs) {
    const Value &v = out.value(in);
    user_check(v.shape_known) << "graph input '" << v.name
                              << "' has no static shape; give all its dimensions (batch size "
                                 "included) when importing the model";
  }
  for (Value &v : out.values) {
    if (v.constant) set_inferred(v, v.constant->dtype, v.constant->shape, "a constant");
  }
  // Data of each value when known: constants, then small results computed from them.
  std::vector<ConstantPtr> known(out.values.size());
  for (size_t v = 0; v < out.values.size(); ++v) known[v] = out.values[v].constant;
  for (const Node &node : out.nodes) {
    std::vector<LoweringInput> inputs;
    inputs.reserve(node.inputs.size());
    for (ValueId id : node.inputs) {
      if (id == kNone) {
        inputs.emplace_back();
        continue;
      }
      const Value &v = out.value(id);
      // Inputs, constants and earlier outputs all have types by now (verify checked the order).
      internal_check(v.shape_known)
          << node.describe() << " reads '" << v.name << "' before its shape is known";
      inputs.push_back(LoweringInput{te::placeholder(v.shape, v.dtype, v.name), known[id]});
    }
    std::vector<te::Tensor> results = lower_node(node, inputs, out.opset);
    internal_check(results.size() == node.outputs.size())
        << node.describe() << ": lowering returned " << results.size() << " tensors for "
        << node.outputs.size() << " outputs";
    for (size_t k = 0; k < results.size(); ++k) {
      internal_check(results[k].defined())
          << node.describe() << ": output " << k << " was not lowered";
      set_inferred(out.value(node.outputs[k]), results[k].dtype(), results[k].shape(),
                   "output of " + node.describe());
    }
    if (!may_propagate(node, inputs, results)) continue;
    std::map<const te::TensorNode *, ConstantPtr> bound;
    for (const LoweringInput &in : inputs) {
      if (in.tensor.defined() && in.constant) bound[in.tensor.get()] = in.constant;
    }
    for (size_t k = 0; k < results.size(); ++k) {
      known[node.outputs[k]] = evaluate_tensor(results[k], bound);
    }
  }
  return out;
}

}  // namespace autotune::graph

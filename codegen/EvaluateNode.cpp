// JIT evaluation of a single node on constants.
#include "codegen/EvaluateNode.h"

#include <cstring>

#include "codegen/Compile.h"
#include "ir/graph/LowerFused.h"
#include "ir/lower/Lower.h"
#include "searchspace/DefaultSchedule.h"

namespace autotune::codegen {

using namespace graph;

std::vector<ConstantPtr> evaluate_node(const Node &node, const std::vector<ConstantPtr> &inputs,
                                       int64_t opset) {
  // A one-node body whose inputs are the constants.
  Graph body;
  body.opset = opset;
  Node copy = node;
  copy.inputs.clear();
  copy.outputs.clear();
  for (const ConstantPtr &c : inputs) {
    if (!c) {
      copy.inputs.push_back(kNone);
      continue;
    }
    Value v;
    v.name = "in" + std::to_string(body.values.size());
    v.dtype = c->dtype;
    v.shape = c->shape;
    v.shape_known = true;
    v.constant = c;
    ValueId id = body.add_value(v);
    body.inputs.push_back(id);
    copy.inputs.push_back(id);
  }
  for (size_t o = 0; o < node.outputs.size(); ++o) {
    Value v;
    v.name = "out" + std::to_string(o);
    ValueId id = body.add_value(v);
    copy.outputs.push_back(id);
    body.outputs.push_back(id);
  }
  body.add_node(copy);
  FusedCompute fc = lower_fused(body);
  searchspace::CpuOptions cpu;
  cpu.parallel = false;
  te::Schedule sch = searchspace::default_schedule(fc.outputs, cpu);
  std::vector<te::Tensor> args;
  std::vector<void *> ptrs;
  std::vector<ConstantPtr> present;
  for (const ConstantPtr &c : inputs) {
    if (c) present.push_back(c);
  }
  for (size_t u : fc.used_inputs) {
    args.push_back(fc.inputs[u]);
    ptrs.push_back(const_cast<uint8_t *>(present[u]->bytes.data()));
  }
  std::vector<std::shared_ptr<TensorData>> results;
  for (const te::Tensor &t : fc.outputs) {
    args.push_back(t);
    results.push_back(TensorData::make(t.dtype(), t.shape()));
    // Kernels may assume 16-byte alignment and a non-null pointer even for empty tensors.
    results.back()->bytes.reserve(results.back()->bytes.size() + 64);
    ptrs.push_back(results.back()->bytes.data());
  }
  ir::LoweredFunc f = lower::lower(sch, args, "fold");
  JitModule jit({f});
  for (void *p : ptrs) {
    // operator new (and so std::vector) returns 16-byte aligned storage, as kernels require.
    internal_check(reinterpret_cast<uintptr_t>(p) % 16 == 0) << "misaligned constant buffer";
  }
  int32_t rc = jit.get_function("fold")(ptrs.data());
  internal_check(rc == 0) << "constant folding kernel of " << node.describe() << " failed";
  return std::vector<ConstantPtr>(results.begin(), results.end());
}

}  // namespace autotune::codegen

// Finding a kernel's anchor reduction and inlining the element-wise stages around it.
#include "searchspace/KernelAnchor.h"

#include <functional>
#include <set>

#include "ir/core/IRVisitor.h"
#include "ir/core/Substitute.h"

namespace autotune::searchspace {

using namespace ir;
using te::Tensor;

bool is_heavy_reduction(const Tensor &t) {
  if (t.is_placeholder() || !t->body.as<Reduce>()) return false;
  const std::string &tag = t->tag;
  return tag.find("conv") != std::string::npos || tag.find("dense") != std::string::npos ||
         tag.find("matmul") != std::string::npos;
}

KernelAnchor find_anchor(const std::vector<Tensor> &outputs) {
  KernelAnchor a;
  // Topological order of the compute tensors, as create_schedule makes it.
  std::set<const te::TensorNode *> visited;
  std::vector<Tensor> order;
  std::function<void(const Tensor &)> visit = [&](const Tensor &t) {
    if (!visited.insert(t.get()).second) return;
    for (const Tensor &in : te::input_tensors(t)) visit(in);
    if (!t.is_placeholder()) order.push_back(t);
  };
  for (const Tensor &out : outputs) visit(out);
  std::set<const te::TensorNode *> computed;
  int reductions = 0;
  for (const Tensor &t : order) {
    if (t->body.as<Reduce>()) ++reductions;
    if (!is_heavy_reduction(t)) continue;
    a.anchor = t;
    for (const Tensor &in : te::input_tensors(t)) {
      if (!in.is_placeholder() && computed.insert(in.get()).second) {
        a.computed_inputs.push_back(in);
      }
    }
  }
  a.other_reductions = reductions - (a.anchor.defined() ? 1 : 0);
  return a;
}

void inline_around_anchor(te::Schedule &sch, const KernelAnchor &anchor) {
  std::set<const te::StageNode *> keep;
  for (const Tensor &t : anchor.computed_inputs) keep.insert(sch[t].get());
  for (const te::Stage &s : sch.stages()) {
    if (s->is_output || s->body.as<Reduce>() || keep.count(s.get())) continue;
    te::Stage(s).compute_inline();
  }
}

std::vector<int> reduce_axis_dims(const Tensor &t, const Tensor &input) {
  const auto &raxes = t.reduce_axis();
  std::vector<int> dims(raxes.size(), -1);
  struct Reads final : IRVisitor {
    const DataProducerNode *input;
    std::vector<const TensorRead *> found;
    using IRVisitor::visit;
    void visit(const TensorRead *op) override {
      if (op->producer.get() == input) found.push_back(op);
      IRVisitor::visit(op);
    }
  } reads;
  reads.input = input.get();
  reads(t->body);
  for (size_t r = 0; r < raxes.size(); ++r) {
    for (const TensorRead *read : reads.found) {
      for (size_t d = 0; d < read->indices.size() && dims[r] < 0; ++d) {
        if (uses_var(read->indices[d], raxes[r].var().get())) dims[r] = static_cast<int>(d);
      }
      if (dims[r] >= 0) break;
    }
  }
  return dims;
}

double anchor_flops(const std::vector<Tensor> &outputs) {
  KernelAnchor a = find_anchor(outputs);
  if (!a.anchor.defined()) return 0;
  double flops = 2.0 * static_cast<double>(a.anchor.size());
  for (const IterVar &r : a.anchor.reduce_axis()) {
    const int64_t *e = as_const_int(r.dom().extent);
    internal_check(e) << "reduction axis '" << r.name() << "' has a non-constant extent";
    flops *= static_cast<double>(*e);
  }
  return flops;
}

}  // namespace autotune::searchspace

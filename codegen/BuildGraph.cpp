// The build recipe, top to bottom: lower and schedule each fused kernel (once per distinct
// body) and plan memory (plan_model); then compile the kernels in one module and hand the plan
// to the executor (build_model).
#include "codegen/BuildGraph.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <set>

#include "codegen/Compile.h"
#include "ir/core/IRPrinter.h"
#include "ir/graph/LowerFused.h"
#include "ir/lower/Lower.h"
#include "searchspace/ScheduleKernel.h"
#include "searchspace/Task.h"

namespace autotune::codegen {

using graph::Graph;
using graph::Node;
using graph::ValueId;
using runtime::BufferSlot;

int64_t TensorInfo::bytes() const { return graph::shape_size(shape) * dtype.bytes(); }

CompiledModel::~CompiledModel() = default;

void CompiledModel::run(const std::vector<const void *> &inputs,
                        const std::vector<void *> &outputs) {
  executor_->run(inputs, outputs);
  for (const OutputCopy &c : copies_) {
    const void *src = c.from_input >= 0 ? inputs.at(c.from_input) : c.constant->bytes.data();
    std::memcpy(outputs.at(c.output), src, outputs_[c.output].bytes());
  }
}

std::string CompiledModel::profile_report() const {
  return executor_->profile_report(call_nodes_);
}

namespace {

constexpr int64_t kAlign = 64;
int64_t align_up(int64_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

/// First-fit allocator over one arena: offsets of buffers whose lifetimes do not overlap may
/// coincide; the arena grows only when no freed block fits.
class ArenaPlanner {
 public:
  int64_t allocate(int64_t bytes) {
    bytes = align_up(std::max<int64_t>(bytes, 1));
    for (auto it = free_.begin(); it != free_.end(); ++it) {
      if (it->second >= bytes) {
        int64_t off = it->first;
        int64_t rest = it->second - bytes;
        free_.erase(it);
        if (rest > 0) free_[off + bytes] = rest;
        return off;
      }
    }
    // Extend: reuse a free block that ends at the arena's end.
    if (!free_.empty()) {
      auto last = std::prev(free_.end());
      if (last->first + last->second == end_) {
        int64_t off = last->first;
        free_.erase(last);
        end_ = off + bytes;
        return off;
      }
    }
    int64_t off = end_;
    end_ += bytes;
    return off;
  }
  void release(int64_t off, int64_t bytes) {
    bytes = align_up(std::max<int64_t>(bytes, 1));
    auto it = free_.emplace(off, bytes).first;
    // Coalesce with neighbours.
    if (it != free_.begin()) {
      auto prev = std::prev(it);
      if (prev->first + prev->second == it->first) {
        prev->second += it->second;
        free_.erase(it);
        it = prev;
      }
    }
    auto next = std::next(it);
    if (next != free_.end() && it->first + it->second == next->first) {
      it->second += next->second;
      free_.erase(next);
    }
  }
  int64_t size() const { return end_; }

 private:
  std::map<int64_t, int64_t> free_;
  int64_t end_ = 0;
};

}  // namespace

ModelPlan plan_model(const Graph &g, const BuildOptions &opt) {
  ModelPlan plan;
  plan.target = opt.target;
  for (ValueId in : g.inputs) {
    const auto &v = g.value(in);
    plan.inputs.push_back({v.name, v.dtype, v.shape});
  }
  for (ValueId out : g.outputs) {
    const auto &v = g.value(out);
    plan.outputs.push_back({v.name, v.dtype, v.shape});
  }

  // 1. Lower every fused kernel; identical kernels are compiled once.
  const int lanes = opt.target.float_lanes();
  std::set<std::string> untuned_keys;
  std::map<std::string, std::string> kernel_by_text;
  std::vector<std::vector<ValueId>> call_values;
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    const Node &node = g.nodes[n];
    internal_check(node.domain == "autotune" && node.op_type == "fused" && node.body)
        << node.describe() << " is not a fused kernel; run fuse_operators first";
    graph::FusedCompute fc = graph::lower_fused(*node.body);
    // A tuned config from the database when the kernel is tunable and one exists.
    std::string config;
    if (opt.tuned_config && searchspace::find_template(fc)) {
      std::string key =
          searchspace::workload_key(searchspace::workload_text(*node.body), opt.target.str());
      config = opt.tuned_config(key);
      if (config.empty() && untuned_keys.insert(key).second) {
        plan.untuned_kernels.push_back(node.name + " (" + node.attrs.get_string("anchor", "") +
                                       ", workload " + key + ")");
      }
      if (!config.empty()) ++plan.num_tuned_calls;
    }
    te::Schedule sch = searchspace::schedule_kernel(fc, config, lanes, opt.parallel);
    std::vector<te::Tensor> args;
    std::vector<ValueId> arg_values;
    for (size_t u : fc.used_inputs) {
      args.push_back(fc.inputs[u]);
      arg_values.push_back(node.inputs[u]);
    }
    for (size_t o = 0; o < fc.outputs.size(); ++o) {
      args.push_back(fc.outputs[o]);
      arg_values.push_back(node.outputs[o]);
    }
    std::string name = "k" + std::to_string(plan.kernels.size());
    ir::LoweredFunc f = lower::lower(sch, args, name);
    std::string text = ir::to_string(f.body);
    for (const ir::KernelArg &a : f.args) text += "|" + a.dtype.str() + graph::shape_str(a.shape);
    auto it = kernel_by_text.find(text);
    if (it == kernel_by_text.end()) {
      it = kernel_by_text.emplace(text, name).first;
      plan.kernels.push_back(f);
    }
    runtime::KernelCall call;
    call.name = it->second;
    plan.call_nodes.push_back(node.name + " [" + node.attrs.get_string("anchor", "") + "]");
    plan.calls.push_back(call);
    call_values.push_back(arg_values);
  }

  // 2. Plan buffers: constants, inputs and outputs have their own; the rest share the arena.
  std::vector<int> slot_of(g.values.size(), -1);
  std::map<ValueId, int> input_index, output_index, constant_index;
  for (size_t i = 0; i < g.inputs.size(); ++i) input_index[g.inputs[i]] = static_cast<int>(i);
  for (size_t i = 0; i < g.outputs.size(); ++i) output_index[g.outputs[i]] = static_cast<int>(i);
  std::vector<int> last_use(g.values.size(), -1);
  for (size_t c = 0; c < call_values.size(); ++c) {
    for (ValueId v : call_values[c]) last_use[v] = static_cast<int>(c);
  }
  auto value_bytes = [&](ValueId v) {
    return graph::shape_size(g.value(v).shape) * g.value(v).dtype.bytes();
  };
  auto constant_for = [&](ValueId v) {
    auto it = constant_index.find(v);
    if (it != constant_index.end()) return it->second;
    plan.constants.push_back(g.value(v).constant);
    return constant_index[v] = static_cast<int>(plan.constants.size()) - 1;
  };
  ArenaPlanner arena;
  auto slot_for = [&](ValueId v) -> int {
    if (slot_of[v] >= 0) return slot_of[v];
    BufferSlot s;
    s.bytes = value_bytes(v);
    // An input or constant that is also a graph output is read from its own buffer; the output
    // gets a copy after the run (output_copies below).
    if (input_index.count(v)) {
      s.kind = BufferSlot::Kind::Input;
      s.index = input_index[v];
    } else if (g.value(v).constant) {
      s.kind = BufferSlot::Kind::Constant;
      s.index = constant_for(v);
    } else if (output_index.count(v)) {
      s.kind = BufferSlot::Kind::Output;
      s.index = output_index[v];
    } else {
      s.kind = BufferSlot::Kind::Arena;
      s.arena_offset = arena.allocate(s.bytes);
    }
    slot_of[v] = static_cast<int>(plan.slots.size());
    plan.slots.push_back(s);
    return slot_of[v];
  };
  for (size_t c = 0; c < plan.calls.size(); ++c) {
    for (ValueId v : call_values[c]) plan.calls[c].args.push_back(slot_for(v));
    // Buffers whose last reader (or writer) was this call are free for the next ones.
    std::set<ValueId> seen;
    for (ValueId v : call_values[c]) {
      if (!seen.insert(v).second || last_use[v] != static_cast<int>(c)) continue;
      const BufferSlot &s = plan.slots[slot_of[v]];
      if (s.kind == BufferSlot::Kind::Arena) arena.release(s.arena_offset, s.bytes);
    }
  }
  plan.arena_bytes = arena.size();
  // Outputs no kernel writes.
  for (size_t i = 0; i < g.outputs.size(); ++i) {
    ValueId v = g.outputs[i];
    if (g.value(v).producer != graph::kNone) continue;
    ModelPlan::OutputCopy copy;
    copy.output = static_cast<int>(i);
    if (input_index.count(v)) {
      copy.from_input = input_index[v];
    } else {
      internal_check(g.value(v).constant) << "graph output '" << g.value(v).name
                                          << "' is neither computed, an input nor a constant";
      copy.constant = constant_for(v);
    }
    plan.output_copies.push_back(copy);
  }
  return plan;
}

std::unique_ptr<CompiledModel> build_model(const ModelPlan &plan) {
  std::unique_ptr<CompiledModel> model(new CompiledModel());
  model->inputs_ = plan.inputs;
  model->outputs_ = plan.outputs;
  model->call_nodes_ = plan.call_nodes;
  model->untuned_ = plan.untuned_kernels;
  model->tuned_ = plan.num_tuned_calls;
  model->distinct_kernels_ = plan.kernels.size();

  // 1. Compile.
  model->jit_ = std::make_unique<JitModule>(plan.kernels, plan.target);
  std::vector<runtime::KernelCall> calls = plan.calls;
  for (auto &c : calls) c.fn = model->jit_->get_function(c.name);

  // 2. The executor shares the graph's constant data instead of copying it.
  std::vector<runtime::GraphExecutor::Constant> constants;
  for (const graph::ConstantPtr &c : plan.constants) constants.push_back({c->bytes.data(), c});
  for (const ModelPlan::OutputCopy &c : plan.output_copies) {
    model->copies_.push_back(
        {c.output, c.from_input, c.constant >= 0 ? plan.constants[c.constant] : nullptr});
  }
  model->executor_ = std::make_unique<runtime::GraphExecutor>(
      plan.slots, std::move(calls), std::move(constants), plan.arena_bytes,
      static_cast<int>(plan.inputs.size()), static_cast<int>(plan.outputs.size()));
  return model;
}

std::unique_ptr<CompiledModel> build_model(const Graph &g, const BuildOptions &opt) {
  return build_model(plan_model(g, opt));
}

}  // namespace autotune::codegen

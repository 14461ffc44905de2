// Compiling an optimized graph (autotune.fused kernels) into a runnable model: one kernel per
// distinct fused body, a static memory plan, and the executor that calls them. The plan is
// also what SaveModel writes out as a deployable module (see runtime/DeployedModel.h).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "codegen/Target.h"
#include "codegen/runtime/GraphExecutor.h"
#include "ir/core/IR.h"
#include "ir/graph/Graph.h"

namespace autotune::codegen {

class JitModule;

struct BuildOptions {
  Target target = Target::host();
  bool parallel = true;  ///< emit parallel loops (they run on autotune_set_num_threads threads)
  /// The tuned config (JSON) of a tunable kernel by workload key, or "" when there is none;
  /// typically the best record of the tuning database. Unset: every kernel keeps its default.
  std::function<std::string(const std::string &workload_key)> tuned_config;
};

/// Name, type and shape of a model input or output.
struct TensorInfo {
  std::string name;
  ir::DataType dtype;
  std::vector<int64_t> shape;
  int64_t bytes() const;
};

/// Everything decided before machine code exists: the lowered kernels, the order of calls over
/// buffer slots, and the memory plan. build_model JITs it for this machine; save_model links it
/// into a shared object for any target and writes the rest next to it.
struct ModelPlan {
  Target target;
  std::vector<TensorInfo> inputs, outputs;
  /// One function per distinct fused body, named "k0", "k1"... in order of first use.
  std::vector<ir::LoweredFunc> kernels;
  /// The calls in execution order: kernel name and argument slots (KernelCall::fn is unset).
  std::vector<runtime::KernelCall> calls;
  /// "fused node name [anchor op]" of each call, for profiles.
  std::vector<std::string> call_nodes;
  std::vector<runtime::BufferSlot> slots;
  /// Constant data by index: BufferSlot::index of Constant slots, OutputCopy::constant.
  std::vector<graph::ConstantPtr> constants;
  int64_t arena_bytes = 0;  ///< peak bytes of the intermediate-buffer arena
  /// A graph output that no kernel writes: a copy of an input or of a constant.
  struct OutputCopy {
    int output = 0;
    int from_input = -1;  ///< the input it copies, or -1
    int constant = -1;    ///< else the constant it copies
  };
  std::vector<OutputCopy> output_copies;
  /// Tunable kernels for which tuned_config had no config (one entry per workload).
  std::vector<std::string> untuned_kernels;
  size_t num_tuned_calls = 0;  ///< calls whose kernel was built from a tuned config
};

/// A model compiled for this machine.
class CompiledModel {
 public:
  ~CompiledModel();
  const std::vector<TensorInfo> &inputs() const { return inputs_; }
  const std::vector<TensorInfo> &outputs() const { return outputs_; }
  /// Runs the model. Buffers are the caller's, in input/output order, 16-byte aligned.
  void run(const std::vector<const void *> &inputs, const std::vector<void *> &outputs);
  /// Peak bytes of the intermediate-buffer arena, and bytes of constants.
  int64_t arena_bytes() const { return executor_->arena_bytes(); }
  int64_t constant_bytes() const { return executor_->constant_bytes(); }
  size_t num_kernel_calls() const { return executor_->num_kernels(); }
  size_t num_distinct_kernels() const { return distinct_kernels_; }
  /// Tunable kernels for which tuned_config had no config (one entry per workload).
  const std::vector<std::string> &untuned_kernels() const { return untuned_; }
  /// Kernels built from a tuned config.
  size_t num_tuned_kernels() const { return tuned_; }
  /// With AUTOTUNE_PROFILE=1: one line per kernel call (name, fused node, total ms), slowest first.
  std::string profile_report() const;

 private:
  friend std::unique_ptr<CompiledModel> build_model(const ModelPlan &);
  CompiledModel() = default;
  std::vector<TensorInfo> inputs_, outputs_;
  std::unique_ptr<JitModule> jit_;
  std::unique_ptr<runtime::GraphExecutor> executor_;
  /// Graph outputs that no kernel writes (an input or a constant returned as is).
  struct OutputCopy {
    int output;
    int from_input = -1;
    graph::ConstantPtr constant;
  };
  std::vector<OutputCopy> copies_;
  size_t distinct_kernels_ = 0;
  std::vector<std::string> call_nodes_;  ///< fused node name of each call
  std::vector<std::string> untuned_;
  size_t tuned_ = 0;
};

/// Lowers and schedules every kernel of `g` for opt.target and plans its memory. `g`'s nodes
/// must all be autotune.fused (see graph::fuse_operators). The target need not be this machine.
ModelPlan plan_model(const graph::Graph &g, const BuildOptions &opt = {});

/// JIT-compiles `plan` for this machine; UserError when plan.target does not run here.
std::unique_ptr<CompiledModel> build_model(const ModelPlan &plan);

/// plan_model then build_model.
std::unique_ptr<CompiledModel> build_model(const graph::Graph &g, const BuildOptions &opt = {});

}  // namespace autotune::codegen

// A tuning task: one distinct fused kernel of a model on one target, with its workload key
// (stable across runs and machines), its schedule template and its config space.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ir/graph/Graph.h"
#include "ir/graph/LowerFused.h"
#include "ir/te/Schedule.h"
#include "searchspace/ConfigSpace.h"

namespace autotune::searchspace {

class ScheduleTemplate;

struct Task {
  /// "conv2d_nchwc", "depthwise_conv2d_nchwc", "dense", "matmul" (the template's op kind: the
  /// tag of the kernel's anchor reduction).
  std::string op_kind;
  /// Canonical text of the fused body (see workload_text). The key hashes it with the target.
  std::string workload;
  std::string target;
  /// workload_key(workload, target): 16 hex digits, stable across runs and machines.
  std::string key;
  double flops = 0;   ///< floating-point operations of one kernel call (the anchor's 2*M*N*K)
  int64_t count = 1;  ///< occurrences in the model
  std::shared_ptr<const graph::Graph> body;  ///< the fused body (one representative)
  const ScheduleTemplate *tmpl = nullptr;
  ConfigSpace space;  ///< tmpl->space(lower_fused(*body), lanes), named after the task
  /// A readable name: the op kind, the anchor's shapes and attributes, then the epilogue's ops
  /// ("conv2d_nchwc 1x64x56x56 k64 3x3 s1 +add+relu").
  std::string name;
};

/// The canonical workload text of a fused body: one line per body input (dtype, shape,
/// "const" for constants), one per node (domain.op_type, the canonical ids of its inputs and
/// outputs with dtypes and shapes, its attributes sorted by name with their values), and the
/// outputs. Values are numbered by position (inputs %i0.., node results %t0..), so value names
/// and the values of constants do not matter; tensor-valued attributes contribute their dtype
/// and shape only.
///
///   input %i0 float32[1,4,56,56,16]
///   input %i1 const float32[4,4,3,3,16,16]
///   node autotune.conv2d_nchwc(%i0, %i1) -> %t0 float32[1,4,56,56,16] {pads=[1,1,1,1], ...}
///   output %t0
std::string workload_text(const graph::Graph &body);
/// The stable key of a workload on a target: FNV-1a 64 of workload + "|" + target, as 16
/// lowercase hex digits.
std::string workload_key(const std::string &workload, const std::string &target);

/// One task per distinct tunable fused kernel of `fused` (nodes from graph::fuse_operators),
/// with occurrence counts; kernels without a template are not tasks. Ordered by first use.
/// `target` is the target string the keys are made with (codegen::Target::str()).
std::vector<Task> extract_tasks(const graph::Graph &fused, const std::string &target,
                                int float_lanes);

/// A schedule template: the knobs of a kind of kernel and how a config schedules it.
/// Templates are stateless singletons (see find_template).
class ScheduleTemplate {
 public:
  virtual ~ScheduleTemplate() = default;
  virtual const char *op_kind() const = 0;
  /// True when this template schedules a kernel computing `fc`.
  virtual bool matches(const graph::FusedCompute &fc) const = 0;
  /// The config space for `fc` (depends on shapes and on the vector width), with its validity
  /// filter set.
  virtual ConfigSpace space(const graph::FusedCompute &fc, int float_lanes) const = 0;
  /// Schedules `fc` with `cfg` (a config of space(fc, lanes)); `parallel` annotates the outer
  /// loops parallel. UserError when the config belongs to another space or is invalid for this
  /// kernel (the measurement records InvalidConfig).
  virtual te::Schedule apply(const graph::FusedCompute &fc, const Config &cfg, int float_lanes,
                             bool parallel) const = 0;
  te::Schedule apply(const graph::FusedCompute &fc, const Config &cfg, int float_lanes) const {
    return apply(fc, cfg, float_lanes, true);
  }
  /// The config that reproduces the default schedule (searchspace::default_schedule), or the
  /// closest one (used as the untuned baseline).
  virtual Config default_config(const ConfigSpace &space, const graph::FusedCompute &fc,
                                int float_lanes) const = 0;
  /// The readable part of a kernel's name after the op kind: the anchor's shapes and
  /// attributes ("1x64x56x56 k64 3x3 s1"), read off the compute definition.
  virtual std::string describe(const graph::FusedCompute &fc) const = 0;
};

/// The template for a fused kernel, or nullptr when it has none (it keeps its default schedule).
const ScheduleTemplate *find_template(const graph::FusedCompute &fc);

}  // namespace autotune::searchspace

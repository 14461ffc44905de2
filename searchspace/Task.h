// A tuning task: one distinct fused kernel of a model on one target, with its workload key
// (stable across runs and machines), its schedule template and its config space.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ir/graph/Graph.h"
#include "ir/graph/LowerFused.h"
#include "searchspace/ConfigSpace.h"

namespace autotune::searchspace {

class ScheduleTemplate;

struct Task {
  /// "conv2d_nchwc", "depthwise_conv2d_nchwc", "dense", ... (the template's op kind).
  std::string op_kind;
  /// Canonical text of the fused body: op types, attributes, shapes and dtypes of every node
  /// and value, in order (no names). The key hashes it with the target.
  std::string workload;
  std::string target;
  /// Hex digest of (workload, target), stable across runs and machines.
  std::string key;
  double flops = 0;      ///< floating-point operations of one kernel call
  int64_t count = 1;     ///< occurrences in the model
  std::shared_ptr<const graph::Graph> body;  ///< the fused body (one representative)
  const ScheduleTemplate *tmpl = nullptr;
  ConfigSpace space;
  std::string name;      ///< a readable name ("conv2d_nchwc 1x64x56x56 k64 3x3 s1")
};

/// The canonical workload text of a fused body (see Task::workload).
std::string workload_text(const graph::Graph &body);
/// The stable key of a workload on a target (64-bit FNV-1a, hex).
std::string workload_key(const std::string &workload, const std::string &target);

/// One task per distinct tunable fused kernel of `fused` (nodes from graph::fuse_operators),
/// with occurrence counts; kernels without a template are not tasks. Ordered by first use.
std::vector<Task> extract_tasks(const graph::Graph &fused, const std::string &target,
                                int float_lanes);

/// A schedule template: the knobs of a kind of kernel and how a config schedules it.
class ScheduleTemplate {
 public:
  virtual ~ScheduleTemplate() = default;
  virtual const char *op_kind() const = 0;
  /// True when this template schedules a kernel computing `fc`.
  virtual bool matches(const graph::FusedCompute &fc) const = 0;
  /// The config space for `fc` (depends on shapes and on the vector width).
  virtual ConfigSpace space(const graph::FusedCompute &fc, int float_lanes) const = 0;
  /// Schedules `fc` with `cfg` (a config of space(fc, lanes)). UserError when the config is
  /// invalid for this kernel (the measurement records InvalidConfig).
  virtual te::Schedule apply(const graph::FusedCompute &fc, const Config &cfg,
                             int float_lanes) const = 0;
  /// The config closest to the default schedule (used as the untuned baseline).
  virtual Config default_config(const ConfigSpace &space, const graph::FusedCompute &fc,
                                int float_lanes) const = 0;
};

/// The template for a fused kernel, or nullptr when it has none (it keeps its default schedule).
const ScheduleTemplate *find_template(const graph::FusedCompute &fc);

}  // namespace autotune::searchspace

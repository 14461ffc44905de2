// Schedules: how each tensor of a kernel is computed. One Stage per compute tensor records loop
// transformations (split, fuse, reorder), annotations (unroll, vectorize, parallel, GPU binding),
// where the stage is computed (root, inline, at a consumer's loop) and caching (cache_read/write).
// Lowering (ir/lower/Lower.h) turns a Schedule into a loop nest.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "ir/te/Tensor.h"

namespace autotune::te {

using ir::ForKind;
using ir::MemoryScope;

/// A derivation between iteration variables of one stage.
struct IterRelation {
  enum class Kind : uint8_t { Split, Fuse };
  Kind kind;
  IterVar parent;  ///< split: the axis split
  IterVar outer;   ///< split and fuse: the outer axis (split: its result; fuse: its input)
  IterVar inner;
  IterVar fused;   ///< fuse: the result
  int64_t factor = 0;  ///< split: extent of inner
};

enum class AttachKind : uint8_t { Root, Inline, ComputeAt };

struct StageNode;
class Stage;

/// Per-axis loop annotation.
struct IterAnnotation {
  ForKind kind = ForKind::Serial;
  std::string thread_tag;
};

struct StageNode : RefCounted {
  /// The tensor this stage writes; reads of it anywhere refer to this node.
  Tensor tensor;
  /// What the stage computes: its own copy of the definition (cache_read/cache_write rewrite it).
  std::vector<IterVar> axis;
  std::vector<IterVar> reduce_axis;
  Expr body;
  bool is_output = false;
  MemoryScope scope = MemoryScope::Global;

  std::vector<IterVar> all_iter_vars;   ///< root and derived axes
  std::vector<IterVar> leaf_iter_vars;  ///< current loop order, outermost first
  std::vector<IterRelation> relations;
  std::unordered_map<const ir::IterVarNode *, IterAnnotation> annotations;

  AttachKind attach = AttachKind::Root;
  const StageNode *attach_stage = nullptr;  ///< compute_at target (owned by the schedule)
  IterVar attach_ivar;
};

/// Handle to one stage of a schedule; methods transform it in place.
class Stage {
 public:
  Stage() = default;
  explicit Stage(StageNode *n) : node_(n) {}
  StageNode *operator->() const { return node_; }
  StageNode *get() const { return node_; }
  bool defined() const { return node_ != nullptr; }
  const std::string &name() const { return node_->tensor.name(); }

  struct SplitResult {
    IterVar outer, inner;
  };
  /// Splits `axis` into outer x inner with inner extent `factor` (clamped to the extent).
  /// A factor that does not divide the extent adds a bounds guard.
  SplitResult split(const IterVar &axis, int64_t factor);
  /// Splits `axis` so that the outer loop has `nparts` iterations.
  SplitResult split_nparts(const IterVar &axis, int64_t nparts);
  struct TileResult {
    IterVar x_outer, y_outer, x_inner, y_inner;
  };
  /// Splits two axes and orders them x_outer, y_outer, x_inner, y_inner.
  TileResult tile(const IterVar &x, const IterVar &y, int64_t x_factor, int64_t y_factor);
  /// Fuses two adjacent leaf axes (outer directly before inner) into one.
  IterVar fuse(const IterVar &outer, const IterVar &inner);
  /// Puts the given leaf axes in this relative order (the positions they occupy are reused).
  void reorder(const std::vector<IterVar> &order);
  void unroll(const IterVar &axis);
  void vectorize(const IterVar &axis);
  void parallel(const IterVar &axis);
  /// Binds a data-parallel axis to a GPU thread index ("blockIdx.x", "threadIdx.y", ...).
  void bind(const IterVar &axis, const std::string &thread_tag);
  /// Computes this stage inside `parent`'s loop over `axis`, for the region that loop needs.
  void compute_at(const Stage &parent, const IterVar &axis);
  /// Substitutes this stage's definition into its consumers (no loops of its own).
  void compute_inline();
  /// Computes the whole tensor before its consumers (the default).
  void compute_root();
  /// Where the stage's buffer lives ("global", "local"); local buffers of a compute_at stage
  /// are per-iteration tiles that code generation keeps in registers.
  void set_scope(const std::string &scope);

  /// The current loops of this stage, outermost first.
  const std::vector<IterVar> &leaf_iter_vars() const { return node_->leaf_iter_vars; }
  /// The stage's data-parallel root axes (after cache_write these are the new definition's).
  const std::vector<IterVar> &axis() const { return node_->axis; }
  const std::vector<IterVar> &reduce_axis() const { return node_->reduce_axis; }

 private:
  void check_leaf(const IterVar &axis, const char *primitive) const;
  void annotate(const IterVar &axis, ForKind kind, const char *primitive);
  StageNode *node_ = nullptr;
};

/// The schedule of a set of output tensors and everything they read.
class Schedule {
 public:
  Schedule() = default;
  /// Stages (one per compute tensor) in topological order, producers before consumers.
  const std::vector<Stage> &stages() const { return impl_->stages; }
  const std::vector<Tensor> &outputs() const { return impl_->outputs; }
  /// The stage computing `t`; user error if `t` is not a compute tensor of this schedule.
  Stage operator[](const Tensor &t) const;
  bool has_stage(const Tensor &t) const;

  /// Computes `t` into a new tensor of `scope` ("local" keeps accumulators in registers) and
  /// turns t's stage into a copy from it. Returns the new tensor. Call before transforming t.
  Tensor cache_write(const Tensor &t, const std::string &scope);
  /// Adds a stage copying `t` into a new tensor of `scope` and makes `readers` read the copy.
  Tensor cache_read(const Tensor &t, const std::string &scope, const std::vector<Tensor> &readers);

 private:
  friend Schedule create_schedule(const std::vector<Tensor> &outputs);
  struct Impl {
    std::vector<std::unique_ptr<StageNode>> nodes;
    std::vector<Stage> stages;
    std::vector<Tensor> outputs;
  };
  Stage add_stage(const Tensor &t, size_t position);
  std::shared_ptr<Impl> impl_;
};

/// A schedule with one root stage per compute tensor reachable from `outputs`.
Schedule create_schedule(const std::vector<Tensor> &outputs);

/// Parses "global" / "local" / "shared"; user error otherwise.
MemoryScope parse_memory_scope(const std::string &scope);

}  // namespace autotune::te

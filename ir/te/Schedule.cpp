// Schedule primitives. Each primitive validates its arguments (user errors name the stage and
// axis) and records a relation or annotation; nothing is lowered here.
#include "ir/te/Schedule.h"

#include <algorithm>
#include <unordered_set>

#include "ir/core/IRMutator.h"

namespace autotune::te {

using namespace ir;

namespace {

int64_t const_extent(const IterVar &iv) {
  const int64_t *e = as_const_int(iv.dom().extent);
  internal_check(e) << "axis '" << iv.name() << "' has a non-constant extent";
  return *e;
}

IterVar derived_axis(const std::string &name, int64_t extent, IterVarKind kind) {
  return IterVar(Range::from_min_extent(0, extent), Var(name), kind);
}

std::vector<IterVar>::iterator find_axis(std::vector<IterVar> &axes, const IterVar &iv) {
  return std::find_if(axes.begin(), axes.end(), [&](const IterVar &x) { return x.same_as(iv); });
}

/// Replaces reads of one tensor by reads of another in an expression.
class ReplaceReads final : public IRMutator {
 public:
  ReplaceReads(const DataProducerNode *from, DataProducer to) : from_(from), to_(std::move(to)) {}
  using IRMutator::visit;
  Expr visit(const TensorRead *op) override {
    Expr e = IRMutator::visit(op);
    const TensorRead *r = e.as<TensorRead>();
    if (r->producer.get() != from_) return e;
    return TensorRead::make(to_, r->indices);
  }

 private:
  const DataProducerNode *from_;
  DataProducer to_;
};

}  // namespace

MemoryScope parse_memory_scope(const std::string &scope) {
  if (scope == "global") return MemoryScope::Global;
  if (scope == "local") return MemoryScope::Local;
  if (scope == "shared") return MemoryScope::Shared;
  user_error << "unknown memory scope '" << scope << "' (expected global, local or shared)";
  return MemoryScope::Global;
}

void Stage::check_leaf(const IterVar &axis, const char *primitive) const {
  user_check(axis.defined()) << primitive << " in stage '" << name() << "': undefined axis";
  auto &leaves = node_->leaf_iter_vars;
  if (find_axis(leaves, axis) != leaves.end()) return;
  if (find_axis(node_->all_iter_vars, axis) != node_->all_iter_vars.end()) {
    user_error << primitive << " in stage '" << name() << "': axis '" << axis.name()
               << "' was already split or fused; use the axes that replaced it";
  }
  user_error << primitive << " in stage '" << name() << "': axis '" << axis.name()
             << "' is not a loop of this stage";
}

Stage::SplitResult Stage::split(const IterVar &axis, int64_t factor) {
  check_leaf(axis, "split");
  user_check(factor > 0) << "split of axis '" << axis.name() << "' in '" << name()
                         << "': factor must be positive, got " << factor;
  int64_t extent = const_extent(axis);
  int64_t inner_extent = std::min(factor, extent);
  int64_t outer_extent = ceil_div(extent, inner_extent);
  IterVar outer = derived_axis(axis.name() + ".outer", outer_extent, axis.kind());
  IterVar inner = derived_axis(axis.name() + ".inner", inner_extent, axis.kind());
  IterRelation rel;
  rel.kind = IterRelation::Kind::Split;
  rel.parent = axis;
  rel.outer = outer;
  rel.inner = inner;
  rel.factor = inner_extent;
  node_->relations.push_back(rel);
  node_->all_iter_vars.push_back(outer);
  node_->all_iter_vars.push_back(inner);
  auto &leaves = node_->leaf_iter_vars;
  auto it = find_axis(leaves, axis);
  it = leaves.erase(it);
  leaves.insert(it, {outer, inner});
  return {outer, inner};
}

Stage::SplitResult Stage::split_nparts(const IterVar &axis, int64_t nparts) {
  check_leaf(axis, "split");
  user_check(nparts > 0) << "split of axis '" << axis.name() << "' in '" << name()
                         << "': nparts must be positive, got " << nparts;
  return split(axis, ceil_div(const_extent(axis), nparts));
}

Stage::TileResult Stage::tile(const IterVar &x, const IterVar &y, int64_t x_factor,
                              int64_t y_factor) {
  auto [xo, xi] = split(x, x_factor);
  auto [yo, yi] = split(y, y_factor);
  reorder({xo, yo, xi, yi});
  return {xo, yo, xi, yi};
}

IterVar Stage::fuse(const IterVar &outer, const IterVar &inner) {
  check_leaf(outer, "fuse");
  check_leaf(inner, "fuse");
  auto &leaves = node_->leaf_iter_vars;
  auto po = find_axis(leaves, outer), pi = find_axis(leaves, inner);
  user_check(pi == po + 1) << "fuse in stage '" << name() << "': axes '" << outer.name()
                           << "' and '" << inner.name()
                           << "' must be adjacent, outer directly before inner";
  user_check(outer.kind() == inner.kind())
      << "fuse in stage '" << name() << "': cannot fuse a reduction axis with a spatial axis ('"
      << outer.name() << "', '" << inner.name() << "')";
  IterVar fused = derived_axis(outer.name() + "." + inner.name() + ".fused",
                               const_extent(outer) * const_extent(inner), outer.kind());
  IterRelation rel;
  rel.kind = IterRelation::Kind::Fuse;
  rel.outer = outer;
  rel.inner = inner;
  rel.fused = fused;
  node_->relations.push_back(rel);
  node_->all_iter_vars.push_back(fused);
  po = leaves.erase(po, po + 2);
  leaves.insert(po, fused);
  return fused;
}

void Stage::reorder(const std::vector<IterVar> &order) {
  auto &leaves = node_->leaf_iter_vars;
  std::vector<size_t> positions;
  std::unordered_set<const IterVarNode *> seen;
  for (const IterVar &iv : order) {
    check_leaf(iv, "reorder");
    user_check(seen.insert(iv.get()).second)
        << "reorder in stage '" << name() << "': axis '" << iv.name() << "' appears twice";
    positions.push_back(find_axis(leaves, iv) - leaves.begin());
  }
  std::sort(positions.begin(), positions.end());
  for (size_t i = 0; i < order.size(); ++i) leaves[positions[i]] = order[i];
}

void Stage::annotate(const IterVar &axis, ForKind kind, const char *primitive) {
  check_leaf(axis, primitive);
  auto it = node_->annotations.find(axis.get());
  if (it != node_->annotations.end() && it->second.kind != ForKind::Serial &&
      it->second.kind != kind) {
    user_error << primitive << " of axis '" << axis.name() << "' in stage '" << name()
               << "': the axis is already marked " << for_kind_name(it->second.kind);
  }
  node_->annotations[axis.get()].kind = kind;
}

void Stage::unroll(const IterVar &axis) {
  annotate(axis, ForKind::Unrolled, "unroll");
  int64_t extent = const_extent(axis);
  if (extent == 1) {
    user_warning << "unroll of axis '" << axis.name() << "' in stage '" << name()
                 << "': the loop has a single iteration";
  }
  user_check(extent <= 4096) << "unroll of axis '" << axis.name() << "' in stage '" << name()
                             << "': extent " << extent << " is too large to unroll (max 4096)";
}

void Stage::vectorize(const IterVar &axis) {
  check_leaf(axis, "vectorize");
  user_check(axis.kind() != IterVarKind::Reduce)
      << "vectorize of axis '" << axis.name() << "' in stage '" << name()
      << "': cannot vectorize a reduction axis (lanes would race on one accumulator); "
      << "vectorize a spatial axis, e.g. after cache_write";
  // The lane count is checked at lowering, when compute_at has fixed the loop's extent.
  annotate(axis, ForKind::Vectorized, "vectorize");
}

void Stage::parallel(const IterVar &axis) {
  check_leaf(axis, "parallel");
  user_check(axis.kind() != IterVarKind::Reduce)
      << "parallel of axis '" << axis.name() << "' in stage '" << name()
      << "': cannot parallelize a reduction axis";
  annotate(axis, ForKind::Parallel, "parallel");
}

void Stage::bind(const IterVar &axis, const std::string &thread_tag) {
  check_leaf(axis, "bind");
  static const char *kTags[] = {"blockIdx.x",  "blockIdx.y",  "blockIdx.z",
                                "threadIdx.x", "threadIdx.y", "threadIdx.z"};
  bool known = std::any_of(std::begin(kTags), std::end(kTags),
                           [&](const char *t) { return thread_tag == t; });
  user_check(known) << "bind of axis '" << axis.name() << "' in stage '" << name()
                    << "': unknown thread tag '" << thread_tag
                    << "' (expected blockIdx.[xyz] or threadIdx.[xyz])";
  user_check(axis.kind() != IterVarKind::Reduce)
      << "bind of axis '" << axis.name() << "' in stage '" << name()
      << "': cannot bind a reduction axis to a GPU thread";
  annotate(axis, ForKind::ThreadBinding, "bind");
  node_->annotations[axis.get()].thread_tag = thread_tag;
}

void Stage::compute_at(const Stage &parent, const IterVar &axis) {
  user_check(parent.defined() && parent.get() != node_)
      << "compute_at of stage '" << name() << "' into itself";
  user_check(!node_->is_output) << "compute_at of stage '" << name()
                                << "': an output of the kernel must be computed at root";
  auto &leaves = parent->leaf_iter_vars;
  user_check(find_axis(leaves, axis) != leaves.end())
      << "compute_at of stage '" << name() << "' into stage '" << parent.name() << "': axis '"
      << (axis.defined() ? axis.name() : std::string("<undefined>"))
      << "' is not a loop of stage '" << parent.name() << "'";
  for (const StageNode *p = parent.get(); p; p = p->attach_stage) {
    user_check(p != node_) << "compute_at of stage '" << name() << "' into stage '"
                           << parent.name() << "' would form a cycle";
  }
  node_->attach = AttachKind::ComputeAt;
  node_->attach_stage = parent.get();
  node_->attach_ivar = axis;
}

void Stage::compute_inline() {
  user_check(!node_->is_output) << "compute_inline of stage '" << name()
                                << "': an output of the kernel cannot be inlined";
  user_check(!node_->body.as<Reduce>())
      << "compute_inline of stage '" << name() << "': a reduction cannot be inlined";
  node_->attach = AttachKind::Inline;
  node_->attach_stage = nullptr;
  node_->attach_ivar = IterVar();
}

void Stage::compute_root() {
  node_->attach = AttachKind::Root;
  node_->attach_stage = nullptr;
  node_->attach_ivar = IterVar();
}

void Stage::set_scope(const std::string &scope) {
  user_check(!node_->is_output) << "set_scope of stage '" << name()
                                << "': an output of the kernel lives in its argument buffer";
  node_->scope = parse_memory_scope(scope);
}

bool Schedule::has_stage(const Tensor &t) const {
  for (const Stage &s : impl_->stages) {
    if (s->tensor.same_as(t)) return true;
  }
  return false;
}

Stage Schedule::operator[](const Tensor &t) const {
  user_check(t.defined()) << "schedule lookup of an undefined tensor";
  for (const Stage &s : impl_->stages) {
    if (s->tensor.same_as(t)) return s;
  }
  user_check(!t.is_placeholder()) << "tensor '" << t.name()
                                  << "' is a placeholder (a kernel input) and has no stage";
  user_error << "tensor '" << t.name() << "' is not part of this schedule";
  return Stage();
}

Stage Schedule::add_stage(const Tensor &t, size_t position) {
  auto node = std::make_unique<StageNode>();
  node->tensor = t;
  node->axis = t.axis();
  node->reduce_axis = t.reduce_axis();
  node->body = t->body;
  node->all_iter_vars = node->axis;
  node->all_iter_vars.insert(node->all_iter_vars.end(), node->reduce_axis.begin(),
                             node->reduce_axis.end());
  node->leaf_iter_vars = node->all_iter_vars;
  Stage stage(node.get());
  impl_->nodes.push_back(std::move(node));
  impl_->stages.insert(impl_->stages.begin() + position, stage);
  return stage;
}

Schedule create_schedule(const std::vector<Tensor> &outputs) {
  Schedule sch;
  sch.impl_ = std::make_shared<Schedule::Impl>();
  sch.impl_->outputs = outputs;
  std::unordered_set<const TensorNode *> visited;
  std::vector<Tensor> order;
  std::function<void(const Tensor &)> visit = [&](const Tensor &t) {
    if (!visited.insert(t.get()).second) return;
    for (const Tensor &in : input_tensors(t)) visit(in);
    if (!t.is_placeholder()) order.push_back(t);
  };
  for (const Tensor &out : outputs) {
    user_check(out.defined() && !out.is_placeholder())
        << "schedule output must be a compute tensor"
        << (out.defined() ? ", got placeholder '" + out.name() + "'" : std::string());
    visit(out);
  }
  for (const Tensor &t : order) sch.add_stage(t, sch.impl_->stages.size());
  for (const Tensor &out : outputs) sch[out]->is_output = true;
  return sch;
}

namespace {
bool is_untransformed(const StageNode *s) { return s->relations.empty() && s->annotations.empty(); }
}  // namespace

Tensor Schedule::cache_write(const Tensor &t, const std::string &scope) {
  Stage stage = (*this)[t];
  user_check(is_untransformed(stage.get()))
      << "cache_write of '" << t.name() << "': call it before splitting or annotating the stage";
  MemoryScope mem = parse_memory_scope(scope);
  // The cache computes the stage's current definition over fresh axes.
  std::unordered_map<const Variable *, Expr> remap;
  std::vector<IterVar> axis, raxis;
  for (const IterVar &iv : stage->axis) {
    axis.emplace_back(iv.dom(), Var(iv.name() + ".c"), iv.kind());
    remap[iv.var().get()] = axis.back().var();
  }
  for (const IterVar &iv : stage->reduce_axis) {
    raxis.emplace_back(iv.dom(), Var(iv.name() + ".c"), iv.kind());
    remap[iv.var().get()] = raxis.back().var();
  }
  struct Remap final : IRMutator {
    std::unordered_map<const Variable *, Expr> *map;
    std::unordered_map<const IterVarNode *, IterVar> *axis_map;
    using IRMutator::visit;
    Expr visit(const Variable *op) override {
      auto it = map->find(op);
      return it == map->end() ? Expr(op) : it->second;
    }
    Expr visit(const Reduce *op) override {
      std::vector<IterVar> axes;
      for (const IterVar &iv : op->axes) {
        auto it = axis_map->find(iv.get());
        axes.push_back(it == axis_map->end() ? iv : it->second);
      }
      return Reduce::make(op->combiner, mutate(op->source), axes, mutate(op->condition));
    }
  };
  std::unordered_map<const IterVarNode *, IterVar> axis_map;
  for (size_t i = 0; i < raxis.size(); ++i) axis_map[stage->reduce_axis[i].get()] = raxis[i];
  Remap rm;
  rm.map = &remap;
  rm.axis_map = &axis_map;
  auto *n = new TensorNode;
  n->name = t.name() + "." + scope;
  n->shape = t.shape();
  n->dtype = t.dtype();
  n->kind = TensorKind::Compute;
  n->axis = axis;
  n->reduce_axis = raxis;
  n->body = rm(stage->body);
  n->tag = t->tag;
  Tensor cache(n);
  size_t pos = std::find_if(impl_->stages.begin(), impl_->stages.end(),
                            [&](const Stage &s) { return s.get() == stage.get(); }) -
               impl_->stages.begin();
  Stage cs = add_stage(cache, pos);
  cs->scope = mem;
  // The original stage becomes a copy out of the cache.
  std::vector<Expr> idx(stage->axis.begin(), stage->axis.end());
  stage->body = TensorRead::make(cache, idx);
  stage->reduce_axis.clear();
  stage->all_iter_vars = stage->axis;
  stage->leaf_iter_vars = stage->axis;
  return cache;
}

Tensor Schedule::cache_read(const Tensor &t, const std::string &scope,
                            const std::vector<Tensor> &readers) {
  MemoryScope mem = parse_memory_scope(scope);
  user_check(!readers.empty()) << "cache_read of '" << t.name() << "': no readers given";
  Tensor cache = compute(
      t.shape(),
      [&](const std::vector<Var> &v) { return t(std::vector<Expr>(v.begin(), v.end())); },
      t.name() + "." + scope, "cache_read");
  size_t pos = 0;
  if (!t.is_placeholder()) {
    Stage producer = (*this)[t];
    pos = std::find_if(impl_->stages.begin(), impl_->stages.end(),
                       [&](const Stage &s) { return s.get() == producer.get(); }) -
          impl_->stages.begin() + 1;
  }
  for (const Tensor &reader : readers) {
    Stage rs = (*this)[reader];
    auto reads = tensors_read(rs->body);
    bool reads_t = std::any_of(reads.begin(), reads.end(),
                               [&](const Tensor &x) { return x.same_as(t); });
    user_check(reads_t) << "cache_read of '" << t.name() << "': stage '" << reader.name()
                        << "' does not read it";
    ReplaceReads rr(t.get(), cache);
    rs->body = rr(rs->body);
  }
  Stage cs = add_stage(cache, pos);
  cs->scope = mem;
  return cache;
}

}  // namespace autotune::te

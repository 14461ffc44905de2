// Builds the loop nest of a schedule: inlining, bound inference for compute_at, loop
// construction from leaf axes, reduction init placement and bounds guards.
#include "ir/lower/BuildLoopNest.h"

#include <algorithm>
#include <functional>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "ir/core/IRMutator.h"
#include "ir/core/IROperators.h"
#include "ir/core/IRVisitor.h"
#include "ir/core/Substitute.h"
#include "ir/lower/Interval.h"
#include "ir/lower/Simplify.h"

namespace autotune::lower {

using namespace ir;
using te::AttachKind;
using te::IterRelation;
using te::StageNode;

namespace {

/// The widest vector a vectorized loop may become.
constexpr int64_t kMaxLanes = 64;

/// Replaces reads of an inlined tensor by its definition at the read indices.
class InlineReads final : public IRMutator {
 public:
  InlineReads(const DataProducerNode *tensor, const std::vector<IterVar> &axis, Expr body)
      : tensor_(tensor), axis_(axis), body_(std::move(body)) {}
  using IRMutator::visit;
  Expr visit(const TensorRead *op) override {
    Expr e = IRMutator::visit(op);
    const TensorRead *r = e.as<TensorRead>();
    if (r->producer.get() != tensor_) return e;
    std::unordered_map<const Variable *, Expr> sub;
    for (size_t d = 0; d < axis_.size(); ++d) sub[axis_[d].var().get()] = r->indices[d];
    return substitute(body_, sub);
  }

 private:
  const DataProducerNode *tensor_;
  const std::vector<IterVar> &axis_;
  Expr body_;
};

/// Every TensorRead of one producer in an expression.
std::vector<const TensorRead *> reads_of(const Expr &e, const DataProducerNode *producer) {
  struct Collect : IRVisitor {
    const DataProducerNode *p;
    std::vector<const TensorRead *> out;
    void visit(const TensorRead *op) override {
      if (op->producer.get() == p) out.push_back(op);
      IRVisitor::visit(op);
    }
  } c;
  c.p = producer;
  c(e);
  return c.out;
}

/// Variables (by node) that an expression uses.
std::unordered_set<const Variable *> vars_used(const Expr &e) {
  struct Collect : IRVisitor {
    std::unordered_set<const Variable *> out;
    void visit(const Variable *op) override { out.insert(op); }
  } c;
  c(e);
  return c.out;
}

/// The loops of one stage for one placement: extents and root-axis values of the leaves.
struct StageLoops {
  std::unordered_map<const IterVarNode *, int64_t> extent;
  /// Value of each iteration variable relative to its domain start, in terms of leaf vars.
  std::unordered_map<const IterVarNode *, Expr> value;
  /// Bounds conditions (non-divisible splits, region clipping) that must hold at the body.
  std::vector<Expr> guards;
};

class NestBuilder {
 public:
  explicit NestBuilder(const te::Schedule &sch) : sch_(sch) {}

  Stmt build() {
    inline_stages();
    check_attachments();
    std::vector<Stmt> nests;
    std::vector<const StageNode *> realized;
    for (const te::Stage &s : sch_.stages()) {
      const StageNode *n = s.get();
      if (n->attach != AttachKind::Root) continue;
      std::vector<Expr> mins(n->axis.size(), Expr(0));
      std::vector<int64_t> extents = n->tensor.shape();
      nests.push_back(build_stage(n, mins, extents, VarIntervals()));
      if (!n->is_output) realized.push_back(n);
    }
    Stmt body = Block::make(nests);
    for (auto it = realized.rbegin(); it != realized.rend(); ++it) {
      std::vector<Range> bounds;
      for (int64_t e : (*it)->tensor.shape()) bounds.push_back(Range::from_min_extent(0, e));
      body = Realize::make((*it)->tensor, bounds, (*it)->scope, body);
    }
    return body;
  }

 private:
  /// Substitutes every inlined stage into the stages after it (topological order).
  void inline_stages() {
    for (const te::Stage &s : sch_.stages()) bodies_[s.get()] = s->body;
    const auto &stages = sch_.stages();
    for (size_t i = 0; i < stages.size(); ++i) {
      const StageNode *p = stages[i].get();
      if (p->attach != AttachKind::Inline) continue;
      InlineReads inl(p->tensor.get(), p->axis, bodies_[p]);
      for (size_t j = i + 1; j < stages.size(); ++j) {
        bodies_[stages[j].get()] = inl(bodies_[stages[j].get()]);
      }
    }
  }

  /// compute_at targets must be the only consumer and be placed themselves.
  void check_attachments() {
    for (const te::Stage &s : sch_.stages()) {
      const StageNode *p = s.get();
      if (p->attach != AttachKind::ComputeAt) continue;
      const StageNode *c = p->attach_stage;
      user_check(c->attach != AttachKind::Inline)
          << "stage '" << p->tensor.name() << "' is computed at stage '" << c->tensor.name()
          << "', which is inlined";
      user_check(!reads_of(bodies_[c], p->tensor.get()).empty())
          << "compute_at of stage '" << p->tensor.name() << "' into stage '"
          << c->tensor.name() << "', which does not read it";
      for (const te::Stage &other : sch_.stages()) {
        if (other.get() == c || other.get() == p || other->attach == AttachKind::Inline) continue;
        user_check(reads_of(bodies_[other.get()], p->tensor.get()).empty())
            << "stage '" << p->tensor.name() << "' is computed at stage '" << c->tensor.name()
            << "' but also read by stage '" << other.name()
            << "'; compute it at root or cache_read it for that consumer";
      }
      attached_[{c, p->attach_ivar.get()}].push_back(p);
    }
  }

  /// Extents of every axis after the relations, for root extents `root_extent`.
  StageLoops make_loops(const StageNode *s, const std::vector<int64_t> &root_extent) {
    StageLoops L;
    for (size_t d = 0; d < s->axis.size(); ++d) L.extent[s->axis[d].get()] = root_extent[d];
    for (const IterVar &r : s->reduce_axis) L.extent[r.get()] = *as_const_int(r.dom().extent);
    for (const IterRelation &rel : s->relations) {
      if (rel.kind == IterRelation::Kind::Split) {
        int64_t pe = L.extent.at(rel.parent.get());
        int64_t ie = std::min(rel.factor, pe);
        L.extent[rel.inner.get()] = ie;
        L.extent[rel.outer.get()] = ceil_div(pe, ie);
      } else {
        L.extent[rel.fused.get()] = L.extent.at(rel.outer.get()) * L.extent.at(rel.inner.get());
      }
    }
    for (const IterVar &leaf : s->leaf_iter_vars) L.value[leaf.get()] = leaf.var();
    for (auto it = s->relations.rbegin(); it != s->relations.rend(); ++it) {
      const IterRelation &rel = *it;
      if (rel.kind == IterRelation::Kind::Split) {
        int64_t ie = L.extent.at(rel.inner.get()), oe = L.extent.at(rel.outer.get());
        int64_t pe = L.extent.at(rel.parent.get());
        Expr v = L.value.at(rel.outer.get()) * Expr(ie) + L.value.at(rel.inner.get());
        L.value[rel.parent.get()] = v;
        if (oe * ie != pe) L.guards.push_back(v < Expr(pe));
      } else {
        int64_t ie = L.extent.at(rel.inner.get());
        Expr f = L.value.at(rel.fused.get());
        L.value[rel.outer.get()] = ie == 1 ? f : f / Expr(ie);
        L.value[rel.inner.get()] = ie == 1 ? Expr(0) : f % Expr(ie);
      }
    }
    return L;
  }

  /// Builds one stage computing the region [mins, mins + extents) of its tensor.
  Stmt build_stage(const StageNode *s, const std::vector<Expr> &mins,
                   const std::vector<int64_t> &extents, const VarIntervals &outer_scope) {
    StageLoops L = make_loops(s, extents);
    const auto &leaves = s->leaf_iter_vars;
    // Absolute values of the root axes.
    std::unordered_map<const Variable *, Expr> root_sub;
    std::vector<Expr> indices;
    for (size_t d = 0; d < s->axis.size(); ++d) {
      Expr v = mins[d] + L.value.at(s->axis[d].get());
      indices.push_back(v);
      root_sub[s->axis[d].var().get()] = v;
      int64_t shape = s->tensor.dim(d);
      // A region that is not the whole tensor may reach past its edges: clip it.
      if (!(is_const_int(mins[d], 0) && extents[d] == shape)) {
        L.guards.push_back(v < Expr(shape));
        L.guards.push_back(v >= Expr(0));
      }
    }
    for (const IterVar &r : s->reduce_axis) {
      root_sub[r.var().get()] = r.dom().min + L.value.at(r.get());
    }
    // Scope ranges of this stage's leaves, used to drop provable guards and to infer bounds.
    VarIntervals scope = outer_scope;
    for (const IterVar &leaf : leaves) {
      scope[leaf.var().get()] = Interval{Expr(0), Expr(L.extent.at(leaf.get()) - 1)};
    }
    std::vector<Expr> guards;
    for (const Expr &g : L.guards) {
      if (!can_prove(g, scope)) guards.push_back(g);
    }
    std::unordered_map<const Variable *, size_t> leaf_pos;
    for (size_t i = 0; i < leaves.size(); ++i) leaf_pos[leaves[i].var().get()] = i;
    auto deepest_leaf = [&](const Expr &e) -> long {
      long pos = -1;
      for (const Variable *v : vars_used(e)) {
        auto it = leaf_pos.find(v);
        if (it != leaf_pos.end()) pos = std::max(pos, static_cast<long>(it->second));
      }
      return pos;
    };

    // The innermost statement.
    const Expr &body = bodies_.at(s);
    Stmt inner;
    Stmt init;
    long first_reduce = -1;
    if (const Reduce *red = body.as<Reduce>()) {
      Expr src = substitute(red->source, root_sub);
      Expr cond = simplify(substitute(red->condition, root_sub), scope);
      Expr acc = TensorRead::make(s->tensor, indices);
      inner = Provide::make(s->tensor, reduce_combine(red->combiner, acc, src), indices);
      if (!is_const_int(cond, 1)) inner = IfThenElse::make(cond, inner);
      for (size_t i = 0; i < leaves.size(); ++i) {
        if (leaves[i].kind() == IterVarKind::Reduce) {
          first_reduce = static_cast<long>(i);
          break;
        }
      }
      internal_check(first_reduce >= 0) << "reduction stage without reduction loops";
      init = build_init(s, L, indices, guards, first_reduce, deepest_leaf,
                        reduce_identity(red->combiner, s->tensor.dtype()));
    } else {
      inner = Provide::make(s->tensor, substitute(body, root_sub), indices);
    }

    // Wrap loops from the innermost outward; at each level add the guards that become
    // decidable there and the stages computed at this loop.
    std::vector<bool> guard_done(guards.size(), false);
    auto wrap_guards = [&](Stmt st, long level) {
      for (size_t g = 0; g < guards.size(); ++g) {
        if (!guard_done[g] && deepest_leaf(guards[g]) == level) {
          st = IfThenElse::make(guards[g], st);
          guard_done[g] = true;
        }
      }
      return st;
    };
    Stmt st = wrap_guards(inner, static_cast<long>(leaves.size()) - 1);
    for (long j = static_cast<long>(leaves.size()) - 1; j >= 0; --j) {
      // The init runs under the same guards as the update it precedes.
      if (init.defined() && j == first_reduce - 1) st = Block::make({init, st});
      if (j != static_cast<long>(leaves.size()) - 1) st = wrap_guards(st, j);
      st = attach_producers(s, leaves[j], st, root_sub, scope, static_cast<size_t>(j));
      const IterVar &leaf = leaves[j];
      te::IterAnnotation ann;
      auto it = s->annotations.find(leaf.get());
      if (it != s->annotations.end()) ann = it->second;
      int64_t extent = L.extent.at(leaf.get());
      user_check(ann.kind != ForKind::Vectorized || extent <= kMaxLanes)
          << "vectorize of axis '" << leaf.name() << "' in stage '" << s->tensor.name()
          << "': extent " << extent << " exceeds the maximum of " << kMaxLanes
          << " lanes; split it first";
      st = For::make(leaf.var(), Expr(0), Expr(extent), ann.kind, st,
                     ann.thread_tag);
    }
    st = wrap_guards(st, -1);
    if (init.defined() && first_reduce == 0) st = Block::make({init, st});
    return st;
  }

  /// The reduction init: stores the identity over the spatial leaves inside the first
  /// reduction loop, placed just outside that loop.
  template <typename DeepestFn>
  Stmt build_init(const StageNode *s, const StageLoops &L, const std::vector<Expr> &indices,
                  const std::vector<Expr> &guards, long first_reduce, DeepestFn deepest_leaf,
                  Expr identity) {
    const auto &leaves = s->leaf_iter_vars;
    // Fresh loop variables so the init nest does not rebind the main nest's variables.
    std::unordered_map<const Variable *, Expr> fresh;
    struct InitLoop {
      Var var;
      int64_t extent;
      ForKind kind;
    };
    std::vector<InitLoop> loops;
    for (size_t i = first_reduce; i < leaves.size(); ++i) {
      if (leaves[i].kind() == IterVarKind::Reduce) continue;
      Var v(leaves[i].name() + ".init");
      fresh[leaves[i].var().get()] = v;
      // Unrolled and vectorized leaves stay so in the init (registers); the rest run serially.
      ForKind kind = ForKind::Serial;
      auto ann = s->annotations.find(leaves[i].get());
      if (ann != s->annotations.end() &&
          (ann->second.kind == ForKind::Unrolled || ann->second.kind == ForKind::Vectorized)) {
        kind = ann->second.kind;
      }
      loops.push_back({v, L.extent.at(leaves[i].get()), kind});
    }
    std::vector<Expr> idx;
    for (const Expr &e : indices) idx.push_back(substitute(e, fresh));
    Stmt st = Provide::make(s->tensor, identity, idx);
    for (const Expr &g : guards) {
      if (deepest_leaf(g) >= first_reduce && !uses_reduce_leaf(s, g)) {
        st = IfThenElse::make(substitute(g, fresh), st);
      }
    }
    for (auto it = loops.rbegin(); it != loops.rend(); ++it) {
      st = For::make(it->var, Expr(0), Expr(it->extent), it->kind, st);
    }
    return st;
  }

  static bool uses_reduce_leaf(const StageNode *s, const Expr &e) {
    auto used = vars_used(e);
    for (const IterVar &leaf : s->leaf_iter_vars) {
      if (leaf.kind() == IterVarKind::Reduce && used.count(leaf.var().get())) return true;
    }
    return false;
  }

  /// Wraps `inner` (the body of consumer loop `leaf`) with the producers computed there.
  Stmt attach_producers(const StageNode *c, const IterVar &leaf, Stmt inner,
                        const std::unordered_map<const Variable *, Expr> &root_sub,
                        const VarIntervals &scope, size_t level) {
    auto it = attached_.find({c, leaf.get()});
    if (it == attached_.end()) return inner;
    // Loops at and outside `level` are fixed; the ones inside range over their extents.
    VarIntervals outside = scope, ranging;
    for (size_t i = level + 1; i < c->leaf_iter_vars.size(); ++i) {
      const IterVar &lv = c->leaf_iter_vars[i];
      outside.erase(lv.var().get());
      ranging[lv.var().get()] = scope.at(lv.var().get());
    }
    // Producers in topological order so that a producer's own producers come first.
    std::vector<Stmt> nests;
    std::vector<std::pair<const StageNode *, std::vector<Range>>> realizes;
    for (const StageNode *p : it->second) {
      std::vector<Expr> mins;
      std::vector<int64_t> extents;
      infer_region(p, bodies_.at(c), root_sub, ranging, outside, mins, extents);
      nests.push_back(build_stage(p, mins, extents, outside));
      std::vector<Range> bounds;
      for (size_t d = 0; d < mins.size(); ++d) bounds.emplace_back(mins[d], Expr(extents[d]));
      realizes.emplace_back(p, bounds);
    }
    nests.push_back(inner);
    Stmt st = Block::make(nests);
    for (auto r = realizes.rbegin(); r != realizes.rend(); ++r) {
      st = Realize::make(r->first->tensor, r->second, r->first->scope, st);
    }
    return st;
  }

  /// The region of producer `p` read by `consumer_body` when `ranging` vars span their ranges.
  void infer_region(const StageNode *p, const Expr &consumer_body,
                    const std::unordered_map<const Variable *, Expr> &root_sub,
                    const VarIntervals &ranging, const VarIntervals &outside,
                    std::vector<Expr> &mins, std::vector<int64_t> &extents) {
    size_t nd = p->tensor.ndim();
    std::vector<Expr> lo(nd), hi(nd);
    std::vector<bool> unbounded(nd, false);
    Expr body = consumer_body;
    if (const Reduce *r = body.as<Reduce>()) body = r->source;
    for (const TensorRead *read : reads_of(body, p->tensor.get())) {
      for (size_t d = 0; d < nd; ++d) {
        Expr idx = simplify(substitute(read->indices[d], root_sub), outside);
        Interval iv = eval_interval(idx, ranging);
        if (!iv.min.defined() || !iv.max.defined()) {
          unbounded[d] = true;
          continue;
        }
        lo[d] = lo[d].defined() ? min(lo[d], iv.min) : iv.min;
        hi[d] = hi[d].defined() ? max(hi[d], iv.max) : iv.max;
      }
    }
    mins.clear();
    extents.clear();
    for (size_t d = 0; d < nd; ++d) {
      int64_t shape = p->tensor.dim(d);
      if (unbounded[d] || !lo[d].defined()) {
        mins.push_back(Expr(0));
        extents.push_back(shape);
        continue;
      }
      Expr mn = simplify(lo[d], outside);
      Expr ext = simplify(hi[d] - mn + Expr(1), outside);
      std::optional<int64_t> bound = const_max(ext, outside);
      if (!bound) {
        mins.push_back(Expr(0));
        extents.push_back(shape);
        continue;
      }
      mins.push_back(mn);
      extents.push_back(std::max<int64_t>(1, std::min(*bound, shape)));
    }
  }

  const te::Schedule &sch_;
  std::unordered_map<const StageNode *, Expr> bodies_;
  std::map<std::pair<const StageNode *, const IterVarNode *>, std::vector<const StageNode *>>
      attached_;
};

}  // namespace

Stmt build_loop_nest(const te::Schedule &sch) { return NestBuilder(sch).build(); }

}  // namespace autotune::lower

// Loop-nest features of a candidate kernel (layout in Features.h).
//
// Algorithm:
//  1. Walk the nest once, keeping the stack of enclosing loops (constant extents evaluated) and
//     let bindings. Stores are grouped by their innermost enclosing loop ("statement groups");
//     each group records its loops, its exec count (product of the loop extents), the
//     lane-weighted op counts of one execution and every buffer access (buffer, index, lanes).
//  2. The main group is the one with the largest exec x (ops + accesses).
//  3. For each access of the main group, the stride w.r.t. each enclosing loop is a finite
//     difference of the index: eval(index, loops at their min, loop i at min + 1) minus
//     eval(index, all at min). Div/mod indices are evaluated exactly at that point; the vector
//     lanes of a Ramp index act as one more, innermost loop.
//  4. The unique elements an access touches in one run of loop i are estimated from the
//     strides and extents of loop i and the loops inside it:
//     min(product of extents with non-zero stride, 1 + sum |stride| * (extent - 1)).
//     Per buffer, the largest estimate over its accesses stands for their union.
//  5. Write the global, per-loop and per-buffer sections; absent loops and buffers stay zero.
// Example: for (i, 0, 64) { for (k, 0, 32) { C[i] = C[i] + A[i*32 + k] * B[k] } }
//   main group: loops i (extent 64), k (32); C: stride 0 w.r.t. k (reuse distance 1, count 32);
//   A: unit stride, 2048 elements; B: unit stride, 32 elements reused 64 times.
#include "costmodel/Features.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <unordered_map>

#include "ir/lower/BuildLoopNest.h"
#include "ir/lower/FlattenStorage.h"
#include "ir/lower/Simplify.h"

namespace autotune::costmodel {

using namespace ir;

namespace {

/// One enclosing loop of a statement group.
struct LoopInfo {
  const Variable *var = nullptr;
  int64_t min = 0;
  int64_t extent = 1;
  ForKind kind = ForKind::Serial;
  bool gpu = false;
};

/// One load or store of a buffer inside a statement group.
struct Access {
  const Variable *buffer = nullptr;
  Expr index;
  int lanes = 1;
  int elem_bytes = 4;
  bool is_store = false;
};

/// Lane-weighted op counts of one execution of a group (or of the whole kernel).
struct OpCounts {
  double float_add = 0, float_mul = 0, fma = 0, float_div = 0, float_cmp = 0, math = 0;
  double int_ops = 0, loads = 0, stores = 0, bytes = 0;
  void add_scaled(const OpCounts &o, double k) {
    float_add += o.float_add * k;
    float_mul += o.float_mul * k;
    fma += o.fma * k;
    float_div += o.float_div * k;
    float_cmp += o.float_cmp * k;
    math += o.math * k;
    int_ops += o.int_ops * k;
    loads += o.loads * k;
    stores += o.stores * k;
    bytes += o.bytes * k;
  }
  double float_ops() const { return float_add + float_mul + float_div + float_cmp + math; }
  double work() const { return float_ops() + int_ops + loads + stores; }
};

struct Group {
  std::vector<LoopInfo> loops;
  double exec = 1;  ///< product of the loop extents
  OpCounts ops;     ///< per execution
  std::vector<Access> accesses;
  int lanes = 1;
  bool guarded = false;
  double stores = 0;  ///< store statements (not lanes) in the group
};

/// Loop variable values and let bindings for evaluating indices.
class Evaluator {
 public:
  void bind_let(const Variable *v, const Expr &value) { lets_[v] = value; }
  void set(const Variable *v, int64_t value) { values_[v] = value; }
  void clear_values() { values_.clear(); }

  /// The integer value of lane `lane` of e, or nullopt when e depends on something unknown.
  std::optional<int64_t> eval(const Expr &e, int lane = 0, int depth = 0) const {
    if (!e.defined() || depth > 64) return std::nullopt;
    switch (e.kind()) {
      case IRNodeKind::IntImm: return e.as<IntImm>()->value;
      case IRNodeKind::FloatImm: return static_cast<int64_t>(e.as<FloatImm>()->value);
      case IRNodeKind::Variable: {
        const Variable *v = e.as<Variable>();
        auto it = values_.find(v);
        if (it != values_.end()) return it->second;
        auto let = lets_.find(v);
        if (let != lets_.end()) return eval(let->second, lane, depth + 1);
        return std::nullopt;
      }
      case IRNodeKind::Cast: return eval(e.as<Cast>()->value, lane, depth + 1);
      case IRNodeKind::Ramp: {
        const Ramp *r = e.as<Ramp>();
        auto base = eval(r->base, 0, depth + 1), stride = eval(r->stride, 0, depth + 1);
        if (!base || !stride) return std::nullopt;
        return *base + *stride * lane;
      }
      case IRNodeKind::Broadcast: return eval(e.as<Broadcast>()->value, 0, depth + 1);
      case IRNodeKind::Select: {
        const Select *s = e.as<Select>();
        auto c = eval(s->condition, lane, depth + 1);
        if (!c) return std::nullopt;
        return eval(*c ? s->true_value : s->false_value, lane, depth + 1);
      }
      case IRNodeKind::Let: {
        // Let values are pure: evaluate the body with the binding visible.
        const Let *l = e.as<Let>();
        auto value = eval(l->value, lane, depth + 1);
        if (!value) return std::nullopt;
        Evaluator inner = *this;
        inner.values_[l->var.get()] = *value;
        return inner.eval(l->body, lane, depth + 1);
      }
      case IRNodeKind::Not: {
        auto a = eval(e.as<Not>()->a, lane, depth + 1);
        if (!a) return std::nullopt;
        return *a ? 0 : 1;
      }
      default: break;
    }
#define AUTOTUNE_BINARY_EVAL(T, expr_of)                               \
  if (const T *op = e.as<T>()) {                                       \
    auto x = eval(op->a, lane, depth + 1), y = eval(op->b, lane, depth + 1); \
    if (!x || !y) return std::nullopt;                                 \
    int64_t a = *x, b = *y;                                            \
    return expr_of;                                                    \
  }
    AUTOTUNE_BINARY_EVAL(Add, a + b)
    AUTOTUNE_BINARY_EVAL(Sub, a - b)
    AUTOTUNE_BINARY_EVAL(Mul, a * b)
    AUTOTUNE_BINARY_EVAL(Min, std::min(a, b))
    AUTOTUNE_BINARY_EVAL(Max, std::max(a, b))
    AUTOTUNE_BINARY_EVAL(EQ, a == b)
    AUTOTUNE_BINARY_EVAL(NE, a != b)
    AUTOTUNE_BINARY_EVAL(LT, a < b)
    AUTOTUNE_BINARY_EVAL(LE, a <= b)
    AUTOTUNE_BINARY_EVAL(GT, a > b)
    AUTOTUNE_BINARY_EVAL(GE, a >= b)
    AUTOTUNE_BINARY_EVAL(And, a && b)
    AUTOTUNE_BINARY_EVAL(Or, a || b)
#undef AUTOTUNE_BINARY_EVAL
    if (const Div *op = e.as<Div>()) {
      auto x = eval(op->a, lane, depth + 1), y = eval(op->b, lane, depth + 1);
      if (!x || !y || *y == 0) return std::nullopt;
      int64_t q = *x / *y;
      if ((*x % *y != 0) && ((*x < 0) != (*y < 0))) --q;  // floor division
      return q;
    }
    if (const Mod *op = e.as<Mod>()) {
      auto x = eval(op->a, lane, depth + 1), y = eval(op->b, lane, depth + 1);
      if (!x || !y || *y == 0) return std::nullopt;
      int64_t r = *x % *y;
      if (r != 0 && ((r < 0) != (*y < 0))) r += *y;  // floor modulo
      return r;
    }
    return std::nullopt;
  }

 private:
  std::unordered_map<const Variable *, Expr> lets_;
  std::unordered_map<const Variable *, int64_t> values_;
};

double log2p(double x) { return std::log2(1.0 + std::max(0.0, x)); }

/// Walks the nest once, filling the statement groups and kernel-wide counts.
class NestWalker {
 public:
  std::vector<Group> groups;
  OpCounts total;
  Evaluator evaluator;
  int loops = 0, max_depth = 0;
  int kind_counts[5] = {0, 0, 0, 0, 0};  // serial, parallel, vectorized, unrolled, gpu
  double local_bytes = 0, global_bytes = 0, guarded_exec = 0;
  double outer_parallel = 1;

  void walk(const Stmt &s) {
    if (!s.defined()) return;
    switch (s.kind()) {
      case IRNodeKind::For: walk_for(s.as<For>()); break;
      case IRNodeKind::LetStmt: {
        const LetStmt *l = s.as<LetStmt>();
        evaluator.bind_let(l->var.get(), l->value);
        OpCounts ops;
        count_expr(l->value, &ops, nullptr, 1);
        total.add_scaled(ops, exec_);
        walk(l->body);
        break;
      }
      case IRNodeKind::Store: walk_store(s.as<Store>()); break;
      case IRNodeKind::Allocate: {
        const Allocate *a = s.as<Allocate>();
        double bytes = static_cast<double>(a->extent) * a->dtype.bytes() * a->dtype.lanes;
        (a->scope == MemoryScope::Global ? global_bytes : local_bytes) += bytes;
        walk(a->body);
        break;
      }
      case IRNodeKind::Realize: walk(s.as<Realize>()->body); break;
      case IRNodeKind::IfThenElse: {
        const IfThenElse *c = s.as<IfThenElse>();
        OpCounts cond;
        count_expr(c->condition, &cond, nullptr, 1);
        total.add_scaled(cond, exec_);
        ++guard_depth_;
        walk(c->then_case);
        walk(c->else_case);
        --guard_depth_;
        break;
      }
      case IRNodeKind::Block:
        for (const Stmt &x : s.as<Block>()->stmts) walk(x);
        break;
      case IRNodeKind::Evaluate: {
        OpCounts ops;
        count_expr(s.as<Evaluate>()->value, &ops, nullptr, 1);
        total.add_scaled(ops, exec_);
        break;
      }
      case IRNodeKind::Provide: {
        // Not flattened yet: count the arithmetic of the value only.
        Group &g = group_here();
        count_expr(s.as<Provide>()->value, &g.ops, &g, 1);
        g.stores += 1;
        break;
      }
      default: break;
    }
  }

 private:
  std::vector<LoopInfo> stack_;
  std::vector<const For *> for_stack_;
  std::unordered_map<const For *, size_t> group_of_;
  size_t root_group_ = static_cast<size_t>(-1);
  double exec_ = 1;
  int guard_depth_ = 0;

  void walk_for(const For *f) {
    LoopInfo l;
    l.var = f->loop_var.get();
    l.min = evaluator.eval(f->min).value_or(0);
    l.extent = std::max<int64_t>(1, evaluator.eval(f->extent).value_or(1));
    l.kind = f->kind;
    l.gpu = f->kind == ForKind::ThreadBinding || !f->thread_tag.empty();
    ++loops;
    int kind = l.gpu ? 4
               : f->kind == ForKind::Parallel   ? 1
               : f->kind == ForKind::Vectorized ? 2
               : f->kind == ForKind::Unrolled   ? 3
                                                : 0;
    ++kind_counts[kind];
    bool outer = std::all_of(stack_.begin(), stack_.end(),
                             [](const LoopInfo &x) { return x.kind == ForKind::Parallel; });
    if (f->kind == ForKind::Parallel && outer) outer_parallel *= static_cast<double>(l.extent);
    stack_.push_back(l);
    for_stack_.push_back(f);
    max_depth = std::max(max_depth, static_cast<int>(stack_.size()));
    double saved = exec_;
    exec_ *= static_cast<double>(l.extent);
    walk(f->body);
    exec_ = saved;
    stack_.pop_back();
    for_stack_.pop_back();
  }

  Group &group_here() {
    size_t *slot;
    if (for_stack_.empty()) {
      slot = &root_group_;
    } else {
      auto it = group_of_.find(for_stack_.back());
      if (it == group_of_.end()) it = group_of_.emplace(for_stack_.back(), static_cast<size_t>(-1)).first;
      slot = &it->second;
    }
    if (*slot == static_cast<size_t>(-1)) {
      *slot = groups.size();
      groups.emplace_back();
      groups.back().loops = stack_;
      groups.back().exec = exec_;
    }
    return groups[*slot];
  }

  void walk_store(const Store *st) {
    Group &g = group_here();
    OpCounts ops;
    int lanes = st->value.type().lanes;
    count_expr(st->value, &ops, &g, 1);
    count_expr(st->index, &ops, nullptr, 1);
    if (st->predicate.defined()) count_expr(st->predicate, &ops, nullptr, 1);
    ops.stores += lanes;
    ops.bytes += static_cast<double>(lanes) * st->value.type().bytes();
    Access a;
    a.buffer = st->buffer.get();
    a.index = st->index;
    a.lanes = lanes;
    a.elem_bytes = st->value.type().bytes();
    a.is_store = true;
    g.accesses.push_back(a);
    g.ops.add_scaled(ops, 1);
    g.lanes = std::max(g.lanes, lanes);
    g.stores += 1;
    if (guard_depth_ > 0 || st->predicate.defined()) {
      g.guarded = true;
      guarded_exec += exec_;
    }
  }

  /// Adds the lane-weighted ops of e to *ops; loads are recorded as accesses of g (if given).
  void count_expr(const Expr &e, OpCounts *ops, Group *g, int depth) {
    if (!e.defined() || depth > 256) return;
    const DataType t = e.type();
    const double lanes = t.lanes;
    switch (e.kind()) {
      case IRNodeKind::IntImm:
      case IRNodeKind::FloatImm:
      case IRNodeKind::Variable: return;
      case IRNodeKind::Load: {
        const Load *l = e.as<Load>();
        ops->loads += lanes;
        ops->bytes += lanes * t.bytes();
        if (g) {
          Access a;
          a.buffer = l->buffer.get();
          a.index = l->index;
          a.lanes = t.lanes;
          a.elem_bytes = t.bytes();
          g->accesses.push_back(a);
          g->lanes = std::max<int>(g->lanes, t.lanes);
        }
        count_expr(l->index, ops, nullptr, depth + 1);
        if (l->predicate.defined()) count_expr(l->predicate, ops, nullptr, depth + 1);
        return;
      }
      case IRNodeKind::Call:
        ops->math += lanes;
        for (const Expr &a : e.as<Call>()->args) count_expr(a, ops, g, depth + 1);
        return;
      case IRNodeKind::Cast: count_expr(e.as<Cast>()->value, ops, g, depth + 1); return;
      case IRNodeKind::Ramp: {
        const Ramp *r = e.as<Ramp>();
        count_expr(r->base, ops, g, depth + 1);
        count_expr(r->stride, ops, g, depth + 1);
        return;
      }
      case IRNodeKind::Broadcast: count_expr(e.as<Broadcast>()->value, ops, g, depth + 1); return;
      case IRNodeKind::Let: {
        const Let *l = e.as<Let>();
        evaluator.bind_let(l->var.get(), l->value);
        count_expr(l->value, ops, g, depth + 1);
        count_expr(l->body, ops, g, depth + 1);
        return;
      }
      case IRNodeKind::Select: {
        const Select *s = e.as<Select>();
        (s->true_value.type().is_float() ? ops->float_cmp : ops->int_ops) += lanes;
        count_expr(s->condition, ops, g, depth + 1);
        count_expr(s->true_value, ops, g, depth + 1);
        count_expr(s->false_value, ops, g, depth + 1);
        return;
      }
      case IRNodeKind::Not: ops->int_ops += lanes; count_expr(e.as<Not>()->a, ops, g, depth + 1); return;
      case IRNodeKind::TensorRead:
        ops->loads += lanes;
        for (const Expr &i : e.as<TensorRead>()->indices) count_expr(i, ops, nullptr, depth + 1);
        return;
      default: break;
    }
    // Binary nodes.
    Expr a, b;
    switch (e.kind()) {
#define AUTOTUNE_OPERANDS(T)                   \
  case IRNodeKind::T:                          \
    a = static_cast<const T *>(e.get())->a;    \
    b = static_cast<const T *>(e.get())->b;    \
    break;
      AUTOTUNE_OPERANDS(Add)
      AUTOTUNE_OPERANDS(Sub)
      AUTOTUNE_OPERANDS(Mul)
      AUTOTUNE_OPERANDS(Div)
      AUTOTUNE_OPERANDS(Mod)
      AUTOTUNE_OPERANDS(Min)
      AUTOTUNE_OPERANDS(Max)
      AUTOTUNE_OPERANDS(EQ)
      AUTOTUNE_OPERANDS(NE)
      AUTOTUNE_OPERANDS(LT)
      AUTOTUNE_OPERANDS(LE)
      AUTOTUNE_OPERANDS(GT)
      AUTOTUNE_OPERANDS(GE)
      AUTOTUNE_OPERANDS(And)
      AUTOTUNE_OPERANDS(Or)
#undef AUTOTUNE_OPERANDS
      default: return;
    }
    const bool is_float = a.defined() && a.type().is_float();
    if (is_float) {
      switch (e.kind()) {
        case IRNodeKind::Add:
        case IRNodeKind::Sub:
          ops->float_add += lanes;
          if (a.kind() == IRNodeKind::Mul || b.kind() == IRNodeKind::Mul) ops->fma += lanes;
          break;
        case IRNodeKind::Mul: ops->float_mul += lanes; break;
        case IRNodeKind::Div:
        case IRNodeKind::Mod: ops->float_div += lanes; break;
        default: ops->float_cmp += lanes; break;
      }
    } else {
      ops->int_ops += lanes;
    }
    count_expr(a, ops, g, depth + 1);
    count_expr(b, ops, g, depth + 1);
  }
};

/// Strides of one access w.r.t. each loop of its group (and its lanes).
struct AccessShape {
  std::vector<int64_t> stride;  ///< per loop, outermost first (elements)
  int64_t lane_stride = 0;
  bool known = true;
};

AccessShape access_shape(const Access &a, const std::vector<LoopInfo> &loops, Evaluator &ev) {
  AccessShape s;
  s.stride.assign(loops.size(), 0);
  ev.clear_values();
  for (const LoopInfo &l : loops) ev.set(l.var, l.min);
  std::optional<int64_t> base = ev.eval(a.index, 0);
  if (!base) {
    s.known = false;
    return s;
  }
  if (a.lanes > 1) {
    std::optional<int64_t> next = ev.eval(a.index, 1);
    s.lane_stride = next ? *next - *base : 0;
  }
  for (size_t i = 0; i < loops.size(); ++i) {
    if (loops[i].extent <= 1) continue;
    ev.set(loops[i].var, loops[i].min + 1);
    std::optional<int64_t> v = ev.eval(a.index, 0);
    ev.set(loops[i].var, loops[i].min);
    s.stride[i] = v ? *v - *base : 0;
  }
  return s;
}

/// Unique elements an access touches in one run of loop `level` (loops.size(): one execution).
double footprint(const AccessShape &s, const std::vector<LoopInfo> &loops, size_t level,
                 int lanes) {
  double prod = 1, span = 0;
  if (lanes > 1 && s.lane_stride != 0) {
    prod *= lanes;
    span += std::fabs(static_cast<double>(s.lane_stride)) * (lanes - 1);
  }
  for (size_t i = level; i < loops.size(); ++i) {
    if (s.stride[i] == 0) continue;
    prod *= static_cast<double>(loops[i].extent);
    span += std::fabs(static_cast<double>(s.stride[i])) * static_cast<double>(loops[i].extent - 1);
  }
  return std::min(prod, span + 1);
}

/// Everything the buffer section needs about one buffer of the main group.
struct BufferSummary {
  const Variable *buffer = nullptr;
  bool loaded = false, stored = false;
  int elem_bytes = 4;
  int count = 0;
  double inner_stride = 0;
  double unique = 0;    ///< elements touched by the whole nest
  double accesses = 0;  ///< exec x lanes, summed over accesses
  double reuse_distance = 0, reuse_count = 1;
  std::vector<double> level_bytes;  ///< bytes touched by one run of each loop, outermost first
  std::vector<char> invariant;      ///< per loop: address does not move with it
  std::vector<int64_t> strides;     ///< representative access's strides
};

}  // namespace

size_t feature_length(const FeatureOptions &opt) {
  return kGlobalFeatures + static_cast<size_t>(opt.loops) * kLoopFeatures +
         static_cast<size_t>(opt.buffers) * (kBufferFeaturesFixed + opt.loops);
}

std::vector<std::string> feature_names(const FeatureOptions &opt) {
  std::vector<std::string> names = {
      "g.float_add",   "g.float_mul",    "g.fma",           "g.float_div",     "g.float_cmp",
      "g.math",        "g.int_ops",      "g.loads",         "g.stores",        "g.bytes",
      "g.intensity",   "g.loops",        "g.max_depth",     "g.parallel",      "g.vectorized",
      "g.unrolled",    "g.gpu",          "g.parallel_extent", "g.lanes",       "g.unroll_copies",
      "g.local_bytes", "g.global_bytes", "g.groups",        "g.guarded_exec",  "g.main_exec",
      "g.main_depth",  "g.failed",       "g.main_share"};
  static const char *loop_names[kLoopFeatures] = {
      "present", "extent",  "depth",     "serial",    "parallel",    "vectorized",   "unrolled",
      "gpu",     "above",   "below",     "footprint", "reuse_bufs",  "stride_sum",   "store_reuse"};
  for (int l = 0; l < opt.loops; ++l) {
    for (const char *n : loop_names) names.push_back("loop" + std::to_string(l) + "." + n);
  }
  static const char *buf_names[kBufferFeaturesFixed] = {
      "present",  "loaded",      "stored",   "elem_bytes",     "count",
      "stride",   "unit_stride", "unique_bytes", "accesses",   "reuse_ratio",
      "reuse_distance", "reuse_count", "cache_lines"};
  for (int b = 0; b < opt.buffers; ++b) {
    for (const char *n : buf_names) names.push_back("buf" + std::to_string(b) + "." + n);
    for (int l = 0; l < opt.loops; ++l) {
      names.push_back("buf" + std::to_string(b) + ".bytes_loop" + std::to_string(l));
    }
  }
  return names;
}

void failed_features(const FeatureOptions &opt, float *out) {
  std::fill(out, out + feature_length(opt), 0.0f);
  out[26] = 1.0f;
}

void extract_features(const Stmt &body, const FeatureOptions &opt, float *out) {
  const size_t n = feature_length(opt);
  std::fill(out, out + n, 0.0f);
  NestWalker w;
  w.walk(body);

  // 2. The main group.
  OpCounts total = w.total;
  const Group *main = nullptr;
  double best = -1;
  for (const Group &g : w.groups) {
    total.add_scaled(g.ops, g.exec);
    double score = g.exec * std::max(1.0, g.ops.work());
    if (score > best) {
      best = score;
      main = &g;
    }
  }
  const std::vector<LoopInfo> no_loops;
  const std::vector<LoopInfo> &loops = main ? main->loops : no_loops;
  const size_t depth = loops.size();

  // 3-4. Per-buffer summaries of the main group.
  std::vector<BufferSummary> bufs;
  if (main) {
    for (const Access &a : main->accesses) {
      AccessShape shape = access_shape(a, loops, w.evaluator);
      auto it = std::find_if(bufs.begin(), bufs.end(),
                             [&](const BufferSummary &b) { return b.buffer == a.buffer; });
      if (it == bufs.end()) {
        bufs.emplace_back();
        it = bufs.end() - 1;
        it->buffer = a.buffer;
        it->elem_bytes = a.elem_bytes;
        it->level_bytes.assign(depth + 1, 0.0);
        it->invariant.assign(depth, 1);
      }
      BufferSummary &b = *it;
      (a.is_store ? b.stored : b.loaded) = true;
      ++b.count;
      b.accesses += main->exec * a.lanes;
      double whole = footprint(shape, loops, 0, a.lanes);
      if (whole >= b.unique) {
        // The access touching the most elements represents the buffer's strides.
        b.unique = whole;
        b.strides = shape.stride;
        b.inner_stride = a.lanes > 1 ? static_cast<double>(std::llabs(shape.lane_stride))
                         : depth ? static_cast<double>(std::llabs(shape.stride[depth - 1]))
                                 : 0.0;
        if (!shape.known) b.inner_stride = 1e6;
      }
      for (size_t l = 0; l <= depth; ++l) {
        b.level_bytes[l] = std::max(b.level_bytes[l],
                                    footprint(shape, loops, l, a.lanes) * a.elem_bytes);
      }
      for (size_t l = 0; l < depth; ++l) {
        if (shape.stride[l] != 0 || !shape.known) b.invariant[l] = 0;
      }
    }
    for (BufferSummary &b : bufs) {
      // Reuse: the innermost loop (extent > 1) that does not move the address.
      double inner = 1;
      for (size_t l = depth; l-- > 0;) {
        if (loops[l].extent <= 1) continue;
        if (b.invariant[l]) {
          b.reuse_distance = inner;
          b.reuse_count = static_cast<double>(loops[l].extent);
          break;
        }
        inner *= static_cast<double>(loops[l].extent);
      }
    }
    std::stable_sort(bufs.begin(), bufs.end(), [](const BufferSummary &a, const BufferSummary &b) {
      return a.unique * a.elem_bytes > b.unique * b.elem_bytes;
    });
  }

  // 5a. Global section.
  float *g = out;
  double float_ops = total.float_ops();
  g[0] = log2p(total.float_add);
  g[1] = log2p(total.float_mul);
  g[2] = log2p(total.fma);
  g[3] = log2p(total.float_div);
  g[4] = log2p(total.float_cmp);
  g[5] = log2p(total.math);
  g[6] = log2p(total.int_ops);
  g[7] = log2p(total.loads);
  g[8] = log2p(total.stores);
  g[9] = log2p(total.bytes);
  g[10] = log2p(float_ops / std::max(1.0, total.bytes));
  g[11] = static_cast<float>(w.loops);
  g[12] = static_cast<float>(w.max_depth);
  for (int k = 1; k < 5; ++k) g[12 + k] = static_cast<float>(w.kind_counts[k]);
  g[17] = log2p(w.outer_parallel);
  double unroll_copies = 1;
  for (const LoopInfo &l : loops) {
    if (l.kind == ForKind::Unrolled) unroll_copies *= static_cast<double>(l.extent);
  }
  int lanes = main ? main->lanes : 1;
  for (const LoopInfo &l : loops) {
    if (l.kind == ForKind::Vectorized) lanes = std::max<int>(lanes, static_cast<int>(l.extent));
  }
  g[18] = static_cast<float>(lanes);
  g[19] = log2p(unroll_copies);
  g[20] = log2p(w.local_bytes);
  g[21] = log2p(w.global_bytes);
  g[22] = static_cast<float>(w.groups.size());
  g[23] = log2p(w.guarded_exec);
  g[24] = log2p(main ? main->exec : 0);
  g[25] = static_cast<float>(depth);
  g[26] = 0;
  g[27] = main && total.work() > 0
              ? static_cast<float>(main->exec * main->ops.work() / total.work())
              : 0.0f;

  // 5b. Loops, innermost first.
  float *lp = out + kGlobalFeatures;
  double above = 1;
  std::vector<double> above_of(depth), below_of(depth);
  for (size_t i = 0; i < depth; ++i) {
    above_of[i] = above;
    above *= static_cast<double>(loops[i].extent);
  }
  double below = 1;
  for (size_t i = depth; i-- > 0;) {
    below *= static_cast<double>(loops[i].extent);
    below_of[i] = below;
  }
  const BufferSummary *stored = nullptr;
  for (const BufferSummary &b : bufs) {
    if (b.stored) {
      stored = &b;
      break;
    }
  }
  for (int k = 0; k < opt.loops && static_cast<size_t>(k) < depth; ++k) {
    size_t i = depth - 1 - static_cast<size_t>(k);
    const LoopInfo &l = loops[i];
    float *f = lp + static_cast<size_t>(k) * kLoopFeatures;
    f[0] = 1;
    f[1] = log2p(static_cast<double>(l.extent));
    f[2] = static_cast<float>(i);
    int kind = l.gpu ? 4
               : l.kind == ForKind::Parallel   ? 1
               : l.kind == ForKind::Vectorized ? 2
               : l.kind == ForKind::Unrolled   ? 3
                                               : 0;
    f[3 + kind] = 1;
    f[8] = log2p(above_of[i]);
    f[9] = log2p(below_of[i]);
    double bytes = 0, stride_sum = 0;
    int reuse = 0;
    for (const BufferSummary &b : bufs) {
      bytes += b.level_bytes[i];
      reuse += b.invariant[i] ? 1 : 0;
      if (i < b.strides.size()) stride_sum += std::fabs(static_cast<double>(b.strides[i]));
    }
    f[10] = log2p(bytes);
    f[11] = static_cast<float>(reuse);
    f[12] = log2p(stride_sum);
    f[13] = stored && stored->invariant[i] ? 1.0f : 0.0f;
  }

  // 5c. Buffers.
  float *bp = lp + static_cast<size_t>(opt.loops) * kLoopFeatures;
  const size_t per_buffer = kBufferFeaturesFixed + static_cast<size_t>(opt.loops);
  for (int k = 0; k < opt.buffers && static_cast<size_t>(k) < bufs.size(); ++k) {
    const BufferSummary &b = bufs[static_cast<size_t>(k)];
    float *f = bp + static_cast<size_t>(k) * per_buffer;
    f[0] = 1;
    f[1] = b.loaded ? 1.0f : 0.0f;
    f[2] = b.stored ? 1.0f : 0.0f;
    f[3] = static_cast<float>(b.elem_bytes);
    f[4] = static_cast<float>(b.count);
    f[5] = log2p(b.inner_stride);
    f[6] = b.inner_stride == 1 ? 1.0f : 0.0f;
    f[7] = log2p(b.unique * b.elem_bytes);
    f[8] = log2p(b.accesses);
    f[9] = log2p(b.accesses / std::max(1.0, b.unique));
    f[10] = log2p(b.reuse_distance);
    f[11] = log2p(b.reuse_count);
    double per_line = b.inner_stride == 0
                          ? 64.0 / b.elem_bytes
                          : std::max(1.0, 64.0 / (b.elem_bytes * b.inner_stride));
    f[12] = log2p(b.unique / per_line);
    for (int l = 0; l < opt.loops && static_cast<size_t>(l) < depth; ++l) {
      f[kBufferFeaturesFixed + static_cast<size_t>(l)] = log2p(b.level_bytes[depth - 1 - l]);
    }
  }
}

std::vector<float> extract_features(const Stmt &body, const FeatureOptions &opt) {
  std::vector<float> out(feature_length(opt));
  extract_features(body, opt, out.data());
  return out;
}

Stmt lower_for_features(const te::Schedule &sch, const std::vector<te::Tensor> &args) {
  std::vector<KernelArg> kernel_args;
  Stmt s = lower::build_loop_nest(sch);
  s = lower::flatten_storage(s, args, &kernel_args);
  return simplify(s);
}

size_t knob_feature_length(const searchspace::ConfigSpace &space) {
  size_t n = 0;
  for (const searchspace::Knob &k : space.knobs()) {
    if ((k.kind == searchspace::KnobKind::Split || k.kind == searchspace::KnobKind::Annotate) &&
        !k.choices.empty()) {
      n += k.choices[0].size();
    } else {
      n += 1;
    }
  }
  return n;
}

void knob_features(const searchspace::Config &cfg, float *out) {
  const std::vector<searchspace::Knob> &knobs = cfg.knobs();
  const std::vector<int> &choice = cfg.choices();
  size_t p = 0;
  for (size_t k = 0; k < knobs.size(); ++k) {
    const searchspace::Knob &knob = knobs[k];
    const std::vector<int64_t> &v = knob.choices.at(static_cast<size_t>(choice[k]));
    switch (knob.kind) {
      case searchspace::KnobKind::Split:
        for (size_t i = 0; i < knob.choices[0].size(); ++i) {
          out[p++] = i < v.size() ? static_cast<float>(std::log2(std::max<int64_t>(1, v[i]))) : 0;
        }
        break;
      case searchspace::KnobKind::Annotate:
        for (size_t i = 0; i < knob.choices[0].size(); ++i) {
          out[p++] = i < v.size() ? static_cast<float>(v[i]) : 0;
        }
        break;
      case searchspace::KnobKind::Reorder: out[p++] = static_cast<float>(choice[k]); break;
      case searchspace::KnobKind::Other: out[p++] = v.empty() ? 0 : static_cast<float>(v[0]); break;
    }
  }
}

}  // namespace autotune::costmodel

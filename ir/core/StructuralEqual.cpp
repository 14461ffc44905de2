// Structural equality (alpha-equivalence for bound variables) and the matching hash.
#include "ir/core/StructuralEqual.h"

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace autotune::ir {
namespace {

template <typename T>
std::pair<const Expr *, const Expr *> operands_of(const T *op) {
  return {&op->a, &op->b};
}

/// The operands of a binary node (Add through Or), or nullopt for any other node.
std::optional<std::pair<const Expr *, const Expr *>> binary_operands(const Expr &e) {
  switch (e.kind()) {
    case IRNodeKind::Add: return operands_of(e.as<Add>());
    case IRNodeKind::Sub: return operands_of(e.as<Sub>());
    case IRNodeKind::Mul: return operands_of(e.as<Mul>());
    case IRNodeKind::Div: return operands_of(e.as<Div>());
    case IRNodeKind::Mod: return operands_of(e.as<Mod>());
    case IRNodeKind::Min: return operands_of(e.as<Min>());
    case IRNodeKind::Max: return operands_of(e.as<Max>());
    case IRNodeKind::EQ: return operands_of(e.as<EQ>());
    case IRNodeKind::NE: return operands_of(e.as<NE>());
    case IRNodeKind::LT: return operands_of(e.as<LT>());
    case IRNodeKind::LE: return operands_of(e.as<LE>());
    case IRNodeKind::GT: return operands_of(e.as<GT>());
    case IRNodeKind::GE: return operands_of(e.as<GE>());
    case IRNodeKind::And: return operands_of(e.as<And>());
    case IRNodeKind::Or: return operands_of(e.as<Or>());
    default: return std::nullopt;
  }
}

// ---- Equality -----------------------------------------------------------------------------------

/// Compares two trees in lockstep. Binders on the two sides are paired while their scope is
/// compared, in both directions, so that a variable bound on one side never matches a free one.
class Comparer {
 public:
  bool equal(const Expr &a, const Expr &b) {
    if (!a.defined() || !b.defined()) return a.defined() == b.defined();
    // While no binder is paired with a different one, a node is equal to itself; otherwise a
    // shared subtree may mention a variable that is bound differently on the two sides.
    if (a.same_as(b) && renamings_ == 0) return true;
    if (a.kind() != b.kind() || a.type() != b.type()) return false;
    if (auto x = binary_operands(a)) {
      auto y = binary_operands(b);
      return equal(*x->first, *y->first) && equal(*x->second, *y->second);
    }
    switch (a.kind()) {
      case IRNodeKind::IntImm: return a.as<IntImm>()->value == b.as<IntImm>()->value;
      case IRNodeKind::FloatImm: {
        double x = a.as<FloatImm>()->value, y = b.as<FloatImm>()->value;
        return std::memcmp(&x, &y, sizeof(double)) == 0;
      }
      case IRNodeKind::Variable: return equal_var(a.as<Variable>(), b.as<Variable>());
      case IRNodeKind::Cast: return equal(a.as<Cast>()->value, b.as<Cast>()->value);
      case IRNodeKind::Not: return equal(a.as<Not>()->a, b.as<Not>()->a);
      case IRNodeKind::Select: {
        const Select *x = a.as<Select>(), *y = b.as<Select>();
        return equal(x->condition, y->condition) && equal(x->true_value, y->true_value) &&
               equal(x->false_value, y->false_value);
      }
      case IRNodeKind::Load: {
        const Load *x = a.as<Load>(), *y = b.as<Load>();
        return equal_var(x->buffer.get(), y->buffer.get()) && equal(x->index, y->index) &&
               equal(x->predicate, y->predicate);
      }
      case IRNodeKind::Ramp: {
        const Ramp *x = a.as<Ramp>(), *y = b.as<Ramp>();
        return x->lanes == y->lanes && equal(x->base, y->base) && equal(x->stride, y->stride);
      }
      case IRNodeKind::Broadcast: {
        const Broadcast *x = a.as<Broadcast>(), *y = b.as<Broadcast>();
        return x->lanes == y->lanes && equal(x->value, y->value);
      }
      case IRNodeKind::Let: {
        const Let *x = a.as<Let>(), *y = b.as<Let>();
        if (!equal(x->value, y->value)) return false;
        Renaming r(*this, x->var, y->var);
        return r.ok() && equal(x->body, y->body);
      }
      case IRNodeKind::Call: {
        const Call *x = a.as<Call>(), *y = b.as<Call>();
        return x->op == y->op && equal_list(x->args, y->args);
      }
      case IRNodeKind::TensorRead: {
        const TensorRead *x = a.as<TensorRead>(), *y = b.as<TensorRead>();
        return x->producer == y->producer && equal_list(x->indices, y->indices);
      }
      case IRNodeKind::Reduce: return equal_reduce(a.as<Reduce>(), b.as<Reduce>());
      default: internal_error << "statement kind " << node_kind_name(a.kind()) << " in an Expr";
    }
    return false;
  }

  bool equal(const Stmt &a, const Stmt &b) {
    if (!a.defined() || !b.defined()) return a.defined() == b.defined();
    if (a.same_as(b) && renamings_ == 0) return true;
    if (a.kind() != b.kind()) return false;
    switch (a.kind()) {
      case IRNodeKind::LetStmt: {
        const LetStmt *x = a.as<LetStmt>(), *y = b.as<LetStmt>();
        if (!equal(x->value, y->value)) return false;
        Renaming r(*this, x->var, y->var);
        return r.ok() && equal(x->body, y->body);
      }
      case IRNodeKind::For: {
        const For *x = a.as<For>(), *y = b.as<For>();
        if (x->kind != y->kind || x->thread_tag != y->thread_tag || !equal(x->min, y->min) ||
            !equal(x->extent, y->extent)) {
          return false;
        }
        Renaming r(*this, x->loop_var, y->loop_var);
        return r.ok() && equal(x->body, y->body);
      }
      case IRNodeKind::Store: {
        const Store *x = a.as<Store>(), *y = b.as<Store>();
        return equal_var(x->buffer.get(), y->buffer.get()) && equal(x->value, y->value) &&
               equal(x->index, y->index) && equal(x->predicate, y->predicate);
      }
      case IRNodeKind::Provide: {
        const Provide *x = a.as<Provide>(), *y = b.as<Provide>();
        return x->producer == y->producer && equal(x->value, y->value) &&
               equal_list(x->indices, y->indices);
      }
      case IRNodeKind::Allocate: {
        const Allocate *x = a.as<Allocate>(), *y = b.as<Allocate>();
        if (x->dtype != y->dtype || x->extent != y->extent || x->scope != y->scope) return false;
        Renaming r(*this, x->buffer, y->buffer);
        return r.ok() && equal(x->body, y->body);
      }
      case IRNodeKind::Realize: {
        const Realize *x = a.as<Realize>(), *y = b.as<Realize>();
        if (x->producer != y->producer || x->scope != y->scope ||
            x->bounds.size() != y->bounds.size()) {
          return false;
        }
        for (size_t i = 0; i < x->bounds.size(); ++i) {
          if (!equal(x->bounds[i].min, y->bounds[i].min) ||
              !equal(x->bounds[i].extent, y->bounds[i].extent)) {
            return false;
          }
        }
        return equal(x->body, y->body);
      }
      case IRNodeKind::IfThenElse: {
        const IfThenElse *x = a.as<IfThenElse>(), *y = b.as<IfThenElse>();
        return equal(x->condition, y->condition) && equal(x->then_case, y->then_case) &&
               equal(x->else_case, y->else_case);
      }
      case IRNodeKind::Block: {
        const Block *x = a.as<Block>(), *y = b.as<Block>();
        if (x->stmts.size() != y->stmts.size()) return false;
        for (size_t i = 0; i < x->stmts.size(); ++i) {
          if (!equal(x->stmts[i], y->stmts[i])) return false;
        }
        return true;
      }
      case IRNodeKind::Evaluate: return equal(a.as<Evaluate>()->value, b.as<Evaluate>()->value);
      default: internal_error << "expression kind " << node_kind_name(a.kind()) << " in a Stmt";
    }
    return false;
  }

 private:
  /// Pairs two binders for the lifetime of the object. ok() is false when their types differ.
  class Renaming {
   public:
    Renaming(Comparer &c, const Var &a, const Var &b) : c_(c), a_(a.get()), b_(b.get()) {
      ok_ = a.type() == b.type();
      if (!ok_) return;
      auto la = c_.lhs_to_rhs_.find(a_);
      auto rb = c_.rhs_to_lhs_.find(b_);
      old_lhs_ = la == c_.lhs_to_rhs_.end() ? nullptr : la->second;
      old_rhs_ = rb == c_.rhs_to_lhs_.end() ? nullptr : rb->second;
      c_.lhs_to_rhs_[a_] = b_;
      c_.rhs_to_lhs_[b_] = a_;
      if (a_ != b_) ++c_.renamings_;
    }
    Renaming(const Renaming &) = delete;
    Renaming &operator=(const Renaming &) = delete;
    ~Renaming() {
      if (!ok_) return;
      restore(c_.lhs_to_rhs_, a_, old_lhs_);
      restore(c_.rhs_to_lhs_, b_, old_rhs_);
      if (a_ != b_) --c_.renamings_;
    }
    bool ok() const { return ok_; }

   private:
    using Map = std::unordered_map<const Variable *, const Variable *>;
    static void restore(Map &m, const Variable *key, const Variable *old) {
      if (old) {
        m[key] = old;
      } else {
        m.erase(key);
      }
    }
    Comparer &c_;
    const Variable *a_, *b_;
    const Variable *old_lhs_ = nullptr, *old_rhs_ = nullptr;
    bool ok_ = false;
  };

  bool equal_var(const Variable *a, const Variable *b) {
    if (a->type != b->type) return false;
    auto it = lhs_to_rhs_.find(a);
    if (it != lhs_to_rhs_.end()) return it->second == b;
    // a is free: b must be the same free variable, not one bound on the right.
    return a == b && rhs_to_lhs_.count(b) == 0;
  }

  bool equal_list(const std::vector<Expr> &x, const std::vector<Expr> &y) {
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i) {
      if (!equal(x[i], y[i])) return false;
    }
    return true;
  }

  bool equal_reduce(const Reduce *x, const Reduce *y) {
    if (x->combiner != y->combiner || x->axes.size() != y->axes.size()) return false;
    // Axis domains are evaluated outside the reduction, so they are compared before any axis
    // variable is paired.
    for (size_t i = 0; i < x->axes.size(); ++i) {
      const IterVar &u = x->axes[i], &v = y->axes[i];
      if (u.kind() != v.kind() || u->thread_tag != v->thread_tag ||
          !equal(u.dom().min, v.dom().min) || !equal(u.dom().extent, v.dom().extent)) {
        return false;
      }
    }
    std::vector<std::unique_ptr<Renaming>> renamings;
    for (size_t i = 0; i < x->axes.size(); ++i) {
      renamings.push_back(std::make_unique<Renaming>(*this, x->axes[i].var(), y->axes[i].var()));
      if (!renamings.back()->ok()) return false;
    }
    return equal(x->source, y->source) && equal(x->condition, y->condition);
  }

  std::unordered_map<const Variable *, const Variable *> lhs_to_rhs_, rhs_to_lhs_;
  int renamings_ = 0;
};

// ---- Hashing ------------------------------------------------------------------------------------

uint64_t mix(uint64_t x) {
  // splitmix64 finalizer.
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t combine(uint64_t seed, uint64_t value) { return mix(seed ^ mix(value)); }

/// FNV-1a: fixed across runs and standard libraries, unlike std::hash<std::string>.
uint64_t hash_string(const std::string &s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

uint64_t hash_type(DataType t) {
  return (uint64_t(t.code) << 32) | (uint64_t(t.bits) << 16) | uint64_t(t.lanes);
}

// Tags keep bound and free variables apart from each other and from other leaves.
constexpr uint64_t kBoundVarTag = 0xb0b0;
constexpr uint64_t kFreeVarTag = 0xf4ee;
constexpr uint64_t kUndefinedTag = 0x0de7;

class Hasher {
 public:
  uint64_t hash(const Expr &e) {
    if (!e.defined()) return kUndefinedTag;
    uint64_t h = combine(uint64_t(e.kind()), hash_type(e.type()));
    if (auto operands = binary_operands(e)) {
      return combine(combine(h, hash(*operands->first)), hash(*operands->second));
    }
    switch (e.kind()) {
      case IRNodeKind::IntImm: return combine(h, uint64_t(e.as<IntImm>()->value));
      case IRNodeKind::FloatImm: {
        double v = e.as<FloatImm>()->value;
        uint64_t bits;
        std::memcpy(&bits, &v, sizeof bits);
        return combine(h, bits);
      }
      case IRNodeKind::Variable: return combine(h, hash_var(e.as<Variable>()));
      case IRNodeKind::Cast: return combine(h, hash(e.as<Cast>()->value));
      case IRNodeKind::Not: return combine(h, hash(e.as<Not>()->a));
      case IRNodeKind::Select: {
        const Select *op = e.as<Select>();
        h = combine(h, hash(op->condition));
        h = combine(h, hash(op->true_value));
        return combine(h, hash(op->false_value));
      }
      case IRNodeKind::Load: {
        const Load *op = e.as<Load>();
        h = combine(h, hash_var(op->buffer.get()));
        h = combine(h, hash(op->index));
        return combine(h, hash(op->predicate));
      }
      case IRNodeKind::Ramp: {
        const Ramp *op = e.as<Ramp>();
        h = combine(h, hash(op->base));
        h = combine(h, hash(op->stride));
        return combine(h, uint64_t(op->lanes));
      }
      case IRNodeKind::Broadcast: {
        const Broadcast *op = e.as<Broadcast>();
        return combine(combine(h, hash(op->value)), uint64_t(op->lanes));
      }
      case IRNodeKind::Let: {
        const Let *op = e.as<Let>();
        h = combine(h, hash(op->value));
        h = combine(h, hash_type(op->var.type()));
        Binding b(*this, op->var.get());
        return combine(h, hash(op->body));
      }
      case IRNodeKind::Call: {
        const Call *op = e.as<Call>();
        return hash_list(combine(h, uint64_t(op->op)), op->args);
      }
      case IRNodeKind::TensorRead: {
        const TensorRead *op = e.as<TensorRead>();
        return hash_list(combine(h, hash_producer(op->producer)), op->indices);
      }
      case IRNodeKind::Reduce: {
        const Reduce *op = e.as<Reduce>();
        h = combine(h, uint64_t(op->combiner));
        for (const IterVar &iv : op->axes) {
          h = combine(h, hash(iv.dom().min));
          h = combine(h, hash(iv.dom().extent));
          h = combine(h, uint64_t(iv.kind()));
          h = combine(h, hash_string(iv->thread_tag));
          h = combine(h, hash_type(iv.var().type()));
        }
        std::vector<std::unique_ptr<Binding>> bindings;
        for (const IterVar &iv : op->axes) {
          bindings.push_back(std::make_unique<Binding>(*this, iv.var().get()));
        }
        h = combine(h, hash(op->source));
        return combine(h, hash(op->condition));
      }
      default: internal_error << "statement kind " << node_kind_name(e.kind()) << " in an Expr";
    }
    return h;
  }

  uint64_t hash(const Stmt &s) {
    if (!s.defined()) return kUndefinedTag;
    uint64_t h = mix(uint64_t(s.kind()));
    switch (s.kind()) {
      case IRNodeKind::LetStmt: {
        const LetStmt *op = s.as<LetStmt>();
        h = combine(h, hash(op->value));
        h = combine(h, hash_type(op->var.type()));
        Binding b(*this, op->var.get());
        return combine(h, hash(op->body));
      }
      case IRNodeKind::For: {
        const For *op = s.as<For>();
        h = combine(h, uint64_t(op->kind));
        h = combine(h, hash_string(op->thread_tag));
        h = combine(h, hash(op->min));
        h = combine(h, hash(op->extent));
        h = combine(h, hash_type(op->loop_var.type()));
        Binding b(*this, op->loop_var.get());
        return combine(h, hash(op->body));
      }
      case IRNodeKind::Store: {
        const Store *op = s.as<Store>();
        h = combine(h, hash_var(op->buffer.get()));
        h = combine(h, hash(op->value));
        h = combine(h, hash(op->index));
        return combine(h, hash(op->predicate));
      }
      case IRNodeKind::Provide: {
        const Provide *op = s.as<Provide>();
        h = combine(h, hash_producer(op->producer));
        h = combine(h, hash(op->value));
        return hash_list(h, op->indices);
      }
      case IRNodeKind::Allocate: {
        const Allocate *op = s.as<Allocate>();
        h = combine(h, hash_type(op->dtype));
        h = combine(h, uint64_t(op->extent));
        h = combine(h, uint64_t(op->scope));
        h = combine(h, hash_type(op->buffer.type()));
        Binding b(*this, op->buffer.get());
        return combine(h, hash(op->body));
      }
      case IRNodeKind::Realize: {
        const Realize *op = s.as<Realize>();
        h = combine(h, hash_producer(op->producer));
        h = combine(h, uint64_t(op->scope));
        for (const Range &r : op->bounds) {
          h = combine(h, hash(r.min));
          h = combine(h, hash(r.extent));
        }
        return combine(h, hash(op->body));
      }
      case IRNodeKind::IfThenElse: {
        const IfThenElse *op = s.as<IfThenElse>();
        h = combine(h, hash(op->condition));
        h = combine(h, hash(op->then_case));
        return combine(h, hash(op->else_case));
      }
      case IRNodeKind::Block: {
        const Block *op = s.as<Block>();
        h = combine(h, uint64_t(op->stmts.size()));
        for (const Stmt &child : op->stmts) h = combine(h, hash(child));
        return h;
      }
      case IRNodeKind::Evaluate: return combine(h, hash(s.as<Evaluate>()->value));
      default: internal_error << "expression kind " << node_kind_name(s.kind()) << " in a Stmt";
    }
    return h;
  }

 private:
  /// Gives a binder the next depth for the lifetime of the object.
  class Binding {
   public:
    Binding(Hasher &h, const Variable *v) : h_(h), v_(v) {
      auto it = h_.depth_of_.find(v);
      if (it != h_.depth_of_.end()) old_ = it->second;
      h_.depth_of_[v] = h_.depth_++;
    }
    Binding(const Binding &) = delete;
    Binding &operator=(const Binding &) = delete;
    ~Binding() {
      --h_.depth_;
      if (old_ >= 0) {
        h_.depth_of_[v_] = old_;
      } else {
        h_.depth_of_.erase(v_);
      }
    }

   private:
    Hasher &h_;
    const Variable *v_;
    int64_t old_ = -1;
  };

  uint64_t hash_var(const Variable *v) {
    auto it = depth_of_.find(v);
    if (it != depth_of_.end()) return combine(kBoundVarTag, uint64_t(it->second));
    return combine(combine(kFreeVarTag, hash_string(v->name)), hash_type(v->type));
  }

  uint64_t hash_producer(const DataProducer &p) {
    uint64_t h = combine(hash_string(p->name), hash_type(p->dtype));
    for (int64_t d : p->shape) h = combine(h, uint64_t(d));
    return h;
  }

  uint64_t hash_list(uint64_t h, const std::vector<Expr> &list) {
    h = combine(h, uint64_t(list.size()));
    for (const Expr &e : list) h = combine(h, hash(e));
    return h;
  }

  std::unordered_map<const Variable *, int64_t> depth_of_;
  int64_t depth_ = 0;
};

}  // namespace

bool structural_equal(const Expr &a, const Expr &b) { return Comparer().equal(a, b); }
bool structural_equal(const Stmt &a, const Stmt &b) { return Comparer().equal(a, b); }

size_t structural_hash(const Expr &e) { return static_cast<size_t>(Hasher().hash(e)); }
size_t structural_hash(const Stmt &s) { return static_cast<size_t>(Hasher().hash(s)); }

}  // namespace autotune::ir

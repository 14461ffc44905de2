// Vectorization of annotated loops by widening every expression that depends on the loop var.
//
// Algorithm:
//  1. Replace the loop variable by ramp(min, 1, L).
//  2. Rebuild expressions bottom-up: an operation with a vector operand broadcasts its scalar
//     operands; loads with vector indices become vector loads; lets of vector values get
//     vector-typed variables.
//  3. A lane-dependent `if` without else turns into a predicate on the stores (and loads)
//     inside it.
// Example: for (x, 0, 8) vectorized { C[x] = A[x] + b }  ->  C[ramp(0,1,8)] = A[ramp(0,1,8)] + x8(b)
#include "ir/lower/VectorizeLoops.h"

#include <unordered_map>

#include "ir/core/IRMutator.h"
#include "ir/core/IROperators.h"
#include "ir/core/Substitute.h"

namespace autotune::lower {

using namespace ir;

namespace {

/// Thrown inside the vectorizer when the body cannot be widened; caught at the loop.
struct CannotVectorize {
  std::string reason;
};

Expr widen(const Expr &e, int lanes) {
  if (e.type().lanes == lanes) return e;
  internal_check(e.type().lanes == 1) << "cannot widen " << e.type().str() << " to " << lanes;
  return Broadcast::make(e, lanes);
}

class Vectorizer final : public IRMutator {
 public:
  Vectorizer(const Variable *var, Expr ramp, int lanes)
      : var_(var), ramp_(std::move(ramp)), lanes_(lanes) {}

  using IRMutator::visit;

  Expr visit(const Variable *op) override {
    if (op == var_) return ramp_;
    auto it = let_vars_.find(op);
    return it == let_vars_.end() ? Expr(op) : it->second;
  }

  Expr visit(const Cast *op) override {
    Expr v = mutate(op->value);
    if (v.same_as(op->value)) return Expr(op);
    return Cast::make(op->type.with_lanes(v.type().lanes), v);
  }

#define AUTOTUNE_VECTORIZE_BINARY(T)                          \
  Expr visit(const T *op) override {                          \
    Expr a = mutate(op->a), b = mutate(op->b);                \
    if (a.same_as(op->a) && b.same_as(op->b)) return Expr(op); \
    int l = std::max<int>(a.type().lanes, b.type().lanes);       \
    return T::make(widen(a, l), widen(b, l));                 \
  }
  AUTOTUNE_VECTORIZE_BINARY(Add)
  AUTOTUNE_VECTORIZE_BINARY(Sub)
  AUTOTUNE_VECTORIZE_BINARY(Mul)
  AUTOTUNE_VECTORIZE_BINARY(Div)
  AUTOTUNE_VECTORIZE_BINARY(Mod)
  AUTOTUNE_VECTORIZE_BINARY(Min)
  AUTOTUNE_VECTORIZE_BINARY(Max)
  AUTOTUNE_VECTORIZE_BINARY(EQ)
  AUTOTUNE_VECTORIZE_BINARY(NE)
  AUTOTUNE_VECTORIZE_BINARY(LT)
  AUTOTUNE_VECTORIZE_BINARY(LE)
  AUTOTUNE_VECTORIZE_BINARY(GT)
  AUTOTUNE_VECTORIZE_BINARY(GE)
  AUTOTUNE_VECTORIZE_BINARY(And)
  AUTOTUNE_VECTORIZE_BINARY(Or)
#undef AUTOTUNE_VECTORIZE_BINARY

  Expr visit(const Select *op) override {
    Expr c = mutate(op->condition), t = mutate(op->true_value), f = mutate(op->false_value);
    if (c.same_as(op->condition) && t.same_as(op->true_value) && f.same_as(op->false_value)) {
      return Expr(op);
    }
    int l = std::max<int>({c.type().lanes, t.type().lanes, f.type().lanes});
    Expr cond = c.type().lanes == 1 ? c : widen(c, l);
    return Select::make(cond, widen(t, l), widen(f, l));
  }

  Expr visit(const Load *op) override {
    Expr index = mutate(op->index);
    Expr pred = mutate(op->predicate);
    int l = index.type().lanes;
    if (pred_.defined() && l == 1 && pred_.type().lanes > 1) {
      // A scalar address under a lane mask: all lanes read the same element.
      l = pred_.type().lanes;
      index = widen(index, l);
    }
    if (l > 1) {
      Expr p = pred.defined() ? widen(pred, l) : Expr();
      if (pred_.defined()) p = p.defined() ? (p && widen(pred_, l)) : widen(pred_, l);
      return Load::make(op->type.element_of(), op->buffer, index, p);
    }
    if (index.same_as(op->index) && pred.same_as(op->predicate)) return Expr(op);
    return Load::make(op->type.element_of(), op->buffer, index, pred);
  }

  Expr visit(const Ramp *op) override {
    Expr b = mutate(op->base), s = mutate(op->stride);
    if (b.type().lanes > 1 || s.type().lanes > 1) {
      throw CannotVectorize{"a ramp whose base depends on the vectorized loop"};
    }
    return IRMutator::visit(op);
  }

  Expr visit(const Broadcast *op) override {
    Expr v = mutate(op->value);
    if (v.type().lanes > 1) throw CannotVectorize{"a broadcast of a vector"};
    return IRMutator::visit(op);
  }

  Expr visit(const Let *op) override {
    Expr v = mutate(op->value);
    if (v.type().lanes == 1) {
      Expr b = mutate(op->body);
      if (v.same_as(op->value) && b.same_as(op->body)) return Expr(op);
      return Let::make(op->var, v, b);
    }
    Var nv(op->var.name(), v.type());
    let_vars_[op->var.get()] = nv;
    Expr b = mutate(op->body);
    let_vars_.erase(op->var.get());
    return Let::make(nv, v, b);
  }

  Expr visit(const Call *op) override {
    std::vector<Expr> args;
    int l = 1;
    for (const Expr &a : op->args) {
      args.push_back(mutate(a));
      l = std::max<int>(l, args.back().type().lanes);
    }
    for (Expr &a : args) a = widen(a, l);
    return Call::make(op->op, args);
  }

  Stmt visit(const Store *op) override {
    Expr value = mutate(op->value), index = mutate(op->index), pred = mutate(op->predicate);
    int l = std::max<int>(value.type().lanes, index.type().lanes);
    if (pred_.defined()) l = std::max(l, static_cast<int>(pred_.type().lanes));
    if (l == 1) {
      if (value.same_as(op->value) && index.same_as(op->index) && pred.same_as(op->predicate)) {
        return Stmt(op);
      }
      return Store::make(op->buffer, value, index, pred);
    }
    if (index.type().lanes == 1) {
      throw CannotVectorize{"a store of lane-dependent values to one address"};
    }
    Expr p = pred.defined() ? widen(pred, l) : Expr();
    if (pred_.defined()) p = p.defined() ? (p && widen(pred_, l)) : widen(pred_, l);
    return Store::make(op->buffer, widen(value, l), index, p);
  }

  Stmt visit(const IfThenElse *op) override {
    Expr c = mutate(op->condition);
    if (c.type().lanes == 1) {
      Stmt t = mutate(op->then_case), e = mutate(op->else_case);
      if (c.same_as(op->condition) && t.same_as(op->then_case) && e.same_as(op->else_case)) {
        return Stmt(op);
      }
      return IfThenElse::make(c, t, e);
    }
    if (op->else_case.defined()) throw CannotVectorize{"a lane-dependent if with an else branch"};
    Expr saved = pred_;
    pred_ = pred_.defined() ? (pred_ && c) : c;
    ++masked_depth_;
    Stmt t = mutate(op->then_case);
    --masked_depth_;
    pred_ = saved;
    return t;
  }

  Stmt visit(const For *op) override {
    if (masked_depth_ > 0) throw CannotVectorize{"a loop under a lane-dependent condition"};
    if (op->kind == ForKind::Vectorized || op->kind == ForKind::Parallel) {
      throw CannotVectorize{"a nested vectorized or parallel loop"};
    }
    Expr mn = mutate(op->min), ext = mutate(op->extent);
    if (mn.type().lanes > 1 || ext.type().lanes > 1) {
      throw CannotVectorize{"a loop whose bounds depend on the vectorized loop"};
    }
    return IRMutator::visit(op);
  }

  Stmt visit(const LetStmt *op) override {
    Expr v = mutate(op->value);
    if (v.type().lanes == 1) {
      Stmt b = mutate(op->body);
      if (v.same_as(op->value) && b.same_as(op->body)) return Stmt(op);
      return LetStmt::make(op->var, v, b);
    }
    Var nv(op->var.name(), v.type());
    let_vars_[op->var.get()] = nv;
    Stmt b = mutate(op->body);
    let_vars_.erase(op->var.get());
    return LetStmt::make(nv, v, b);
  }

  Stmt visit(const Allocate *) override {
    throw CannotVectorize{"an allocation inside the vectorized loop"};
  }

  Stmt visit(const Evaluate *op) override { return Stmt(op); }

 private:
  const Variable *var_;
  Expr ramp_;
  int lanes_;
  Expr pred_;
  int masked_depth_ = 0;
  std::unordered_map<const Variable *, Expr> let_vars_;
};

class VectorizeLoops final : public IRMutator {
 public:
  using IRMutator::visit;
  Stmt visit(const For *op) override {
    if (op->kind != ForKind::Vectorized) return IRMutator::visit(op);
    const int64_t *extent = as_const_int(op->extent);
    internal_check(extent) << "vectorized loop '" << op->loop_var.name()
                           << "' has a non-constant extent";
    Stmt body = mutate(op->body);
    if (*extent == 1) return substitute(body, {{op->loop_var.get(), op->min}});
    int lanes = static_cast<int>(*extent);
    try {
      Vectorizer v(op->loop_var.get(), Ramp::make(op->min, Expr(1), lanes), lanes);
      return v(body);
    } catch (const CannotVectorize &why) {
      user_warning << "loop '" << op->loop_var.name() << "' stays scalar: it contains "
                   << why.reason;
      return For::make(op->loop_var, op->min, op->extent, ForKind::Serial, body, op->thread_tag);
    }
  }
};

}  // namespace

Stmt vectorize_loops(const Stmt &s) { return VectorizeLoops()(s); }

}  // namespace autotune::lower

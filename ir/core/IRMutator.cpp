// Default mutator: mutate children, rebuild through the checking factories only on change.
#include "ir/core/IRMutator.h"

namespace autotune::ir {

Expr IRMutator::mutate(const Expr &e) {
  if (!e.defined()) return e;
  switch (e.kind()) {
#define AUTOTUNE_EXPR_NODE(name) \
  case IRNodeKind::name:         \
    return visit(static_cast<const name *>(e.get()));
#define AUTOTUNE_STMT_NODE(name)
#include "ir/core/NodeKinds.def"
#undef AUTOTUNE_EXPR_NODE
#undef AUTOTUNE_STMT_NODE
    default: internal_error << "statement kind in expression position";
  }
  return e;
}

Stmt IRMutator::mutate(const Stmt &s) {
  if (!s.defined()) return s;
  switch (s.kind()) {
#define AUTOTUNE_STMT_NODE(name) \
  case IRNodeKind::name:         \
    return visit(static_cast<const name *>(s.get()));
#define AUTOTUNE_EXPR_NODE(name)
#include "ir/core/NodeKinds.def"
#undef AUTOTUNE_EXPR_NODE
#undef AUTOTUNE_STMT_NODE
    default: internal_error << "expression kind in statement position";
  }
  return s;
}

namespace {
bool same_list(const std::vector<Expr> &a, const std::vector<Expr> &b) {
  for (size_t i = 0; i < a.size(); ++i) {
    if (!a[i].same_as(b[i])) return false;
  }
  return true;
}
}  // namespace

Expr IRMutator::visit(const IntImm *op) { return Expr(op); }
Expr IRMutator::visit(const FloatImm *op) { return Expr(op); }
Expr IRMutator::visit(const Variable *op) { return Expr(op); }
Expr IRMutator::visit(const Cast *op) {
  Expr v = mutate(op->value);
  return v.same_as(op->value) ? Expr(op) : Cast::make(op->type, v);
}
#define AUTOTUNE_MUTATE_BINARY(T)                                      \
  Expr IRMutator::visit(const T *op) {                                 \
    Expr a = mutate(op->a), b = mutate(op->b);                         \
    if (a.same_as(op->a) && b.same_as(op->b)) return Expr(op);         \
    return T::make(a, b);                                              \
  }
AUTOTUNE_MUTATE_BINARY(Add)
AUTOTUNE_MUTATE_BINARY(Sub)
AUTOTUNE_MUTATE_BINARY(Mul)
AUTOTUNE_MUTATE_BINARY(Div)
AUTOTUNE_MUTATE_BINARY(Mod)
AUTOTUNE_MUTATE_BINARY(Min)
AUTOTUNE_MUTATE_BINARY(Max)
AUTOTUNE_MUTATE_BINARY(EQ)
AUTOTUNE_MUTATE_BINARY(NE)
AUTOTUNE_MUTATE_BINARY(LT)
AUTOTUNE_MUTATE_BINARY(LE)
AUTOTUNE_MUTATE_BINARY(GT)
AUTOTUNE_MUTATE_BINARY(GE)
AUTOTUNE_MUTATE_BINARY(And)
AUTOTUNE_MUTATE_BINARY(Or)
#undef AUTOTUNE_MUTATE_BINARY
Expr IRMutator::visit(const Not *op) {
  Expr a = mutate(op->a);
  return a.same_as(op->a) ? Expr(op) : Not::make(a);
}
Expr IRMutator::visit(const Select *op) {
  Expr c = mutate(op->condition), t = mutate(op->true_value), f = mutate(op->false_value);
  if (c.same_as(op->condition) && t.same_as(op->true_value) && f.same_as(op->false_value)) {
    return Expr(op);
  }
  return Select::make(c, t, f);
}
Expr IRMutator::visit(const Load *op) {
  Expr i = mutate(op->index), p = mutate(op->predicate);
  if (i.same_as(op->index) && p.same_as(op->predicate)) return Expr(op);
  return Load::make(op->type.element_of(), op->buffer, i, p);
}
Expr IRMutator::visit(const Ramp *op) {
  Expr b = mutate(op->base), s = mutate(op->stride);
  if (b.same_as(op->base) && s.same_as(op->stride)) return Expr(op);
  return Ramp::make(b, s, op->lanes);
}
Expr IRMutator::visit(const Broadcast *op) {
  Expr v = mutate(op->value);
  return v.same_as(op->value) ? Expr(op) : Broadcast::make(v, op->lanes);
}
Expr IRMutator::visit(const Let *op) {
  Expr v = mutate(op->value), b = mutate(op->body);
  if (v.same_as(op->value) && b.same_as(op->body)) return Expr(op);
  return Let::make(op->var, v, b);
}
Expr IRMutator::visit(const Call *op) {
  std::vector<Expr> args;
  for (const Expr &a : op->args) args.push_back(mutate(a));
  return same_list(args, op->args) ? Expr(op) : Call::make(op->op, args);
}
Expr IRMutator::visit(const TensorRead *op) {
  std::vector<Expr> idx;
  for (const Expr &i : op->indices) idx.push_back(mutate(i));
  return same_list(idx, op->indices) ? Expr(op) : TensorRead::make(op->producer, idx);
}
Expr IRMutator::visit(const Reduce *op) {
  Expr s = mutate(op->source), c = mutate(op->condition);
  if (s.same_as(op->source) && c.same_as(op->condition)) return Expr(op);
  return Reduce::make(op->combiner, s, op->axes, c);
}
Stmt IRMutator::visit(const LetStmt *op) {
  Expr v = mutate(op->value);
  Stmt b = mutate(op->body);
  if (v.same_as(op->value) && b.same_as(op->body)) return Stmt(op);
  return LetStmt::make(op->var, v, b);
}
Stmt IRMutator::visit(const For *op) {
  Expr mn = mutate(op->min), ext = mutate(op->extent);
  Stmt b = mutate(op->body);
  if (mn.same_as(op->min) && ext.same_as(op->extent) && b.same_as(op->body)) return Stmt(op);
  return For::make(op->loop_var, mn, ext, op->kind, b, op->thread_tag);
}
Stmt IRMutator::visit(const Store *op) {
  Expr v = mutate(op->value), i = mutate(op->index), p = mutate(op->predicate);
  if (v.same_as(op->value) && i.same_as(op->index) && p.same_as(op->predicate)) return Stmt(op);
  return Store::make(op->buffer, v, i, p);
}
Stmt IRMutator::visit(const Provide *op) {
  Expr v = mutate(op->value);
  std::vector<Expr> idx;
  for (const Expr &i : op->indices) idx.push_back(mutate(i));
  if (v.same_as(op->value) && same_list(idx, op->indices)) return Stmt(op);
  return Provide::make(op->producer, v, idx);
}
Stmt IRMutator::visit(const Allocate *op) {
  Stmt b = mutate(op->body);
  if (b.same_as(op->body)) return Stmt(op);
  return Allocate::make(op->buffer, op->dtype, op->extent, op->scope, b);
}
Stmt IRMutator::visit(const Realize *op) {
  std::vector<Range> bounds;
  bool changed = false;
  for (const Range &r : op->bounds) {
    Range m(mutate(r.min), mutate(r.extent));
    changed |= !m.min.same_as(r.min) || !m.extent.same_as(r.extent);
    bounds.push_back(m);
  }
  Stmt b = mutate(op->body);
  if (!changed && b.same_as(op->body)) return Stmt(op);
  return Realize::make(op->producer, bounds, op->scope, b);
}
Stmt IRMutator::visit(const IfThenElse *op) {
  Expr c = mutate(op->condition);
  Stmt t = mutate(op->then_case), e = mutate(op->else_case);
  if (c.same_as(op->condition) && t.same_as(op->then_case) && e.same_as(op->else_case)) {
    return Stmt(op);
  }
  return IfThenElse::make(c, t, e);
}
Stmt IRMutator::visit(const Block *op) {
  std::vector<Stmt> stmts;
  bool changed = false;
  for (const Stmt &s : op->stmts) {
    stmts.push_back(mutate(s));
    changed |= !stmts.back().same_as(s);
  }
  return changed ? Block::make(stmts) : Stmt(op);
}
Stmt IRMutator::visit(const Evaluate *op) {
  Expr v = mutate(op->value);
  return v.same_as(op->value) ? Stmt(op) : Evaluate::make(v);
}

}  // namespace autotune::ir

// Default traversal: visit every child in evaluation order.
#include "ir/core/IRVisitor.h"

namespace autotune::ir {

void IRVisitor::visit_expr(const Expr &e) {
  if (!e.defined()) return;
  switch (e.kind()) {
#define AUTOTUNE_EXPR_NODE(name)                  \
  case IRNodeKind::name:                          \
    visit(static_cast<const name *>(e.get())); \
    return;
#define AUTOTUNE_STMT_NODE(name)
#include "ir/core/NodeKinds.def"
#undef AUTOTUNE_EXPR_NODE
#undef AUTOTUNE_STMT_NODE
    default: internal_error << "statement kind in expression position";
  }
}

void IRVisitor::visit_stmt(const Stmt &s) {
  if (!s.defined()) return;
  switch (s.kind()) {
#define AUTOTUNE_STMT_NODE(name)                  \
  case IRNodeKind::name:                          \
    visit(static_cast<const name *>(s.get())); \
    return;
#define AUTOTUNE_EXPR_NODE(name)
#include "ir/core/NodeKinds.def"
#undef AUTOTUNE_EXPR_NODE
#undef AUTOTUNE_STMT_NODE
    default: internal_error << "expression kind in statement position";
  }
}

void IRVisitor::visit(const IntImm *) {}
void IRVisitor::visit(const FloatImm *) {}
void IRVisitor::visit(const Variable *) {}
void IRVisitor::visit(const Cast *op) { visit_expr(op->value); }
#define AUTOTUNE_VISIT_BINARY(T)          \
  void IRVisitor::visit(const T *op) {    \
    visit_expr(op->a);                    \
    visit_expr(op->b);                    \
  }
AUTOTUNE_VISIT_BINARY(Add)
AUTOTUNE_VISIT_BINARY(Sub)
AUTOTUNE_VISIT_BINARY(Mul)
AUTOTUNE_VISIT_BINARY(Div)
AUTOTUNE_VISIT_BINARY(Mod)
AUTOTUNE_VISIT_BINARY(Min)
AUTOTUNE_VISIT_BINARY(Max)
AUTOTUNE_VISIT_BINARY(EQ)
AUTOTUNE_VISIT_BINARY(NE)
AUTOTUNE_VISIT_BINARY(LT)
AUTOTUNE_VISIT_BINARY(LE)
AUTOTUNE_VISIT_BINARY(GT)
AUTOTUNE_VISIT_BINARY(GE)
AUTOTUNE_VISIT_BINARY(And)
AUTOTUNE_VISIT_BINARY(Or)
#undef AUTOTUNE_VISIT_BINARY
void IRVisitor::visit(const Not *op) { visit_expr(op->a); }
void IRVisitor::visit(const Select *op) {
  visit_expr(op->condition);
  visit_expr(op->true_value);
  visit_expr(op->false_value);
}
void IRVisitor::visit(const Load *op) {
  visit_expr(op->buffer);
  visit_expr(op->index);
  visit_expr(op->predicate);
}
void IRVisitor::visit(const Ramp *op) {
  visit_expr(op->base);
  visit_expr(op->stride);
}
void IRVisitor::visit(const Broadcast *op) { visit_expr(op->value); }
void IRVisitor::visit(const Let *op) {
  visit_expr(op->value);
  visit_expr(op->body);
}
void IRVisitor::visit(const Call *op) {
  for (const Expr &a : op->args) visit_expr(a);
}
void IRVisitor::visit(const TensorRead *op) {
  for (const Expr &i : op->indices) visit_expr(i);
}
void IRVisitor::visit(const Reduce *op) {
  for (const IterVar &iv : op->axes) {
    visit_expr(iv->dom.min);
    visit_expr(iv->dom.extent);
  }
  visit_expr(op->source);
  visit_expr(op->condition);
}
void IRVisitor::visit(const LetStmt *op) {
  visit_expr(op->value);
  visit_stmt(op->body);
}
void IRVisitor::visit(const For *op) {
  visit_expr(op->min);
  visit_expr(op->extent);
  visit_stmt(op->body);
}
void IRVisitor::visit(const Store *op) {
  visit_expr(op->buffer);
  visit_expr(op->value);
  visit_expr(op->index);
  visit_expr(op->predicate);
}
void IRVisitor::visit(const Provide *op) {
  visit_expr(op->value);
  for (const Expr &i : op->indices) visit_expr(i);
}
void IRVisitor::visit(const Allocate *op) { visit_stmt(op->body); }
void IRVisitor::visit(const Realize *op) {
  for (const Range &r : op->bounds) {
    visit_expr(r.min);
    visit_expr(r.extent);
  }
  visit_stmt(op->body);
}
void IRVisitor::visit(const IfThenElse *op) {
  visit_expr(op->condition);
  visit_stmt(op->then_case);
  visit_stmt(op->else_case);
}
void IRVisitor::visit(const Block *op) {
  for (const Stmt &s : op->stmts) visit_stmt(s);
}
void IRVisitor::visit(const Evaluate *op) { visit_expr(op->value); }

}  // namespace autotune::ir

// Read-only traversal of the loop-nest IR. Override the node kinds you care about and call the
// base method to keep walking into children.
#pragma once

#include "ir/core/IR.h"

namespace autotune::ir {

class IRVisitor {
 public:
  virtual ~IRVisitor() = default;
  /// Dispatches on the node kind; undefined handles are ignored.
  void operator()(const Expr &e) { visit_expr(e); }
  void operator()(const Stmt &s) { visit_stmt(s); }
  virtual void visit_expr(const Expr &e);
  virtual void visit_stmt(const Stmt &s);

#define AUTOTUNE_EXPR_NODE(name) virtual void visit(const name *op);
#define AUTOTUNE_STMT_NODE(name) virtual void visit(const name *op);
#include "ir/core/NodeKinds.def"
#undef AUTOTUNE_EXPR_NODE
#undef AUTOTUNE_STMT_NODE
};

}  // namespace autotune::ir

// Rebuilding traversal of the loop-nest IR. A node is rebuilt only when one of its children
// changed, so a mutator that changes nothing returns its input by identity.
#pragma once

#include "ir/core/IR.h"

namespace autotune::ir {

class IRMutator {
 public:
  virtual ~IRMutator() = default;
  Expr operator()(const Expr &e) { return mutate(e); }
  Stmt operator()(const Stmt &s) { return mutate(s); }
  /// Dispatches on the node kind; undefined handles come back undefined.
  virtual Expr mutate(const Expr &e);
  virtual Stmt mutate(const Stmt &s);

 protected:
#define AUTOTUNE_EXPR_NODE(name) virtual Expr visit(const name *op);
#define AUTOTUNE_STMT_NODE(name) virtual Stmt visit(const name *op);
#include "ir/core/NodeKinds.def"
#undef AUTOTUNE_EXPR_NODE
#undef AUTOTUNE_STMT_NODE
};

}  // namespace autotune::ir

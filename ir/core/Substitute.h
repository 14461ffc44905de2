// Replacing variables by expressions in IR, and asking whether IR mentions given variables.
// Used by every pass that rewrites loops (unrolling, vectorization, simplification).
#pragma once

#include <unordered_map>
#include <unordered_set>

#include "ir/core/IR.h"

namespace autotune::ir {

/// A copy of e in which every free occurrence of a variable in `replacements` is replaced by its
/// expression, which must have the variable's type. Occurrences inside a binder of that same
/// variable (For, Let, LetStmt, Allocate, Reduce axis) refer to the binder and are kept. Buffer
/// variables of Load and Store are replaced too, by a Variable only (anything else is an
/// internal error). Replacements are not themselves substituted into. Unchanged subtrees are
/// shared with the input; with nothing to replace the input is returned by identity.
Expr substitute(const Expr &e, const std::unordered_map<const Variable *, Expr> &replacements);
Stmt substitute(const Stmt &s, const std::unordered_map<const Variable *, Expr> &replacements);

/// substitute() for a single variable.
Expr substitute(const Expr &e, const Var &var, const Expr &value);
Stmt substitute(const Stmt &s, const Var &var, const Expr &value);

/// True when v occurs in e or s, as a value or as the buffer of a Load or Store. A binder of v
/// alone (a loop over v whose body never reads v) does not count.
bool uses_var(const Expr &e, const Variable *v);
bool uses_var(const Stmt &s, const Variable *v);

/// True when any variable of `vars` occurs, in the sense of uses_var.
bool uses_any_var(const Expr &e, const std::unordered_set<const Variable *> &vars);
bool uses_any_var(const Stmt &s, const std::unordered_set<const Variable *> &vars);

}  // namespace autotune::ir

// Structural equality and hashing of the loop-nest IR, up to renaming of bound variables.
// Tests compare IR with them (EXPECT_IR_EQ); searchspace hashes workloads with them.
#pragma once

#include <cstddef>

#include "ir/core/IR.h"

namespace autotune::ir {

/// True when a and b have the same node kinds, types, fields and children (two undefined
/// handles are equal). Variables bound inside the IR -- For loop variables, Let and LetStmt
/// variables, Allocate buffers and Reduce axes -- are equal when bound at corresponding sites
/// (alpha-equivalence): `for (i, 0, 4) { A[i] = 0 }` equals `for (j, 0, 4) { A[j] = 0 }`. Free
/// variables are equal only to themselves (the same node). Tensor producers (TensorRead,
/// Provide, Realize) are equal only to themselves. Float constants compare by bit pattern.
bool structural_equal(const Expr &a, const Expr &b);
bool structural_equal(const Stmt &a, const Stmt &b);

/// A hash consistent with structural_equal: structurally equal IR hashes equal. Bound variables
/// hash by their binding depth (the number of enclosing binders), so renaming them does not
/// change the hash. Free variables hash by their name and type, and producers by name, shape and
/// element type; no pointer is hashed, so the value is the same across runs and machines for the
/// same structure and names. Distinct free variables with equal names and types hash alike.
size_t structural_hash(const Expr &e);
size_t structural_hash(const Stmt &s);

}  // namespace autotune::ir

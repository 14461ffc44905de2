// The arithmetic simplifier: constant folding, canonical integer sums, range-based rewriting of
// division, modulo, min/max and comparisons, and removal of dead control flow. Lowering runs it
// after every pass that creates index arithmetic (bound inference, unrolling, vectorization).
#pragma once

#include "ir/core/IR.h"
#include "ir/lower/Interval.h"

namespace autotune::ir {

/// An expression equal to e wherever each variable of `vars` lies in its interval.
///
/// Algorithm (bottom-up, one pass):
///   1. Fold constants of every integer, float and bool operation (integers wrap to their width;
///      floats are only folded, never reassociated).
///   2. Rewrite signed integer scalar sums as `coeff*term + ... + constant`, terms in order of
///      first appearance: `(x*8 + y) - x*8` -> `y`, `(o*16 + 15) - o*16 + 1` -> `16`.
///   3. Floor division/modulo by a positive constant c: write the dividend as c*q + r and drop q
///      (modulo) or the remainder (division) when r is proven to lie in one period:
///      `(x*8 + y) / 8` -> `x` and `(x*8 + y) % 8` -> `y` for y in [0, 7]; `(x/4)/2` -> `x/8`.
///   4. Decide comparisons, min/max and select from constant bounds of `a - b`, derived from
///      variable ranges: `o*16 + i < 64` -> `true` for o in [0, 3], i in [0, 15].
///   5. Push arithmetic through vector constructors: `ramp(a, s, n) + xn(b)` ->
///      `ramp(a + b, s, n)`, `xn(a) * xn(b)` -> `xn(a*b)`.
/// Variables whose interval is a single constant are replaced by it.
Expr simplify(const Expr &e, const VarIntervals &vars = {});

/// s with every expression simplified under the ranges of the enclosing loops (a loop variable
/// lies in [min, min + extent - 1]) and let bindings, and with dead control flow removed.
///
/// Algorithm (top-down walk):
///   1. `For` of extent <= 0 is removed; of extent 1, of any kind, is replaced by its body with
///      the loop variable replaced by the loop's min.
///   2. `IfThenElse` with a provable or disprovable condition is replaced by the taken branch;
///      inside a branch, comparisons of a variable with a bounded value tighten its range.
///   3. `LetStmt`/`Let` of a constant or variable is substituted; unused ones are removed.
///   4. Statements with no effect (Evaluate of a constant, a Store with an all-false mask, loops,
///      branches and allocations with empty bodies) are removed.
/// Example:  for (i, 0, 1) { if (i < 4) { A[(i*8 + 3)] = 1 } }   ->   A[3] = 1
/// A statement with no effect at all becomes an empty Block. `vars` gives ranges of free
/// variables (kernel parameters).
/// Precondition: each variable is bound at most once (as passes produce IR), so that replacing a
/// loop or let variable by its value cannot capture a variable. Postconditions: no For with a
/// constant extent <= 1, no IfThenElse with a constant condition and no Evaluate of a constant
/// remains; loop kinds, thread tags, statement order and the values stored are unchanged.
Stmt simplify(const Stmt &s, const VarIntervals &vars = {});

/// True when cond (a Bool expression, scalar or vector) simplifies to true, i.e. it holds for
/// every value of the variables within their intervals. False means "not proven".
bool can_prove(const Expr &cond, const VarIntervals &vars = {});

}  // namespace autotune::ir

// Prints the loop-nest IR as readable C-like text: the form of IR dumps (AUTOTUNE_DEBUG=2), of
// IR quoted in error messages and of test failures.
#pragma once

#include <iosfwd>
#include <string>

#include "ir/core/IR.h"

namespace autotune::ir {

/// Prints e on one line. Sums and comparisons carry their own parentheses (`(i*64 + j)`,
/// `(x < 4)`); products are parenthesized only where needed. Other spellings: `A[idx]` (Load),
/// `A(i, j)` (TensorRead), `ramp(base, stride, lanes)`, `x8(v)` (Broadcast), `float32(x)` (Cast),
/// `1.5f` (float32 constant, with enough digits to round-trip), `int32(3)` (integer constant of a
/// type other than int64), `sum(src, axis=[k], where cond)` (Reduce). Undefined prints as
/// `<undefined>`.
std::ostream &operator<<(std::ostream &os, const Expr &e);

/// Prints s as lines of C-like statements, indented by 2 spaces per nesting level, each line
/// ending with a newline. Loops print as `for (i, min, extent) {`, with the loop kind in place of
/// `for` when it is not serial (`parallel (i, 0, 8) {`, `vectorized`, `unrolled`).
std::ostream &operator<<(std::ostream &os, const Stmt &s);

/// Prints `func name(A: float32[64, 64], ...) {` followed by the indented body and `}`.
std::ostream &operator<<(std::ostream &os, const LoweredFunc &f);

/// The text operator<< prints.
std::string to_string(const Expr &e);
std::string to_string(const Stmt &s);

}  // namespace autotune::ir

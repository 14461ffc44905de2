// Arithmetic on Expr handles with type promotion and light constant folding, plus the math
// intrinsics. Tensor expressions and every pass build IR through these.
#pragma once

#include <optional>

#include "ir/core/IR.h"

namespace autotune::ir {

/// The constant value of an integer (or bool) immediate, or nullptr.
const int64_t *as_const_int(const Expr &e);
/// The constant value of a float immediate, or nullptr.
const double *as_const_float(const Expr &e);
/// True when e is an integer/bool immediate equal to v (also for a Broadcast of one).
bool is_const_int(const Expr &e, int64_t v);
/// True when e is a constant (int or float), possibly broadcast.
bool is_const(const Expr &e);
/// The constant of type t (scalar or vector; vectors become a Broadcast).
Expr make_const(DataType t, double value);
Expr make_zero(DataType t);
Expr make_bool(bool b, int lanes = 1);
/// Converts e to t (no node when already of type t; folds constants; broadcasts scalars).
Expr cast(DataType t, Expr e);

/// Brings a and b to a common type: float wins over int, wider wins, scalars broadcast to vectors.
void match_types(Expr &a, Expr &b);

Expr operator+(Expr a, Expr b);
Expr operator-(Expr a, Expr b);
Expr operator-(Expr a);
Expr operator*(Expr a, Expr b);
/// Floor division for integers, true division for floats.
Expr operator/(Expr a, Expr b);
/// Floor modulo for integers.
Expr operator%(Expr a, Expr b);
Expr operator<(Expr a, Expr b);
Expr operator<=(Expr a, Expr b);
Expr operator>(Expr a, Expr b);
Expr operator>=(Expr a, Expr b);
Expr operator==(Expr a, Expr b);
Expr operator!=(Expr a, Expr b);
Expr operator&&(Expr a, Expr b);
Expr operator||(Expr a, Expr b);
Expr operator!(Expr a);
Expr min(Expr a, Expr b);
Expr max(Expr a, Expr b);
Expr select(Expr condition, Expr true_value, Expr false_value);

Expr exp(Expr x);
Expr log(Expr x);
Expr sqrt(Expr x);
Expr tanh(Expr x);
Expr erf(Expr x);
Expr sigmoid(Expr x);
Expr pow(Expr x, Expr y);
Expr abs(Expr x);
Expr floor(Expr x);
Expr ceil(Expr x);
Expr round(Expr x);

/// Integer ceiling division of non-negative values, folded when constant.
int64_t ceil_div(int64_t a, int64_t b);
/// Floor division and modulo on constants, matching Div/Mod semantics.
int64_t floor_div(int64_t a, int64_t b);
int64_t floor_mod(int64_t a, int64_t b);

}  // namespace autotune::ir

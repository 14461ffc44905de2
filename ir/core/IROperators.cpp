// Expr arithmetic: promotion, constant folding and trivial identities (x+0, x*1, x*0 on ints).
#include "ir/core/IROperators.h"

#include <cmath>

namespace autotune::ir {

const int64_t *as_const_int(const Expr &e) {
  const IntImm *i = e.as<IntImm>();
  return i ? &i->value : nullptr;
}

const double *as_const_float(const Expr &e) {
  const FloatImm *f = e.as<FloatImm>();
  return f ? &f->value : nullptr;
}

bool is_const_int(const Expr &e, int64_t v) {
  if (const Broadcast *b = e.as<Broadcast>()) return is_const_int(b->value, v);
  const int64_t *c = as_const_int(e);
  return c && *c == v;
}

bool is_const(const Expr &e) {
  if (const Broadcast *b = e.as<Broadcast>()) return is_const(b->value);
  return e.as<IntImm>() || e.as<FloatImm>();
}

Expr make_const(DataType t, double value) {
  Expr scalar;
  DataType s = t.element_of();
  if (s.is_float()) {
    scalar = FloatImm::make(s, value);
  } else {
    scalar = IntImm::make(s, static_cast<int64_t>(value));
  }
  return t.lanes > 1 ? Broadcast::make(scalar, t.lanes) : scalar;
}

Expr make_zero(DataType t) { return make_const(t, 0); }
Expr make_bool(bool b, int lanes) { return make_const(Bool(lanes), b ? 1 : 0); }

Expr cast(DataType t, Expr e) {
  if (e.type() == t) return e;
  if (t.lanes > 1 && e.type().lanes == 1) {
    return Broadcast::make(cast(t.element_of(), std::move(e)), t.lanes);
  }
  if (const Broadcast *b = e.as<Broadcast>()) {
    return Broadcast::make(cast(t.element_of(), b->value), b->lanes);
  }
  if (t.is_scalar()) {
    if (const int64_t *c = as_const_int(e)) {
      if (t.is_float()) return FloatImm::make(t, static_cast<double>(*c));
      if (t.is_bool()) return IntImm::make(t, *c != 0);
      if (t.bits < 64) {
        int64_t mask = (int64_t(1) << t.bits) - 1;
        int64_t v = *c & mask;
        if (t.is_int() && (v >> (t.bits - 1))) v -= (int64_t(1) << t.bits);
        return IntImm::make(t, v);
      }
      return IntImm::make(t, *c);
    }
    if (const double *f = as_const_float(e)) {
      if (t.is_float()) return FloatImm::make(t, *f);
      if (t.is_bool()) return IntImm::make(t, *f != 0);
      return IntImm::make(t, static_cast<int64_t>(*f));
    }
  }
  return Cast::make(t, std::move(e));
}

void match_types(Expr &a, Expr &b) {
  DataType ta = a.type(), tb = b.type();
  if (ta == tb) return;
  int lanes = std::max(ta.lanes, tb.lanes);
  user_check(ta.lanes == tb.lanes || ta.lanes == 1 || tb.lanes == 1)
      << "cannot combine vectors of " << ta.lanes << " and " << tb.lanes << " lanes";
  DataType sa = ta.element_of(), sb = tb.element_of(), common = sa;
  if (sa != sb) {
    if (sa.is_float() != sb.is_float()) {
      common = sa.is_float() ? sa : sb;
    } else if (sa.is_bool() != sb.is_bool()) {
      common = sa.is_bool() ? sb : sa;
    } else {
      common = sa.bits >= sb.bits ? sa : sb;
    }
  }
  a = cast(common.with_lanes(lanes), a);
  b = cast(common.with_lanes(lanes), b);
}

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}
int64_t floor_mod(int64_t a, int64_t b) { return a - floor_div(a, b) * b; }

namespace {

/// Folds a binary op when both sides are scalar constants.
template <typename IntFn, typename FloatFn>
std::optional<Expr> fold(const Expr &a, const Expr &b, IntFn fi, FloatFn ff, bool to_bool) {
  DataType rt = to_bool ? Bool() : a.type();
  const int64_t *ia = as_const_int(a), *ib = as_const_int(b);
  if (ia && ib) return IntImm::make(rt, fi(*ia, *ib));
  const double *fa = as_const_float(a), *fb = as_const_float(b);
  if (fa && fb) {
    if (to_bool) return IntImm::make(rt, static_cast<int64_t>(ff(*fa, *fb)));
    return FloatImm::make(rt, ff(*fa, *fb));
  }
  return std::nullopt;
}

bool is_int_type(const Expr &e) { return e.type().is_integer_like(); }

}  // namespace

Expr operator+(Expr a, Expr b) {
  match_types(a, b);
  if (auto f = fold(a, b, [](int64_t x, int64_t y) { return x + y; },
                    [](double x, double y) { return x + y; }, false)) {
    return *f;
  }
  if (is_const_int(b, 0) || (is_const(b) && !is_int_type(b) && as_const_float(b) &&
                             *as_const_float(b) == 0.0)) {
    return a;
  }
  if (is_const_int(a, 0)) return b;
  return Add::make(a, b);
}

Expr operator-(Expr a, Expr b) {
  match_types(a, b);
  if (auto f = fold(a, b, [](int64_t x, int64_t y) { return x - y; },
                    [](double x, double y) { return x - y; }, false)) {
    return *f;
  }
  if (is_const_int(b, 0)) return a;
  return Sub::make(a, b);
}

Expr operator-(Expr a) {
  if (const int64_t *c = as_const_int(a)) return IntImm::make(a.type(), -*c);
  if (const double *c = as_const_float(a)) return FloatImm::make(a.type(), -*c);
  return make_zero(a.type()) - a;
}

Expr operator*(Expr a, Expr b) {
  match_types(a, b);
  if (auto f = fold(a, b, [](int64_t x, int64_t y) { return x * y; },
                    [](double x, double y) { return x * y; }, false)) {
    return *f;
  }
  if (is_int_type(a)) {
    if (is_const_int(b, 1)) return a;
    if (is_const_int(a, 1)) return b;
    if (is_const_int(a, 0) || is_const_int(b, 0)) return make_zero(a.type());
  }
  return Mul::make(a, b);
}

Expr operator/(Expr a, Expr b) {
  match_types(a, b);
  if (const int64_t *d = as_const_int(b)) user_check(*d != 0) << "division by constant zero";
  if (auto f = fold(a, b, [](int64_t x, int64_t y) { return floor_div(x, y); },
                    [](double x, double y) { return x / y; }, false)) {
    return *f;
  }
  if (is_int_type(a) && is_const_int(b, 1)) return a;
  return Div::make(a, b);
}

Expr operator%(Expr a, Expr b) {
  match_types(a, b);
  if (const int64_t *d = as_const_int(b)) user_check(*d != 0) << "modulo by constant zero";
  if (auto f = fold(a, b, [](int64_t x, int64_t y) { return floor_mod(x, y); },
                    [](double x, double y) { return std::fmod(x, y); }, false)) {
    return *f;
  }
  if (is_int_type(a) && is_const_int(b, 1)) return make_zero(a.type());
  return Mod::make(a, b);
}

#define AUTOTUNE_COMPARE(op, Node)                                                  \
  Expr operator op(Expr a, Expr b) {                                                \
    match_types(a, b);                                                              \
    if (auto f = fold(a, b, [](int64_t x, int64_t y) { return int64_t(x op y); },   \
                      [](double x, double y) { return double(x op y); }, true)) {   \
      return *f;                                                                    \
    }                                                                               \
    return Node::make(a, b);                                                        \
  }
AUTOTUNE_COMPARE(<, LT)
AUTOTUNE_COMPARE(<=, LE)
AUTOTUNE_COMPARE(>, GT)
AUTOTUNE_COMPARE(>=, GE)
AUTOTUNE_COMPARE(==, EQ)
AUTOTUNE_COMPARE(!=, NE)
#undef AUTOTUNE_COMPARE

Expr operator&&(Expr a, Expr b) {
  match_types(a, b);
  if (is_const_int(a, 1)) return b;
  if (is_const_int(b, 1)) return a;
  if (is_const_int(a, 0)) return a;
  if (is_const_int(b, 0)) return b;
  return And::make(a, b);
}

Expr operator||(Expr a, Expr b) {
  match_types(a, b);
  if (is_const_int(a, 0)) return b;
  if (is_const_int(b, 0)) return a;
  if (is_const_int(a, 1)) return a;
  if (is_const_int(b, 1)) return b;
  return Or::make(a, b);
}

Expr operator!(Expr a) {
  if (const int64_t *c = as_const_int(a)) return make_bool(*c == 0);
  if (const Not *n = a.as<Not>()) return n->a;
  return Not::make(a);
}

Expr min(Expr a, Expr b) {
  match_types(a, b);
  if (auto f = fold(a, b, [](int64_t x, int64_t y) { return std::min(x, y); },
                    [](double x, double y) { return std::min(x, y); }, false)) {
    return *f;
  }
  if (a.same_as(b)) return a;
  return Min::make(a, b);
}

Expr max(Expr a, Expr b) {
  match_types(a, b);
  if (auto f = fold(a, b, [](int64_t x, int64_t y) { return std::max(x, y); },
                    [](double x, double y) { return std::max(x, y); }, false)) {
    return *f;
  }
  if (a.same_as(b)) return a;
  return Max::make(a, b);
}

Expr select(Expr c, Expr t, Expr f) {
  match_types(t, f);
  if (const int64_t *v = as_const_int(c)) return *v ? t : f;
  if (c.type().lanes > 1 && t.type().lanes == 1) {
    t = cast(t.type().with_lanes(c.type().lanes), t);
    f = cast(f.type().with_lanes(c.type().lanes), f);
  }
  return Select::make(c, t, f);
}

namespace {
Expr float_call(Intrinsic op, Expr x) {
  if (!x.type().is_float()) x = cast(Float(32, x.type().lanes), x);
  return Call::make(op, {x});
}
}  // namespace

Expr exp(Expr x) { return float_call(Intrinsic::Exp, std::move(x)); }
Expr log(Expr x) { return float_call(Intrinsic::Log, std::move(x)); }
Expr sqrt(Expr x) { return float_call(Intrinsic::Sqrt, std::move(x)); }
Expr tanh(Expr x) { return float_call(Intrinsic::Tanh, std::move(x)); }
Expr erf(Expr x) { return float_call(Intrinsic::Erf, std::move(x)); }
Expr sigmoid(Expr x) { return float_call(Intrinsic::Sigmoid, std::move(x)); }
Expr floor(Expr x) { return float_call(Intrinsic::Floor, std::move(x)); }
Expr ceil(Expr x) { return float_call(Intrinsic::Ceil, std::move(x)); }
Expr round(Expr x) { return float_call(Intrinsic::Round, std::move(x)); }
Expr abs(Expr x) { return Call::make(Intrinsic::Abs, {std::move(x)}); }
Expr pow(Expr x, Expr y) {
  if (!x.type().is_float()) x = cast(Float(32, x.type().lanes), x);
  y = cast(x.type(), y);
  return Call::make(Intrinsic::Pow, {x, y});
}

}  // namespace autotune::ir

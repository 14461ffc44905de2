// Interval arithmetic on expressions: each node's [min, max] is built from its operands' intervals
// with IROperators (which fold constants), then the simplifier tidies the two ends.
#include "ir/lower/Interval.h"

#include <unordered_set>

#include "ir/core/IROperators.h"
#include "ir/core/StructuralEqual.h"
#include "ir/core/Substitute.h"
#include "ir/lower/Simplify.h"

namespace autotune::ir {
namespace {

/// a op b when both ends are known, else unknown.
template <typename F>
Expr both(const Expr &a, const Expr &b, F op) {
  return a.defined() && b.defined() ? op(a, b) : Expr();
}

/// The lower end of min(x, y) is the smaller lower end: unknown if either is.
Expr min_of_ends(const Expr &a, const Expr &b) {
  return both(a, b, [](const Expr &x, const Expr &y) { return min(x, y); });
}

Expr max_of_ends(const Expr &a, const Expr &b) {
  return both(a, b, [](const Expr &x, const Expr &y) { return max(x, y); });
}

/// The constant scalar value of e as a double, when it is an int or float immediate.
std::optional<double> constant_value(const Expr &e) {
  if (const int64_t *i = as_const_int(e)) return static_cast<double>(*i);
  if (const double *f = as_const_float(e)) return *f;
  return std::nullopt;
}

/// The range of every value of scalar integer type t, or everything for 64-bit types.
Interval type_range(DataType t) {
  if (t.is_bool()) return Interval(make_bool(false), make_bool(true));
  if (!t.is_integer_like() || t.bits >= 64) return Interval::everything();
  if (t.is_uint()) return Interval(IntImm::make(t, 0), IntImm::make(t, (int64_t(1) << t.bits) - 1));
  int64_t half = int64_t(1) << (t.bits - 1);
  return Interval(IntImm::make(t, -half), IntImm::make(t, half - 1));
}

/// True when every value of integer type `from` is exactly representable in `to`.
bool is_widening(DataType from, DataType to) {
  if (from.is_bool()) return true;
  if (from.is_int() && to.is_int()) return to.bits >= from.bits;
  if (from.is_uint() && to.is_uint()) return to.bits >= from.bits;
  if (from.is_uint() && to.is_int()) return to.bits > from.bits;
  return false;
}

/// Computes intervals bottom-up. With `constant_ends`, an end that would be symbolic is replaced
/// by a looser constant where one is at hand (min(n, 8) <= 8, n % 8 in [0, 7]): const_min and
/// const_max want numbers, eval_interval wants the tightest expression.
class IntervalEvaluator {
 public:
  IntervalEvaluator(const VarIntervals &vars, bool constant_ends)
      : vars_(vars), constant_ends_(constant_ends) {
    for (const auto &entry : vars_) bounded_.insert(entry.first);
  }

  Interval eval(const Expr &e) {
    if (auto point = eval_point(e)) return *point;
    switch (e.kind()) {
      case IRNodeKind::IntImm:
      case IRNodeKind::FloatImm: return Interval::single_point(e);
      case IRNodeKind::Variable: return eval_var(e);
      case IRNodeKind::Add: {
        const Add *op = e.as<Add>();
        Interval a = eval(op->a), b = eval(op->b);
        auto plus = [](const Expr &x, const Expr &y) { return x + y; };
        return Interval(both(a.min, b.min, plus), both(a.max, b.max, plus));
      }
      case IRNodeKind::Sub: {
        const Sub *op = e.as<Sub>();
        Interval a = eval(op->a), b = eval(op->b);
        auto minus = [](const Expr &x, const Expr &y) { return x - y; };
        return Interval(both(a.min, b.max, minus), both(a.max, b.min, minus));
      }
      case IRNodeKind::Mul: return eval_mul(eval(e.as<Mul>()->a), eval(e.as<Mul>()->b));
      case IRNodeKind::Div: return eval_div(eval(e.as<Div>()->a), eval(e.as<Div>()->b));
      case IRNodeKind::Mod: return eval_mod(e.as<Mod>());
      case IRNodeKind::Min: {
        Interval a = eval(e.as<Min>()->a), b = eval(e.as<Min>()->b);
        // min(x, y) <= y even when x is unbounded above.
        return Interval(min_of_ends(a.min, b.min), either_end(a.max, b.max, true));
      }
      case IRNodeKind::Max: {
        Interval a = eval(e.as<Max>()->a), b = eval(e.as<Max>()->b);
        return Interval(either_end(a.min, b.min, false), max_of_ends(a.max, b.max));
      }
      case IRNodeKind::Select: {
        const Select *op = e.as<Select>();
        Interval t = eval(op->true_value), f = eval(op->false_value);
        return Interval(min_of_ends(t.min, f.min), max_of_ends(t.max, f.max));
      }
      case IRNodeKind::Cast: return eval_cast(e.as<Cast>());
      case IRNodeKind::Let: {
        const Let *op = e.as<Let>();
        Interval value = eval(op->value);
        const Variable *v = op->var.get();
        auto saved = lets_.find(v) == lets_.end() ? std::nullopt : std::optional(lets_[v]);
        bool was_bounded = bounded_.count(v) > 0;
        lets_[v] = value;
        bounded_.insert(v);
        Interval body = eval(op->body);
        if (saved) {
          lets_[v] = *saved;
        } else {
          lets_.erase(v);
        }
        if (!was_bounded) bounded_.erase(v);
        return body;
      }
      case IRNodeKind::Broadcast: return eval(e.as<Broadcast>()->value);
      case IRNodeKind::Ramp: {
        const Ramp *op = e.as<Ramp>();
        Interval base = eval(op->base), stride = eval(op->stride);
        // Lane k adds k*stride for k in [0, lanes - 1].
        Expr last = make_const(op->base.type(), op->lanes - 1);
        Expr zero = make_zero(op->base.type());
        auto lowest = [&](const Expr &s) { return min(zero, s * last); };
        auto highest = [&](const Expr &s) { return max(zero, s * last); };
        Expr lo =
            base.min.defined() && stride.min.defined() ? base.min + lowest(stride.min) : Expr();
        Expr hi =
            base.max.defined() && stride.max.defined() ? base.max + highest(stride.max) : Expr();
        return Interval(lo, hi);
      }
      default: return opaque(e);
    }
  }

 private:
  Interval eval_var(const Expr &e) {
    const Variable *v = e.as<Variable>();
    auto let = lets_.find(v);
    if (let != lets_.end()) return let->second;
    auto it = vars_.find(v);
    if (it != vars_.end()) return it->second;
    return e.type().is_scalar() ? Interval::single_point(e) : Interval::everything();
  }

  /// Arithmetic on operands that are single points is a single point (the same node at both
  /// ends, so that callers can tell). In constant mode looser constant ends are preferred.
  std::optional<Interval> eval_point(const Expr &e) {
    if (constant_ends_) return std::nullopt;
    auto binary = [&](const auto *op, auto f) -> std::optional<Interval> {
      Interval a = eval(op->a);
      if (!a.is_single_point()) return std::nullopt;
      Interval b = eval(op->b);
      if (!b.is_single_point()) return std::nullopt;
      return Interval::single_point(f(a.min, b.min));
    };
    switch (e.kind()) {
      case IRNodeKind::Add: return binary(e.as<Add>(), [](Expr a, Expr b) { return a + b; });
      case IRNodeKind::Sub: return binary(e.as<Sub>(), [](Expr a, Expr b) { return a - b; });
      case IRNodeKind::Mul: return binary(e.as<Mul>(), [](Expr a, Expr b) { return a * b; });
      case IRNodeKind::Min: return binary(e.as<Min>(), [](Expr a, Expr b) { return min(a, b); });
      case IRNodeKind::Max: return binary(e.as<Max>(), [](Expr a, Expr b) { return max(a, b); });
      case IRNodeKind::Div:
      case IRNodeKind::Mod:
        // A constant zero divisor has no meaningful value; leave it to the interval rules.
        if (is_const_int(e.kind() == IRNodeKind::Div ? e.as<Div>()->b : e.as<Mod>()->b, 0)) {
          return std::nullopt;
        }
        if (e.kind() == IRNodeKind::Div) {
          return binary(e.as<Div>(), [](Expr a, Expr b) { return a / b; });
        }
        return binary(e.as<Mod>(), [](Expr a, Expr b) { return a % b; });
      default: return std::nullopt;
    }
  }

  /// The upper end of min(x, y) (or lower end of max(x, y)), which either operand's end bounds:
  /// min(x.max, y.max), or the one known end, or in constant mode the constant one.
  Expr either_end(const Expr &a, const Expr &b, bool is_min) {
    if (!a.defined()) return b;
    if (!b.defined()) return a;
    if (constant_ends_ && as_const_int(a) != nullptr && as_const_int(b) == nullptr) return a;
    if (constant_ends_ && as_const_int(b) != nullptr && as_const_int(a) == nullptr) return b;
    return is_min ? min(a, b) : max(a, b);
  }

  /// A node without interval rules: itself when it mentions no bounded variable.
  Interval opaque(const Expr &e) {
    if (e.type().is_scalar() && !uses_any_var(e, bounded_)) return Interval::single_point(e);
    return e.type().is_bool() ? type_range(e.type()) : Interval::everything();
  }

  static Interval scale(const Interval &a, const Expr &c, double value) {
    auto times = [&](const Expr &x) { return x.defined() ? x * c : Expr(); };
    if (value >= 0) return Interval(times(a.min), times(a.max));
    return Interval(times(a.max), times(a.min));
  }

  Interval eval_mul(const Interval &a, const Interval &b) {
    if (b.is_single_point()) {
      if (auto c = constant_value(b.min)) return scale(a, b.min, *c);
    }
    if (a.is_single_point()) {
      if (auto c = constant_value(a.min)) return scale(b, a.min, *c);
    }
    if (a.is_bounded() && b.is_bounded()) {
      // A product is bilinear: its extremes lie at the corners.
      Expr p[4] = {a.min * b.min, a.min * b.max, a.max * b.min, a.max * b.max};
      return Interval(min(min(p[0], p[1]), min(p[2], p[3])), max(max(p[0], p[1]), max(p[2], p[3])));
    }
    return Interval::everything();
  }

  Interval eval_div(const Interval &a, const Interval &b) {
    auto over = [](const Expr &x, const Expr &y) { return x.defined() ? x / y : Expr(); };
    if (b.is_single_point()) {
      auto c = constant_value(b.min);
      // Floor division (and float division) by a constant is monotone.
      if (c && *c > 0) return Interval(over(a.min, b.min), over(a.max, b.min));
      if (c && *c < 0) return Interval(over(a.max, b.min), over(a.min, b.min));
      return Interval::everything();
    }
    // With a divisor of one strict sign the quotient is monotone in each operand: corners.
    auto lo = b.min.defined() ? constant_value(b.min) : std::nullopt;
    auto hi = b.max.defined() ? constant_value(b.max) : std::nullopt;
    bool one_sign = lo && hi && (*lo > 0 || *hi < 0);
    if (one_sign && a.is_bounded()) {
      Expr q[4] = {a.min / b.min, a.min / b.max, a.max / b.min, a.max / b.max};
      return Interval(min(min(q[0], q[1]), min(q[2], q[3])), max(max(q[0], q[1]), max(q[2], q[3])));
    }
    return Interval::everything();
  }

  Interval eval_mod(const Mod *op) {
    DataType t = op->type.element_of();
    if (!t.is_integer_like()) return opaque(Expr(op));
    Interval a = eval(op->a), b = eval(op->b);
    if (b.is_single_point()) {
      const int64_t *c = as_const_int(b.min);
      if (c && *c > 0) {
        // When the whole range of a lies in one period [k*c, k*c + c), a % c is a - k*c.
        if (a.is_bounded()) {
          Expr periods = simplify(a.max / b.min - a.min / b.min, vars_);
          Interval fitted(simplify(a.min % b.min, vars_), simplify(a.max % b.min, vars_));
          bool constant = as_const_int(fitted.min) && as_const_int(fitted.max);
          if (is_const_int(periods, 0) && (constant || !constant_ends_)) return fitted;
        }
        return Interval(make_zero(t), IntImm::make(t, *c - 1));
      }
      if (c && *c < 0) return Interval(IntImm::make(t, *c + 1), make_zero(t));
      return Interval::everything();
    }
    // A positive divisor bounded by a constant: 0 <= a % b < max(b).
    const int64_t *lo = b.min.defined() ? as_const_int(b.min) : nullptr;
    if (lo && *lo > 0) {
      const int64_t *hi = b.max.defined() ? as_const_int(b.max) : nullptr;
      return Interval(make_zero(t), hi ? IntImm::make(t, *hi - 1) : Expr());
    }
    return Interval::everything();
  }

  Interval eval_cast(const Cast *op) {
    DataType to = op->type.element_of(), from = op->value.type().element_of();
    Interval v = eval(op->value);
    auto convert = [&](const Expr &x) { return x.defined() ? cast(to, x) : Expr(); };
    // Conversions to float, float to int (truncation) and widening integer conversions are
    // monotone and exact enough to map the ends.
    bool monotone = to.is_float() || (from.is_float() && to.is_integer_like()) ||
                    (to.is_integer_like() && is_widening(from, to));
    if (monotone) return Interval(convert(v.min), convert(v.max));
    if (to.is_bool())
      return v.is_single_point() ? Interval::single_point(cast(to, v.min)) : type_range(to);
    // Narrowing: exact when both ends are constants that fit, else the target's whole range.
    Interval range = type_range(to);
    const int64_t *lo = v.min.defined() ? as_const_int(v.min) : nullptr;
    const int64_t *hi = v.max.defined() ? as_const_int(v.max) : nullptr;
    if (lo && hi && range.is_bounded() && *lo >= *as_const_int(range.min) &&
        *hi <= *as_const_int(range.max)) {
      return Interval(convert(v.min), convert(v.max));
    }
    return range;
  }

  const VarIntervals &vars_;
  const bool constant_ends_;
  VarIntervals lets_;                             ///< intervals of enclosing Let variables
  std::unordered_set<const Variable *> bounded_;  ///< keys of vars_ and lets_
};

Interval evaluate(const Expr &e, const VarIntervals &vars, bool constant_ends) {
  internal_check(e.defined()) << "eval_interval of an undefined expression";
  // Simplifying first cancels correlated terms that interval arithmetic cannot ((x + y) - x).
  Interval iv = IntervalEvaluator(vars, constant_ends).eval(simplify(e, vars));
  if (iv.is_single_point()) return Interval::single_point(simplify(iv.min, vars));
  return Interval(iv.min.defined() ? simplify(iv.min, vars) : Expr(),
                  iv.max.defined() ? simplify(iv.max, vars) : Expr());
}

std::optional<int64_t> const_bound(const Expr &e, const VarIntervals &vars, bool upper) {
  // Each round replaces variables by their bounds once; variables whose intervals mention other
  // bounded variables need further rounds.
  constexpr int kMaxRounds = 8;
  Expr current = e;
  for (int round = 0; round < kMaxRounds; ++round) {
    Interval iv = evaluate(current, vars, true);
    const Expr &end = upper ? iv.max : iv.min;
    if (!end.defined()) return std::nullopt;
    if (const int64_t *c = as_const_int(end)) return *c;
    if (structural_equal(end, current)) return std::nullopt;  // only free variables remain
    current = end;
  }
  return std::nullopt;
}

}  // namespace

Interval eval_interval(const Expr &e, const VarIntervals &vars) { return evaluate(e, vars, false); }

std::optional<int64_t> const_min(const Expr &e, const VarIntervals &vars) {
  return const_bound(e, vars, false);
}

std::optional<int64_t> const_max(const Expr &e, const VarIntervals &vars) {
  return const_bound(e, vars, true);
}

}  // namespace autotune::ir

// The arithmetic simplifier: a mutator that rewrites each node after simplifying its children,
// using constant bounds of integer expressions derived from the ranges of the variables in scope.
#include "ir/lower/Simplify.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <unordered_set>
#include <utility>
#include <vector>

#include "ir/core/IRMutator.h"
#include "ir/core/IROperators.h"
#include "ir/core/StructuralEqual.h"
#include "ir/core/Substitute.h"

namespace autotune::ir {
namespace {

using MaybeInt = std::optional<int64_t>;

// ---- Constant bounds ----------------------------------------------------------------------------

/// Inclusive constant bounds of an integer value (over all lanes of a vector); a missing end is
/// unknown. Arithmetic on bounds drops an end rather than overflow.
struct Bounds {
  MaybeInt min, max;
  static Bounds point(int64_t v) { return {v, v}; }
  bool is_point() const { return min && max && *min == *max; }
};

MaybeInt checked_add(MaybeInt a, MaybeInt b) {
  int64_t r;
  if (!a || !b || __builtin_add_overflow(*a, *b, &r)) return std::nullopt;
  return r;
}

MaybeInt checked_mul(MaybeInt a, MaybeInt b) {
  int64_t r;
  if (!a || !b || __builtin_mul_overflow(*a, *b, &r)) return std::nullopt;
  return r;
}

MaybeInt checked_neg(MaybeInt a) {
  if (!a || *a == std::numeric_limits<int64_t>::min()) return std::nullopt;
  return -*a;
}

/// Floor division of bounds, nullopt on overflow or a zero divisor.
MaybeInt checked_floor_div(MaybeInt a, MaybeInt b) {
  if (!a || !b || *b == 0) return std::nullopt;
  if (*b == -1) return checked_neg(a);
  return floor_div(*a, *b);
}

MaybeInt min_of(MaybeInt a, MaybeInt b) {
  return a && b ? MaybeInt(std::min(*a, *b)) : std::nullopt;
}
MaybeInt max_of(MaybeInt a, MaybeInt b) {
  return a && b ? MaybeInt(std::max(*a, *b)) : std::nullopt;
}

Bounds add_bounds(const Bounds &a, const Bounds &b) {
  return {checked_add(a.min, b.min), checked_add(a.max, b.max)};
}

Bounds negate_bounds(const Bounds &a) { return {checked_neg(a.max), checked_neg(a.min)}; }

Bounds sub_bounds(const Bounds &a, const Bounds &b) { return add_bounds(a, negate_bounds(b)); }

Bounds scale_bounds(const Bounds &a, int64_t c) {
  if (c == 0) return Bounds::point(0);
  if (c > 0) return {checked_mul(a.min, c), checked_mul(a.max, c)};
  return {checked_mul(a.max, c), checked_mul(a.min, c)};
}

/// The smallest and largest of the four corner values, or unknown if any is.
Bounds corners(const Bounds &a, const Bounds &b, MaybeInt (*f)(MaybeInt, MaybeInt)) {
  MaybeInt c[4] = {f(a.min, b.min), f(a.min, b.max), f(a.max, b.min), f(a.max, b.max)};
  for (const MaybeInt &v : c) {
    if (!v) return {};
  }
  return {std::min({*c[0], *c[1], *c[2], *c[3]}), std::max({*c[0], *c[1], *c[2], *c[3]})};
}

Bounds mul_bounds(const Bounds &a, const Bounds &b) {
  if (b.is_point()) return scale_bounds(a, *b.min);
  if (a.is_point()) return scale_bounds(b, *a.min);
  if (a.min && a.max && b.min && b.max) return corners(a, b, checked_mul);
  if (a.min && *a.min >= 0 && b.min && *b.min >= 0) {
    return {checked_mul(a.min, b.min), checked_mul(a.max, b.max)};
  }
  return {};
}

Bounds div_bounds(const Bounds &a, const Bounds &b) {
  if (b.is_point()) {
    int64_t c = *b.min;
    if (c > 0) return {checked_floor_div(a.min, c), checked_floor_div(a.max, c)};
    if (c < 0) return {checked_floor_div(a.max, c), checked_floor_div(a.min, c)};
    return {};
  }
  // With a divisor of known sign floor division is monotone in each operand: corners suffice.
  bool sign_known = (b.min && *b.min > 0) || (b.max && *b.max < 0);
  if (sign_known && a.min && a.max && b.min && b.max) return corners(a, b, checked_floor_div);
  return {};
}

Bounds mod_bounds(const Bounds &a, const Bounds &b) {
  if (b.is_point()) {
    int64_t c = *b.min;
    if (c > 0) {
      if (a.min && a.max && floor_div(*a.min, c) == floor_div(*a.max, c)) {
        return {floor_mod(*a.min, c), floor_mod(*a.max, c)};
      }
      return {0, c - 1};
    }
    if (c < 0) return {c + 1, 0};
    return {};
  }
  if (b.min && *b.min > 0) {
    MaybeInt hi = b.max ? MaybeInt(*b.max - 1) : std::nullopt;
    if (a.min && *a.min >= 0 && a.max) hi = hi ? std::min(*hi, *a.max) : *a.max;
    return {0, hi};
  }
  if (b.max && *b.max < 0) return {b.min ? MaybeInt(*b.min + 1) : std::nullopt, 0};
  return {};
}

Bounds min_bounds(const Bounds &a, const Bounds &b) {
  // min(x, y) <= y even when x has no upper bound.
  MaybeInt hi = a.max && b.max ? MaybeInt(std::min(*a.max, *b.max)) : (a.max ? a.max : b.max);
  return {min_of(a.min, b.min), hi};
}

Bounds max_bounds(const Bounds &a, const Bounds &b) {
  MaybeInt lo = a.min && b.min ? MaybeInt(std::max(*a.min, *b.min)) : (a.min ? a.min : b.min);
  return {lo, max_of(a.max, b.max)};
}

Bounds union_bounds(const Bounds &a, const Bounds &b) {
  return {min_of(a.min, b.min), max_of(a.max, b.max)};
}

Bounds intersect_bounds(const Bounds &a, const Bounds &b) {
  MaybeInt lo = a.min && b.min ? MaybeInt(std::max(*a.min, *b.min)) : (a.min ? a.min : b.min);
  MaybeInt hi = a.max && b.max ? MaybeInt(std::min(*a.max, *b.max)) : (a.max ? a.max : b.max);
  return {lo, hi};
}

/// Every value of a scalar type, as far as the signed bounds above can express it.
Bounds type_bounds(DataType t) {
  if (t.is_bool()) return {0, 1};
  if (t.bits >= 64) return {};
  if (t.is_int()) return {-(int64_t(1) << (t.bits - 1)), (int64_t(1) << (t.bits - 1)) - 1};
  if (t.is_uint()) return {0, (int64_t(1) << t.bits) - 1};
  return {};
}

bool contains(const Bounds &outer, const Bounds &inner) {
  bool lo_ok = !outer.min || (inner.min && *inner.min >= *outer.min);
  bool hi_ok = !outer.max || (inner.max && *inner.max <= *outer.max);
  return lo_ok && hi_ok;
}

// ---- Constants ----------------------------------------------------------------------------------

/// v truncated to the width of integer type t and sign- (MaybeInt) or zero- (UInt) extended.
int64_t wrap_to(DataType t, int64_t v) {
  if (t.is_bool()) return v != 0;
  if (t.bits >= 64) return v;
  uint64_t mask = (uint64_t(1) << t.bits) - 1;
  uint64_t u = uint64_t(v) & mask;
  if (t.is_int() && (u >> (t.bits - 1))) u |= ~mask;
  return int64_t(u);
}

Expr make_int(DataType t, int64_t v) { return IntImm::make(t, wrap_to(t, v)); }

/// The constant of a scalar integer immediate or of a broadcast one.
const int64_t *as_int_or_broadcast(const Expr &e) {
  if (const Broadcast *b = e.as<Broadcast>()) return as_const_int(b->value);
  return as_const_int(e);
}

std::optional<Expr> fold_int(IRNodeKind kind, DataType t, int64_t x, int64_t y) {
  const bool is_unsigned = t.is_uint() || t.is_bool();
  const uint64_t ux = uint64_t(x), uy = uint64_t(y);
  auto value = [&](int64_t v) { return std::optional<Expr>(make_int(t, v)); };
  auto truth = [](bool v) { return std::optional<Expr>(make_bool(v)); };
  switch (kind) {
    // Unsigned arithmetic wraps instead of overflowing; make_int truncates to the width.
    case IRNodeKind::Add: return value(int64_t(ux + uy));
    case IRNodeKind::Sub: return value(int64_t(ux - uy));
    case IRNodeKind::Mul: return value(int64_t(ux * uy));
    case IRNodeKind::Div:
      if (y == 0) return std::nullopt;
      if (is_unsigned) return value(int64_t(ux / uy));
      if (y == -1) return value(int64_t(0 - ux));
      return value(floor_div(x, y));
    case IRNodeKind::Mod:
      if (y == 0) return std::nullopt;
      if (is_unsigned) return value(int64_t(ux % uy));
      if (y == -1) return value(0);
      return value(floor_mod(x, y));
    case IRNodeKind::Min: return value(is_unsigned ? int64_t(std::min(ux, uy)) : std::min(x, y));
    case IRNodeKind::Max: return value(is_unsigned ? int64_t(std::max(ux, uy)) : std::max(x, y));
    case IRNodeKind::EQ: return truth(x == y);
    case IRNodeKind::NE: return truth(x != y);
    case IRNodeKind::LT: return truth(is_unsigned ? ux < uy : x < y);
    case IRNodeKind::LE: return truth(is_unsigned ? ux <= uy : x <= y);
    case IRNodeKind::GT: return truth(is_unsigned ? ux > uy : x > y);
    case IRNodeKind::GE: return truth(is_unsigned ? ux >= uy : x >= y);
    case IRNodeKind::And: return truth(x && y);
    case IRNodeKind::Or: return truth(x || y);
    default: return std::nullopt;
  }
}

std::optional<Expr> fold_float(IRNodeKind kind, DataType t, double x, double y) {
  // FloatImm rounds to float32 on construction; float16 constants are not rounded, so not folded.
  if (t.bits != 32 && t.bits != 64) return std::nullopt;
  auto value = [&](double v) { return std::optional<Expr>(FloatImm::make(t, v)); };
  auto truth = [](bool v) { return std::optional<Expr>(make_bool(v)); };
  // What NaN does to min/max and comparisons is the code generator's business.
  const bool has_nan = std::isnan(x) || std::isnan(y);
  switch (kind) {
    case IRNodeKind::Add: return value(x + y);
    case IRNodeKind::Sub: return value(x - y);
    case IRNodeKind::Mul: return value(x * y);
    case IRNodeKind::Div: return value(x / y);
    default: break;
  }
  if (has_nan) return std::nullopt;
  switch (kind) {
    case IRNodeKind::Min: return value(std::min(x, y));
    case IRNodeKind::Max: return value(std::max(x, y));
    case IRNodeKind::EQ: return truth(x == y);
    case IRNodeKind::NE: return truth(x != y);
    case IRNodeKind::LT: return truth(x < y);
    case IRNodeKind::LE: return truth(x <= y);
    case IRNodeKind::GT: return truth(x > y);
    case IRNodeKind::GE: return truth(x >= y);
    default: return std::nullopt;
  }
}

std::optional<Expr> fold(IRNodeKind kind, const Expr &a, const Expr &b) {
  const IntImm *ia = a.as<IntImm>(), *ib = b.as<IntImm>();
  if (ia && ib) return fold_int(kind, a.type(), ia->value, ib->value);
  const FloatImm *fa = a.as<FloatImm>(), *fb = b.as<FloatImm>();
  if (fa && fb) return fold_float(kind, a.type(), fa->value, fb->value);
  return std::nullopt;
}

/// A scalar constant converted to scalar type t, when the conversion is defined.
std::optional<Expr> fold_cast(DataType t, const Expr &value) {
  if (const IntImm *imm = value.as<IntImm>()) {
    const bool is_unsigned = value.type().is_uint();
    if (t.is_float()) {
      if (t.bits != 32 && t.bits != 64) return std::nullopt;
      return FloatImm::make(t, is_unsigned ? double(uint64_t(imm->value)) : double(imm->value));
    }
    if (t.is_bool()) return make_bool(imm->value != 0);
    if (t.is_integer_like()) return make_int(t, imm->value);
    return std::nullopt;
  }
  if (const FloatImm *imm = value.as<FloatImm>()) {
    if (t.is_float()) {
      if (t.bits != 32 && t.bits != 64) return std::nullopt;
      return FloatImm::make(t, imm->value);
    }
    // Float to integer truncates toward zero; out of the target's range it is undefined.
    if (!t.is_integer_like() || !std::isfinite(imm->value)) return std::nullopt;
    double truncated = std::trunc(imm->value);
    Bounds range = t.bits >= 64 ? Bounds{-(int64_t(1) << 62), int64_t(1) << 62} : type_bounds(t);
    if (truncated < double(*range.min) || truncated > double(*range.max)) return std::nullopt;
    return make_int(t, static_cast<int64_t>(truncated));
  }
  return std::nullopt;
}

// ---- Linear sums --------------------------------------------------------------------------------

struct Term {
  Expr atom;
  int64_t coeff;
};

/// sum(coeff * atom) + constant over a signed integer type. Atoms are expressions that are not
/// sums, differences, constants or products with a constant; equal atoms are merged.
struct LinearSum {
  std::vector<Term> terms;
  int64_t constant = 0;
  bool overflow = false;  ///< some coefficient overflowed: the sum must not be used
  /// When false, add_term appends without looking for an equal atom. Merging is only needed for
  /// canonical output, never for correctness: an unmerged atom is just emitted twice.
  bool merge = true;

  void add_constant(int64_t c) {
    if (__builtin_add_overflow(constant, c, &constant)) overflow = true;
  }

  void add_term(const Expr &atom, int64_t coeff) {
    if (coeff == 0) return;
    if (!merge) {
      terms.push_back({atom, coeff});
      return;
    }
    for (Term &t : terms) {
      if (t.atom.same_as(atom) || structural_equal(t.atom, atom)) {
        if (__builtin_add_overflow(t.coeff, coeff, &t.coeff)) overflow = true;
        return;
      }
    }
    terms.push_back({atom, coeff});
  }

  /// Adds scale * e, looking through Add, Sub and products with a constant.
  void add(const Expr &e, int64_t scale) {
    if (scale == 0) return;
    int64_t scaled;
    if (const int64_t *c = as_const_int(e)) {
      if (__builtin_mul_overflow(*c, scale, &scaled)) overflow = true;
      add_constant(scaled);
    } else if (const Add *op = e.as<Add>()) {
      add(op->a, scale);
      add(op->b, scale);
    } else if (const Sub *op = e.as<Sub>()) {
      add(op->a, scale);
      if (scale == std::numeric_limits<int64_t>::min()) overflow = true;
      add(op->b, -scale);
    } else if (const Mul *op = e.as<Mul>(); op && (as_const_int(op->a) || as_const_int(op->b))) {
      const int64_t *c = as_const_int(op->b) ? as_const_int(op->b) : as_const_int(op->a);
      const Expr &other = as_const_int(op->b) ? op->a : op->b;
      if (__builtin_mul_overflow(*c, scale, &scaled)) overflow = true;
      add(other, scaled);
    } else {
      add_term(e, scale);
    }
  }

  bool is_constant() const {
    for (const Term &t : terms) {
      if (t.coeff != 0) return false;
    }
    return true;
  }
};

/// The linear sum of a simplified expression. Its atoms are already distinct, so they are not
/// searched for duplicates: that keeps simplifying an n-term sum O(n^2) rather than O(n^3).
/// Terms added to the result afterwards are merged as usual.
LinearSum linear_of(const Expr &simplified, int64_t scale = 1) {
  LinearSum s;
  s.merge = false;
  s.add(simplified, scale);
  s.merge = true;
  return s;
}

/// The canonical expression of a sum: positive terms first in order of appearance, then the
/// others, then the constant (`x*8 + y - z + 3`); without positive terms the constant leads
/// (`5 - x`, `0 - x`).
Expr from_linear(const LinearSum &s, DataType t) {
  auto scaled = [&](const Expr &atom, int64_t magnitude) -> Expr {
    return magnitude == 1 ? atom : Mul::make(atom, make_int(t, magnitude));
  };
  int first = -1;
  for (size_t i = 0; i < s.terms.size(); ++i) {
    if (s.terms[i].coeff > 0) {
      first = static_cast<int>(i);
      break;
    }
  }
  Expr result =
      first >= 0 ? scaled(s.terms[first].atom, s.terms[first].coeff) : make_int(t, s.constant);
  for (size_t i = 0; i < s.terms.size(); ++i) {
    const Term &term = s.terms[i];
    if (static_cast<int>(i) == first || term.coeff == 0) continue;
    if (term.coeff > 0) {
      result = Add::make(result, scaled(term.atom, term.coeff));
    } else if (term.coeff == std::numeric_limits<int64_t>::min()) {
      result = Add::make(result, Mul::make(term.atom, make_int(t, term.coeff)));
    } else {
      result = Sub::make(result, scaled(term.atom, -term.coeff));
    }
  }
  if (first >= 0 && s.constant != 0) {
    if (s.constant > 0 || s.constant == std::numeric_limits<int64_t>::min()) {
      result = Add::make(result, make_int(t, s.constant));
    } else {
      result = Sub::make(result, make_int(t, -s.constant));
    }
  }
  return result;
}

// ---- Statements with no effect ------------------------------------------------------------------

Stmt no_op() { return Block::make({}); }

bool is_no_op(const Stmt &s) {
  if (!s.defined()) return true;
  if (const Block *b = s.as<Block>()) return b->stmts.empty();
  if (const Evaluate *e = s.as<Evaluate>()) return is_const(e->value);
  return false;
}

IRNodeKind negate_comparison(IRNodeKind k) {
  switch (k) {
    case IRNodeKind::LT: return IRNodeKind::GE;
    case IRNodeKind::LE: return IRNodeKind::GT;
    case IRNodeKind::GT: return IRNodeKind::LE;
    case IRNodeKind::GE: return IRNodeKind::LT;
    case IRNodeKind::EQ: return IRNodeKind::NE;
    default: return IRNodeKind::EQ;
  }
}

/// The comparison with its operands swapped: a < b is b > a.
IRNodeKind mirror_comparison(IRNodeKind k) {
  switch (k) {
    case IRNodeKind::LT: return IRNodeKind::GT;
    case IRNodeKind::LE: return IRNodeKind::GE;
    case IRNodeKind::GT: return IRNodeKind::LT;
    case IRNodeKind::GE: return IRNodeKind::LE;
    default: return k;
  }
}

/// The operands of a comparison node, or nullopt for any other node.
std::optional<std::pair<Expr, Expr>> comparison_operands(const Expr &e) {
  switch (e.kind()) {
    case IRNodeKind::LT: return std::make_pair(e.as<LT>()->a, e.as<LT>()->b);
    case IRNodeKind::LE: return std::make_pair(e.as<LE>()->a, e.as<LE>()->b);
    case IRNodeKind::GT: return std::make_pair(e.as<GT>()->a, e.as<GT>()->b);
    case IRNodeKind::GE: return std::make_pair(e.as<GE>()->a, e.as<GE>()->b);
    case IRNodeKind::EQ: return std::make_pair(e.as<EQ>()->a, e.as<EQ>()->b);
    case IRNodeKind::NE: return std::make_pair(e.as<NE>()->a, e.as<NE>()->b);
    default: return std::nullopt;
  }
}

Expr make_comparison(IRNodeKind k, const Expr &a, const Expr &b) {
  switch (k) {
    case IRNodeKind::LT: return LT::make(a, b);
    case IRNodeKind::LE: return LE::make(a, b);
    case IRNodeKind::GT: return GT::make(a, b);
    case IRNodeKind::GE: return GE::make(a, b);
    case IRNodeKind::EQ: return EQ::make(a, b);
    default: return NE::make(a, b);
  }
}

/// The truth of `a <kind> b` for every value when a - b lies in d, if decided.
std::optional<bool> decide_comparison(IRNodeKind kind, const Bounds &d) {
  auto below = [&](int64_t v) { return d.max && *d.max < v; };      // a - b < v always
  auto at_least = [&](int64_t v) { return d.min && *d.min >= v; };  // a - b >= v always
  switch (kind) {
    case IRNodeKind::LT:
      if (below(0)) return true;
      if (at_least(0)) return false;
      break;
    case IRNodeKind::LE:
      if (below(1)) return true;
      if (at_least(1)) return false;
      break;
    case IRNodeKind::GT:
      if (at_least(1)) return true;
      if (below(1)) return false;
      break;
    case IRNodeKind::GE:
      if (at_least(0)) return true;
      if (below(0)) return false;
      break;
    case IRNodeKind::EQ:
    case IRNodeKind::NE: {
      bool equal = d.is_point() && *d.min == 0;
      bool unequal = below(0) || at_least(1);
      if (equal || unequal) return (kind == IRNodeKind::EQ) == equal;
      break;
    }
    default: break;
  }
  return std::nullopt;
}

// ---- The simplifier -----------------------------------------------------------------------------

/// Rewrites bottom-up. `scope_` holds what is known about the variables around the current node:
/// the caller's intervals, then enclosing loops, lets and branch conditions as the walk enters
/// them (push_var/pop_var).
class Simplifier final : public IRMutator {
 public:
  explicit Simplifier(const VarIntervals &vars) {
    // Bounds of the given intervals are resolved on first use, since they may refer to each
    // other (x in [0, n - 1], n in [1, 16]).
    for (const auto &[var, interval] : vars) {
      VarInfo info;
      info.interval = interval;
      info.symbolic = is_symbolic(interval);
      scope_[var] = info;
    }
  }

  using IRMutator::mutate;

 protected:
  // ---- Expressions ----

  Expr visit(const Variable *op) override {
    if (op->type.is_int() && op->type.is_scalar()) {
      Bounds b = var_bounds(op);
      if (b.is_point()) return make_int(op->type, *b.min);
    }
    return Expr(op);
  }

  Expr visit(const Cast *op) override { return cast_to(op->type, mutate(op->value), op); }

  Expr visit(const Add *op) override { return add(mutate(op->a), mutate(op->b), op); }
  Expr visit(const Sub *op) override { return sub(mutate(op->a), mutate(op->b), op); }
  Expr visit(const Mul *op) override { return mul(mutate(op->a), mutate(op->b), op); }
  Expr visit(const Div *op) override { return div(mutate(op->a), mutate(op->b), op); }
  Expr visit(const Mod *op) override { return mod(mutate(op->a), mutate(op->b), op); }
  Expr visit(const Min *op) override { return min_max(mutate(op->a), mutate(op->b), op); }
  Expr visit(const Max *op) override { return min_max(mutate(op->a), mutate(op->b), op); }
  Expr visit(const EQ *op) override { return compare(mutate(op->a), mutate(op->b), op); }
  Expr visit(const NE *op) override { return compare(mutate(op->a), mutate(op->b), op); }
  Expr visit(const LT *op) override { return compare(mutate(op->a), mutate(op->b), op); }
  Expr visit(const LE *op) override { return compare(mutate(op->a), mutate(op->b), op); }
  Expr visit(const GT *op) override { return compare(mutate(op->a), mutate(op->b), op); }
  Expr visit(const GE *op) override { return compare(mutate(op->a), mutate(op->b), op); }
  Expr visit(const And *op) override { return logical_and(mutate(op->a), mutate(op->b), op); }
  Expr visit(const Or *op) override { return logical_or(mutate(op->a), mutate(op->b), op); }
  Expr visit(const Not *op) override { return logical_not(mutate(op->a), op); }

  Expr visit(const Select *op) override {
    return select_of(mutate(op->condition), mutate(op->true_value), mutate(op->false_value), op);
  }

  Expr visit(const Load *op) override {
    Expr index = mutate(op->index), predicate = mutate(op->predicate);
    if (predicate.defined() && is_const_int(predicate, 1)) predicate = Expr();
    if (index.same_as(op->index) && predicate.same_as(op->predicate)) return Expr(op);
    return Load::make(op->type.element_of(), op->buffer, index, predicate);
  }

  Expr visit(const Ramp *op) override {
    Expr base = mutate(op->base), stride = mutate(op->stride);
    if (base.same_as(op->base) && stride.same_as(op->stride)) return Expr(op);
    return make_ramp(base, stride, op->lanes);
  }

  Expr visit(const Broadcast *op) override {
    Expr value = mutate(op->value);
    return value.same_as(op->value) ? Expr(op) : Broadcast::make(value, op->lanes);
  }

  Expr visit(const Let *op) override {
    Expr value = mutate(op->value);
    if (is_trivial(value)) return mutate(substitute(op->body, op->var, value));
    push_var(op->var.get(), point_info(value));
    Expr body = mutate(op->body);
    pop_var();
    if (!uses_var(body, op->var.get())) return body;
    if (value.same_as(op->value) && body.same_as(op->body)) return Expr(op);
    return Let::make(op->var, value, body);
  }

  Expr visit(const Reduce *op) override {
    for (const IterVar &iv : op->axes) {
      push_var(iv.var().get(), range_info(iv.dom().min, iv.dom().extent));
    }
    Expr source = mutate(op->source), condition = mutate(op->condition);
    for (size_t i = 0; i < op->axes.size(); ++i) pop_var();
    if (source.same_as(op->source) && condition.same_as(op->condition)) return Expr(op);
    return Reduce::make(op->combiner, source, op->axes, condition);
  }

  // ---- Statements ----

  Stmt visit(const LetStmt *op) override {
    Expr value = mutate(op->value);
    if (is_trivial(value)) return mutate(substitute(op->body, op->var, value));
    push_var(op->var.get(), point_info(value));
    Stmt body = mutate(op->body);
    pop_var();
    if (is_no_op(body)) return no_op();
    if (!uses_var(body, op->var.get())) return body;
    if (value.same_as(op->value) && body.same_as(op->body)) return Stmt(op);
    return LetStmt::make(op->var, value, body);
  }

  Stmt visit(const For *op) override {
    Expr min = mutate(op->min), extent = mutate(op->extent);
    Bounds extent_bounds = bounds_of(extent);
    if (extent_bounds.max && *extent_bounds.max <= 0) return no_op();
    if (extent_bounds.is_point() && *extent_bounds.min == 1) {
      return mutate(substitute(op->body, op->loop_var, min));
    }
    push_var(op->loop_var.get(), range_info(min, extent));
    Stmt body = mutate(op->body);
    pop_var();
    if (is_no_op(body)) return no_op();
    if (min.same_as(op->min) && extent.same_as(op->extent) && body.same_as(op->body)) {
      return Stmt(op);
    }
    return For::make(op->loop_var, min, extent, op->kind, body, op->thread_tag);
  }

  Stmt visit(const Store *op) override {
    Expr value = mutate(op->value), index = mutate(op->index);
    Expr predicate = mutate(op->predicate);
    if (predicate.defined() && is_const_int(predicate, 0)) return no_op();
    if (predicate.defined() && is_const_int(predicate, 1)) predicate = Expr();
    if (value.same_as(op->value) && index.same_as(op->index) && predicate.same_as(op->predicate)) {
      return Stmt(op);
    }
    return Store::make(op->buffer, value, index, predicate);
  }

  Stmt visit(const Allocate *op) override {
    Stmt body = mutate(op->body);
    if (is_no_op(body)) return no_op();
    if (body.same_as(op->body)) return Stmt(op);
    return Allocate::make(op->buffer, op->dtype, op->extent, op->scope, body);
  }

  Stmt visit(const Realize *op) override {
    Stmt result = IRMutator::visit(op);
    const Realize *r = result.as<Realize>();
    return r && is_no_op(r->body) ? no_op() : result;
  }

  Stmt visit(const IfThenElse *op) override {
    Expr condition = mutate(op->condition);
    if (is_const_int(condition, 1)) return mutate(op->then_case);
    if (is_const_int(condition, 0)) {
      return op->else_case.defined() ? mutate(op->else_case) : no_op();
    }

    size_t mark = saved_.size();
    learn(condition, true);
    Stmt then_case = mutate(op->then_case);
    pop_vars_to(mark);
    Stmt else_case;
    if (op->else_case.defined()) {
      learn(condition, false);
      else_case = mutate(op->else_case);
      pop_vars_to(mark);
      if (is_no_op(else_case)) else_case = Stmt();
    }
    if (is_no_op(then_case)) {
      if (!else_case.defined()) return no_op();
      return IfThenElse::make(logical_not(condition, nullptr), else_case);
    }
    if (condition.same_as(op->condition) && then_case.same_as(op->then_case) &&
        else_case.same_as(op->else_case)) {
      return Stmt(op);
    }
    return IfThenElse::make(condition, then_case, else_case);
  }

  Stmt visit(const Block *op) override {
    std::vector<Stmt> stmts;
    bool changed = false;
    for (const Stmt &s : op->stmts) {
      Stmt m = mutate(s);
      changed |= !m.same_as(s);
      if (is_no_op(m)) {
        changed = true;
      } else {
        stmts.push_back(m);
      }
    }
    if (!changed) return Stmt(op);
    return stmts.empty() ? no_op() : Block::make(stmts);
  }

  Stmt visit(const Evaluate *op) override {
    Expr value = mutate(op->value);
    if (is_const(value)) return no_op();
    return value.same_as(op->value) ? Stmt(op) : Evaluate::make(value);
  }

 private:
  /// What is known about a variable in scope.
  struct VarInfo {
    Interval interval;          ///< symbolic range; ends may be undefined
    Bounds bounds;              ///< constant range, valid once bounds_ready
    bool bounds_ready = false;  ///< false for caller-given intervals not yet resolved
    bool symbolic = false;      ///< an end of interval is not a constant
  };

  static bool is_symbolic(const Interval &iv) {
    return (iv.min.defined() && !as_const_int(iv.min)) ||
           (iv.max.defined() && !as_const_int(iv.max));
  }

  /// Constants and variables are cheap enough to copy into every use.
  static bool is_trivial(const Expr &e) {
    return e.as<IntImm>() || e.as<FloatImm>() || e.as<Variable>();
  }

  VarInfo point_info(const Expr &value) {
    VarInfo info;
    info.interval = Interval::single_point(value);
    info.bounds = bounds_of(value);
    info.bounds_ready = true;
    info.symbolic = is_symbolic(info.interval);
    return info;
  }

  /// The variable of a loop over [min, min + extent).
  VarInfo range_info(const Expr &min, const Expr &extent) {
    LinearSum last;
    last.add(min, 1);
    last.add(extent, 1);
    last.add_constant(-1);
    VarInfo info;
    Expr max = last.overflow ? Expr() : from_linear(last, min.type());
    info.interval = Interval(min, max);
    info.bounds = {bounds_of(min).min, max.defined() ? bounds_of(max).max : std::nullopt};
    info.bounds_ready = true;
    info.symbolic = is_symbolic(info.interval);
    return info;
  }

  void push_var(const Variable *v, VarInfo info) {
    auto it = scope_.find(v);
    saved_.emplace_back(v, it == scope_.end() ? std::nullopt : std::optional<VarInfo>(it->second));
    scope_[v] = std::move(info);
  }

  void pop_var() {
    auto [v, old] = std::move(saved_.back());
    saved_.pop_back();
    if (old) {
      scope_[v] = std::move(*old);
    } else {
      scope_.erase(v);
    }
  }

  void pop_vars_to(size_t mark) {
    while (saved_.size() > mark) pop_var();
  }

  const VarInfo *find_var(const Variable *v) const {
    auto it = scope_.find(v);
    return it == scope_.end() ? nullptr : &it->second;
  }

  Bounds var_bounds(const Variable *v) {
    auto it = scope_.find(v);
    if (it == scope_.end()) return type_bounds(v->type);
    if (!it->second.bounds_ready) {
      if (resolving_.count(v)) return type_bounds(v->type);  // cyclic intervals
      resolving_.insert(v);
      Interval interval = it->second.interval;
      Bounds b;
      if (interval.min.defined()) b.min = bounds_of(interval.min).min;
      if (interval.max.defined()) b.max = bounds_of(interval.max).max;
      resolving_.erase(v);
      VarInfo &info = scope_[v];
      info.bounds = intersect_bounds(b, type_bounds(v->type));
      info.bounds_ready = true;
      return info.bounds;
    }
    return it->second.bounds;
  }

  /// Constant bounds of an integer expression (over all its lanes), from the ranges in scope.
  Bounds bounds_of(const Expr &e) {
    if (!e.defined()) return {};
    DataType t = e.type().element_of();
    if (t.is_float() || t.is_handle()) return {};
    if (const IntImm *imm = e.as<IntImm>()) {
      if (t.is_uint() && imm->value < 0) return {};  // a uint64 above INT64_MAX
      return Bounds::point(imm->value);
    }
    // Unsigned arithmetic wraps around zero, so only the type's range is known.
    if (t.is_uint() && !e.as<Cast>() && !e.as<Broadcast>()) return type_bounds(t);
    Bounds b = bounds_of_node(e);
    return intersect_bounds(b, type_bounds(t));
  }

  Bounds bounds_of_node(const Expr &e) {
    switch (e.kind()) {
      case IRNodeKind::Variable: return var_bounds(e.as<Variable>());
      case IRNodeKind::Add: return add_bounds(bounds_of(e.as<Add>()->a), bounds_of(e.as<Add>()->b));
      case IRNodeKind::Sub: return sub_bounds(bounds_of(e.as<Sub>()->a), bounds_of(e.as<Sub>()->b));
      case IRNodeKind::Mul: return mul_bounds(bounds_of(e.as<Mul>()->a), bounds_of(e.as<Mul>()->b));
      case IRNodeKind::Div: return div_bounds(bounds_of(e.as<Div>()->a), bounds_of(e.as<Div>()->b));
      case IRNodeKind::Mod: return mod_bounds(bounds_of(e.as<Mod>()->a), bounds_of(e.as<Mod>()->b));
      case IRNodeKind::Min: return min_bounds(bounds_of(e.as<Min>()->a), bounds_of(e.as<Min>()->b));
      case IRNodeKind::Max: return max_bounds(bounds_of(e.as<Max>()->a), bounds_of(e.as<Max>()->b));
      case IRNodeKind::Select: {
        const Select *op = e.as<Select>();
        return union_bounds(bounds_of(op->true_value), bounds_of(op->false_value));
      }
      case IRNodeKind::Cast: {
        const Cast *op = e.as<Cast>();
        if (op->value.type().is_float()) return {};
        Bounds source = bounds_of(op->value);
        Bounds target = type_bounds(op->type.element_of());
        // A value outside the target's range wraps: then only the type's range is known.
        return contains(target, source) ? source : target;
      }
      case IRNodeKind::Ramp: {
        const Ramp *op = e.as<Ramp>();
        Bounds steps = mul_bounds(bounds_of(op->stride), Bounds{0, op->lanes - 1});
        return add_bounds(bounds_of(op->base), steps);
      }
      case IRNodeKind::Broadcast: return bounds_of(e.as<Broadcast>()->value);
      case IRNodeKind::Let: {
        const Let *op = e.as<Let>();
        push_var(op->var.get(), point_info(op->value));
        Bounds b = bounds_of(op->body);
        pop_var();
        return b;
      }
      default: return {};
    }
  }

  Bounds linear_bounds(const LinearSum &s) {
    Bounds b = Bounds::point(s.constant);
    for (const Term &t : s.terms) {
      b = add_bounds(b, scale_bounds(bounds_of(t.atom), t.coeff));
      if (!b.min && !b.max) break;
    }
    return b;
  }

  /// An end of s found by replacing variables with symbolic intervals by the matching end of
  /// their interval, so that correlated terms cancel: for i in [o*16, o*16 + 15],
  /// `i - o*16` <= `o*16 + 15 - o*16` = 15. Repeated while replacements expose more such
  /// variables (at most a few rounds, in case intervals refer to each other).
  MaybeInt symbolic_bound(const LinearSum &s, bool upper) {
    LinearSum current = s;
    for (int round = 0; round < 4; ++round) {
      LinearSum next;
      next.constant = current.constant;
      bool replaced = false;
      for (const Term &t : current.terms) {
        const Variable *v = t.atom.as<Variable>();
        const VarInfo *info = v ? find_var(v) : nullptr;
        if (info && info->symbolic) {
          const Expr &end = (t.coeff > 0) == upper ? info->interval.max : info->interval.min;
          if (!end.defined()) return std::nullopt;
          next.add(end, t.coeff);
          replaced = true;
        } else {
          next.add_term(t.atom, t.coeff);
        }
      }
      if (next.overflow) return std::nullopt;
      current = std::move(next);
      if (!replaced) break;
    }
    Bounds b = linear_bounds(current);
    return upper ? b.max : b.min;
  }

  /// Bounds of a linear sum: from the constant bounds of its terms, tightened by symbolic
  /// replacement when some variable's interval is symbolic.
  Bounds proven_bounds(const LinearSum &s) {
    if (s.overflow) return {};
    Bounds b = linear_bounds(s);
    bool has_symbolic = false;
    for (const Term &t : s.terms) {
      const Variable *v = t.atom.as<Variable>();
      const VarInfo *info = v ? find_var(v) : nullptr;
      has_symbolic |= info && info->symbolic;
    }
    if (!has_symbolic) return b;
    return intersect_bounds(b, Bounds{symbolic_bound(s, false), symbolic_bound(s, true)});
  }

  /// Bounds of a - b for integer a and b, with common terms cancelled.
  Bounds difference_bounds(const Expr &a, const Expr &b) {
    if (a.type().is_scalar()) {
      LinearSum d = linear_of(a);
      d.add(b, -1);
      return proven_bounds(d);
    }
    return bounds_of(sub(a, b, nullptr));
  }

  /// Narrows the ranges of variables compared in cond, assuming cond has the given truth value.
  /// Pushes onto the scope; the caller pops.
  void learn(const Expr &cond, bool truth) {
    if (const And *op = cond.as<And>(); op && truth) {
      learn(op->a, true);
      learn(op->b, true);
    } else if (const Or *op = cond.as<Or>(); op && !truth) {
      learn(op->a, false);
      learn(op->b, false);
    } else if (const Not *op = cond.as<Not>()) {
      learn(op->a, !truth);
    } else if (auto operands = comparison_operands(cond)) {
      const auto &[a, b] = *operands;
      if (!a.type().is_int() || !a.type().is_scalar()) return;
      IRNodeKind kind = truth ? cond.kind() : negate_comparison(cond.kind());
      if (const Variable *v = a.as<Variable>()) narrow(v, kind, bounds_of(b));
      if (const Variable *v = b.as<Variable>()) narrow(v, mirror_comparison(kind), bounds_of(a));
    }
  }

  /// Narrows v given `v <kind> x` for some x within `other`.
  void narrow(const Variable *v, IRNodeKind kind, const Bounds &other) {
    Bounds implied;
    switch (kind) {
      case IRNodeKind::LT: implied.max = checked_add(other.max, -1); break;
      case IRNodeKind::LE: implied.max = other.max; break;
      case IRNodeKind::GT: implied.min = checked_add(other.min, 1); break;
      case IRNodeKind::GE: implied.min = other.min; break;
      case IRNodeKind::EQ: implied = other; break;
      default: return;
    }
    Bounds narrowed = intersect_bounds(var_bounds(v), implied);
    // An empty range means the branch never runs; there is nothing useful to learn.
    if (narrowed.min && narrowed.max && *narrowed.min > *narrowed.max) return;
    const VarInfo *old = find_var(v);
    VarInfo info = old ? *old : VarInfo();
    info.bounds = narrowed;
    info.bounds_ready = true;
    push_var(v, info);
  }

  // ---- Rewrite rules on simplified operands ----
  // Each takes operands that are already simplified and the node they came from (or nullptr),
  // which is returned as is when no rule changes anything.

  template <typename T>
  static Expr rebuild(const T *op, const Expr &a, const Expr &b) {
    if (op && a.same_as(op->a) && b.same_as(op->b)) return Expr(op);
    return T::make(a, b);
  }

  template <typename T>
  static Expr finish_linear(const LinearSum &s, const T *op, const Expr &a, const Expr &b) {
    if (s.overflow) return rebuild(op, a, b);
    Expr result = from_linear(s, a.type());
    if (op && a.same_as(op->a) && b.same_as(op->b) && structural_equal(result, Expr(op))) {
      return Expr(op);
    }
    return result;
  }

  static Expr make_ramp(const Expr &base, const Expr &stride, int lanes) {
    if (is_const_int(stride, 0)) return Broadcast::make(base, lanes);
    return Ramp::make(base, stride, lanes);
  }

  /// The rule function of a binary node kind, for rebuilding scalars inside vectors.
  Expr binary(IRNodeKind kind, const Expr &a, const Expr &b) {
    switch (kind) {
      case IRNodeKind::Add: return add(a, b, nullptr);
      case IRNodeKind::Sub: return sub(a, b, nullptr);
      case IRNodeKind::Mul: return mul(a, b, nullptr);
      case IRNodeKind::Div: return div(a, b, nullptr);
      case IRNodeKind::Mod: return mod(a, b, nullptr);
      case IRNodeKind::Min: return min_max<Min>(a, b, nullptr);
      case IRNodeKind::Max: return min_max<Max>(a, b, nullptr);
      case IRNodeKind::EQ: return compare<EQ>(a, b, nullptr);
      case IRNodeKind::NE: return compare<NE>(a, b, nullptr);
      case IRNodeKind::LT: return compare<LT>(a, b, nullptr);
      case IRNodeKind::LE: return compare<LE>(a, b, nullptr);
      case IRNodeKind::GT: return compare<GT>(a, b, nullptr);
      case IRNodeKind::GE: return compare<GE>(a, b, nullptr);
      case IRNodeKind::And: return logical_and(a, b, nullptr);
      case IRNodeKind::Or: return logical_or(a, b, nullptr);
      default: internal_error << "binary rule for " << node_kind_name(kind);
    }
    return Expr();
  }

  /// op(xn(a), xn(b)) -> xn(op(a, b)).
  std::optional<Expr> through_broadcasts(IRNodeKind kind, const Expr &a, const Expr &b) {
    const Broadcast *ba = a.as<Broadcast>(), *bb = b.as<Broadcast>();
    if (!ba || !bb) return std::nullopt;
    return Broadcast::make(binary(kind, ba->value, bb->value), ba->lanes);
  }

  Expr add(const Expr &a, const Expr &b, const Add *op) {
    if (auto r = fold(IRNodeKind::Add, a, b)) return *r;
    if (auto r = through_broadcasts(IRNodeKind::Add, a, b)) return *r;
    DataType t = a.type();
    if (t.is_int() && t.is_scalar()) {
      LinearSum s = linear_of(a);
      s.add(b, 1);
      return finish_linear(s, op, a, b);
    }
    if (t.is_int()) {
      const Ramp *ra = a.as<Ramp>(), *rb = b.as<Ramp>();
      const Broadcast *ba = a.as<Broadcast>(), *bb = b.as<Broadcast>();
      if (ra && rb) {
        return make_ramp(add(ra->base, rb->base, nullptr), add(ra->stride, rb->stride, nullptr),
                         ra->lanes);
      }
      if (ra && bb) return make_ramp(add(ra->base, bb->value, nullptr), ra->stride, ra->lanes);
      if (ba && rb) return make_ramp(add(ba->value, rb->base, nullptr), rb->stride, rb->lanes);
    }
    if (t.is_integer_like()) {
      if (is_const_int(b, 0)) return a;
      if (is_const_int(a, 0)) return b;
    }
    return rebuild(op, a, b);
  }

  Expr sub(const Expr &a, const Expr &b, const Sub *op) {
    if (auto r = fold(IRNodeKind::Sub, a, b)) return *r;
    if (auto r = through_broadcasts(IRNodeKind::Sub, a, b)) return *r;
    DataType t = a.type();
    if (t.is_int() && t.is_scalar()) {
      LinearSum s = linear_of(a);
      s.add(b, -1);
      return finish_linear(s, op, a, b);
    }
    if (t.is_int()) {
      const Ramp *ra = a.as<Ramp>(), *rb = b.as<Ramp>();
      const Broadcast *ba = a.as<Broadcast>(), *bb = b.as<Broadcast>();
      if (ra && rb) {
        return make_ramp(sub(ra->base, rb->base, nullptr), sub(ra->stride, rb->stride, nullptr),
                         ra->lanes);
      }
      if (ra && bb) return make_ramp(sub(ra->base, bb->value, nullptr), ra->stride, ra->lanes);
      if (ba && rb) {
        Expr stride = sub(make_zero(rb->stride.type()), rb->stride, nullptr);
        return make_ramp(sub(ba->value, rb->base, nullptr), stride, rb->lanes);
      }
      if (structural_equal(a, b)) return make_zero(t);
    }
    if (t.is_integer_like() && is_const_int(b, 0)) return a;
    return rebuild(op, a, b);
  }

  Expr mul(const Expr &a, const Expr &b, const Mul *op) {
    if (auto r = fold(IRNodeKind::Mul, a, b)) return *r;
    if (auto r = through_broadcasts(IRNodeKind::Mul, a, b)) return *r;
    DataType t = a.type();
    if (t.is_int() && t.is_scalar()) {
      const int64_t *ca = as_const_int(a), *cb = as_const_int(b);
      if (ca || cb) return finish_linear(linear_of(cb ? a : b, cb ? *cb : *ca), op, a, b);
      return rebuild(op, a, b);
    }
    if (t.is_int()) {
      // ramp(base, stride) * xn(c) == ramp(base*c, stride*c), for any scalar c.
      const Ramp *ramp = a.as<Ramp>() ? a.as<Ramp>() : b.as<Ramp>();
      const Broadcast *bc = a.as<Broadcast>() ? a.as<Broadcast>() : b.as<Broadcast>();
      if (ramp && bc) {
        return make_ramp(mul(ramp->base, bc->value, nullptr), mul(ramp->stride, bc->value, nullptr),
                         ramp->lanes);
      }
    }
    if (t.is_integer_like()) {
      if (is_const_int(b, 1)) return a;
      if (is_const_int(a, 1)) return b;
      if (is_const_int(a, 0) || is_const_int(b, 0)) return make_zero(t);
    }
    return rebuild(op, a, b);
  }

  /// Splits a linear sum into q*c + r: q takes the terms whose coefficient c divides, r the
  /// others and the constant.
  static void split_multiples(const LinearSum &s, int64_t c, LinearSum *q, LinearSum *r) {
    r->constant = s.constant;
    for (const Term &t : s.terms) {
      if (t.coeff % c == 0) {
        q->add_term(t.atom, t.coeff / c);
      } else {
        r->add_term(t.atom, t.coeff);
      }
    }
  }

  /// floor((c*q + r) / c) == q + k when r is proven to lie in [k*c, k*c + c - 1] -- extended by
  /// `spread` (>= 0) for the lanes of a ramp.
  std::optional<int64_t> common_quotient(const LinearSum &r, int64_t c, int64_t spread) {
    Bounds b = proven_bounds(r);
    MaybeInt last = checked_add(b.max, spread);
    if (!b.min || !last) return std::nullopt;
    int64_t k = floor_div(*b.min, c);
    if (floor_div(*last, c) != k) return std::nullopt;
    return k;
  }

  Expr div(const Expr &a, const Expr &b, const Div *op) {
    if (auto r = fold(IRNodeKind::Div, a, b)) return *r;
    if (auto r = through_broadcasts(IRNodeKind::Div, a, b)) return *r;
    DataType t = a.type();
    const int64_t *c = as_int_or_broadcast(b);
    if (t.is_int() && c && *c > 0) {
      if (t.is_scalar()) return div_by_positive(a, b, *c, op);
      if (const Ramp *ramp = a.as<Ramp>()) {
        if (auto r = ramp_div(ramp, *c)) return *r;
      }
    }
    if (t.is_integer_like() && is_const_int(b, 1)) return a;
    return rebuild(op, a, b);
  }

  Expr div_by_positive(const Expr &a, const Expr &b, int64_t c, const Div *op) {
    DataType t = a.type();
    if (c == 1) return a;
    // (x / c2) / c == x / (c2*c) for positive divisors.
    if (const Div *inner = a.as<Div>()) {
      const int64_t *c2 = as_const_int(inner->b);
      int64_t product;
      if (c2 && *c2 > 0 && !__builtin_mul_overflow(*c2, c, &product)) {
        return div(inner->a, make_int(t, product), nullptr);
      }
    }
    LinearSum s = linear_of(a);
    if (s.overflow) return rebuild(op, a, b);
    LinearSum q, r;
    split_multiples(s, c, &q, &r);
    if (auto k = common_quotient(r, c, 0)) {
      q.add_constant(*k);
      return from_linear(q, t);
    }
    if (!q.is_constant()) {
      // (c*q + r) / c == q + r / c; r / c may simplify further ((y/3)/2 -> y/6).
      return add(from_linear(q, t), div(from_linear(r, t), b, nullptr), nullptr);
    }
    return rebuild(op, a, b);
  }

  /// ramp(base, s, n) / xn(c) for c > 0 and constant s.
  std::optional<Expr> ramp_div(const Ramp *ramp, int64_t c) {
    const int64_t *stride = as_const_int(ramp->stride);
    if (!stride) return std::nullopt;
    DataType t = ramp->base.type();
    Expr divisor = make_int(t, c);
    if (*stride % c == 0) {
      // Every lane advances by whole multiples of c.
      return make_ramp(div(ramp->base, divisor, nullptr), make_int(t, *stride / c), ramp->lanes);
    }
    if (*stride > 0) {
      // All lanes in one period: the quotient is the same for all of them.
      LinearSum s = linear_of(ramp->base), q, r;
      if (s.overflow) return std::nullopt;
      split_multiples(s, c, &q, &r);
      MaybeInt spread = checked_mul(*stride, ramp->lanes - 1);
      if (!spread) return std::nullopt;
      if (auto k = common_quotient(r, c, *spread)) {
        q.add_constant(*k);
        return Broadcast::make(from_linear(q, t), ramp->lanes);
      }
    }
    return std::nullopt;
  }

  Expr mod(const Expr &a, const Expr &b, const Mod *op) {
    if (auto r = fold(IRNodeKind::Mod, a, b)) return *r;
    if (auto r = through_broadcasts(IRNodeKind::Mod, a, b)) return *r;
    DataType t = a.type();
    const int64_t *c = as_int_or_broadcast(b);
    if (t.is_int() && c && *c > 0) {
      if (t.is_scalar()) return mod_by_positive(a, b, *c, op);
      if (const Ramp *ramp = a.as<Ramp>()) {
        if (auto r = ramp_mod(ramp, *c)) return *r;
      }
    }
    if (t.is_integer_like() && (is_const_int(b, 1) || is_const_int(b, -1))) return make_zero(t);
    return rebuild(op, a, b);
  }

  /// The remainder part of a sum modulo c: terms whose coefficient c does not divide, plus the
  /// constant reduced to [0, c). Sets *changed when anything was dropped.
  static LinearSum remainder_terms(const LinearSum &s, int64_t c, bool *changed) {
    LinearSum r;
    r.constant = floor_mod(s.constant, c);
    *changed = r.constant != s.constant;
    for (const Term &t : s.terms) {
      if (t.coeff % c == 0) {
        *changed = true;
      } else {
        r.add_term(t.atom, t.coeff);
      }
    }
    return r;
  }

  Expr mod_by_positive(const Expr &a, const Expr &b, int64_t c, const Mod *op) {
    DataType t = a.type();
    if (c == 1) return make_zero(t);
    // (x % c2) % c == x % c when c divides c2.
    if (const Mod *inner = a.as<Mod>()) {
      const int64_t *c2 = as_const_int(inner->b);
      if (c2 && *c2 > 0 && *c2 % c == 0) return mod(inner->a, b, nullptr);
    }
    LinearSum s = linear_of(a);
    if (s.overflow) return rebuild(op, a, b);
    bool changed;
    LinearSum r = remainder_terms(s, c, &changed);
    if (auto k = common_quotient(r, c, 0)) {
      r.add_constant(-*k * c);
      return from_linear(r, t);
    }
    if (changed) return mod(from_linear(r, t), b, nullptr);
    return rebuild(op, a, b);
  }

  /// ramp(base, s, n) % xn(c) for c > 0 and constant s.
  std::optional<Expr> ramp_mod(const Ramp *ramp, int64_t c) {
    const int64_t *stride = as_const_int(ramp->stride);
    if (!stride) return std::nullopt;
    DataType t = ramp->base.type();
    if (*stride % c == 0) {
      return Broadcast::make(mod(ramp->base, make_int(t, c), nullptr), ramp->lanes);
    }
    if (*stride > 0) {
      // All lanes in one period: the remainder is itself a ramp.
      LinearSum s = linear_of(ramp->base);
      if (s.overflow) return std::nullopt;
      bool changed;
      LinearSum r = remainder_terms(s, c, &changed);
      MaybeInt spread = checked_mul(*stride, ramp->lanes - 1);
      if (!spread) return std::nullopt;
      if (auto k = common_quotient(r, c, *spread)) {
        r.add_constant(-*k * c);
        return make_ramp(from_linear(r, t), ramp->stride, ramp->lanes);
      }
    }
    return std::nullopt;
  }

  template <typename T>
  Expr min_max(const Expr &a, const Expr &b, const T *op) {
    constexpr bool is_min = T::kKind == IRNodeKind::Min;
    if (auto r = fold(T::kKind, a, b)) return *r;
    if (auto r = through_broadcasts(T::kKind, a, b)) return *r;
    if (structural_equal(a, b)) return a;
    if (a.type().is_int()) {
      Bounds d = difference_bounds(a, b);
      bool a_le_b = d.max && *d.max <= 0, a_ge_b = d.min && *d.min >= 0;
      if (a_le_b) return is_min ? a : b;
      if (a_ge_b) return is_min ? b : a;
    }
    // Constants go on the right.
    if (is_const(a) && !is_const(b)) return T::make(b, a);
    return rebuild(op, a, b);
  }

  template <typename T>
  Expr compare(const Expr &a, const Expr &b, const T *op) {
    if (auto r = fold(T::kKind, a, b)) return *r;
    if (auto r = through_broadcasts(T::kKind, a, b)) return *r;
    if (a.type().is_int()) {
      if (auto truth = decide_comparison(T::kKind, difference_bounds(a, b))) {
        return make_bool(*truth, a.type().lanes);
      }
    }
    return rebuild(op, a, b);
  }

  Expr logical_and(const Expr &a, const Expr &b, const And *op) {
    if (is_const_int(a, 1) || is_const_int(b, 0)) return b;
    if (is_const_int(b, 1) || is_const_int(a, 0)) return a;
    if (auto r = through_broadcasts(IRNodeKind::And, a, b)) return *r;
    if (structural_equal(a, b)) return a;
    if (is_negation_of(a, b)) return make_bool(false, a.type().lanes);
    return rebuild(op, a, b);
  }

  Expr logical_or(const Expr &a, const Expr &b, const Or *op) {
    if (is_const_int(a, 0) || is_const_int(b, 1)) return b;
    if (is_const_int(b, 0) || is_const_int(a, 1)) return a;
    if (auto r = through_broadcasts(IRNodeKind::Or, a, b)) return *r;
    if (structural_equal(a, b)) return a;
    if (is_negation_of(a, b)) return make_bool(true, a.type().lanes);
    return rebuild(op, a, b);
  }

  /// True when b is !a: literally, or as integer comparisons of the same operands with negated
  /// meaning (`x < y` and `x >= y`, or `y <= x`).
  static bool is_negation_of(const Expr &a, const Expr &b) {
    const Not *na = a.as<Not>(), *nb = b.as<Not>();
    if ((na && structural_equal(na->a, b)) || (nb && structural_equal(nb->a, a))) return true;
    auto ca = comparison_operands(a), cb = comparison_operands(b);
    if (!ca || !cb || !ca->first.type().is_integer_like()) return false;
    IRNodeKind negated = negate_comparison(a.kind());
    bool same_order = structural_equal(ca->first, cb->first) &&
                      structural_equal(ca->second, cb->second) && b.kind() == negated;
    bool swapped = structural_equal(ca->first, cb->second) &&
                   structural_equal(ca->second, cb->first) &&
                   mirror_comparison(b.kind()) == negated;
    return same_order || swapped;
  }

  Expr logical_not(const Expr &a, const Not *op) {
    if (const int64_t *c = as_int_or_broadcast(a)) return make_bool(*c == 0, a.type().lanes);
    if (const Not *inner = a.as<Not>()) return inner->a;
    if (const Broadcast *bc = a.as<Broadcast>()) {
      return Broadcast::make(logical_not(bc->value, nullptr), bc->lanes);
    }
    // Integer comparisons negate exactly (float ones do not, because of NaN).
    if (auto operands = comparison_operands(a);
        operands && operands->first.type().is_integer_like()) {
      return make_comparison(negate_comparison(a.kind()), operands->first, operands->second);
    }
    if (op && a.same_as(op->a)) return Expr(op);
    return Not::make(a);
  }

  Expr select_of(const Expr &c, const Expr &t, const Expr &f, const Select *op) {
    if (is_const_int(c, 1)) return t;
    if (is_const_int(c, 0)) return f;
    if (structural_equal(t, f)) return t;
    const Broadcast *bc = c.as<Broadcast>(), *bt = t.as<Broadcast>(), *bf = f.as<Broadcast>();
    if (bc && bt && bf) {
      return Broadcast::make(select_of(bc->value, bt->value, bf->value, nullptr), bc->lanes);
    }
    if (const Not *n = c.as<Not>()) return select_of(n->a, f, t, nullptr);
    if (op && c.same_as(op->condition) && t.same_as(op->true_value) && f.same_as(op->false_value)) {
      return Expr(op);
    }
    return Select::make(c, t, f);
  }

  Expr cast_to(DataType t, const Expr &value, const Cast *op) {
    if (value.type() == t) return value;
    if (auto folded = fold_cast(t, value)) return *folded;
    if (const Broadcast *bc = value.as<Broadcast>()) {
      return Broadcast::make(cast_to(t.element_of(), bc->value, nullptr), bc->lanes);
    }
    if (op && value.same_as(op->value)) return Expr(op);
    return Cast::make(t, value);
  }

  std::unordered_map<const Variable *, VarInfo> scope_;
  /// Entries that push_var replaced, restored in reverse order by pop_var.
  std::vector<std::pair<const Variable *, std::optional<VarInfo>>> saved_;
  /// Variables whose caller-given interval is being resolved (guards against cycles).
  std::unordered_set<const Variable *> resolving_;
};

}  // namespace

Expr simplify(const Expr &e, const VarIntervals &vars) {
  if (!e.defined()) return e;
  return Simplifier(vars).mutate(e);
}

Stmt simplify(const Stmt &s, const VarIntervals &vars) {
  if (!s.defined()) return s;
  return Simplifier(vars).mutate(s);
}

bool can_prove(const Expr &cond, const VarIntervals &vars) {
  internal_check(cond.defined() && cond.type().element_of().is_bool())
      << "can_prove of a non-bool expression";
  return is_const_int(simplify(cond, vars), 1);
}

}  // namespace autotune::ir

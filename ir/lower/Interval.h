// Interval arithmetic over index expressions: symbolic bounds of an expression given bounds of
// its variables. Bound inference, the simplifier and loop passes ask it what values can occur.
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>

#include "ir/core/IR.h"

namespace autotune::ir {

/// The inclusive range [min, max] of a value. An undefined end is unbounded on that side.
struct Interval {
  Expr min, max;

  Interval() = default;
  Interval(Expr min, Expr max) : min(std::move(min)), max(std::move(max)) {}
  /// Unbounded on both sides.
  static Interval everything() { return Interval(); }
  /// [e, e].
  static Interval single_point(const Expr &e) { return Interval(e, e); }

  bool has_lower_bound() const { return min.defined(); }
  bool has_upper_bound() const { return max.defined(); }
  bool is_bounded() const { return min.defined() && max.defined(); }
  /// True when both ends are the same expression node.
  bool is_single_point() const { return min.defined() && min.same_as(max); }
};

/// Known ranges of variables (loop variables, let-bound values, kernel parameters). Variables
/// absent from the map are unconstrained symbols.
using VarIntervals = std::unordered_map<const Variable *, Interval>;

/// An interval containing every value e takes when each variable of `vars` lies in its interval.
/// The ends are simplified expressions of e's element type (for a vector, bounds over all lanes).
/// They may mention variables absent from `vars` (such a variable is its own point interval
/// [v, v]) and variables named by the intervals in `vars`. Exact for sums and for products by
/// constants (a negative factor swaps the ends); floor division by a constant is monotone;
/// `x % c` for c > 0 lies in [0, c - 1], or in x's own range shifted into [0, c) when that range
/// fits in one period. Min, Max, Select, Cast, Let, Ramp and Broadcast (over all lanes) are
/// handled; any other expression is its own point when it mentions no variable of `vars`, and
/// unbounded otherwise. Works for integer and float expressions.
Interval eval_interval(const Expr &e, const VarIntervals &vars);

/// The largest constant known to be <= every value of integer expression e under `vars`, or
/// nullopt when e has no constant lower bound. Follows chains of variable bounds (x in [0, n - 1]
/// with n in [1, 16]).
std::optional<int64_t> const_min(const Expr &e, const VarIntervals &vars);
/// The smallest constant known to be >= every value of integer expression e under `vars`.
std::optional<int64_t> const_max(const Expr &e, const VarIntervals &vars);

}  // namespace autotune::ir

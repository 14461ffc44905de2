// Random integer index expressions and a reference evaluator for them, independent of the
// simplifier: property tests of simplify and eval_interval compare against it point by point.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ir/core/IR.h"
#include "ir/core/IROperators.h"
#include "ir/core/IRVisitor.h"

namespace autotune::test {

/// Values of variables at one point.
using IntEnv = std::unordered_map<const ir::Variable *, int64_t>;

/// Evaluates an int64/bool expression built from constants, variables of an environment,
/// arithmetic (floor Div/Mod), Min/Max, comparisons, logic, Select and Let. Throws
/// std::runtime_error on anything else, on a variable without a value and on division by zero.
class IntEvaluator final : public ir::IRVisitor {
 public:
  explicit IntEvaluator(IntEnv env) : env_(std::move(env)) {}

  int64_t eval(const ir::Expr &e) {
    visit_expr(e);
    return value_;
  }

 private:
  using IRVisitor::visit;

  static int64_t checked_divisor(int64_t b) {
    if (b == 0) throw std::runtime_error("division by zero");
    return b;
  }

  void visit(const ir::IntImm *op) override { value_ = op->value; }
  void visit(const ir::Variable *op) override {
    auto it = env_.find(op);
    if (it == env_.end()) throw std::runtime_error("no value for " + op->name);
    value_ = it->second;
  }
  void visit(const ir::Add *op) override { value_ = eval(op->a) + eval(op->b); }
  void visit(const ir::Sub *op) override { value_ = eval(op->a) - eval(op->b); }
  void visit(const ir::Mul *op) override { value_ = eval(op->a) * eval(op->b); }
  void visit(const ir::Div *op) override {
    int64_t a = eval(op->a), b = checked_divisor(eval(op->b));
    int64_t q = a / b;
    value_ = (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
  }
  void visit(const ir::Mod *op) override {
    int64_t a = eval(op->a), b = checked_divisor(eval(op->b));
    int64_t r = a % b;
    value_ = (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
  }
  void visit(const ir::Min *op) override { value_ = std::min(eval(op->a), eval(op->b)); }
  void visit(const ir::Max *op) override { value_ = std::max(eval(op->a), eval(op->b)); }
  void visit(const ir::EQ *op) override { value_ = eval(op->a) == eval(op->b); }
  void visit(const ir::NE *op) override { value_ = eval(op->a) != eval(op->b); }
  void visit(const ir::LT *op) override { value_ = eval(op->a) < eval(op->b); }
  void visit(const ir::LE *op) override { value_ = eval(op->a) <= eval(op->b); }
  void visit(const ir::GT *op) override { value_ = eval(op->a) > eval(op->b); }
  void visit(const ir::GE *op) override { value_ = eval(op->a) >= eval(op->b); }
  void visit(const ir::And *op) override { value_ = eval(op->a) && eval(op->b); }
  void visit(const ir::Or *op) override { value_ = eval(op->a) || eval(op->b); }
  void visit(const ir::Not *op) override { value_ = !eval(op->a); }
  void visit(const ir::Select *op) override {
    value_ = eval(op->condition) ? eval(op->true_value) : eval(op->false_value);
  }
  void visit(const ir::Let *op) override {
    int64_t bound = eval(op->value);
    IntEvaluator inner(env_);
    inner.env_[op->var.get()] = bound;
    value_ = inner.eval(op->body);
  }
  void visit_default(const ir::Expr &e) {
    throw std::runtime_error(std::string("cannot evaluate ") + node_kind_name(e.kind()));
  }
  void visit(const ir::FloatImm *op) override { visit_default(ir::Expr(op)); }
  void visit(const ir::Cast *op) override { visit_default(ir::Expr(op)); }
  void visit(const ir::Load *op) override { visit_default(ir::Expr(op)); }
  void visit(const ir::Ramp *op) override { visit_default(ir::Expr(op)); }
  void visit(const ir::Broadcast *op) override { visit_default(ir::Expr(op)); }
  void visit(const ir::Call *op) override { visit_default(ir::Expr(op)); }
  void visit(const ir::TensorRead *op) override { visit_default(ir::Expr(op)); }
  void visit(const ir::Reduce *op) override { visit_default(ir::Expr(op)); }

  IntEnv env_;
  int64_t value_ = 0;
};

/// The value of e at the point env (see IntEvaluator).
inline int64_t evaluate_int(const ir::Expr &e, const IntEnv &env) {
  return IntEvaluator(env).eval(e);
}

/// A variable with the inclusive range it is drawn from.
struct RangedVar {
  ir::Var var;
  int64_t min, max;
};

/// Calls f(env) for every point of the ranges of vars.
template <typename F>
void for_each_point(const std::vector<RangedVar> &vars, F f) {
  IntEnv env;
  for (const RangedVar &v : vars) env[v.var.get()] = v.min;
  while (true) {
    f(env);
    size_t d = 0;
    for (; d < vars.size(); ++d) {
      int64_t &value = env[vars[d].var.get()];
      if (value < vars[d].max) {
        ++value;
        break;
      }
      value = vars[d].min;
    }
    if (d == vars.size()) return;
  }
}

/// Random int64 expressions over a few variables, shaped like index arithmetic: sums, products
/// with constants, floor division and modulo by constants (and by variables that are never
/// zero), min/max, select and let. The same seed gives the same sequence.
class RandomIntExpr {
 public:
  RandomIntExpr(std::vector<RangedVar> vars, uint32_t seed) : vars_(std::move(vars)), rng_(seed) {}

  ir::Expr expr(int depth) {
    using namespace ir;
    if (depth <= 0 || pick(0, 9) < 2) return leaf();
    switch (pick(0, 13)) {
      case 0:
      case 1: return Add::make(expr(depth - 1), expr(depth - 1));
      case 2: return Sub::make(expr(depth - 1), expr(depth - 1));
      case 3: return Mul::make(expr(depth - 1), Expr(pick(-4, 8)));
      case 4: return Mul::make(expr(depth - 2), expr(depth - 2));
      case 5: return Div::make(expr(depth - 1), Expr(divisor()));
      case 6: return Mod::make(expr(depth - 1), Expr(divisor()));
      case 7: {
        // The tiled-index shapes that lowering produces: (x*c + y) / c and % c.
        Expr tiled = Add::make(Mul::make(var(), Expr(int64_t(pick(2, 8)))), expr(depth - 2));
        Expr c = Expr(int64_t(pick(2, 8)));
        return pick(0, 1) ? Div::make(tiled, c) : Mod::make(tiled, c);
      }
      case 8: return Min::make(expr(depth - 1), expr(depth - 1));
      case 9: return Max::make(expr(depth - 1), expr(depth - 1));
      case 10: return Select::make(condition(depth - 1), expr(depth - 1), expr(depth - 1));
      case 11: {
        if (const ir::Variable *positive = positive_var()) {
          return pick(0, 1) ? Div::make(expr(depth - 1), Expr(positive))
                            : Mod::make(expr(depth - 1), Expr(positive));
        }
        return Add::make(expr(depth - 1), leaf());
      }
      case 12: {
        Var t("t" + std::to_string(++lets_));
        return Let::make(t, expr(depth - 1), Add::make(t, expr(depth - 1)));
      }
      default: return Sub::make(leaf(), expr(depth - 1));
    }
  }

  ir::Expr condition(int depth) {
    using namespace ir;
    Expr a = expr(depth), b = expr(depth);
    switch (pick(0, 7)) {
      case 0: return LT::make(a, b);
      case 1: return LE::make(a, b);
      case 2: return GT::make(a, b);
      case 3: return GE::make(a, b);
      case 4: return EQ::make(a, b);
      case 5: return NE::make(a, b);
      case 6: return And::make(LT::make(a, b), Not::make(EQ::make(a, Expr(pick(-2, 5)))));
      default: return Or::make(LE::make(a, b), GT::make(a, Expr(pick(-2, 5))));
    }
  }

 private:
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  ir::Expr var() { return vars_[pick(0, static_cast<int>(vars_.size()) - 1)].var; }

  ir::Expr leaf() {
    if (pick(0, 2) == 0) return ir::Expr(int64_t(pick(-10, 20)));
    return var();
  }

  int64_t divisor() {
    static const int64_t kDivisors[] = {1, 2, 3, 4, 8, 16, -2, -3};
    return kDivisors[pick(0, 7)];
  }

  const ir::Variable *positive_var() {
    for (const RangedVar &v : vars_) {
      if (v.min > 0) return v.var.get();
    }
    return nullptr;
  }

  std::vector<RangedVar> vars_;
  std::mt19937 rng_;
  int lets_ = 0;
};

}  // namespace autotune::test

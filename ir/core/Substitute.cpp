// Variable substitution (a mutator that respects shadowing binders) and variable-use queries.
#include "ir/core/Substitute.h"

#include <vector>

#include "ir/core/IRMutator.h"
#include "ir/core/IRVisitor.h"

namespace autotune::ir {
namespace {

using Replacements = std::unordered_map<const Variable *, Expr>;

class Substituter final : public IRMutator {
 public:
  explicit Substituter(const Replacements &replacements) : replacements_(replacements) {
    for (const auto &[var, value] : replacements_) {
      internal_check(value.defined() && value.type() == var->type)
          << "substitute of '" << var->name << "' (" << var->type.str() << ") by a value of type "
          << (value.defined() ? value.type().str() : "undefined");
    }
  }

 protected:
  Expr visit(const Variable *op) override {
    const Expr *value = find(op);
    return value ? *value : Expr(op);
  }

  Expr visit(const Load *op) override {
    Var buffer = replace_buffer(op->buffer);
    Expr index = mutate(op->index), predicate = mutate(op->predicate);
    if (buffer.same_as(op->buffer) && index.same_as(op->index) &&
        predicate.same_as(op->predicate)) {
      return Expr(op);
    }
    return Load::make(op->type.element_of(), buffer, index, predicate);
  }

  Expr visit(const Let *op) override {
    Expr value = mutate(op->value);
    Expr body = mutate_in_scope_of(op->var, op->body);
    if (value.same_as(op->value) && body.same_as(op->body)) return Expr(op);
    return Let::make(op->var, value, body);
  }

  Expr visit(const Reduce *op) override {
    std::vector<IterVar> axes;
    bool changed = false;
    for (const IterVar &iv : op->axes) {
      Range dom(mutate(iv.dom().min), mutate(iv.dom().extent));
      if (dom.min.same_as(iv.dom().min) && dom.extent.same_as(iv.dom().extent)) {
        axes.push_back(iv);
      } else {
        axes.emplace_back(dom, iv.var(), iv.kind(), iv->thread_tag);
        changed = true;
      }
    }
    for (const IterVar &iv : op->axes) shadowed_.push_back(iv.var().get());
    Expr source = mutate(op->source), condition = mutate(op->condition);
    shadowed_.resize(shadowed_.size() - op->axes.size());
    if (!changed && source.same_as(op->source) && condition.same_as(op->condition)) {
      return Expr(op);
    }
    return Reduce::make(op->combiner, source, axes, condition);
  }

  Stmt visit(const LetStmt *op) override {
    Expr value = mutate(op->value);
    Stmt body = mutate_in_scope_of(op->var, op->body);
    if (value.same_as(op->value) && body.same_as(op->body)) return Stmt(op);
    return LetStmt::make(op->var, value, body);
  }

  Stmt visit(const For *op) override {
    Expr min = mutate(op->min), extent = mutate(op->extent);
    Stmt body = mutate_in_scope_of(op->loop_var, op->body);
    if (min.same_as(op->min) && extent.same_as(op->extent) && body.same_as(op->body)) {
      return Stmt(op);
    }
    return For::make(op->loop_var, min, extent, op->kind, body, op->thread_tag);
  }

  Stmt visit(const Store *op) override {
    Var buffer = replace_buffer(op->buffer);
    Expr value = mutate(op->value), index = mutate(op->index);
    Expr predicate = mutate(op->predicate);
    if (buffer.same_as(op->buffer) && value.same_as(op->value) && index.same_as(op->index) &&
        predicate.same_as(op->predicate)) {
      return Stmt(op);
    }
    return Store::make(buffer, value, index, predicate);
  }

  Stmt visit(const Allocate *op) override {
    Stmt body = mutate_in_scope_of(op->buffer, op->body);
    if (body.same_as(op->body)) return Stmt(op);
    return Allocate::make(op->buffer, op->dtype, op->extent, op->scope, body);
  }

 private:
  /// The replacement of v, or nullptr when v is not replaced here (absent or shadowed).
  const Expr *find(const Variable *v) const {
    auto it = replacements_.find(v);
    if (it == replacements_.end()) return nullptr;
    for (const Variable *s : shadowed_) {
      if (s == v) return nullptr;
    }
    return &it->second;
  }

  Var replace_buffer(const Var &buffer) const {
    const Expr *value = find(buffer.get());
    if (!value) return buffer;
    internal_check(value->as<Variable>())
        << "substitute of buffer '" << buffer.name() << "' by a non-variable expression";
    return Var(*value);
  }

  template <typename Node>
  Node mutate_in_scope_of(const Var &binder, const Node &body) {
    shadowed_.push_back(binder.get());
    Node result = mutate(body);
    shadowed_.pop_back();
    return result;
  }

  const Replacements &replacements_;
  // Binders of replaced variables that enclose the current node; a short list, searched linearly.
  std::vector<const Variable *> shadowed_;
};

/// Looks for any variable of a set; stops descending once one is found.
class VarFinder final : public IRVisitor {
 public:
  explicit VarFinder(const std::unordered_set<const Variable *> *set, const Variable *single)
      : set_(set), single_(single) {}

  bool found() const { return found_; }

  void visit_expr(const Expr &e) override {
    if (!found_) IRVisitor::visit_expr(e);
  }
  void visit_stmt(const Stmt &s) override {
    if (!found_) IRVisitor::visit_stmt(s);
  }

 protected:
  void visit(const Variable *op) override {
    if (op == single_ || (set_ && set_->count(op))) found_ = true;
  }

 private:
  const std::unordered_set<const Variable *> *set_;
  const Variable *single_;
  bool found_ = false;
};

template <typename Node>
bool find_var(const Node &n, const std::unordered_set<const Variable *> *set,
              const Variable *single) {
  VarFinder finder(set, single);
  finder(n);
  return finder.found();
}

}  // namespace

Expr substitute(const Expr &e, const Replacements &replacements) {
  if (replacements.empty()) return e;
  return Substituter(replacements)(e);
}

Stmt substitute(const Stmt &s, const Replacements &replacements) {
  if (replacements.empty()) return s;
  return Substituter(replacements)(s);
}

Expr substitute(const Expr &e, const Var &var, const Expr &value) {
  return substitute(e, Replacements{{var.get(), value}});
}

Stmt substitute(const Stmt &s, const Var &var, const Expr &value) {
  return substitute(s, Replacements{{var.get(), value}});
}

bool uses_var(const Expr &e, const Variable *v) { return find_var(e, nullptr, v); }
bool uses_var(const Stmt &s, const Variable *v) { return find_var(s, nullptr, v); }

bool uses_any_var(const Expr &e, const std::unordered_set<const Variable *> &vars) {
  return !vars.empty() && find_var(e, &vars, nullptr);
}

bool uses_any_var(const Stmt &s, const std::unordered_set<const Variable *> &vars) {
  return !vars.empty() && find_var(s, &vars, nullptr);
}

}  // namespace autotune::ir

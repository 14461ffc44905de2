// Text form of the loop-nest IR: one visitor that writes expressions inline and statements as
// indented lines.
#include "ir/core/IRPrinter.h"

#include <cmath>
#include <cstdlib>
#include <iomanip>
#include <locale>
#include <ostream>
#include <sstream>

#include "ir/core/IROperators.h"
#include "ir/core/IRVisitor.h"

namespace autotune::ir {
namespace {

/// The shortest decimal spelling that reads back as the same value of the type, always with a
/// '.' or an exponent so that it cannot be mistaken for an integer.
std::string format_float(double value, int bits) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  const int max_digits = bits == 64 ? 17 : 9;
  std::string text;
  for (int digits = 1; digits <= max_digits; ++digits) {
    std::ostringstream ss;
    ss.imbue(std::locale::classic());
    ss << std::setprecision(digits) << value;
    text = ss.str();
    double back = std::strtod(text.c_str(), nullptr);
    bool round_trips =
        bits == 64 ? back == value : static_cast<float>(back) == static_cast<float>(value);
    if (round_trips) break;
  }
  if (text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

bool is_multiplicative(IRNodeKind k) {
  return k == IRNodeKind::Mul || k == IRNodeKind::Div || k == IRNodeKind::Mod;
}

class IRPrinter final : public IRVisitor {
 public:
  explicit IRPrinter(std::ostream &os) : os_(os) {}

  void print(const Expr &e) {
    if (e.defined()) {
      visit_expr(e);
    } else {
      os_ << "<undefined>";
    }
  }

  void print(const Stmt &s) {
    if (s.defined()) {
      visit_stmt(s);
    } else {
      indent() << "<undefined>\n";
    }
  }

  void print(const LoweredFunc &f) {
    os_ << "func " << f.name << "(";
    for (size_t i = 0; i < f.args.size(); ++i) {
      const KernelArg &arg = f.args[i];
      os_ << (i ? ", " : "") << arg.buffer.name() << ": " << arg.dtype.str() << "[";
      for (size_t d = 0; d < arg.shape.size(); ++d) os_ << (d ? ", " : "") << arg.shape[d];
      os_ << "]";
    }
    os_ << ") {\n";
    print_block_body(f.body);
    os_ << "}\n";
  }

 private:
  std::ostream &indent() {
    for (int i = 0; i < indent_; ++i) os_ << "  ";
    return os_;
  }

  void print_block_body(const Stmt &s) {
    ++indent_;
    print(s);
    --indent_;
  }

  void print_list(const std::vector<Expr> &list) {
    for (size_t i = 0; i < list.size(); ++i) {
      if (i) os_ << ", ";
      print(list[i]);
    }
  }

  /// Sums, comparisons and logic print their own parentheses; an operand of a product needs
  /// them only when it is a different product operator or the right operand (`x*(y*z)`).
  void print_product_operand(const Expr &operand, IRNodeKind parent, bool is_right) {
    bool parens = is_multiplicative(operand.kind()) && (is_right || operand.kind() != parent);
    if (parens) os_ << "(";
    print(operand);
    if (parens) os_ << ")";
  }

  template <typename T>
  void print_product(const T *op, const char *symbol) {
    print_product_operand(op->a, T::kKind, false);
    os_ << symbol;
    print_product_operand(op->b, T::kKind, true);
  }

  template <typename T>
  void print_infix(const T *op, const char *symbol) {
    os_ << "(";
    print(op->a);
    os_ << symbol;
    print(op->b);
    os_ << ")";
  }

  template <typename T>
  void print_call(const char *name, const T *op) {
    os_ << name << "(";
    print(op->a);
    os_ << ", ";
    print(op->b);
    os_ << ")";
  }

  void print_masked_access(const Var &buffer, const Expr &index, const Expr &predicate) {
    os_ << buffer.name() << "[";
    print(index);
    if (predicate.defined()) {
      os_ << ", mask=";
      print(predicate);
    }
    os_ << "]";
  }

  void print_binding(const Var &var) {
    os_ << var.name();
    if (var.type() != index_type()) os_ << ": " << var.type().str();
  }

  void visit(const IntImm *op) override {
    if (op->type.is_bool()) {
      os_ << (op->value ? "true" : "false");
    } else if (op->type == index_type()) {
      os_ << op->value;
    } else if (op->type.is_uint()) {
      os_ << op->type.str() << "(" << static_cast<uint64_t>(op->value) << ")";
    } else {
      os_ << op->type.str() << "(" << op->value << ")";
    }
  }

  void visit(const FloatImm *op) override {
    std::string text = format_float(op->value, op->type.bits);
    if (op->type.bits == 64) {
      os_ << text;
    } else if (op->type.bits == 32 && std::isfinite(op->value)) {
      os_ << text << "f";
    } else {
      os_ << op->type.str() << "(" << text << ")";
    }
  }

  void visit(const Variable *op) override { os_ << op->name; }

  void visit(const Cast *op) override {
    os_ << op->type.str() << "(";
    print(op->value);
    os_ << ")";
  }

  void visit(const Add *op) override { print_infix(op, " + "); }
  void visit(const Sub *op) override { print_infix(op, " - "); }
  void visit(const Mul *op) override { print_product(op, "*"); }
  void visit(const Div *op) override { print_product(op, "/"); }
  void visit(const Mod *op) override { print_product(op, " % "); }
  void visit(const Min *op) override { print_call("min", op); }
  void visit(const Max *op) override { print_call("max", op); }
  void visit(const EQ *op) override { print_infix(op, " == "); }
  void visit(const NE *op) override { print_infix(op, " != "); }
  void visit(const LT *op) override { print_infix(op, " < "); }
  void visit(const LE *op) override { print_infix(op, " <= "); }
  void visit(const GT *op) override { print_infix(op, " > "); }
  void visit(const GE *op) override { print_infix(op, " >= "); }
  void visit(const And *op) override { print_infix(op, " && "); }
  void visit(const Or *op) override { print_infix(op, " || "); }

  void visit(const Not *op) override {
    os_ << "!";
    print(op->a);
  }

  void visit(const Select *op) override {
    os_ << "select(";
    print(op->condition);
    os_ << ", ";
    print(op->true_value);
    os_ << ", ";
    print(op->false_value);
    os_ << ")";
  }

  void visit(const Load *op) override { print_masked_access(op->buffer, op->index, op->predicate); }

  void visit(const Ramp *op) override {
    os_ << "ramp(";
    print(op->base);
    os_ << ", ";
    print(op->stride);
    os_ << ", " << op->lanes << ")";
  }

  void visit(const Broadcast *op) override {
    os_ << "x" << op->lanes << "(";
    print(op->value);
    os_ << ")";
  }

  void visit(const Let *op) override {
    os_ << "(let ";
    print_binding(op->var);
    os_ << " = ";
    print(op->value);
    os_ << " in ";
    print(op->body);
    os_ << ")";
  }

  void visit(const Call *op) override {
    os_ << intrinsic_name(op->op) << "(";
    print_list(op->args);
    os_ << ")";
  }

  void visit(const TensorRead *op) override {
    os_ << op->producer->name << "(";
    print_list(op->indices);
    os_ << ")";
  }

  void visit(const Reduce *op) override {
    os_ << reduce_kind_name(op->combiner) << "(";
    print(op->source);
    os_ << ", axis=[";
    for (size_t i = 0; i < op->axes.size(); ++i) os_ << (i ? ", " : "") << op->axes[i].name();
    os_ << "]";
    if (!is_const_int(op->condition, 1)) {
      os_ << ", where ";
      print(op->condition);
    }
    os_ << ")";
  }

  void visit(const LetStmt *op) override {
    indent() << "let ";
    print_binding(op->var);
    os_ << " = ";
    print(op->value);
    os_ << "\n";
    print(op->body);
  }

  void visit(const For *op) override {
    indent() << for_kind_name(op->kind) << " (" << op->loop_var.name() << ", ";
    print(op->min);
    os_ << ", ";
    print(op->extent);
    if (!op->thread_tag.empty()) os_ << ", \"" << op->thread_tag << "\"";
    os_ << ") {\n";
    print_block_body(op->body);
    indent() << "}\n";
  }

  void visit(const Store *op) override {
    indent();
    print_masked_access(op->buffer, op->index, op->predicate);
    os_ << " = ";
    print(op->value);
    os_ << "\n";
  }

  void visit(const Provide *op) override {
    indent() << op->producer->name << "(";
    print_list(op->indices);
    os_ << ") = ";
    print(op->value);
    os_ << "\n";
  }

  void visit(const Allocate *op) override {
    indent() << "allocate " << op->buffer.name() << "[" << op->dtype.str() << " * " << op->extent
             << "] " << memory_scope_name(op->scope) << " {\n";
    print_block_body(op->body);
    indent() << "}\n";
  }

  void visit(const Realize *op) override {
    indent() << "realize " << op->producer->name << "(";
    for (size_t i = 0; i < op->bounds.size(); ++i) {
      const Range &r = op->bounds[i];
      os_ << (i ? ", " : "") << "[";
      print(r.min);
      os_ << ", ";
      // Folded when both are constants, so the common case reads `[0, 64)`.
      print(r.min.defined() && r.extent.defined() ? r.min + r.extent : Expr());
      os_ << ")";
    }
    os_ << ") " << memory_scope_name(op->scope) << " {\n";
    print_block_body(op->body);
    indent() << "}\n";
  }

  void visit(const IfThenElse *op) override {
    indent() << "if (";
    print(op->condition);
    os_ << ") {\n";
    print_block_body(op->then_case);
    const IfThenElse *chain = op;
    // `else if` chains stay flat instead of nesting one level per condition.
    while (chain->else_case.defined()) {
      const IfThenElse *next = chain->else_case.as<IfThenElse>();
      if (!next) {
        indent() << "} else {\n";
        print_block_body(chain->else_case);
        break;
      }
      indent() << "} else if (";
      print(next->condition);
      os_ << ") {\n";
      print_block_body(next->then_case);
      chain = next;
    }
    indent() << "}\n";
  }

  void visit(const Block *op) override {
    for (const Stmt &s : op->stmts) print(s);
  }

  void visit(const Evaluate *op) override {
    indent();
    print(op->value);
    os_ << "\n";
  }

  std::ostream &os_;
  int indent_ = 0;
};

}  // namespace

std::ostream &operator<<(std::ostream &os, const Expr &e) {
  IRPrinter(os).print(e);
  return os;
}

std::ostream &operator<<(std::ostream &os, const Stmt &s) {
  IRPrinter(os).print(s);
  return os;
}

std::ostream &operator<<(std::ostream &os, const LoweredFunc &f) {
  IRPrinter(os).print(f);
  return os;
}

std::string to_string(const Expr &e) {
  std::ostringstream ss;
  ss << e;
  return ss.str();
}

std::string to_string(const Stmt &s) {
  std::ostringstream ss;
  ss << s;
  return ss.str();
}

}  // namespace autotune::ir

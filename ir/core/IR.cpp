// Checking factories of the IR nodes and small helpers on types and kinds.
#include "ir/core/IR.h"

#include <cmath>
#include <limits>
#include <optional>

namespace autotune::ir {

std::string DataType::str() const {
  std::string s;
  switch (code) {
    case Code::Int: s = "int" + std::to_string(bits); break;
    case Code::UInt: s = "uint" + std::to_string(bits); break;
    case Code::Float: s = "float" + std::to_string(bits); break;
    case Code::Bool: s = "bool"; break;
    case Code::Handle: s = "handle"; break;
  }
  if (lanes > 1) s += "x" + std::to_string(lanes);
  return s;
}

DataType DataType::parse(const std::string &s) {
  if (s == "bool") return Bool();
  if (s == "handle") return Handle();
  auto with_bits = [&](const std::string &prefix, Code code) -> std::optional<DataType> {
    if (s.rfind(prefix, 0) != 0) return std::nullopt;
    std::string rest = s.substr(prefix.size());
    if (rest != "8" && rest != "16" && rest != "32" && rest != "64") return std::nullopt;
    return DataType(code, std::stoi(rest));
  };
  if (auto t = with_bits("uint", Code::UInt)) return *t;
  if (auto t = with_bits("int", Code::Int)) return *t;
  if (auto t = with_bits("float", Code::Float)) return *t;
  user_error << "unknown data type '" << s << "' (expected int8..int64, uint8..uint64, float16, "
             << "float32, float64 or bool)";
  return {};
}

const char *node_kind_name(IRNodeKind kind) {
  switch (kind) {
#define AUTOTUNE_EXPR_NODE(name) \
  case IRNodeKind::name:         \
    return #name;
#define AUTOTUNE_STMT_NODE(name) AUTOTUNE_EXPR_NODE(name)
#include "ir/core/NodeKinds.def"
#undef AUTOTUNE_EXPR_NODE
#undef AUTOTUNE_STMT_NODE
  }
  return "?";
}

Expr::Expr(int value) : Expr(IntImm::make(index_type(), value)) {}
Expr::Expr(int64_t value) : Expr(IntImm::make(index_type(), value)) {}
Expr::Expr(float value) : Expr(FloatImm::make(Float(32), value)) {}
Expr::Expr(double value) : Expr(FloatImm::make(Float(32), value)) {}

Expr IntImm::make(DataType t, int64_t value) {
  internal_check(t.is_scalar() && (t.is_integer_like() || t.is_bool()))
      << "IntImm of type " << t.str();
  auto *n = new IntImm;
  n->type = t;
  if (t.is_bool()) value = value != 0;
  n->value = value;
  return Expr(n);
}

Expr FloatImm::make(DataType t, double value) {
  internal_check(t.is_scalar() && t.is_float()) << "FloatImm of type " << t.str();
  auto *n = new FloatImm;
  n->type = t;
  n->value = t.bits == 32 ? static_cast<double>(static_cast<float>(value)) : value;
  return Expr(n);
}

Expr Variable::make(DataType t, std::string name) {
  auto *n = new Variable;
  n->type = t;
  n->name = std::move(name);
  return Expr(n);
}

Var::Var(std::string name, DataType t) : Expr(Variable::make(t, std::move(name))) {}
Var::Var(const Expr &e) : Expr(e) {
  internal_check(e.as<Variable>()) << "Var from a non-variable expression";
}

Expr Cast::make(DataType t, Expr value) {
  internal_check(value.defined()) << "Cast of undefined";
  internal_check(t.lanes == value.type().lanes)
      << "Cast from " << value.type().str() << " to " << t.str() << " changes lanes";
  auto *n = new Cast;
  n->type = t;
  n->value = std::move(value);
  return Expr(n);
}

bool is_comparison(IRNodeKind k) {
  return k == IRNodeKind::EQ || k == IRNodeKind::NE || k == IRNodeKind::LT ||
         k == IRNodeKind::LE || k == IRNodeKind::GT || k == IRNodeKind::GE;
}

template <typename T>
Expr BinaryNode<T>::make(Expr a, Expr b) {
  internal_check(a.defined() && b.defined()) << node_kind_name(T::kKind) << " of undefined";
  internal_check(a.type() == b.type()) << node_kind_name(T::kKind) << " of mismatched types "
                                       << a.type().str() << " and " << b.type().str();
  auto *n = new T;
  if (is_comparison(T::kKind)) {
    n->type = Bool(a.type().lanes);
  } else if (T::kKind == IRNodeKind::And || T::kKind == IRNodeKind::Or) {
    internal_check(a.type().is_bool()) << node_kind_name(T::kKind) << " of non-bool "
                                       << a.type().str();
    n->type = a.type();
  } else {
    internal_check(!a.type().is_bool() && !a.type().is_handle())
        << node_kind_name(T::kKind) << " of " << a.type().str();
    n->type = a.type();
  }
  n->a = std::move(a);
  n->b = std::move(b);
  return Expr(n);
}

template struct BinaryNode<Add>;
template struct BinaryNode<Sub>;
template struct BinaryNode<Mul>;
template struct BinaryNode<Div>;
template struct BinaryNode<Mod>;
template struct BinaryNode<Min>;
template struct BinaryNode<Max>;
template struct BinaryNode<EQ>;
template struct BinaryNode<NE>;
template struct BinaryNode<LT>;
template struct BinaryNode<LE>;
template struct BinaryNode<GT>;
template struct BinaryNode<GE>;
template struct BinaryNode<And>;
template struct BinaryNode<Or>;

Expr Not::make(Expr a) {
  internal_check(a.defined() && a.type().is_bool()) << "Not of non-bool";
  auto *n = new Not;
  n->type = a.type();
  n->a = std::move(a);
  return Expr(n);
}

Expr Select::make(Expr c, Expr t, Expr f) {
  internal_check(c.defined() && t.defined() && f.defined()) << "Select of undefined";
  internal_check(c.type().is_bool()) << "Select condition of type " << c.type().str();
  internal_check(t.type() == f.type()) << "Select branches of types " << t.type().str() << " and "
                                       << f.type().str();
  internal_check(c.type().lanes == 1 || c.type().lanes == t.type().lanes)
      << "Select condition lanes " << c.type().lanes << " vs value lanes " << t.type().lanes;
  auto *n = new Select;
  n->type = t.type();
  n->condition = std::move(c);
  n->true_value = std::move(t);
  n->false_value = std::move(f);
  return Expr(n);
}

Expr Load::make(DataType elem_type, Var buffer, Expr index, Expr predicate) {
  internal_check(buffer.defined() && buffer.type().is_handle()) << "Load from a non-handle";
  internal_check(index.defined() && index.type().element_of() == index_type())
      << "Load index must be int64, got " << (index.defined() ? index.type().str() : "undefined");
  if (predicate.defined()) {
    internal_check(predicate.type() == Bool(index.type().lanes)) << "Load predicate lanes";
  }
  auto *n = new Load;
  n->type = elem_type.with_lanes(index.type().lanes);
  n->buffer = std::move(buffer);
  n->index = std::move(index);
  n->predicate = std::move(predicate);
  return Expr(n);
}

Expr Ramp::make(Expr base, Expr stride, int lanes) {
  internal_check(base.defined() && stride.defined() && lanes > 1) << "Ramp with lanes " << lanes;
  internal_check(base.type().is_scalar() && base.type() == stride.type()) << "Ramp operand types";
  auto *n = new Ramp;
  n->type = base.type().with_lanes(lanes);
  n->base = std::move(base);
  n->stride = std::move(stride);
  n->lanes = lanes;
  return Expr(n);
}

Expr Broadcast::make(Expr value, int lanes) {
  internal_check(value.defined() && value.type().is_scalar() && lanes > 1)
      << "Broadcast with lanes " << lanes;
  auto *n = new Broadcast;
  n->type = value.type().with_lanes(lanes);
  n->value = std::move(value);
  n->lanes = lanes;
  return Expr(n);
}

Expr Let::make(Var var, Expr value, Expr body) {
  internal_check(var.defined() && value.defined() && body.defined()) << "Let of undefined";
  internal_check(var.type() == value.type()) << "Let type mismatch";
  auto *n = new Let;
  n->type = body.type();
  n->var = std::move(var);
  n->value = std::move(value);
  n->body = std::move(body);
  return Expr(n);
}

const char *intrinsic_name(Intrinsic op) {
  switch (op) {
    case Intrinsic::Exp: return "exp";
    case Intrinsic::Log: return "log";
    case Intrinsic::Sqrt: return "sqrt";
    case Intrinsic::Tanh: return "tanh";
    case Intrinsic::Erf: return "erf";
    case Intrinsic::Sigmoid: return "sigmoid";
    case Intrinsic::Pow: return "pow";
    case Intrinsic::Abs: return "abs";
    case Intrinsic::Floor: return "floor";
    case Intrinsic::Ceil: return "ceil";
    case Intrinsic::Round: return "round";
  }
  return "?";
}

Expr Call::make(Intrinsic op, std::vector<Expr> args) {
  size_t arity = op == Intrinsic::Pow ? 2 : 1;
  internal_check(args.size() == arity) << intrinsic_name(op) << " takes " << arity << " args";
  for (auto &a : args) {
    internal_check(a.defined() && a.type() == args[0].type()) << intrinsic_name(op) << " arg types";
  }
  internal_check(args[0].type().is_float() || op == Intrinsic::Abs)
      << intrinsic_name(op) << " of " << args[0].type().str();
  auto *n = new Call;
  n->type = args[0].type();
  n->op = op;
  n->args = std::move(args);
  return Expr(n);
}

Expr TensorRead::make(DataProducer producer, std::vector<Expr> indices) {
  internal_check(producer.defined()) << "TensorRead of undefined producer";
  internal_check(indices.size() == producer->shape.size())
      << "read of '" << producer->name << "' with " << indices.size() << " indices, tensor has "
      << producer->shape.size() << " dimensions";
  auto *n = new TensorRead;
  n->type = producer->dtype;
  n->producer = std::move(producer);
  n->indices = std::move(indices);
  return Expr(n);
}

IterVar::IterVar(Range dom, Var var, IterVarKind kind, std::string thread_tag) {
  auto *n = new IterVarNode;
  n->dom = std::move(dom);
  n->var = std::move(var);
  n->kind = kind;
  n->thread_tag = std::move(thread_tag);
  Ref<const IterVarNode>::operator=(Ref<const IterVarNode>(n));
}

const char *reduce_kind_name(ReduceKind k) {
  switch (k) {
    case ReduceKind::Sum: return "sum";
    case ReduceKind::Max: return "max";
    case ReduceKind::Min: return "min";
    case ReduceKind::Prod: return "prod";
  }
  return "?";
}

Expr Reduce::make(ReduceKind combiner, Expr source, std::vector<IterVar> axes, Expr condition) {
  internal_check(source.defined()) << "Reduce of undefined";
  internal_check(!axes.empty()) << "Reduce without axes";
  if (!condition.defined()) condition = IntImm::make(Bool(), 1);
  auto *n = new Reduce;
  n->type = source.type();
  n->combiner = combiner;
  n->source = std::move(source);
  n->axes = std::move(axes);
  n->condition = std::move(condition);
  return Expr(n);
}

Expr reduce_identity(ReduceKind combiner, DataType t) {
  internal_check(t.is_scalar()) << "reduce identity of vector type";
  auto lowest = [&]() -> Expr {
    if (t.is_float()) return FloatImm::make(t, -std::numeric_limits<double>::infinity());
    if (t.is_uint()) return IntImm::make(t, 0);
    return IntImm::make(t, t.bits == 64 ? std::numeric_limits<int64_t>::min()
                                        : -(int64_t(1) << (t.bits - 1)));
  };
  auto highest = [&]() -> Expr {
    if (t.is_float()) return FloatImm::make(t, std::numeric_limits<double>::infinity());
    return IntImm::make(t, t.bits == 64 ? std::numeric_limits<int64_t>::max()
                                        : (int64_t(1) << (t.bits - (t.is_uint() ? 0 : 1))) - 1);
  };
  switch (combiner) {
    case ReduceKind::Sum:
      return t.is_float() ? FloatImm::make(t, 0) : IntImm::make(t, 0);
    case ReduceKind::Prod:
      return t.is_float() ? FloatImm::make(t, 1) : IntImm::make(t, 1);
    case ReduceKind::Max: return lowest();
    case ReduceKind::Min: return highest();
  }
  return Expr();
}

Expr reduce_combine(ReduceKind combiner, Expr a, Expr b) {
  switch (combiner) {
    case ReduceKind::Sum: return Add::make(std::move(a), std::move(b));
    case ReduceKind::Prod: return Mul::make(std::move(a), std::move(b));
    case ReduceKind::Max: return Max::make(std::move(a), std::move(b));
    case ReduceKind::Min: return Min::make(std::move(a), std::move(b));
  }
  return Expr();
}

Stmt LetStmt::make(Var var, Expr value, Stmt body) {
  internal_check(var.defined() && value.defined() && body.defined()) << "LetStmt of undefined";
  auto *n = new LetStmt;
  n->var = std::move(var);
  n->value = std::move(value);
  n->body = std::move(body);
  return Stmt(n);
}

const char *for_kind_name(ForKind k) {
  switch (k) {
    case ForKind::Serial: return "for";
    case ForKind::Parallel: return "parallel";
    case ForKind::Vectorized: return "vectorized";
    case ForKind::Unrolled: return "unrolled";
    case ForKind::ThreadBinding: return "thread_binding";
  }
  return "?";
}

Stmt For::make(Var loop_var, Expr min, Expr extent, ForKind kind, Stmt body,
               std::string thread_tag) {
  internal_check(loop_var.defined() && min.defined() && extent.defined() && body.defined())
      << "For of undefined";
  internal_check(min.type() == index_type() && extent.type() == index_type())
      << "For bounds must be int64";
  auto *n = new For;
  n->loop_var = std::move(loop_var);
  n->min = std::move(min);
  n->extent = std::move(extent);
  n->kind = kind;
  n->body = std::move(body);
  n->thread_tag = std::move(thread_tag);
  return Stmt(n);
}

Stmt Store::make(Var buffer, Expr value, Expr index, Expr predicate) {
  internal_check(buffer.defined() && buffer.type().is_handle()) << "Store to a non-handle";
  internal_check(value.defined() && index.defined()) << "Store of undefined";
  internal_check(value.type().lanes == index.type().lanes)
      << "Store of " << value.type().str() << " at index of type " << index.type().str();
  auto *n = new Store;
  n->buffer = std::move(buffer);
  n->value = std::move(value);
  n->index = std::move(index);
  n->predicate = std::move(predicate);
  return Stmt(n);
}

Stmt Provide::make(DataProducer producer, Expr value, std::vector<Expr> indices) {
  internal_check(producer.defined() && value.defined()) << "Provide of undefined";
  internal_check(indices.size() == producer->shape.size()) << "Provide index count";
  auto *n = new Provide;
  n->producer = std::move(producer);
  n->value = std::move(value);
  n->indices = std::move(indices);
  return Stmt(n);
}

const char *memory_scope_name(MemoryScope s) {
  switch (s) {
    case MemoryScope::Global: return "global";
    case MemoryScope::Local: return "local";
    case MemoryScope::Shared: return "shared";
  }
  return "?";
}

Stmt Allocate::make(Var buffer, DataType dtype, int64_t extent, MemoryScope scope, Stmt body) {
  internal_check(buffer.defined() && body.defined() && extent > 0)
      << "Allocate of " << extent << " elements";
  auto *n = new Allocate;
  n->buffer = std::move(buffer);
  n->dtype = dtype;
  n->extent = extent;
  n->scope = scope;
  n->body = std::move(body);
  return Stmt(n);
}

Stmt Realize::make(DataProducer producer, std::vector<Range> bounds, MemoryScope scope,
                   Stmt body) {
  internal_check(producer.defined() && body.defined()) << "Realize of undefined";
  internal_check(bounds.size() == producer->shape.size()) << "Realize bounds count";
  auto *n = new Realize;
  n->producer = std::move(producer);
  n->bounds = std::move(bounds);
  n->scope = scope;
  n->body = std::move(body);
  return Stmt(n);
}

Stmt IfThenElse::make(Expr condition, Stmt then_case, Stmt else_case) {
  internal_check(condition.defined() && then_case.defined()) << "IfThenElse of undefined";
  internal_check(condition.type() == Bool()) << "IfThenElse condition must be scalar bool";
  auto *n = new IfThenElse;
  n->condition = std::move(condition);
  n->then_case = std::move(then_case);
  n->else_case = std::move(else_case);
  return Stmt(n);
}

Stmt Block::make(std::vector<Stmt> stmts) {
  std::vector<Stmt> flat;
  for (auto &s : stmts) {
    if (!s.defined()) continue;
    if (const Block *b = s.as<Block>()) {
      flat.insert(flat.end(), b->stmts.begin(), b->stmts.end());
    } else {
      flat.push_back(s);
    }
  }
  if (flat.size() == 1) return flat[0];
  auto *n = new Block;
  n->stmts = std::move(flat);
  return Stmt(n);
}

Stmt Evaluate::make(Expr value) {
  internal_check(value.defined()) << "Evaluate of undefined";
  auto *n = new Evaluate;
  n->value = std::move(value);
  return Stmt(n);
}

}  // namespace autotune::ir

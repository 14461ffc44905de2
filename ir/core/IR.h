// The loop-nest IR: immutable expression and statement nodes, their handles, and iteration variables.
// Every later stage (tensor expressions, lowering, code generation, features) speaks this IR.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/core/Type.h"
#include "ir/support/Error.h"
#include "ir/support/RefCount.h"

namespace autotune::ir {

enum class IRNodeKind : uint8_t {
#define AUTOTUNE_EXPR_NODE(name) name,
#define AUTOTUNE_STMT_NODE(name) name,
#include "ir/core/NodeKinds.def"
#undef AUTOTUNE_EXPR_NODE
#undef AUTOTUNE_STMT_NODE
};

/// Name of a node kind, for messages ("Add", "For").
const char *node_kind_name(IRNodeKind kind);

struct IRNode : RefCounted {
  const IRNodeKind kind;
  explicit IRNode(IRNodeKind k) : kind(k) {}
};

struct BaseExprNode : IRNode {
  DataType type;
  explicit BaseExprNode(IRNodeKind k) : IRNode(k) {}
};

struct BaseStmtNode : IRNode {
  explicit BaseStmtNode(IRNodeKind k) : IRNode(k) {}
};

template <typename T>
struct ExprNode : BaseExprNode {
  ExprNode() : BaseExprNode(T::kKind) {}
};

template <typename T>
struct StmtNode : BaseStmtNode {
  StmtNode() : BaseStmtNode(T::kKind) {}
};

/// Handle to an immutable expression. Cheap to copy; `same_as` compares identity.
/// Integer literals convert to int64 constants, floating literals to float32 constants.
class Expr {
 public:
  Expr() = default;
  Expr(const BaseExprNode *n) : ptr_(const_cast<BaseExprNode *>(n)) {}  // NOLINT
  Expr(int value);                                                     // NOLINT
  Expr(int64_t value);                                                 // NOLINT
  Expr(float value);                                                   // NOLINT
  Expr(double value);                                                  // NOLINT

  const BaseExprNode *get() const { return ptr_.get(); }
  const BaseExprNode *operator->() const { return ptr_.get(); }
  bool defined() const { return ptr_.defined(); }
  bool same_as(const Expr &o) const { return ptr_.get() == o.ptr_.get(); }
  DataType type() const { return ptr_->type; }
  IRNodeKind kind() const { return ptr_->kind; }

  /// The node as T when it is of T's kind, else nullptr.
  template <typename T>
  const T *as() const {
    if (ptr_.defined() && ptr_->kind == T::kKind) return static_cast<const T *>(ptr_.get());
    return nullptr;
  }

 private:
  Ref<BaseExprNode> ptr_;
};

/// Handle to an immutable statement.
class Stmt {
 public:
  Stmt() = default;
  Stmt(const BaseStmtNode *n) : ptr_(const_cast<BaseStmtNode *>(n)) {}  // NOLINT

  const BaseStmtNode *get() const { return ptr_.get(); }
  const BaseStmtNode *operator->() const { return ptr_.get(); }
  bool defined() const { return ptr_.defined(); }
  bool same_as(const Stmt &o) const { return ptr_.get() == o.ptr_.get(); }
  IRNodeKind kind() const { return ptr_->kind; }

  template <typename T>
  const T *as() const {
    if (ptr_.defined() && ptr_->kind == T::kKind) return static_cast<const T *>(ptr_.get());
    return nullptr;
  }

 private:
  Ref<BaseStmtNode> ptr_;
};

// ---- Leaves -------------------------------------------------------------------------------------

/// Integer (or Bool) constant. The value is stored sign-extended in 64 bits.
struct IntImm final : ExprNode<IntImm> {
  static constexpr IRNodeKind kKind = IRNodeKind::IntImm;
  int64_t value = 0;
  static Expr make(DataType t, int64_t value);
};

/// Floating-point constant, rounded to the type's precision when emitted.
struct FloatImm final : ExprNode<FloatImm> {
  static constexpr IRNodeKind kKind = IRNodeKind::FloatImm;
  double value = 0;
  static Expr make(DataType t, double value);
};

/// A variable: loop counter, let-bound name, kernel scalar argument or buffer handle.
/// Two variables are the same only if they are the same node; the name is for printing.
struct Variable final : ExprNode<Variable> {
  static constexpr IRNodeKind kKind = IRNodeKind::Variable;
  std::string name;
  static Expr make(DataType t, std::string name);
};

/// Handle to a Variable node, usable wherever an Expr is.
class Var : public Expr {
 public:
  Var() = default;
  explicit Var(std::string name, DataType t = index_type());
  explicit Var(const Expr &e);  // must be a Variable
  const Variable *get() const { return static_cast<const Variable *>(Expr::get()); }
  const Variable *operator->() const { return get(); }
  const std::string &name() const { return get()->name; }
};

/// Half-open interval [min, min + extent).
struct Range {
  Expr min, extent;
  Range() = default;
  Range(Expr min, Expr extent) : min(std::move(min)), extent(std::move(extent)) {}
  /// [begin, end) from constants.
  static Range from_min_extent(int64_t min, int64_t extent) { return Range(Expr(min), Expr(extent)); }
};

// ---- Arithmetic and logic -----------------------------------------------------------------------

/// Type conversion; lanes are preserved. Float->int truncates toward zero.
struct Cast final : ExprNode<Cast> {
  static constexpr IRNodeKind kKind = IRNodeKind::Cast;
  Expr value;
  static Expr make(DataType t, Expr value);
};

/// Binary nodes share one layout. Both operands have the same type. Div and Mod on integers are
/// floor division and floor modulo (the remainder has the divisor's sign), like Halide.
/// Comparisons yield Bool with the operands' lanes. And/Or take Bool operands.
template <typename T>
struct BinaryNode : ExprNode<T> {
  Expr a, b;
  static Expr make(Expr a, Expr b);
};

#define AUTOTUNE_BINARY(Name)                                 \
  struct Name final : BinaryNode<Name> {                      \
    static constexpr IRNodeKind kKind = IRNodeKind::Name;     \
  };
AUTOTUNE_BINARY(Add)
AUTOTUNE_BINARY(Sub)
AUTOTUNE_BINARY(Mul)
AUTOTUNE_BINARY(Div)
AUTOTUNE_BINARY(Mod)
AUTOTUNE_BINARY(Min)
AUTOTUNE_BINARY(Max)
AUTOTUNE_BINARY(EQ)
AUTOTUNE_BINARY(NE)
AUTOTUNE_BINARY(LT)
AUTOTUNE_BINARY(LE)
AUTOTUNE_BINARY(GT)
AUTOTUNE_BINARY(GE)
AUTOTUNE_BINARY(And)
AUTOTUNE_BINARY(Or)
#undef AUTOTUNE_BINARY

/// True when kind is one of the comparison nodes (EQ..GE).
bool is_comparison(IRNodeKind kind);

struct Not final : ExprNode<Not> {
  static constexpr IRNodeKind kKind = IRNodeKind::Not;
  Expr a;
  static Expr make(Expr a);
};

/// condition ? true_value : false_value. Both branches are evaluated (no side effects in exprs).
/// A scalar condition may select between vectors; a vector condition selects per lane.
struct Select final : ExprNode<Select> {
  static constexpr IRNodeKind kKind = IRNodeKind::Select;
  Expr condition, true_value, false_value;
  static Expr make(Expr condition, Expr true_value, Expr false_value);
};

// ---- Memory -------------------------------------------------------------------------------------

/// Reads buffer[index] (element units). A vector index gives a vector load; a Ramp with stride 1
/// is a contiguous load. `predicate`, if defined, masks lanes (masked-off lanes read as zero and
/// touch no memory).
struct Load final : ExprNode<Load> {
  static constexpr IRNodeKind kKind = IRNodeKind::Load;
  Var buffer;
  Expr index;
  Expr predicate;
  static Expr make(DataType elem_type, Var buffer, Expr index, Expr predicate = Expr());
};

/// The vector [base, base + stride, ..., base + (lanes-1)*stride].
struct Ramp final : ExprNode<Ramp> {
  static constexpr IRNodeKind kKind = IRNodeKind::Ramp;
  Expr base, stride;
  int lanes = 1;
  static Expr make(Expr base, Expr stride, int lanes);
};

/// A scalar repeated over `lanes` lanes.
struct Broadcast final : ExprNode<Broadcast> {
  static constexpr IRNodeKind kKind = IRNodeKind::Broadcast;
  Expr value;
  int lanes = 1;
  static Expr make(Expr value, int lanes);
};

/// `let var = value in body`.
struct Let final : ExprNode<Let> {
  static constexpr IRNodeKind kKind = IRNodeKind::Let;
  Var var;
  Expr value, body;
  static Expr make(Var var, Expr value, Expr body);
};

/// Pure math intrinsics. All take and return floats of the argument's type (lane-wise).
enum class Intrinsic : uint8_t { Exp, Log, Sqrt, Tanh, Erf, Sigmoid, Pow, Abs, Floor, Ceil, Round };
const char *intrinsic_name(Intrinsic op);

struct Call final : ExprNode<Call> {
  static constexpr IRNodeKind kKind = IRNodeKind::Call;
  Intrinsic op;
  std::vector<Expr> args;
  static Expr make(Intrinsic op, std::vector<Expr> args);
};

// ---- Tensor-level nodes (present before storage flattening) -------------------------------------

/// Something that produces a multi-dimensional array: a tensor-expression stage (ir/te).
/// The loop-nest IR refers to it by identity through TensorRead, Provide and Realize.
struct DataProducerNode : RefCounted {
  std::string name;
  std::vector<int64_t> shape;
  DataType dtype;
};
using DataProducer = Ref<const DataProducerNode>;

/// Reads producer[indices...] (one index per dimension).
struct TensorRead final : ExprNode<TensorRead> {
  static constexpr IRNodeKind kKind = IRNodeKind::TensorRead;
  DataProducer producer;
  std::vector<Expr> indices;
  static Expr make(DataProducer producer, std::vector<Expr> indices);
};

enum class IterVarKind : uint8_t {
  DataPar,   ///< spatial axis: iterations are independent
  Reduce,    ///< reduction axis: iterations combine into one value
  Ordered,   ///< must run in order (never vectorized or parallelized)
};

/// An iteration variable with its domain. Identity matters: schedules refer to axes by node.
struct IterVarNode : RefCounted {
  Var var;
  Range dom;
  IterVarKind kind = IterVarKind::DataPar;
  std::string thread_tag;  ///< GPU binding ("blockIdx.x", "threadIdx.x"), empty when unbound
};

class IterVar : public Ref<const IterVarNode> {
 public:
  IterVar() = default;
  IterVar(Range dom, Var var, IterVarKind kind, std::string thread_tag = "");
  const std::string &name() const { return get()->var.name(); }
  const Var &var() const { return get()->var; }
  const Range &dom() const { return get()->dom; }
  IterVarKind kind() const { return get()->kind; }
  operator Expr() const { return get()->var; }  // NOLINT: use an axis as its variable
};

enum class ReduceKind : uint8_t { Sum, Max, Min, Prod };
const char *reduce_kind_name(ReduceKind k);

/// Combines `source` over every point of `axes` (where `condition` holds) with the combiner,
/// starting from the combiner's identity. Only appears at the top of a compute body.
struct Reduce final : ExprNode<Reduce> {
  static constexpr IRNodeKind kKind = IRNodeKind::Reduce;
  ReduceKind combiner;
  Expr source;
  std::vector<IterVar> axes;
  Expr condition;  ///< Bool; always defined (true when unconditional)
  static Expr make(ReduceKind combiner, Expr source, std::vector<IterVar> axes, Expr condition);
};

/// The identity of a combiner for a type (0 for Sum, lowest for Max, ...).
Expr reduce_identity(ReduceKind combiner, DataType t);
/// combiner(a, b).
Expr reduce_combine(ReduceKind combiner, Expr a, Expr b);

// ---- Statements ---------------------------------------------------------------------------------

struct LetStmt final : StmtNode<LetStmt> {
  static constexpr IRNodeKind kKind = IRNodeKind::LetStmt;
  Var var;
  Expr value;
  Stmt body;
  static Stmt make(Var var, Expr value, Stmt body);
};

enum class ForKind : uint8_t {
  Serial,
  Parallel,    ///< iterations run on the runtime thread pool
  Vectorized,  ///< becomes explicit vector operations (extent = lanes)
  Unrolled,    ///< copied `extent` times
  ThreadBinding,  ///< bound to a GPU thread index named by `thread_tag`
};
const char *for_kind_name(ForKind k);

/// for (loop_var = min; loop_var < min + extent; ++loop_var) body
struct For final : StmtNode<For> {
  static constexpr IRNodeKind kKind = IRNodeKind::For;
  Var loop_var;
  Expr min, extent;
  ForKind kind = ForKind::Serial;
  Stmt body;
  std::string thread_tag;
  static Stmt make(Var loop_var, Expr min, Expr extent, ForKind kind, Stmt body,
                   std::string thread_tag = "");
};

/// buffer[index] = value; vector index and value store lanes (masked by predicate if defined).
struct Store final : StmtNode<Store> {
  static constexpr IRNodeKind kKind = IRNodeKind::Store;
  Var buffer;
  Expr value, index, predicate;
  static Stmt make(Var buffer, Expr value, Expr index, Expr predicate = Expr());
};

/// producer[indices...] = value (before storage flattening).
struct Provide final : StmtNode<Provide> {
  static constexpr IRNodeKind kKind = IRNodeKind::Provide;
  DataProducer producer;
  Expr value;
  std::vector<Expr> indices;
  static Stmt make(DataProducer producer, Expr value, std::vector<Expr> indices);
};

enum class MemoryScope : uint8_t { Global, Local, Shared };
const char *memory_scope_name(MemoryScope s);

/// Allocates `extent` elements of `dtype` named by `buffer` for the duration of body.
/// Local buffers live on the stack (and in registers once promoted); Global ones on the heap.
struct Allocate final : StmtNode<Allocate> {
  static constexpr IRNodeKind kKind = IRNodeKind::Allocate;
  Var buffer;
  DataType dtype;
  int64_t extent = 0;
  MemoryScope scope = MemoryScope::Global;
  Stmt body;
  static Stmt make(Var buffer, DataType dtype, int64_t extent, MemoryScope scope, Stmt body);
};

/// The region `bounds` of producer is computed and stored inside body (before flattening).
struct Realize final : StmtNode<Realize> {
  static constexpr IRNodeKind kKind = IRNodeKind::Realize;
  DataProducer producer;
  std::vector<Range> bounds;
  MemoryScope scope = MemoryScope::Global;
  Stmt body;
  static Stmt make(DataProducer producer, std::vector<Range> bounds, MemoryScope scope, Stmt body);
};

struct IfThenElse final : StmtNode<IfThenElse> {
  static constexpr IRNodeKind kKind = IRNodeKind::IfThenElse;
  Expr condition;
  Stmt then_case, else_case;  ///< else_case may be undefined
  static Stmt make(Expr condition, Stmt then_case, Stmt else_case = Stmt());
};

/// Statements run in order.
struct Block final : StmtNode<Block> {
  static constexpr IRNodeKind kKind = IRNodeKind::Block;
  std::vector<Stmt> stmts;
  /// Flattens nested blocks and drops undefined statements; one statement is returned as is.
  static Stmt make(std::vector<Stmt> stmts);
};

struct Evaluate final : StmtNode<Evaluate> {
  static constexpr IRNodeKind kKind = IRNodeKind::Evaluate;
  Expr value;
  static Stmt make(Expr value);
};

// ---- Kernels ------------------------------------------------------------------------------------

/// One argument of a lowered kernel: a buffer (handle var with its element type and shape).
struct KernelArg {
  Var buffer;
  DataType dtype;
  std::vector<int64_t> shape;
};

/// A lowered kernel: flat loop nest over buffers, ready for code generation.
/// The generated symbol has the C signature `int32_t name(void **args)` with args in this order.
struct LoweredFunc {
  std::string name;
  std::vector<KernelArg> args;
  Stmt body;
};

}  // namespace autotune::ir

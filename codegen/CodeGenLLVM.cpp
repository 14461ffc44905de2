// Lowered loop nests to LLVM IR, plus the O3 pipeline that turns them into fast machine code.
//
// Algorithm (one kernel `f` with buffers b0..bn):
//   1. `f.body` is an internal, always-inline function taking b0..bn as noalias pointers with an
//      alignment hint; inlining it into the exported `int32_t f(void **args)` turns noalias into
//      scoped alias metadata, so loads hoist out of loops without runtime alias checks.
//   2. Statements are emitted in order into basic blocks; loops are rotated (guard + do-while)
//      with a phi for the counter and `llvm.loop` mustprogress metadata on the back edge.
//   3. A Parallel loop is outlined: its free variables go into a closure struct on the stack,
//      the body becomes `void f.parK(i64 begin, i64 end, ptr closure)` (which unpacks the closure
//      and calls an always-inline worker with noalias buffers, as in step 1), and the loop becomes
//      a call to autotune_parallel_for through the module's runtime table.
//   4. Vector code maps one to one: a stride-1 Ramp index is one vector load/store (masked when
//      predicated), a Broadcast index a scalar load and a splat, other indices per-lane accesses.
//      Float ops carry the `contract` flag so that fmul+fadd fuse into FMA.
// Example:  for (i, 0, 64) { C[ramp(i*8, 1, 8)] = A[ramp(i*8, 1, 8)] + x8(B[i]) }
//   becomes   %a = load <8 x float>, ptr %pa ; %b = load float ; splat ; fadd contract ; store
#include "codegen/CodeGenLLVM.h"

#include <llvm/ADT/SmallVector.h>
#include <llvm/Analysis/AliasAnalysis.h>
#include <llvm/IR/BasicBlock.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/Metadata.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/OptimizationLevel.h>

#include <cstdlib>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "codegen/runtime/RuntimeTable.h"
#include "ir/core/IROperators.h"
#include "ir/core/IRVisitor.h"

namespace autotune::codegen {
namespace {

/// Local buffers up to this size live on the stack (where SROA can promote them to registers).
constexpr int64_t kMaxStackBytes = 64 * 1024;
/// Alignment promised for kernel arguments: what malloc gives. Buffers from autotune_alloc and
/// from Allocate are 64-byte aligned.
constexpr unsigned kArgAlign = 16;
constexpr unsigned kAllocAlign = 64;

/// The integer constant of e, looking through one Broadcast.
std::optional<int64_t> const_int_of(const ir::Expr &e) {
  if (const auto *b = e.as<ir::Broadcast>()) return const_int_of(b->value);
  if (const int64_t *c = ir::as_const_int(e)) return *c;
  return std::nullopt;
}

bool is_const_true(const ir::Expr &e) {
  auto c = const_int_of(e);
  return c && *c != 0;
}

/// base + stride * lane, recognized also as ramp +/- broadcast (unsimplified index arithmetic).
struct RampForm {
  ir::Expr base, stride;
};

std::optional<RampForm> match_ramp(const ir::Expr &e) {
  if (const auto *r = e.as<ir::Ramp>()) return RampForm{r->base, r->stride};
  if (const auto *add = e.as<ir::Add>()) {
    const auto *ba = add->a.as<ir::Broadcast>();
    const auto *bb = add->b.as<ir::Broadcast>();
    if (bb) {
      if (auto r = match_ramp(add->a))
        return RampForm{ir::Add::make(r->base, bb->value), r->stride};
    }
    if (ba) {
      if (auto r = match_ramp(add->b))
        return RampForm{ir::Add::make(ba->value, r->base), r->stride};
    }
  }
  if (const auto *sub = e.as<ir::Sub>()) {
    if (const auto *bb = sub->b.as<ir::Broadcast>()) {
      if (auto r = match_ramp(sub->a))
        return RampForm{ir::Sub::make(r->base, bb->value), r->stride};
    }
  }
  return std::nullopt;
}

/// Variables a statement uses but does not define, in order of first use.
class FreeVariables final : public ir::IRVisitor {
 public:
  explicit FreeVariables(const ir::Variable *exclude) { defined_.insert(exclude); }
  std::vector<const ir::Variable *> result;

  using IRVisitor::visit;
  void visit(const ir::Variable *op) override {
    if (!defined_.count(op) && seen_.insert(op).second) result.push_back(op);
  }
  void visit(const ir::Let *op) override {
    defined_.insert(op->var.get());
    IRVisitor::visit(op);
  }
  void visit(const ir::LetStmt *op) override {
    defined_.insert(op->var.get());
    IRVisitor::visit(op);
  }
  void visit(const ir::For *op) override {
    defined_.insert(op->loop_var.get());
    IRVisitor::visit(op);
  }
  void visit(const ir::Allocate *op) override {
    defined_.insert(op->buffer.get());
    IRVisitor::visit(op);
  }

 private:
  std::unordered_set<const ir::Variable *> defined_, seen_;
};

class CodeGenLLVM final : public ir::IRVisitor {
 public:
  CodeGenLLVM(llvm::Module &module, llvm::TargetMachine &tm)
      : ctx_(module.getContext()),
        module_(module),
        builder_(ctx_),
        is_x86_(tm.getTargetTriple().isX86()),
        cpu_(tm.getTargetCPU().str()),
        features_(tm.getTargetFeatureString().str()) {
    llvm::FastMathFlags fmf;
    fmf.setAllowContract(true);
    builder_.setFastMathFlags(fmf);
    void_ = llvm::Type::getVoidTy(ctx_);
    i1_ = llvm::Type::getInt1Ty(ctx_);
    i8_ = llvm::Type::getInt8Ty(ctx_);
    i32_ = llvm::Type::getInt32Ty(ctx_);
    i64_ = llvm::Type::getInt64Ty(ctx_);
    ptr_ = llvm::PointerType::get(ctx_, 0);
    // Weak, so that several generated objects can be linked into one library sharing one table.
    auto *table_ty = llvm::ArrayType::get(ptr_, runtime::kRuntimeTableSlots);
    table_ = new llvm::GlobalVariable(
        module_, table_ty, /*isConstant=*/false, llvm::GlobalValue::WeakAnyLinkage,
        llvm::ConstantAggregateZero::get(table_ty), runtime::kRuntimeTableSymbol);
    table_->setAlignment(llvm::Align(8));
  }

  void add_kernel(const ir::LoweredFunc &f) {
    user_check(!f.name.empty()) << "cannot generate code for a kernel without a name";
    user_check(module_.getNamedValue(f.name) == nullptr)
        << "two kernels named '" << f.name << "' in one module";
    kernel_name_ = f.name;
    parallel_count_ = 0;

    // 1. The body, taking the buffers as noalias pointers.
    std::vector<llvm::Type *> params(f.args.size(), ptr_);
    auto *body =
        llvm::Function::Create(llvm::FunctionType::get(void_, params, false),
                               llvm::GlobalValue::InternalLinkage, f.name + ".body", module_);
    set_function_attributes(body);
    body->addFnAttr(llvm::Attribute::AlwaysInline);
    begin_function(body);
    std::unordered_set<const ir::Variable *> seen;
    for (size_t i = 0; i < f.args.size(); ++i) {
      const ir::Var &buf = f.args[i].buffer;
      user_check(buf.defined() && buf.type().is_handle())
          << "argument " << i << " of kernel '" << f.name << "' is not a buffer handle";
      user_check(seen.insert(buf.get()).second)
          << "buffer '" << buf.name() << "' is passed twice to kernel '" << f.name << "'";
      llvm::Argument *arg = body->getArg(static_cast<unsigned>(i));
      arg->setName(buf.name());
      add_buffer_param_attributes(body, static_cast<unsigned>(i), kArgAlign);
      symbols_[buf.get()] = arg;
      buffer_align_[buf.get()] = kArgAlign;
    }
    codegen(f.body);
    builder_.CreateRetVoid();

    // 2. The exported entry point: int32_t f(void **args).
    auto *kernel = llvm::Function::Create(llvm::FunctionType::get(i32_, {ptr_}, false),
                                          llvm::GlobalValue::ExternalLinkage, f.name, module_);
    set_function_attributes(kernel);
    kernel->addParamAttr(0, llvm::Attribute::NoCapture);
    kernel->addParamAttr(0, llvm::Attribute::ReadOnly);
    kernel->getArg(0)->setName("args");
    begin_function(kernel);
    std::vector<llvm::Value *> buffers;
    for (size_t i = 0; i < f.args.size(); ++i) {
      llvm::Value *slot = builder_.CreateConstInBoundsGEP1_64(ptr_, kernel->getArg(0), i);
      buffers.push_back(
          builder_.CreateAlignedLoad(ptr_, slot, llvm::Align(8), f.args[i].buffer.name()));
    }
    builder_.CreateCall(body, buffers);
    builder_.CreateRet(llvm::ConstantInt::get(i32_, 0));
    symbols_.clear();
    buffer_align_.clear();
  }

 private:
  using IRVisitor::visit;

  // ---- Functions and state ----------------------------------------------------------------------

  void set_function_attributes(llvm::Function *f) {
    if (!cpu_.empty()) f->addFnAttr("target-cpu", cpu_);
    if (!features_.empty()) f->addFnAttr("target-features", features_);
    f->addFnAttr("no-trapping-math", "true");
    f->addFnAttr(llvm::Attribute::NoUnwind);
    f->addFnAttr(llvm::Attribute::MustProgress);
  }

  void add_buffer_param_attributes(llvm::Function *f, unsigned i, unsigned align) {
    f->addParamAttr(i, llvm::Attribute::NoAlias);
    f->addParamAttr(i, llvm::Attribute::getWithAlignment(ctx_, llvm::Align(align)));
  }

  void begin_function(llvm::Function *f) {
    function_ = f;
    builder_.SetInsertPoint(llvm::BasicBlock::Create(ctx_, "entry", f));
  }

  struct FunctionState {
    llvm::Function *function;
    llvm::IRBuilderBase::InsertPoint insert_point;
    std::unordered_map<const ir::Variable *, llvm::Value *> symbols;
    std::unordered_map<const ir::Variable *, unsigned> buffer_align;
  };

  FunctionState save_state() {
    return FunctionState{function_, builder_.saveIP(), symbols_, buffer_align_};
  }

  void restore_state(FunctionState s) {
    function_ = s.function;
    builder_.restoreIP(s.insert_point);
    symbols_ = std::move(s.symbols);
    buffer_align_ = std::move(s.buffer_align);
  }

  llvm::Value *lookup(const ir::Variable *v) {
    auto it = symbols_.find(v);
    internal_check(it != symbols_.end())
        << "variable '" << v->name << "' is used outside the scope that defines it";
    return it->second;
  }

  /// Binds v to value and returns what it was bound to before (nullptr if nothing).
  llvm::Value *bind(const ir::Variable *v, llvm::Value *value) {
    auto it = symbols_.find(v);
    llvm::Value *old = it == symbols_.end() ? nullptr : it->second;
    symbols_[v] = value;
    return old;
  }

  void unbind(const ir::Variable *v, llvm::Value *old) {
    if (old) {
      symbols_[v] = old;
    } else {
      symbols_.erase(v);
    }
  }

  llvm::AllocaInst *entry_alloca(llvm::Type *ty, unsigned align, const std::string &name) {
    llvm::BasicBlock &entry = function_->getEntryBlock();
    llvm::IRBuilder<> b(&entry, entry.begin());
    llvm::AllocaInst *a = b.CreateAlloca(ty, nullptr, name);
    a->setAlignment(llvm::Align(align));
    return a;
  }

  // ---- Types ------------------------------------------------------------------------------------

  llvm::Type *scalar_type(ir::DataType t, bool in_memory) {
    switch (t.code) {
      case ir::DataType::Code::Int:
      case ir::DataType::Code::UInt:
        return llvm::IntegerType::get(ctx_, t.bits);
      case ir::DataType::Code::Bool:
        return in_memory ? i8_ : i1_;
      case ir::DataType::Code::Handle:
        return ptr_;
      case ir::DataType::Code::Float:
        if (t.bits == 16) return llvm::Type::getHalfTy(ctx_);
        if (t.bits == 32) return llvm::Type::getFloatTy(ctx_);
        if (t.bits == 64) return llvm::Type::getDoubleTy(ctx_);
        break;
    }
    internal_error << "no LLVM type for " << t.str();
    return nullptr;
  }

  llvm::Type *llvm_type(ir::DataType t, bool in_memory = false) {
    llvm::Type *e = scalar_type(t.element_of(), in_memory);
    return t.lanes > 1 ? llvm::FixedVectorType::get(e, t.lanes) : e;
  }

  /// Register value -> memory representation (bools are bytes in memory).
  llvm::Value *to_storage(llvm::Value *v, ir::DataType t) {
    return t.is_bool() ? builder_.CreateZExt(v, llvm_type(t, true)) : v;
  }
  llvm::Value *from_storage(llvm::Value *v, ir::DataType t) {
    return t.is_bool() ? builder_.CreateICmpNE(v, llvm::Constant::getNullValue(v->getType())) : v;
  }

  // ---- Expressions ------------------------------------------------------------------------------

  llvm::Value *codegen(const ir::Expr &e) {
    internal_check(e.defined()) << "code generation of an undefined expression";
    value_ = nullptr;
    visit_expr(e);
    internal_check(value_ != nullptr) << "no value for a " << ir::node_kind_name(e.kind());
    llvm::Value *v = value_;
    value_ = nullptr;
    return v;
  }

  void visit(const ir::IntImm *op) override {
    value_ = llvm::ConstantInt::get(llvm_type(op->type), static_cast<uint64_t>(op->value),
                                    /*isSigned=*/true);
  }
  void visit(const ir::FloatImm *op) override {
    value_ = llvm::ConstantFP::get(llvm_type(op->type), op->value);
  }
  void visit(const ir::Variable *op) override { value_ = lookup(op); }

  void visit(const ir::Cast *op) override {
    ir::DataType from = op->value.type(), to = op->type;
    llvm::Value *v = codegen(op->value);
    llvm::Type *dst = llvm_type(to);
    internal_check(!from.is_handle() && !to.is_handle()) << "cast between handles and values";
    if (from == to) {
      value_ = v;
    } else if (to.is_bool()) {
      llvm::Value *zero = llvm::Constant::getNullValue(v->getType());
      value_ = from.is_float() ? builder_.CreateFCmpUNE(v, zero) : builder_.CreateICmpNE(v, zero);
    } else if (from.is_bool()) {
      value_ = to.is_float() ? builder_.CreateUIToFP(v, dst) : builder_.CreateZExt(v, dst);
    } else if (from.is_float() && to.is_float()) {
      value_ = builder_.CreateFPCast(v, dst);
    } else if (from.is_float()) {
      value_ = to.is_int() ? builder_.CreateFPToSI(v, dst) : builder_.CreateFPToUI(v, dst);
    } else if (to.is_float()) {
      value_ = from.is_int() ? builder_.CreateSIToFP(v, dst) : builder_.CreateUIToFP(v, dst);
    } else {
      value_ = builder_.CreateIntCast(v, dst, from.is_int());
    }
  }

  /// Signed integers of 32 bits and more do not wrap (like C); that lets LLVM reason about
  /// index arithmetic (vectorization, strength reduction).
  static bool no_signed_wrap(ir::DataType t) { return t.is_int() && t.bits >= 32; }

  llvm::Value *add(ir::DataType t, llvm::Value *a, llvm::Value *b) {
    if (t.is_float()) return builder_.CreateFAdd(a, b);
    return builder_.CreateAdd(a, b, "", false, no_signed_wrap(t));
  }
  llvm::Value *sub(ir::DataType t, llvm::Value *a, llvm::Value *b) {
    if (t.is_float()) return builder_.CreateFSub(a, b);
    return builder_.CreateSub(a, b, "", false, no_signed_wrap(t));
  }
  llvm::Value *mul(ir::DataType t, llvm::Value *a, llvm::Value *b) {
    if (t.is_float()) return builder_.CreateFMul(a, b);
    return builder_.CreateMul(a, b, "", false, no_signed_wrap(t));
  }

  void visit(const ir::Add *op) override { value_ = add(op->type, codegen(op->a), codegen(op->b)); }
  void visit(const ir::Sub *op) override { value_ = sub(op->type, codegen(op->a), codegen(op->b)); }
  void visit(const ir::Mul *op) override { value_ = mul(op->type, codegen(op->a), codegen(op->b)); }

  void visit(const ir::Div *op) override {
    if (op->type.is_float()) {
      value_ = builder_.CreateFDiv(codegen(op->a), codegen(op->b));
    } else {
      value_ = int_div_mod(op->a, op->b, op->type, /*is_mod=*/false);
    }
  }

  void visit(const ir::Mod *op) override {
    if (op->type.is_float()) {
      // a - b * floor(a / b): the result has the divisor's sign, like the integer case.
      llvm::Value *a = codegen(op->a), *b = codegen(op->b);
      llvm::Value *q =
          builder_.CreateUnaryIntrinsic(llvm::Intrinsic::floor, builder_.CreateFDiv(a, b));
      value_ = builder_.CreateFSub(a, builder_.CreateFMul(b, q));
    } else {
      value_ = int_div_mod(op->a, op->b, op->type, /*is_mod=*/true);
    }
  }

  /// Floor division / modulo on integers. Division by zero gives an unspecified value instead of
  /// trapping.
  llvm::Value *int_div_mod(const ir::Expr &ea, const ir::Expr &eb, ir::DataType t, bool is_mod) {
    llvm::Value *a = codegen(ea);
    llvm::Type *ty = a->getType();
    if (t.is_uint()) {
      llvm::Value *b = nonzero(codegen(eb));
      return is_mod ? builder_.CreateURem(a, b) : builder_.CreateUDiv(a, b);
    }
    std::optional<int64_t> d = const_int_of(eb);
    if (d && *d > 0) {
      if ((*d & (*d - 1)) == 0) {
        // Floor semantics make powers of two a plain arithmetic shift and mask.
        int shift = 0;
        while ((int64_t(1) << shift) < *d) ++shift;
        return is_mod ? builder_.CreateAnd(a, llvm::ConstantInt::get(ty, *d - 1))
                      : builder_.CreateAShr(a, llvm::ConstantInt::get(ty, shift));
      }
      // With b > 0, truncation and floor differ exactly when r < 0: add r's sign (-1 or 0).
      llvm::Value *b = codegen(eb);
      llvm::Value *q = builder_.CreateSDiv(a, b);
      llvm::Value *r = builder_.CreateSRem(a, b);
      llvm::Value *sign = builder_.CreateAShr(r, llvm::ConstantInt::get(ty, t.bits - 1));
      return is_mod ? builder_.CreateAdd(r, builder_.CreateAnd(sign, b))
                    : builder_.CreateAdd(q, sign);
    }
    llvm::Value *b = nonzero(codegen(eb));
    llvm::Value *q = builder_.CreateSDiv(a, b);
    llvm::Value *r = builder_.CreateSRem(a, b);
    llvm::Value *zero = llvm::Constant::getNullValue(ty);
    // Fix up when the remainder is nonzero and its sign differs from the divisor's.
    llvm::Value *fix = builder_.CreateAnd(builder_.CreateICmpNE(r, zero),
                                          builder_.CreateICmpSLT(builder_.CreateXor(r, b), zero));
    return is_mod ? builder_.CreateAdd(r, builder_.CreateSelect(fix, b, zero))
                  : builder_.CreateSub(q, builder_.CreateZExt(fix, ty));
  }

  llvm::Value *nonzero(llvm::Value *b) {
    auto *c = llvm::dyn_cast<llvm::ConstantInt>(b);
    if (c && !c->isZero()) return b;
    llvm::Value *zero = llvm::Constant::getNullValue(b->getType());
    return builder_.CreateSelect(builder_.CreateICmpEQ(b, zero),
                                 llvm::ConstantInt::get(b->getType(), 1), b);
  }

  void visit(const ir::Min *op) override { value_ = min_max(op->a, op->b, op->type, true); }
  void visit(const ir::Max *op) override { value_ = min_max(op->a, op->b, op->type, false); }

  llvm::Value *min_max(const ir::Expr &ea, const ir::Expr &eb, ir::DataType t, bool is_min) {
    llvm::Value *a = codegen(ea), *b = codegen(eb);
    if (t.is_float()) {
      // x86 minps/maxps are exactly "a < b ? a : b"; AArch64 has single-instruction minnum.
      if (!is_x86_) {
        return builder_.CreateBinaryIntrinsic(
            is_min ? llvm::Intrinsic::minnum : llvm::Intrinsic::maxnum, a, b);
      }
      llvm::Value *c = is_min ? builder_.CreateFCmpOLT(a, b) : builder_.CreateFCmpOGT(a, b);
      return builder_.CreateSelect(c, a, b);
    }
    llvm::Intrinsic::ID id = t.is_int() ? (is_min ? llvm::Intrinsic::smin : llvm::Intrinsic::smax)
                                        : (is_min ? llvm::Intrinsic::umin : llvm::Intrinsic::umax);
    return builder_.CreateBinaryIntrinsic(id, a, b);
  }

  llvm::Value *compare(const ir::Expr &ea, const ir::Expr &eb, llvm::CmpInst::Predicate fp,
                       llvm::CmpInst::Predicate sp, llvm::CmpInst::Predicate up) {
    ir::DataType t = ea.type();
    llvm::Value *a = codegen(ea), *b = codegen(eb);
    if (t.is_float()) return builder_.CreateFCmp(fp, a, b);
    return builder_.CreateICmp(t.is_int() ? sp : up, a, b);
  }

  void visit(const ir::EQ *op) override {
    value_ = compare(op->a, op->b, llvm::CmpInst::FCMP_OEQ, llvm::CmpInst::ICMP_EQ,
                     llvm::CmpInst::ICMP_EQ);
  }
  void visit(const ir::NE *op) override {
    value_ = compare(op->a, op->b, llvm::CmpInst::FCMP_UNE, llvm::CmpInst::ICMP_NE,
                     llvm::CmpInst::ICMP_NE);
  }
  void visit(const ir::LT *op) override {
    value_ = compare(op->a, op->b, llvm::CmpInst::FCMP_OLT, llvm::CmpInst::ICMP_SLT,
                     llvm::CmpInst::ICMP_ULT);
  }
  void visit(const ir::LE *op) override {
    value_ = compare(op->a, op->b, llvm::CmpInst::FCMP_OLE, llvm::CmpInst::ICMP_SLE,
                     llvm::CmpInst::ICMP_ULE);
  }
  void visit(const ir::GT *op) override {
    value_ = compare(op->a, op->b, llvm::CmpInst::FCMP_OGT, llvm::CmpInst::ICMP_SGT,
                     llvm::CmpInst::ICMP_UGT);
  }
  void visit(const ir::GE *op) override {
    value_ = compare(op->a, op->b, llvm::CmpInst::FCMP_OGE, llvm::CmpInst::ICMP_SGE,
                     llvm::CmpInst::ICMP_UGE);
  }
  void visit(const ir::And *op) override {
    value_ = builder_.CreateAnd(codegen(op->a), codegen(op->b));
  }
  void visit(const ir::Or *op) override {
    value_ = builder_.CreateOr(codegen(op->a), codegen(op->b));
  }
  void visit(const ir::Not *op) override { value_ = builder_.CreateNot(codegen(op->a)); }

  void visit(const ir::Select *op) override {
    llvm::Value *c = codegen(op->condition);
    llvm::Value *t = codegen(op->true_value);
    llvm::Value *f = codegen(op->false_value);
    value_ = builder_.CreateSelect(c, t, f);
  }

  void visit(const ir::Ramp *op) override {
    ir::DataType t = op->type.element_of();
    llvm::Value *base = codegen(op->base);
    llvm::Value *stride = codegen(op->stride);
    llvm::Type *elem = base->getType();
    std::vector<llvm::Constant *> iota;
    for (int i = 0; i < op->lanes; ++i) {
      iota.push_back(t.is_float() ? llvm::ConstantFP::get(elem, i)
                                  : llvm::ConstantInt::get(elem, i, /*isSigned=*/true));
    }
    llvm::Value *offsets = llvm::ConstantVector::get(iota);
    if (auto c = const_int_of(op->stride); !(c && *c == 1)) {
      offsets = mul(t, offsets, builder_.CreateVectorSplat(op->lanes, stride));
    }
    value_ = add(t, builder_.CreateVectorSplat(op->lanes, base), offsets);
  }

  void visit(const ir::Broadcast *op) override {
    value_ = builder_.CreateVectorSplat(op->lanes, codegen(op->value));
  }

  void visit(const ir::Let *op) override {
    llvm::Value *v = codegen(op->value);
    if (!v->hasName()) v->setName(op->var.name());
    llvm::Value *old = bind(op->var.get(), v);
    value_ = codegen(op->body);
    unbind(op->var.get(), old);
  }

  void visit(const ir::Load *op) override {
    value_ = emit_load(op->type, op->buffer, op->index, op->predicate);
  }

  llvm::Value *element_ptr(llvm::Type *elem, llvm::Value *base, llvm::Value *index) {
    return builder_.CreateInBoundsGEP(elem, base, index);
  }

  llvm::Value *emit_load(ir::DataType t, const ir::Var &buffer, const ir::Expr &index,
                         ir::Expr predicate) {
    if (predicate.defined() && is_const_true(predicate)) predicate = ir::Expr();
    llvm::Value *base = lookup(buffer.get());
    ir::DataType elem_t = t.element_of();
    llvm::Type *elem = llvm_type(elem_t, true);
    llvm::Align align(elem_t.bytes());
    int lanes = t.lanes;

    if (lanes == 1) {
      llvm::Value *ptr = element_ptr(elem, base, codegen(index));
      if (!predicate.defined()) {
        return from_storage(builder_.CreateAlignedLoad(elem, ptr, align), t);
      }
      // A scalar predicated load: read only when the predicate holds, else zero.
      llvm::Value *cond = codegen(predicate);
      llvm::BasicBlock *before = builder_.GetInsertBlock();
      auto *load_bb = llvm::BasicBlock::Create(ctx_, "pred.load", function_);
      auto *done_bb = llvm::BasicBlock::Create(ctx_, "pred.done", function_);
      builder_.CreateCondBr(cond, load_bb, done_bb);
      builder_.SetInsertPoint(load_bb);
      llvm::Value *v = builder_.CreateAlignedLoad(elem, ptr, align);
      builder_.CreateBr(done_bb);
      builder_.SetInsertPoint(done_bb);
      llvm::PHINode *phi = builder_.CreatePHI(elem, 2);
      phi->addIncoming(llvm::Constant::getNullValue(elem), before);
      phi->addIncoming(v, load_bb);
      return from_storage(phi, t);
    }

    auto *vec_ty = llvm::FixedVectorType::get(elem, lanes);
    if (auto ramp = match_ramp(index)) {
      std::optional<int64_t> stride = const_int_of(ramp->stride);
      if (stride && (*stride == 1 || *stride == -1)) {
        // Contiguous (or reversed contiguous) lanes: one vector load.
        bool reversed = *stride == -1;
        llvm::Value *first = codegen(ramp->base);
        if (reversed) first = sub(ir::index_type(), first, llvm::ConstantInt::get(i64_, lanes - 1));
        llvm::Value *ptr = element_ptr(elem, base, first);
        llvm::Value *v;
        if (!predicate.defined()) {
          v = builder_.CreateAlignedLoad(vec_ty, ptr, align);
        } else {
          llvm::Value *mask = codegen(predicate);
          if (reversed) mask = builder_.CreateVectorReverse(mask);
          v = builder_.CreateMaskedLoad(vec_ty, ptr, align, mask,
                                        llvm::Constant::getNullValue(vec_ty));
        }
        if (reversed) v = builder_.CreateVectorReverse(v);
        return from_storage(v, t);
      }
      if (stride && *stride == 0 && !predicate.defined()) {
        llvm::Value *ptr = element_ptr(elem, base, codegen(ramp->base));
        llvm::Value *s = builder_.CreateAlignedLoad(elem, ptr, align);
        return from_storage(builder_.CreateVectorSplat(lanes, s), t);
      }
    }
    if (const auto *b = index.as<ir::Broadcast>(); b && !predicate.defined()) {
      // Every lane reads the same element: one scalar load, then a splat.
      llvm::Value *ptr = element_ptr(elem, base, codegen(b->value));
      llvm::Value *s = builder_.CreateAlignedLoad(elem, ptr, align);
      return from_storage(builder_.CreateVectorSplat(lanes, s), t);
    }
    llvm::Value *idx = codegen(index);
    if (predicate.defined()) {
      llvm::Value *ptrs = element_ptr(elem, base, idx);
      llvm::Value *v = builder_.CreateMaskedGather(vec_ty, ptrs, align, codegen(predicate),
                                                   llvm::Constant::getNullValue(vec_ty));
      return from_storage(v, t);
    }
    // A general gather: one scalar load per lane.
    llvm::Value *v = llvm::PoisonValue::get(vec_ty);
    for (int i = 0; i < lanes; ++i) {
      llvm::Value *li = builder_.CreateExtractElement(idx, static_cast<uint64_t>(i));
      llvm::Value *s = builder_.CreateAlignedLoad(elem, element_ptr(elem, base, li), align);
      v = builder_.CreateInsertElement(v, s, static_cast<uint64_t>(i));
    }
    return from_storage(v, t);
  }

  void visit(const ir::Call *op) override {
    llvm::Value *x = codegen(op->args[0]);
    ir::DataType t = op->type;
    auto unary = [&](llvm::Intrinsic::ID id) { return builder_.CreateUnaryIntrinsic(id, x); };
    switch (op->op) {
      case ir::Intrinsic::Exp:
        value_ = unary(llvm::Intrinsic::exp);
        return;
      case ir::Intrinsic::Log:
        value_ = unary(llvm::Intrinsic::log);
        return;
      case ir::Intrinsic::Sqrt:
        value_ = unary(llvm::Intrinsic::sqrt);
        return;
      case ir::Intrinsic::Floor:
        value_ = unary(llvm::Intrinsic::floor);
        return;
      case ir::Intrinsic::Ceil:
        value_ = unary(llvm::Intrinsic::ceil);
        return;
      // Round half to even, like ONNX Round and std::nearbyint in the default rounding mode.
      case ir::Intrinsic::Round:
        value_ = unary(llvm::Intrinsic::roundeven);
        return;
      case ir::Intrinsic::Pow:
        value_ = builder_.CreateBinaryIntrinsic(llvm::Intrinsic::pow, x, codegen(op->args[1]));
        return;
      case ir::Intrinsic::Abs:
        if (t.is_float()) {
          value_ = unary(llvm::Intrinsic::fabs);
        } else if (t.is_int()) {
          value_ = builder_.CreateBinaryIntrinsic(llvm::Intrinsic::abs, x, builder_.getFalse());
        } else {
          value_ = x;  // unsigned and bool values are their own magnitude
        }
        return;
      case ir::Intrinsic::Tanh:
        value_ = call_libm("tanhf", "tanh", x, t);
        return;
      case ir::Intrinsic::Erf:
        value_ = call_libm("erff", "erf", x, t);
        return;
      case ir::Intrinsic::Sigmoid: {
        // 1 / (1 + exp(-x)); exp overflows to inf for very negative x, giving 0 as it should.
        llvm::Constant *one = llvm::ConstantFP::get(x->getType(), 1.0);
        llvm::Value *e =
            builder_.CreateUnaryIntrinsic(llvm::Intrinsic::exp, builder_.CreateFNeg(x));
        value_ = builder_.CreateFDiv(one, builder_.CreateFAdd(one, e));
        return;
      }
    }
    internal_error << "no code generation for intrinsic " << ir::intrinsic_name(op->op);
  }

  /// A C math library function applied lane by lane (float16 goes through float).
  llvm::Value *call_libm(const char *f32_name, const char *f64_name, llvm::Value *x,
                         ir::DataType t) {
    bool is_f64 = t.bits == 64;
    llvm::Type *scalar = is_f64 ? llvm::Type::getDoubleTy(ctx_) : llvm::Type::getFloatTy(ctx_);
    llvm::FunctionCallee fn = module_.getOrInsertFunction(
        is_f64 ? f64_name : f32_name, llvm::FunctionType::get(scalar, {scalar}, false));
    if (auto *f = llvm::dyn_cast<llvm::Function>(fn.getCallee())) {
      f->setDoesNotAccessMemory();
      f->setDoesNotThrow();
      f->addFnAttr(llvm::Attribute::WillReturn);
    }
    llvm::Type *elem = scalar_type(t.element_of(), false);
    auto apply = [&](llvm::Value *s) {
      if (elem != scalar) s = builder_.CreateFPExt(s, scalar);
      llvm::Value *r = builder_.CreateCall(fn, {s});
      return elem != scalar ? builder_.CreateFPTrunc(r, elem) : r;
    };
    if (t.lanes == 1) return apply(x);
    llvm::Value *v = llvm::PoisonValue::get(x->getType());
    for (int i = 0; i < t.lanes; ++i) {
      llvm::Value *lane = builder_.CreateExtractElement(x, static_cast<uint64_t>(i));
      v = builder_.CreateInsertElement(v, apply(lane), static_cast<uint64_t>(i));
    }
    return v;
  }

  void visit(const ir::TensorRead *op) override {
    internal_error << "TensorRead of '" << op->producer->name
                   << "' reached code generation; lower the schedule first";
  }
  void visit(const ir::Reduce *) override {
    internal_error << "Reduce reached code generation; lower the schedule first";
  }

  // ---- Statements -------------------------------------------------------------------------------

  void codegen(const ir::Stmt &s) {
    internal_check(s.defined()) << "code generation of an undefined statement";
    visit_stmt(s);
  }

  void visit(const ir::LetStmt *op) override {
    llvm::Value *v = codegen(op->value);
    if (!v->hasName()) v->setName(op->var.name());
    llvm::Value *old = bind(op->var.get(), v);
    codegen(op->body);
    unbind(op->var.get(), old);
  }

  void visit(const ir::For *op) override {
    switch (op->kind) {
      case ir::ForKind::Parallel:
        emit_parallel_for(op);
        return;
      case ir::ForKind::ThreadBinding:
        user_error << "loop '" << op->loop_var.name() << "' is bound to GPU thread '"
                   << op->thread_tag << "', which the LLVM CPU backend cannot run";
        return;
      default:
        emit_loop(op->loop_var, codegen(op->min), codegen(op->extent), op->body, op->kind);
        return;
    }
  }

  llvm::MDNode *loop_metadata(ir::ForKind kind) {
    llvm::SmallVector<llvm::Metadata *, 4> ops;
    ops.push_back(nullptr);  // the self reference every loop ID starts with
    ops.push_back(llvm::MDNode::get(ctx_, llvm::MDString::get(ctx_, "llvm.loop.mustprogress")));
    if (kind == ir::ForKind::Unrolled) {
      // Lowering normally unrolls these; a leftover one (non-constant extent) is a request.
      ops.push_back(llvm::MDNode::get(ctx_, llvm::MDString::get(ctx_, "llvm.loop.unroll.full")));
    } else if (kind == ir::ForKind::Vectorized) {
      // A leftover vectorized loop runs serially; ask LLVM's vectorizer to try it.
      ops.push_back(llvm::MDNode::get(
          ctx_, {llvm::MDString::get(ctx_, "llvm.loop.vectorize.enable"),
                 llvm::ConstantAsMetadata::get(llvm::ConstantInt::getTrue(ctx_))}));
    }
    llvm::MDNode *md = llvm::MDNode::getDistinct(ctx_, ops);
    md->replaceOperandWith(0, md);
    return md;
  }

  /// for (var = min; var < min + extent; ++var) body, in rotated form:
  ///   guard: br (min < end), loop, exit;  loop: phi, body, ++, br (next < end), loop, exit
  void emit_loop(const ir::Var &var, llvm::Value *min, llvm::Value *extent, const ir::Stmt &body,
                 ir::ForKind kind) {
    llvm::BasicBlock *preheader = builder_.GetInsertBlock();
    auto *loop_bb = llvm::BasicBlock::Create(ctx_, var.name() + ".loop", function_);
    auto *exit_bb = llvm::BasicBlock::Create(ctx_, var.name() + ".exit");
    llvm::Value *end = builder_.CreateAdd(min, extent, var.name() + ".end", false, true);
    builder_.CreateCondBr(builder_.CreateICmpSLT(min, end), loop_bb, exit_bb);

    builder_.SetInsertPoint(loop_bb);
    llvm::PHINode *phi = builder_.CreatePHI(i64_, 2, var.name());
    phi->addIncoming(min, preheader);
    llvm::Value *old = bind(var.get(), phi);
    codegen(body);
    unbind(var.get(), old);
    llvm::Value *next =
        builder_.CreateAdd(phi, llvm::ConstantInt::get(i64_, 1), var.name() + ".next", false, true);
    phi->addIncoming(next, builder_.GetInsertBlock());
    llvm::BranchInst *back =
        builder_.CreateCondBr(builder_.CreateICmpSLT(next, end), loop_bb, exit_bb);
    back->setMetadata(llvm::LLVMContext::MD_loop, loop_metadata(kind));

    exit_bb->insertInto(function_);
    builder_.SetInsertPoint(exit_bb);
  }

  void emit_parallel_for(const ir::For *op) {
    llvm::Value *min = codegen(op->min);
    llvm::Value *extent = codegen(op->extent);

    // 1. The closure: the loop's min, then every free variable of the body.
    FreeVariables free(op->loop_var.get());
    free(op->body);
    std::vector<llvm::Type *> field_types{i64_};
    std::vector<llvm::Value *> field_values{min};
    for (const ir::Variable *v : free.result) {
      llvm::Value *value = lookup(v);
      field_types.push_back(value->getType());
      field_values.push_back(value);
    }
    auto *closure_ty = llvm::StructType::get(ctx_, field_types);
    llvm::AllocaInst *closure = entry_alloca(closure_ty, 16, "closure");
    for (size_t i = 0; i < field_values.size(); ++i) {
      builder_.CreateStore(field_values[i],
                           builder_.CreateStructGEP(closure_ty, closure, static_cast<unsigned>(i)));
    }

    // 2. The worker (begin, end, min, captured...) and the runtime-facing wrapper.
    std::string name = kernel_name_ + ".par" + std::to_string(parallel_count_++);
    std::vector<llvm::Type *> worker_params{i64_, i64_};
    worker_params.insert(worker_params.end(), field_types.begin(), field_types.end());
    auto *worker =
        llvm::Function::Create(llvm::FunctionType::get(void_, worker_params, false),
                               llvm::GlobalValue::InternalLinkage, name + ".body", module_);
    set_function_attributes(worker);
    worker->addFnAttr(llvm::Attribute::AlwaysInline);
    auto *wrapper =
        llvm::Function::Create(llvm::FunctionType::get(void_, {i64_, i64_, ptr_}, false),
                               llvm::GlobalValue::InternalLinkage, name, module_);
    set_function_attributes(wrapper);

    FunctionState saved = save_state();

    begin_function(wrapper);
    wrapper->getArg(0)->setName("begin");
    wrapper->getArg(1)->setName("end");
    wrapper->getArg(2)->setName("closure");
    std::vector<llvm::Value *> worker_args{wrapper->getArg(0), wrapper->getArg(1)};
    for (size_t i = 0; i < field_types.size(); ++i) {
      llvm::Value *field =
          builder_.CreateStructGEP(closure_ty, wrapper->getArg(2), static_cast<unsigned>(i));
      worker_args.push_back(builder_.CreateLoad(field_types[i], field));
    }
    builder_.CreateCall(worker, worker_args);
    builder_.CreateRetVoid();

    begin_function(worker);
    symbols_.clear();
    buffer_align_.clear();
    llvm::Value *begin = worker->getArg(0), *end = worker->getArg(1), *base = worker->getArg(2);
    begin->setName("begin");
    end->setName("end");
    base->setName(op->loop_var.name() + ".min");
    for (size_t i = 0; i < free.result.size(); ++i) {
      const ir::Variable *v = free.result[i];
      unsigned arg_no = static_cast<unsigned>(3 + i);
      llvm::Argument *arg = worker->getArg(arg_no);
      arg->setName(v->name);
      symbols_[v] = arg;
      if (v->type.is_handle()) {
        auto it = saved.buffer_align.find(v);
        unsigned align = it == saved.buffer_align.end() ? 1 : it->second;
        add_buffer_param_attributes(worker, arg_no, align);
        buffer_align_[v] = align;
      }
    }
    emit_loop(op->loop_var, builder_.CreateAdd(base, begin, "", false, true),
              builder_.CreateSub(end, begin, "", false, true), op->body, ir::ForKind::Serial);
    builder_.CreateRetVoid();

    restore_state(std::move(saved));

    // 3. The call into the thread pool.
    builder_.CreateCall(parallel_for_helper(), {wrapper, closure, extent});
  }

  void visit(const ir::Store *op) override {
    ir::Expr predicate = op->predicate;
    if (predicate.defined() && is_const_true(predicate)) predicate = ir::Expr();
    ir::DataType t = op->value.type();
    llvm::Value *base = lookup(op->buffer.get());
    llvm::Value *value = to_storage(codegen(op->value), t);
    ir::DataType elem_t = t.element_of();
    llvm::Type *elem = llvm_type(elem_t, true);
    llvm::Align align(elem_t.bytes());
    int lanes = t.lanes;

    if (lanes == 1) {
      llvm::Value *ptr = element_ptr(elem, base, codegen(op->index));
      if (!predicate.defined()) {
        builder_.CreateAlignedStore(value, ptr, align);
        return;
      }
      auto *store_bb = llvm::BasicBlock::Create(ctx_, "pred.store", function_);
      auto *done_bb = llvm::BasicBlock::Create(ctx_, "pred.done", function_);
      builder_.CreateCondBr(codegen(predicate), store_bb, done_bb);
      builder_.SetInsertPoint(store_bb);
      builder_.CreateAlignedStore(value, ptr, align);
      builder_.CreateBr(done_bb);
      builder_.SetInsertPoint(done_bb);
      return;
    }

    if (auto ramp = match_ramp(op->index)) {
      std::optional<int64_t> stride = const_int_of(ramp->stride);
      if (stride && (*stride == 1 || *stride == -1)) {
        bool reversed = *stride == -1;
        llvm::Value *first = codegen(ramp->base);
        if (reversed) {
          first = sub(ir::index_type(), first, llvm::ConstantInt::get(i64_, lanes - 1));
          value = builder_.CreateVectorReverse(value);
        }
        llvm::Value *ptr = element_ptr(elem, base, first);
        if (!predicate.defined()) {
          builder_.CreateAlignedStore(value, ptr, align);
        } else {
          llvm::Value *mask = codegen(predicate);
          if (reversed) mask = builder_.CreateVectorReverse(mask);
          builder_.CreateMaskedStore(value, ptr, align, mask);
        }
        return;
      }
    }
    llvm::Value *idx = codegen(op->index);
    if (predicate.defined()) {
      builder_.CreateMaskedScatter(value, element_ptr(elem, base, idx), align, codegen(predicate));
      return;
    }
    // A general scatter: one scalar store per lane, in lane order.
    for (int i = 0; i < lanes; ++i) {
      llvm::Value *li = builder_.CreateExtractElement(idx, static_cast<uint64_t>(i));
      llvm::Value *s = builder_.CreateExtractElement(value, static_cast<uint64_t>(i));
      builder_.CreateAlignedStore(s, element_ptr(elem, base, li), align);
    }
  }

  void visit(const ir::Provide *op) override {
    internal_error << "Provide to '" << op->producer->name
                   << "' reached code generation; lower the schedule first";
  }
  void visit(const ir::Realize *op) override {
    internal_error << "Realize of '" << op->producer->name
                   << "' reached code generation; lower the schedule first";
  }

  void visit(const ir::Allocate *op) override {
    ir::DataType t = op->dtype;
    int64_t elems = op->extent * t.lanes;
    int64_t bytes = elems * t.bytes();
    llvm::Type *elem = scalar_type(t.element_of(), true);
    const ir::Variable *var = op->buffer.get();
    bool on_stack = op->scope != ir::MemoryScope::Global && bytes <= kMaxStackBytes;
    llvm::Value *ptr;
    if (on_stack) {
      // In the entry block, so that it is a static alloca SROA can split into registers; inside an
      // outlined parallel body that makes it private to each thread.
      ptr = entry_alloca(llvm::ArrayType::get(elem, static_cast<uint64_t>(elems)), kAllocAlign,
                         op->buffer.name());
      builder_.CreateLifetimeStart(ptr, builder_.getInt64(static_cast<uint64_t>(bytes)));
    } else {
      ptr = builder_.CreateCall(alloc_helper(), {builder_.getInt64(static_cast<uint64_t>(bytes))},
                                op->buffer.name());
    }
    llvm::Value *old = bind(var, ptr);
    auto old_align = buffer_align_.find(var) == buffer_align_.end() ? 0u : buffer_align_[var];
    buffer_align_[var] = kAllocAlign;
    codegen(op->body);
    unbind(var, old);
    if (old_align) {
      buffer_align_[var] = old_align;
    } else {
      buffer_align_.erase(var);
    }
    if (on_stack) {
      builder_.CreateLifetimeEnd(ptr, builder_.getInt64(static_cast<uint64_t>(bytes)));
    } else {
      builder_.CreateCall(free_helper(), {ptr});
    }
  }

  void visit(const ir::IfThenElse *op) override {
    llvm::Value *cond = codegen(op->condition);
    auto *then_bb = llvm::BasicBlock::Create(ctx_, "then", function_);
    auto *else_bb = op->else_case.defined() ? llvm::BasicBlock::Create(ctx_, "else") : nullptr;
    auto *done_bb = llvm::BasicBlock::Create(ctx_, "endif");
    builder_.CreateCondBr(cond, then_bb, else_bb ? else_bb : done_bb);
    builder_.SetInsertPoint(then_bb);
    codegen(op->then_case);
    builder_.CreateBr(done_bb);
    if (else_bb) {
      else_bb->insertInto(function_);
      builder_.SetInsertPoint(else_bb);
      codegen(op->else_case);
      builder_.CreateBr(done_bb);
    }
    done_bb->insertInto(function_);
    builder_.SetInsertPoint(done_bb);
  }

  void visit(const ir::Block *op) override {
    for (const ir::Stmt &s : op->stmts) codegen(s);
  }

  void visit(const ir::Evaluate *op) override { codegen(op->value); }

  // ---- Runtime helpers (one internal function each per module) ---------------------------------

  llvm::Value *table_slot(llvm::IRBuilder<> &b, int slot) {
    llvm::Value *p = b.CreateConstInBoundsGEP2_64(table_->getValueType(), table_, 0,
                                                  static_cast<uint64_t>(slot));
    return b.CreateAlignedLoad(ptr_, p, llvm::Align(8));
  }

  /// Creates an internal helper `name` whose body branches on whether table slot `slot` is set.
  template <typename Filled, typename Empty>
  llvm::Function *make_helper(const char *name, llvm::FunctionType *ty, int slot, Filled filled,
                              Empty empty) {
    if (llvm::Function *f = module_.getFunction(name)) return f;
    auto *f = llvm::Function::Create(ty, llvm::GlobalValue::InternalLinkage, name, module_);
    set_function_attributes(f);
    auto *entry = llvm::BasicBlock::Create(ctx_, "entry", f);
    auto *filled_bb = llvm::BasicBlock::Create(ctx_, "runtime", f);
    auto *empty_bb = llvm::BasicBlock::Create(ctx_, "fallback", f);
    llvm::IRBuilder<> b(entry);
    llvm::Value *fp = table_slot(b, slot);
    b.CreateCondBr(b.CreateIsNull(fp), empty_bb, filled_bb);
    b.SetInsertPoint(filled_bb);
    filled(b, f, fp);
    b.SetInsertPoint(empty_bb);
    empty(b, f);
    return f;
  }

  llvm::Function *parallel_for_helper() {
    auto *body_ty = llvm::FunctionType::get(void_, {i64_, i64_, ptr_}, false);
    auto *pool_ty = llvm::FunctionType::get(void_, {ptr_, ptr_, i64_}, false);
    return make_helper(
        "autotune.parallel_for", pool_ty, 0,
        [&](llvm::IRBuilder<> &b, llvm::Function *f, llvm::Value *fp) {
          b.CreateCall(pool_ty, fp, {f->getArg(0), f->getArg(1), f->getArg(2)});
          b.CreateRetVoid();
        },
        [&](llvm::IRBuilder<> &b, llvm::Function *f) {
          b.CreateCall(body_ty, f->getArg(0),
                       {llvm::ConstantInt::get(i64_, 0), f->getArg(2), f->getArg(1)});
          b.CreateRetVoid();
        });
  }

  llvm::Function *alloc_helper() {
    auto *ty = llvm::FunctionType::get(ptr_, {i64_}, false);
    llvm::Function *f = make_helper(
        "autotune.alloc", ty, 1,
        [&](llvm::IRBuilder<> &b, llvm::Function *f, llvm::Value *fp) {
          b.CreateRet(b.CreateCall(ty, fp, {f->getArg(0)}));
        },
        [&](llvm::IRBuilder<> &b, llvm::Function *f) {
          llvm::FunctionCallee aligned_alloc = module_.getOrInsertFunction(
              "aligned_alloc", llvm::FunctionType::get(ptr_, {i64_, i64_}, false));
          // aligned_alloc wants a multiple of the alignment.
          llvm::Value *rounded = b.CreateAnd(b.CreateAdd(f->getArg(0), b.getInt64(kAllocAlign - 1)),
                                             b.getInt64(~int64_t(kAllocAlign - 1)));
          b.CreateRet(b.CreateCall(aligned_alloc, {b.getInt64(kAllocAlign), rounded}));
        });
    f->addRetAttr(llvm::Attribute::NoAlias);
    return f;
  }

  llvm::Function *free_helper() {
    auto *ty = llvm::FunctionType::get(void_, {ptr_}, false);
    return make_helper(
        "autotune.free", ty, 2,
        [&](llvm::IRBuilder<> &b, llvm::Function *f, llvm::Value *fp) {
          b.CreateCall(ty, fp, {f->getArg(0)});
          b.CreateRetVoid();
        },
        [&](llvm::IRBuilder<> &b, llvm::Function *f) {
          llvm::FunctionCallee free_fn = module_.getOrInsertFunction("free", ty);
          b.CreateCall(free_fn, {f->getArg(0)});
          b.CreateRetVoid();
        });
  }

  llvm::LLVMContext &ctx_;
  llvm::Module &module_;
  llvm::IRBuilder<> builder_;
  bool is_x86_;
  std::string cpu_, features_;
  llvm::Type *void_, *i1_, *i8_, *i32_, *i64_;
  llvm::PointerType *ptr_;
  llvm::GlobalVariable *table_;

  llvm::Function *function_ = nullptr;
  std::unordered_map<const ir::Variable *, llvm::Value *> symbols_;
  /// Known alignment (bytes) of each buffer pointer in scope.
  std::unordered_map<const ir::Variable *, unsigned> buffer_align_;
  llvm::Value *value_ = nullptr;
  std::string kernel_name_;
  int parallel_count_ = 0;
};

}  // namespace

std::unique_ptr<llvm::Module> generate_llvm_module(const std::vector<ir::LoweredFunc> &funcs,
                                                   llvm::TargetMachine &tm,
                                                   llvm::LLVMContext &ctx) {
  std::string name = funcs.empty() ? "autotune" : funcs.front().name;
  auto module = std::make_unique<llvm::Module>(name, ctx);
  module->setTargetTriple(tm.getTargetTriple().str());
  module->setDataLayout(tm.createDataLayout());
  CodeGenLLVM cg(*module, tm);
  for (const ir::LoweredFunc &f : funcs) cg.add_kernel(f);

  std::string errors;
  llvm::raw_string_ostream os(errors);
  if (llvm::verifyModule(*module, &os)) {
    os.flush();
    internal_error << "generated LLVM module for '" << name << "' is malformed: " << errors;
  }
  return module;
}

void optimize_llvm_module(llvm::Module &module, llvm::TargetMachine &tm) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions options;
  // Scheduled loops arrive vectorized already; LLVM's own vectorizers still help loops a
  // schedule left scalar. AUTOTUNE_LLVM_VECTORIZE=0 turns them off (faster builds; an
  // experiment knob for tuning throughput).
  static const bool llvm_vectorize = [] {
    const char *v = std::getenv("AUTOTUNE_LLVM_VECTORIZE");
    return !v || std::atoi(v) != 0;
  }();
  options.LoopUnrolling = true;
  options.LoopInterleaving = llvm_vectorize;
  options.LoopVectorization = llvm_vectorize;
  options.SLPVectorization = llvm_vectorize;
  // Given the TargetMachine, the vectorizers and the unroller see the target's cost model.
  llvm::PassBuilder pb(&tm, options);
  fam.registerPass([&] { return pb.buildDefaultAAPipeline(); });
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3);
  mpm.run(module, mam);
}

}  // namespace autotune::codegen

// LLVM code generation for lowered kernels: ir::LoweredFunc -> llvm::Module, then the O3 pipeline.
// Compile.cpp is the only user; the rest of autotune goes through Compile.h and sees no LLVM type.
#pragma once

#include <memory>
#include <vector>

#include "ir/core/IR.h"

namespace llvm {
class LLVMContext;
class Module;
class TargetMachine;
}  // namespace llvm

namespace autotune::codegen {

/// Translates `funcs` into one module for `tm` (its triple, data layout, CPU and features).
/// Preconditions: the bodies are lowered (no TensorRead, Provide, Realize or Reduce; no
/// ThreadBinding loops), kernel names are distinct C identifiers, and each kernel's buffers are
/// distinct (they are declared noalias).
/// Each kernel `f` becomes the exported `int32_t f(void **args)` (see runtime/Module.h) that calls
/// an always-inline internal body taking the buffers as noalias pointers. Parallel loops become
/// outlined bodies run through the runtime table (runtime/RuntimeTable.h), which the module
/// defines. The module is verified; a malformed one is an InternalError.
std::unique_ptr<llvm::Module> generate_llvm_module(const std::vector<ir::LoweredFunc> &funcs,
                                                   llvm::TargetMachine &tm, llvm::LLVMContext &ctx);

/// Runs the new pass manager's O3 pipeline with the target's cost model (vectorizers, unrolling).
void optimize_llvm_module(llvm::Module &module, llvm::TargetMachine &tm);

}  // namespace autotune::codegen

// User errors of code generation, compilation, linking and loading: type and message checked.
#include <gtest/gtest.h>

#include "codegen/Compile.h"
#include "codegen/runtime/Module.h"
#include "ir/core/IROperators.h"
#include "tests/common/TestUtil.h"

namespace autotune::codegen {
namespace {

using namespace autotune::ir;  // NOLINT

LoweredFunc copy_kernel(const std::string &name) {
  Var a("A", Handle()), b("B", Handle()), i("i");
  return LoweredFunc{
      name,
      {KernelArg{a, Float(32), {4}}, KernelArg{b, Float(32), {4}}},
      For::make(i, 0, 4, ForKind::Serial, Store::make(b, Load::make(Float(32), a, i), i))};
}

TEST(CodeGenLLVMError, GpuThreadBindingOnCpu) {
  Var a("A", Handle()), i("i");
  LoweredFunc f{
      "bound",
      {KernelArg{a, Float(32), {4}}},
      For::make(i, 0, 4, ForKind::ThreadBinding, Store::make(a, Expr(1.0f), i), "threadIdx.x")};
  EXPECT_USER_ERROR(emit_llvm_ir({f}, Target::host()), "bound to GPU thread 'threadIdx.x'");
}

TEST(CodeGenLLVMError, DuplicateKernelNames) {
  EXPECT_USER_ERROR(emit_llvm_ir({copy_kernel("k"), copy_kernel("k")}, Target::host()),
                    "two kernels named 'k'");
}

TEST(CodeGenLLVMError, BufferPassedTwice) {
  Var a("A", Handle()), i("i");
  LoweredFunc f{"twice",
                {KernelArg{a, Float(32), {4}}, KernelArg{a, Float(32), {4}}},
                For::make(i, 0, 4, ForKind::Serial, Store::make(a, Expr(1.0f), i))};
  EXPECT_USER_ERROR(emit_llvm_ir({f}, Target::host()), "buffer 'A' is passed twice");
}

TEST(CodeGenLLVMError, JitForForeignTarget) {
  Target arm = Target::parse("llvm -mtriple=aarch64-linux-gnu -mcpu=cortex-a72 -mattr=+neon");
  EXPECT_USER_ERROR(JitModule({copy_kernel("k")}, arm), "cannot JIT-compile");
}

TEST(CodeGenLLVMError, MissingJitKernel) {
  JitModule jit({copy_kernel("present")});
  EXPECT_USER_ERROR(jit.get_function("absent"), "kernel 'absent' not found");
}

TEST(CodeGenLLVMError, LinkFailureQuotesLld) {
  EXPECT_USER_ERROR(link_shared({"/nonexistent/kernel.o"}, ::testing::TempDir() + "never.so"),
                    "/nonexistent/kernel.o");
}

TEST(CodeGenLLVMError, UnwritableObjectPath) {
  EXPECT_USER_ERROR(emit_object({copy_kernel("k")}, Target::host(), "/nonexistent/dir/k.o"),
                    "cannot write object file '/nonexistent/dir/k.o'");
}

TEST(CodeGenLLVMError, LoadMissingLibrary) {
  EXPECT_USER_ERROR(runtime::LoadedModule("/nonexistent/libkernel.so"),
                    "cannot load kernel library '/nonexistent/libkernel.so'");
}

}  // namespace
}  // namespace autotune::codegen

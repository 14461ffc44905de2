// Turning lowered kernels into runnable code: JIT for the host, or text/objects/shared libraries
// for any LLVM target. The boundary to LLVM: callers see no LLVM type, LLVM errors become ours.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "codegen/Target.h"
#include "codegen/runtime/Module.h"
#include "ir/core/IR.h"

namespace autotune::codegen {

/// Kernels compiled in memory (ORC LLJIT) for the host and ready to call. Runtime entry points
/// reach the kernels through their runtime table, filled on construction; C library and libm
/// symbols (expf, aligned_alloc) resolve against this process.
class JitModule {
 public:
  /// Generates, optimizes (O3) and compiles `funcs`. `target` must run on this machine
  /// (Target::is_host), else UserError; LLVM failures become UserError with LLVM's message.
  explicit JitModule(const std::vector<ir::LoweredFunc> &funcs,
                     const Target &target = Target::host());
  ~JitModule();
  JitModule(JitModule &&) noexcept;
  JitModule &operator=(JitModule &&) noexcept;

  /// The kernel called `name` (valid while this module lives); UserError when there is none.
  runtime::KernelFunction get_function(const std::string &name) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The module's LLVM IR as text, after the O3 pipeline unless `optimize` is false.
std::string emit_llvm_ir(const std::vector<ir::LoweredFunc> &funcs, const Target &target,
                         bool optimize = true);

/// The optimized module as target assembly text.
std::string emit_assembly(const std::vector<ir::LoweredFunc> &funcs, const Target &target);

/// Writes the optimized module as a position-independent ELF object to `path`.
void emit_object(const std::vector<ir::LoweredFunc> &funcs, const Target &target,
                 const std::string &path);

/// Links objects into a shared library with ld.lld (a subprocess); UserError quoting lld's output
/// on failure. Undefined math symbols are left for the loading process to provide.
void link_shared(const std::vector<std::string> &objects, const std::string &so_path);

/// emit_object into a temporary next to `so_path`, then link_shared; the temporary is removed.
void build_shared_library(const std::vector<ir::LoweredFunc> &funcs, const Target &target,
                          const std::string &so_path);

}  // namespace autotune::codegen

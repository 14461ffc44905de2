// Loads a built kernel library (a shared object from codegen) and hands out its kernels.
// Part of the runtime: no LLVM, no compiler IR; the RPC server on the board uses it as is.
#pragma once

#include <cstdint>
#include <string>

namespace autotune::runtime {

/// Every generated kernel has this C signature: `args` holds one buffer pointer per
/// LoweredFunc::args entry, in that order, each at least 16-byte aligned (malloc and
/// autotune_alloc give that) and the buffers pairwise disjoint. It returns 0.
using KernelFunction = int32_t (*)(void **args);

/// A shared object opened with dlopen(RTLD_NOW | RTLD_LOCAL) and closed on destruction.
/// Opening it also fills its runtime table (RuntimeTable.h), so its parallel loops use this
/// process's thread pool; the executable needs no exported symbols (-rdynamic) for that.
/// Math functions that kernels call (expf, tanhf...) resolve against the loading process, which
/// has libm loaded when it is a C++ program.
class LoadedModule {
 public:
  /// Opens `path`; throws UserError naming the file and quoting dlerror() on failure.
  explicit LoadedModule(const std::string &path);
  ~LoadedModule();
  LoadedModule(LoadedModule &&other) noexcept;
  LoadedModule &operator=(LoadedModule &&other) noexcept;
  LoadedModule(const LoadedModule &) = delete;
  LoadedModule &operator=(const LoadedModule &) = delete;

  /// The kernel called `name`; throws UserError naming the symbol and file when it is missing.
  /// The pointer is valid while this module is open.
  KernelFunction get_function(const std::string &name) const;
  /// True when the library exports a symbol called `name`.
  bool has_function(const std::string &name) const;
  const std::string &path() const { return path_; }

 private:
  std::string path_;
  void *handle_ = nullptr;
};

}  // namespace autotune::runtime

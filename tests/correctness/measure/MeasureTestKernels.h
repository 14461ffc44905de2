// Kernels for the measurement tests, built from ordinary IR: a correct vector add, a wrong one,
// one that faults (a load 4 TiB past its buffer) and one that never returns (2^62 iterations);
// plus where the autotune-rpc program is and a scratch directory.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "ir/core/IROperators.h"
#include "measure/MeasureTypes.h"
#include "tests/common/TempDir.h"

namespace autotune::measure::test {

/// The autotune-rpc next to this build's tests: $AUTOTUNE_BUILD_DIR/tools (ctest sets it), else
/// ../tools relative to the test executable.
inline std::string rpc_bin() {
  if (const char *dir = std::getenv("AUTOTUNE_BUILD_DIR")) {
    return std::string(dir) + "/tools/autotune-rpc";
  }
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe");
  return (self.parent_path().parent_path() / "tools" / "autotune-rpc").string();
}

/// Scratch directories for builds and uploads.
using autotune::test::TempDir;

enum class VaddFlavor {
  Correct,   ///< C[i] = A[i] + B[i]
  Wrong,     ///< C[i] = 0
  Segfault,  ///< C[i] = A[i + 2^40]: an unmapped address
  Hang,      ///< 2^62 iterations of C[0] = C[0] * 0.5 + A[i % n]
};

/// `name(A, B, C)` over n float32 elements in the given flavor.
inline ir::LoweredFunc vadd_kernel(const std::string &name, int64_t n,
                                   VaddFlavor flavor = VaddFlavor::Correct) {
  using namespace ir;  // NOLINT: IR factories read better unqualified
  Var a("A", Handle()), b("B", Handle()), c("C", Handle()), i("i");
  auto load = [](const Var &buf, Expr index) { return Load::make(Float(32), buf, index); };
  Stmt body;
  switch (flavor) {
    case VaddFlavor::Correct:
      body = For::make(i, 0, n, ForKind::Serial, Store::make(c, load(a, i) + load(b, i), i));
      break;
    case VaddFlavor::Wrong:
      body = For::make(i, 0, n, ForKind::Serial, Store::make(c, make_zero(Float(32)), i));
      break;
    case VaddFlavor::Segfault:
      body = For::make(i, 0, n, ForKind::Serial,
                       Store::make(c, load(a, i + (int64_t(1) << 40)) + load(b, i), i));
      break;
    case VaddFlavor::Hang:
      body = For::make(i, 0, int64_t(1) << 62, ForKind::Serial,
                       Store::make(c, load(c, 0) * Expr(0.5f) + load(a, i % n), 0));
      break;
  }
  return LoweredFunc{
      name,
      {KernelArg{a, Float(32), {n}}, KernelArg{b, Float(32), {n}}, KernelArg{c, Float(32), {n}}},
      body};
}

/// The argument specs of vadd_kernel(n).
inline std::vector<ArgSpec> vadd_args(int64_t n) {
  return {{{n}, ir::Float(32), false}, {{n}, ir::Float(32), false}, {{n}, ir::Float(32), true}};
}

/// A BuildInput for the host target.
inline BuildInput build_input(std::function<ir::LoweredFunc()> make) {
  BuildInput in;
  in.make_kernel = std::move(make);
  in.target = "";  // the host
  return in;
}

}  // namespace autotune::measure::test

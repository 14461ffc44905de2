// What measurement takes and returns: candidates to build, built kernels to run, and the
// outcome of each (status codes modelled on AutoTVM's error numbers).
// The worker-side part (status, timing options, run result) lives in measure/worker/RunTypes.h
// because the worker program links no compiler IR; this header adds the host-side types.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ir/core/IR.h"
#include "measure/worker/RunTypes.h"

namespace autotune::measure {

/// A kernel argument as the worker allocates it: shape, type, and whether the kernel writes it.
struct ArgSpec {
  std::vector<int64_t> shape;
  ir::DataType dtype;
  bool is_output = false;
};

/// The wire form of `a` (dtype spelled "float32"...); UserError for vector or handle types.
BufferSpec to_buffer_spec(const ArgSpec &a);

/// One candidate to build: a function producing its lowered kernel (may throw UserError ->
/// InvalidConfig, InternalError -> CompileHost) and the target string. make_kernel is called on
/// a builder thread, several candidates at a time: it must not mutate shared state.
struct BuildInput {
  std::function<ir::LoweredFunc()> make_kernel;
  std::string target;
};

struct BuildResult {
  MeasureStatus status = MeasureStatus::Unknown;
  std::string error;
  std::string so_path;  ///< the shared object, when status is Ok (owned by the Builder)
  std::string kernel_name;
  /// The kernel's arguments in calling order; an argument is an output when the kernel stores
  /// to it. Filled whenever make_kernel succeeded.
  std::vector<ArgSpec> args;
  double build_s = 0;
};

/// One built kernel to run, compared against a reference kernel (same arguments) on the same
/// deterministic random inputs; reference_so empty = no check. Take `args` from the reference
/// (or the compute definition), not from the candidate: a candidate that never writes its output
/// must still have that output compared.
struct RunInput {
  std::string so_path, kernel_name;
  std::string reference_so, reference_kernel;
  std::vector<ArgSpec> args;
  TimingOptions timing;
  double rtol = 1e-3, atol = 1e-4;
  /// Seeds the random inputs: uniform [-1, 1) floats, integers in [0, 4), booleans 0/1.
  uint64_t seed = 1;
};

}  // namespace autotune::measure

// Runs a compiled model: a list of kernel calls over a table of buffer pointers (constants,
// user inputs and outputs, and slices of one statically planned arena). No LLVM here: the
// board runs this code.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "codegen/runtime/Module.h"

namespace autotune::runtime {

/// Where one buffer of the plan lives.
struct BufferSlot {
  enum class Kind : uint8_t { Constant, Input, Output, Arena };
  Kind kind = Kind::Arena;
  int64_t bytes = 0;
  int64_t arena_offset = 0;    ///< for Arena slots (64-byte aligned)
  int index = 0;               ///< for Constant/Input/Output slots: which one
};

/// One kernel call: the function and the buffer slots of its arguments, in order.
struct KernelCall {
  std::string name;
  KernelFunction fn = nullptr;
  std::vector<int> args;
};

/// A static execution plan plus the data it owns (constants, arena).
class GraphExecutor {
 public:
  /// A constant buffer: its data (16-byte aligned, never written) and whatever keeps it alive.
  struct Constant {
    const void *data;
    std::shared_ptr<const void> owner;
  };
  GraphExecutor(std::vector<BufferSlot> slots, std::vector<KernelCall> calls,
                std::vector<Constant> constants, int64_t arena_bytes, int num_inputs,
                int num_outputs);
  ~GraphExecutor();
  GraphExecutor(const GraphExecutor &) = delete;
  GraphExecutor &operator=(const GraphExecutor &) = delete;

  /// Runs every kernel once. `inputs` and `outputs` point at caller buffers (at least 16-byte
  /// aligned, sizes as planned), in the model's input and output order.
  void run(const std::vector<const void *> &inputs, const std::vector<void *> &outputs);

  int64_t arena_bytes() const { return arena_bytes_; }
  /// Turns per-kernel timing on (AUTOTUNE_PROFILE=1 does it at construction).
  void set_profiling(bool on) { profile_ = on; }
  /// Milliseconds spent in each call since construction, when profiling (else empty).
  const std::vector<double> &call_ms() const { return call_ms_; }
  /// One line per call, slowest first: total ms, share, kernel name and `call_labels[call]`
  /// (one label per call, such as the fused node it came from). Empty when not profiling.
  std::string profile_report(const std::vector<std::string> &call_labels) const;
  const std::vector<KernelCall> &calls() const { return calls_; }
  int64_t constant_bytes() const;
  size_t num_kernels() const { return calls_.size(); }

 private:
  std::vector<BufferSlot> slots_;
  std::vector<KernelCall> calls_;
  std::vector<Constant> constants_;
  int64_t arena_bytes_;
  void *arena_ = nullptr;
  int num_inputs_, num_outputs_;
  std::vector<void *> table_;
  std::vector<std::vector<void *>> call_args_;
  bool profile_ = false;
  std::vector<double> call_ms_;
};

}  // namespace autotune::runtime

// A deployable module: the directory that `autotune build` writes (codegen/SaveModel.h) and the
// loader that runs it. Part of the runtime: no LLVM and no compiler IR, so a board can run a
// model with only this library and the module's files.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "codegen/runtime/GraphExecutor.h"
#include "codegen/runtime/Module.h"

namespace autotune::runtime {

/// The files of a module directory.
///
/// kModelJsonFile, format version kModuleFormatVersion, one JSON object:
///   "format": "autotune-module", "version": 1,
///   "target": the codegen target string the kernels were built for,
///   "inputs", "outputs": [{"name", "dtype" ("float32", "int64"...), "shape": [dims]}],
///   "arena_bytes": bytes of the intermediate-buffer arena,
///   "constants_bytes": size of constants.bin,
///   "constants": [{"offset", "bytes"}] into constants.bin (offsets kConstantAlign-aligned),
///   "slots": [{"kind": "constant"|"input"|"output", "index", "bytes"}
///             | {"kind": "arena", "offset", "bytes"}],
///   "calls": [{"kernel": symbol in kernels.so, "node": label for profiles, "args": [slots]}],
///   "output_copies": [{"output", "from_input"} | {"output", "constant"}] for graph outputs that
///     no kernel writes,
///   "stats": informative only ({"distinct_kernels", "tuned_calls", "untuned_kernels": [...]}).
/// kKernelsFile: a shared object for the target exporting every "kernel" symbol (the KernelFunction
/// ABI of Module.h) and the runtime table.
/// kConstantsFile: the constants back to back, each starting at a multiple of kConstantAlign.
inline constexpr const char *kModelJsonFile = "model.json";
inline constexpr const char *kKernelsFile = "kernels.so";
inline constexpr const char *kConstantsFile = "constants.bin";
inline constexpr const char *kModuleFormat = "autotune-module";
inline constexpr int kModuleFormatVersion = 1;
inline constexpr int64_t kConstantAlign = 64;

/// Name, element type and shape of a module input or output.
struct TensorSpec {
  std::string name;
  std::string dtype;  ///< as written by ir::DataType::str(): "float32", "int64", "bool"...
  std::vector<int64_t> shape;
  int64_t bytes = 0;  ///< elements times element size
};

/// A module loaded for running: kernels.so opened with dlopen, constants.bin mapped read-only,
/// the arena allocated. Not thread-safe: one run at a time.
class DeployedModel {
 public:
  /// Loads the module in `dir`. Everything is checked before the first run: each problem (a
  /// missing file, bad JSON, an unknown format version, a field of the wrong type or out of
  /// range, constants.bin of the wrong size, a kernels.so for another architecture, a missing
  /// kernel symbol) is a UserError naming the file and the field.
  static std::unique_ptr<DeployedModel> load(const std::string &dir);
  ~DeployedModel();
  DeployedModel(const DeployedModel &) = delete;
  DeployedModel &operator=(const DeployedModel &) = delete;

  const std::vector<TensorSpec> &inputs() const { return inputs_; }
  const std::vector<TensorSpec> &outputs() const { return outputs_; }
  /// Runs the model. Buffers are the caller's, in input/output order, 16-byte aligned, of
  /// TensorSpec::bytes each.
  void run(const std::vector<const void *> &inputs, const std::vector<void *> &outputs);

  const std::string &dir() const { return dir_; }
  /// The target string the kernels were built for.
  const std::string &target() const { return target_; }
  int64_t arena_bytes() const { return executor_->arena_bytes(); }
  int64_t constant_bytes() const { return constants_bytes_; }
  size_t num_kernel_calls() const { return executor_->num_kernels(); }
  size_t num_distinct_kernels() const { return num_distinct_kernels_; }
  /// With AUTOTUNE_PROFILE=1: one line per kernel call (name, fused node, total ms), slowest first.
  std::string profile_report() const { return executor_->profile_report(call_nodes_); }

 private:
  DeployedModel() = default;
  struct OutputCopy {
    int output = 0;
    int from_input = -1;
    const void *constant = nullptr;
  };
  std::string dir_, target_;
  std::vector<TensorSpec> inputs_, outputs_;
  std::unique_ptr<LoadedModule> kernels_;  ///< outlives executor_, which holds its functions
  std::shared_ptr<const void> constants_;  ///< the mapping of constants.bin
  int64_t constants_bytes_ = 0;
  std::unique_ptr<GraphExecutor> executor_;
  std::vector<OutputCopy> copies_;
  std::vector<std::string> call_nodes_;
  size_t num_distinct_kernels_ = 0;
};

/// Bytes of one element of `dtype` ("float32" -> 4, "bool" -> 1); 0 when the name is unknown.
int64_t dtype_bytes(const std::string &dtype);

}  // namespace autotune::runtime

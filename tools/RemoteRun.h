// `autotune run` and `bench` on an rpc device (--device rk3399-rpc): the model is built for the
// device's target into a temporary module (or a built --module is taken as it is) and runs on a
// server leased from the device's tracker (measure/RemoteModel.h).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "codegen/BuildGraph.h"
#include "measure/DeviceProfile.h"
#include "measure/RemoteModel.h"
#include "tools/CompileModel.h"

namespace autotune::tools {

/// A module that runs on a remote server of an rpc device. Every run leases a server from the
/// tracker, uploads the module, runs it and releases the server.
class RemoteModel {
 public:
  /// Builds `model_path` for device.target with the database's best records for that target
  /// (copt's db options; copt.target is replaced) into a temporary module directory, or takes
  /// `module_dir` when model_path is empty. `tracker` is the resolved "HOST:PORT"; `threads`
  /// the server-side thread count. UserError for a module that cannot be read or built, or
  /// a malformed tracker address.
  static std::unique_ptr<RemoteModel> prepare(const std::string &model_path,
                                              const std::string &module_dir, CompileOptions copt,
                                              const measure::DeviceProfile &device,
                                              const std::string &tracker, int threads);
  /// Deletes the temporary module directory, if one was built.
  ~RemoteModel();
  RemoteModel(const RemoteModel &) = delete;
  RemoteModel &operator=(const RemoteModel &) = delete;

  const std::vector<codegen::TensorInfo> &inputs() const { return inputs_; }
  const std::vector<codegen::TensorInfo> &outputs() const { return outputs_; }
  const measure::ModuleSummary &summary() const { return summary_; }
  /// Seconds spent building the module (0 for a given --module).
  double build_s() const { return build_s_; }

  /// Runs the module once on a leased server: `inputs` and `outputs` as for
  /// runtime::DeployedModel::run (one buffer per tensor, in order, TensorInfo::bytes() each).
  void run(const std::vector<const void *> &inputs, const std::vector<void *> &outputs);
  /// `warmup` untimed and `repeat` timed runs on one leased server, outputs discarded; the
  /// result holds the per-run times and what the server runs on.
  measure::RemoteRunResult time(const std::vector<const void *> &inputs, int warmup, int repeat);

  /// `autotune bench` for this model: 3 warm-up and `repeat` timed runs on one server, printed
  /// like the local bench of a module (a header line, then "median_ms=... min_ms=...
  /// max_ms=..."), followed by a line naming the server the times were measured on.
  void bench(const std::vector<const void *> &inputs, int repeat);

 private:
  RemoteModel() = default;
  measure::RemoteRunResult execute(const std::vector<const void *> &inputs, int warmup, int repeat);

  std::string label_;  ///< "model=M.onnx" or "module=DIR", for bench
  std::string device_name_, tracker_host_;
  uint16_t tracker_port_ = 0;
  measure::TrackerLeaseOptions lease_;
  measure::RemoteRunOptions options_;
  std::string module_dir_;
  std::string temp_dir_;  ///< the built module's parent directory, removed at the end
  double build_s_ = 0;
  measure::ModuleSummary summary_;
  std::vector<codegen::TensorInfo> inputs_, outputs_;
};

}  // namespace autotune::tools

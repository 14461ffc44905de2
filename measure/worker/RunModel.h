// Whole-model runs in a worker session (RunModel requests, ModelProtocol.h): the uploaded
// model.json, kernels.so and constants.bin become a module directory that
// runtime::DeployedModel loads; loaded models are kept for the session's later requests.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "codegen/runtime/DeployedModel.h"
#include "measure/worker/ModelProtocol.h"

namespace autotune::measure {

/// The loaded models of one session. Not thread-safe (like Worker).
class ModelRuns {
 public:
  /// Path of an uploaded file by its name; empty when nothing of that name was uploaded.
  using UploadPath = std::function<std::string(const std::string &name)>;

  /// Module directories are assembled under `dir` (the worker's private directory).
  explicit ModelRuns(std::string dir);
  /// Unloads every model and deletes the module directories it assembled.
  ~ModelRuns();
  ModelRuns(const ModelRuns &) = delete;
  ModelRuns &operator=(const ModelRuns &) = delete;

  /// Loads the module of req's three uploads (unless this session loaded that triple already),
  /// checks req's inputs against the module's, runs it req.warmup + max(req.repeat, 1) times
  /// with req.threads threads (then restores the thread count) and returns the outputs of the
  /// last run. UserError naming the problem for an upload that does not exist, a module that
  /// does not load here (damaged, another architecture), an input that is missing, unknown,
  /// given twice or of the wrong dtype or shape, or outputs over the frame limit.
  RunModelReply run(const RunModelRequest &req, const UploadPath &upload_path);

  /// Forgets the loaded models that use upload `name` (it is being replaced or removed).
  void forget(const std::string &name);

  /// Models kept loaded at once; the least recently used goes first.
  static constexpr size_t kMaxLoaded = 2;

 private:
  struct Loaded {
    std::string model_json, kernels, constants;  ///< upload names
    std::string dir;                             ///< the assembled module directory
    std::unique_ptr<runtime::DeployedModel> model;
    uint64_t last_use = 0;
  };

  /// The model of req's triple, loading it when needed; *load_s gets the loading time.
  Loaded &model_for(const RunModelRequest &req, const UploadPath &upload_path, double *load_s,
                    bool *cached);
  void unload(std::map<std::string, Loaded>::iterator it);

  std::string dir_;
  std::map<std::string, Loaded> loaded_;  ///< by "model_json|kernels|constants"
  uint64_t use_clock_ = 0;
  uint64_t next_dir_ = 0;  ///< module directories get fresh names: dlopen caches by path
};

}  // namespace autotune::measure

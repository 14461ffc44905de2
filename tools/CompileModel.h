// The path from an ONNX file to a runnable model, shared by `autotune run` and `autotune bench`:
// load and optimize, then build with the tuning database's best configs.
#pragma once

#include <memory>
#include <string>

#include "codegen/BuildGraph.h"
#include "tuner/LoadModel.h"

namespace autotune::tools {

struct CompileOptions {
  tuner::LoadOptions load;
  /// Tuning database to read best configs from; empty: the default database if it exists.
  std::string db_path;
  bool require_tuned = false;  ///< a tunable kernel without a record is an error, not a warning
  bool use_db = true;          ///< false: default schedules everywhere, no warnings
  bool parallel = true;
};

/// Imports, optimizes and compiles `model_path` for the host. Warns on stderr (or, with
/// require_tuned, fails) naming every tunable kernel the database has no record for.
std::unique_ptr<codegen::CompiledModel> compile_onnx_model(const std::string &model_path,
                                                           const CompileOptions &opt);

}  // namespace autotune::tools

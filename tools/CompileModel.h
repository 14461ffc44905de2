// The path from an ONNX file to a runnable model, shared by `autotune run`, `bench` and `build`:
// load and optimize, then plan with the tuning database's best configs, then JIT or save.
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
  /// The target to build for; records are looked up under its string.
  codegen::Target target = codegen::Target::host();
};

/// Imports, optimizes, schedules and plans `model_path` for opt.target. Warns on stderr (or,
/// with require_tuned, fails) naming every tunable kernel the database has no record for.
codegen::ModelPlan plan_onnx_model(const std::string &model_path, const CompileOptions &opt);

/// plan_onnx_model, then JIT compilation for the host (opt.target must run here).
std::unique_ptr<codegen::CompiledModel> compile_onnx_model(const std::string &model_path,
                                                           const CompileOptions &opt);

}  // namespace autotune::tools

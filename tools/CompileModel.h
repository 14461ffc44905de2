// The path from an ONNX file to a runnable model, shared by `autotune run` and `autotune bench`.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "codegen/BuildGraph.h"

namespace autotune::tools {

struct CompileOptions {
  std::map<std::string, std::vector<int64_t>> input_shapes;  ///< overrides of input shapes
  bool blocked_layout = true;
};

/// Imports, checks, optimizes and compiles `model_path` for the host. UserError on bad input.
std::unique_ptr<codegen::CompiledModel> compile_onnx_model(const std::string &model_path,
                                                           const CompileOptions &opt);

}  // namespace autotune::tools

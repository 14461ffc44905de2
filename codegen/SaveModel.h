// Writing a ModelPlan as a deployable module directory (format: codegen/runtime/DeployedModel.h):
// the kernels linked into one shared object for the plan's target, the constants, model.json.
#pragma once

#include <cstdint>
#include <string>

#include "codegen/BuildGraph.h"

namespace autotune::codegen {

/// Sizes of the files save_model wrote, in bytes.
struct SavedModelSizes {
  int64_t kernels = 0;    ///< kernels.so
  int64_t constants = 0;  ///< constants.bin
  int64_t model_json = 0;
};

/// Writes `plan` into `dir` (created if needed; files of an earlier build are replaced):
/// kernels.so (every kernel of plan.kernels, cross-compiled for plan.target and linked with
/// ld.lld), constants.bin and, last, model.json, so a build that fails midway leaves no loadable
/// module behind. UserError when a directory or file cannot be written or linking fails.
SavedModelSizes save_model(const ModelPlan &plan, const std::string &dir);

}  // namespace autotune::codegen

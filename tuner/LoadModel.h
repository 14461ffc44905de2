// ONNX file -> optimized graph of fused kernels: the front half shared by tuning and building.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ir/graph/Graph.h"

namespace autotune::tuner {

struct LoadOptions {
  std::map<std::string, std::vector<int64_t>> input_shapes;  ///< overrides of input shapes
  bool blocked_layout = true;
};

/// Imports `model_path`, checks every op is supported, and runs the graph pipeline.
/// UserError naming the file, node or op on bad input.
graph::Graph load_optimized_model(const std::string &model_path, const LoadOptions &opt = {});

}  // namespace autotune::tuner

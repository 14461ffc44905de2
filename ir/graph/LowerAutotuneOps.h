// Tensor expressions of the operators that graph passes introduce (domain "autotune"): layout
// conversions, blocked convolutions and blocked pooling.
#pragma once

#include <vector>

#include "ir/graph/OpRegistry.h"

namespace autotune::graph {

/// Lowers an autotune-domain node (to_nchwc, to_nchw, conv2d_nchwc, depthwise_conv2d_nchwc,
/// max_pool2d_nchwc, avg_pool2d_nchwc, global_avg_pool2d_nchwc). UserError for other ops.
std::vector<te::Tensor> lower_autotune_node(const Node &node,
                                            const std::vector<LoweringInput> &inputs);

/// lower_node for ONNX nodes, lower_autotune_node for autotune ones.
std::vector<te::Tensor> lower_any_node(const Node &node, const std::vector<LoweringInput> &inputs,
                                       int64_t opset);

}  // namespace autotune::graph

// Graph pass: blocked NCHW[x]c layouts for convolution regions.
#pragma once

#include "ir/graph/Graph.h"

namespace autotune::graph {

/// Rewrites 2-D convolutions (groups 1, or depthwise) to autotune.conv2d_nchwc /
/// autotune.depthwise_conv2d_nchwc on channel-blocked data [N, C/bn, H, W, bn] with weights
/// blocked at compile time, keeps element-wise ops, channel concats and poolings between them
/// in the blocked layout, and converts (autotune.to_nchwc / autotune.to_nchw) only at region
/// boundaries. The block is 16 channels when they divide by 16, else 8.
/// Pre: shapes inferred, BatchNormalization folded. Post: shapes known; graph inputs and outputs
/// keep their names, shapes and layouts.
Graph convert_layout(const Graph &g);

/// Channel block for C channels: 16, 8, or 0 when C is not a multiple of 8.
int64_t channel_block(int64_t channels);

}  // namespace autotune::graph

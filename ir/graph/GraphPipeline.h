// The graph recipe: imported model -> optimized graph of fused kernels.
#pragma once

#include "ir/graph/Graph.h"
#include "ir/graph/Passes.h"

namespace autotune::graph {

struct GraphOptions {
  /// Convert convolution regions to blocked NCHW[x]c layouts.
  bool blocked_layout = true;
};

/// Runs every graph pass in order. `eval` computes constant nodes (codegen::evaluate_node).
Graph optimize_graph(const Graph &imported, const NodeEvaluator &eval,
                     const GraphOptions &opt = {});

}  // namespace autotune::graph

// Shared by the graph passes that delete nodes or values: rebuilds a graph from a subset of it
// with dense, renumbered ids. Defined in EliminateDeadCode.cpp.
#pragma once

#include <vector>

#include "ir/graph/Graph.h"

namespace autotune::graph::detail {

/// A copy of `g` holding only the nodes with keep_nodes[n] and the values with keep_values[v],
/// both in their original order, with every id (node inputs/outputs, producers, graph inputs
/// and outputs) renumbered. Producers are recomputed from the kept nodes, so a kept value whose
/// producer is dropped becomes a graph-level value (constant or input). Internal error when a
/// kept node or a graph input/output refers to a dropped value.
Graph compact_graph(const Graph &g, const std::vector<bool> &keep_nodes,
                    const std::vector<bool> &keep_values);

}  // namespace autotune::graph::detail

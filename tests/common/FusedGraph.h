// Fused graphs by hand, for tests of task extraction, schedule templates and features: typed
// values, and graphs of "fused" kernel nodes that wrap a body, as fuse_operators leaves them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph/Graph.h"

namespace autotune::test {

/// Adds a float32 value `name` with the static `shape` to `g`; with `constant`, it holds constant
/// data of that shape (a weight).
graph::ValueId add_value(graph::Graph &g, const std::string &name, std::vector<int64_t> shape,
                         bool constant = false);

/// A verified graph of fused nodes "kernel<k>", one per body, each anchored at its body's first
/// node. Every kernel gets fresh copies of its body's inputs (the non-constant ones become graph
/// inputs) and outputs (the first one becomes a graph output).
graph::Graph fused_graph(const std::vector<graph::Graph> &bodies);

}  // namespace autotune::test

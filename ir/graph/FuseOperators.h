// Graph pass: groups operators into fused kernels (autotune.fused nodes with a body subgraph).
#pragma once

#include "ir/graph/Graph.h"

namespace autotune::graph {

/// Groups nodes into kernels and returns a graph of `autotune.fused` nodes, one per kernel,
/// each with a `body` subgraph (body inputs/outputs correspond to the node's, in order;
/// constants read by the body are body inputs too, marked constant).
/// Rules: an anchor (Conv, Gemm, MatMul, blocked conv) absorbs the chain of element-wise and
/// broadcast ops after it, residual adds included; chains of element-wise, broadcast and
/// injective ops fuse together; everything else is a kernel of its own. A node joins a group
/// only through a value nobody else reads and that is no graph output, and only when its other
/// inputs are produced before the group starts (which keeps the kernel graph acyclic).
/// Pre: shapes inferred. Post: every node is autotune.fused; graph inputs/outputs unchanged.
Graph fuse_operators(const Graph &g);

}  // namespace autotune::graph

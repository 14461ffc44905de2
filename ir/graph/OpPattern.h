// How an operator combines with its neighbours in a fused kernel (the TVM op-pattern idea).
#pragma once

#include <string>

#include "ir/graph/Graph.h"

namespace autotune::graph {

enum class OpPattern : uint8_t {
  ElemWise,   ///< same-shape point-wise (Relu, Add of equal shapes)
  Broadcast,  ///< point-wise with broadcasting (Add of a per-channel vector)
  Injective,  ///< each output element reads a few input elements (Reshape, Transpose, Concat)
  Reduce,     ///< reductions and windows (ReduceMean, pooling, Softmax)
  Anchor,     ///< compute-heavy with an element-wise epilogue (Conv, Gemm, MatMul)
  Opaque,     ///< never fused
};

/// The pattern of a node (shapes must be inferred: broadcasting is decided from them).
OpPattern op_pattern(const Graph &g, const Node &node);

}  // namespace autotune::graph

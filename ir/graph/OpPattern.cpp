// Op-pattern classification by op type and, for binary ops, by whether shapes broadcast.
#include "ir/graph/OpPattern.h"

#include <set>

namespace autotune::graph {

OpPattern op_pattern(const Graph &g, const Node &node) {
  static const std::set<std::string> kUnary = {
      "Relu", "LeakyRelu", "Clip", "Sigmoid", "Tanh", "HardSigmoid", "HardSwish", "Sqrt",
      "Exp",  "Log",       "Neg",  "Abs",     "Erf",  "Cast",        "Identity",  "Dropout"};
  static const std::set<std::string> kBinary = {"Add", "Sub", "Mul", "Div", "Pow", "PRelu",
                                                "Sum", "Max", "Min", "Mean", "Where", "Equal"};
  static const std::set<std::string> kInjective = {
      "Reshape", "Flatten", "Transpose", "Concat", "Split", "Slice", "Pad", "Squeeze",
      "Unsqueeze", "Gather", "Expand", "Resize", "Upsample", "layout_transform"};
  static const std::set<std::string> kReduce = {
      "ReduceMean", "ReduceSum", "ReduceMax", "MaxPool", "AveragePool", "GlobalAveragePool",
      "GlobalMaxPool", "Softmax", "LogSoftmax", "LRN", "InstanceNormalization", "max_pool2d_nchwc",
      "avg_pool2d_nchwc", "global_avg_pool2d_nchwc"};
  static const std::set<std::string> kAnchor = {"Conv", "ConvTranspose", "Gemm", "MatMul",
                                                "conv2d_nchwc", "depthwise_conv2d_nchwc",
                                                "dense_packed"};
  const std::string &op = node.op_type;
  if (kUnary.count(op)) return OpPattern::ElemWise;
  if (kBinary.count(op)) {
    const Value &out = g.value(node.outputs.at(0));
    for (ValueId in : node.inputs) {
      if (in != kNone && g.value(in).shape != out.shape) return OpPattern::Broadcast;
    }
    return OpPattern::ElemWise;
  }
  if (kInjective.count(op)) return OpPattern::Injective;
  if (kReduce.count(op)) return OpPattern::Reduce;
  if (kAnchor.count(op)) return OpPattern::Anchor;
  return OpPattern::Opaque;
}

}  // namespace autotune::graph

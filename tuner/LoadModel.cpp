// import -> supported-op check -> graph pipeline (constant folding runs nodes on the JIT).
#include "tuner/LoadModel.h"

#include "codegen/EvaluateNode.h"
#include "ir/graph/GraphPipeline.h"
#include "ir/graph/OpRegistry.h"
#include "ir/graph/onnx/OnnxImporter.h"

namespace autotune::tuner {

graph::Graph load_optimized_model(const std::string &model_path, const LoadOptions &opt) {
  graph::ImportOptions import_opt;
  import_opt.input_shapes = opt.input_shapes;
  graph::Graph imported = graph::import_onnx(model_path, import_opt);
  graph::check_supported_ops(imported,
                             [](const std::string &op) { return graph::is_supported_op(op); });
  graph::GraphOptions gopt;
  gopt.blocked_layout = opt.blocked_layout;
  graph::Graph optimized = graph::optimize_graph(imported, codegen::evaluate_node, gopt);
  return optimized;
}

}  // namespace autotune::tuner

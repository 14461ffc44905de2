// import -> supported-op check -> graph pipeline -> build.
#include "tools/CompileModel.h"

#include "codegen/EvaluateNode.h"
#include "ir/graph/GraphPipeline.h"
#include "ir/graph/OpRegistry.h"
#include "ir/graph/onnx/OnnxImporter.h"

namespace autotune::tools {

std::unique_ptr<codegen::CompiledModel> compile_onnx_model(const std::string &model_path,
                                                           const CompileOptions &opt) {
  graph::ImportOptions import_opt;
  import_opt.input_shapes = opt.input_shapes;
  graph::Graph g = graph::import_onnx(model_path, import_opt);
  graph::check_supported_ops(g, [](const std::string &op) { return graph::is_supported_op(op); });
  graph::GraphOptions gopt;
  gopt.blocked_layout = opt.blocked_layout;
  graph::Graph optimized = graph::optimize_graph(g, codegen::evaluate_node, gopt);
  g = graph::Graph();  // drop the imported weights before building
  return codegen::build_model(optimized);
}

}  // namespace autotune::tools

// The graph pass pipeline, in the order the passes run.
#include "ir/graph/GraphPipeline.h"

#include <chrono>
#include <cstdlib>
#include <iostream>

#include "ir/graph/ConvertLayout.h"
#include "ir/graph/FuseOperators.h"

namespace autotune::graph {

namespace {

/// Prints pass names (AUTOTUNE_DEBUG>=1) and times (AUTOTUNE_TIME_PASSES=1).
class GraphPassLog {
 public:
  GraphPassLog() {
    if (const char *d = std::getenv("AUTOTUNE_DEBUG")) level_ = std::atoi(d);
    if (const char *t = std::getenv("AUTOTUNE_TIME_PASSES")) time_ = std::atoi(t) != 0;
    last_ = std::chrono::steady_clock::now();
  }
  void operator()(const char *pass, const Graph &g) {
    auto now = std::chrono::steady_clock::now();
    if (time_ || level_ >= 1) {
      std::cerr << "[graph] " << pass << ": " << g.nodes.size() << " nodes";
      if (time_) std::cerr << ", " << std::chrono::duration<double, std::milli>(now - last_).count()
                           << " ms";
      std::cerr << "\n";
    }
    last_ = std::chrono::steady_clock::now();
  }

 private:
  int level_ = 0;
  bool time_ = false;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace

Graph optimize_graph(const Graph &imported, const NodeEvaluator &eval, const GraphOptions &opt) {
  GraphPassLog log;
  Graph g = infer_shapes(imported);          log("infer_shapes", g);
  g = fold_constants(g, eval);               log("fold_constants", g);
  g = eliminate_dead_code(g);                log("eliminate_dead_code", g);
  g = simplify_inference(g);                 log("simplify_inference", g);
  g = eliminate_dead_code(g);                log("eliminate_dead_code", g);
  if (opt.blocked_layout) {
    g = convert_layout(g);                   log("convert_layout", g);
  }
  g = fuse_operators(g);                     log("fuse_operators", g);
  return g;
}

}  // namespace autotune::graph

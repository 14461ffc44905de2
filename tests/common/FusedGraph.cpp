// Fused graphs by hand, for tests.
#include "tests/common/FusedGraph.h"

#include <memory>
#include <utility>

namespace autotune::test {

using graph::Graph;
using graph::Value;
using graph::ValueId;

ValueId add_value(Graph &g, const std::string &name, std::vector<int64_t> shape, bool constant) {
  Value v;
  v.name = name;
  v.shape = std::move(shape);
  v.shape_known = true;
  if (constant) v.constant = graph::TensorData::make(ir::Float(32), v.shape);
  return g.add_value(v);
}

Graph fused_graph(const std::vector<Graph> &bodies) {
  Graph g;
  for (size_t k = 0; k < bodies.size(); ++k) {
    graph::Node n;
    n.name = "kernel" + std::to_string(k);
    n.op_type = "fused";
    n.domain = "autotune";
    auto body = std::make_shared<Graph>(bodies[k]);
    n.attrs.set("anchor", body->nodes.front().op_type);
    for (ValueId in : body->inputs) {
      Value v = body->value(in);
      v.producer = graph::kNone;
      ValueId id = g.add_value(v);
      n.inputs.push_back(id);
      if (!v.constant) g.inputs.push_back(id);
    }
    for (ValueId out : body->outputs) {
      Value v = body->value(out);
      v.producer = graph::kNone;
      n.outputs.push_back(g.add_value(v));
    }
    n.body = body;
    g.outputs.push_back(n.outputs[0]);
    g.add_node(n);
  }
  g.verify();
  return g;
}

}  // namespace autotune::test

// Dead code elimination for the graph IR: drops nodes that reach no graph output and values
// nothing refers to. Runs after fold_constants, which leaves folded inputs and weights unused.
#include "ir/graph/Passes.h"
#include "ir/graph/detail/CompactGraph.h"

namespace autotune::graph {

namespace detail {

Graph compact_graph(const Graph &g, const std::vector<bool> &keep_nodes,
                    const std::vector<bool> &keep_values) {
  internal_check(keep_nodes.size() == g.nodes.size() && keep_values.size() == g.values.size())
      << "compact_graph: keep masks do not match the graph";
  Graph out;
  out.opset = g.opset;
  out.name = g.name;
  std::vector<ValueId> new_id(g.values.size(), kNone);
  for (size_t v = 0; v < g.values.size(); ++v) {
    if (!keep_values[v]) continue;
    Value copy = g.values[v];
    copy.producer = kNone;  // add_node below sets it again for values of kept nodes
    new_id[v] = out.add_value(std::move(copy));
  }
  auto remap = [&](ValueId v, const std::string &user) -> ValueId {
    if (v == kNone) return kNone;
    internal_check(new_id.at(v) != kNone)
        << "compact_graph: " << user << " refers to dropped value '" << g.values[v].name << "'";
    return new_id[v];
  };
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    if (!keep_nodes[n]) continue;
    Node copy = g.nodes[n];
    for (ValueId &in : copy.inputs) in = remap(in, copy.describe());
    for (ValueId &o : copy.outputs) o = remap(o, copy.describe());
    out.add_node(std::move(copy));
  }
  for (ValueId in : g.inputs) out.inputs.push_back(remap(in, "a graph input"));
  for (ValueId o : g.outputs) out.outputs.push_back(remap(o, "a graph output"));
  return out;
}

}  // namespace detail

// Algorithm:
//   1. Mark the graph outputs live.
//   2. Walk the nodes backwards: a node is live when one of its outputs is live; a live node
//      marks its inputs live and keeps all its outputs (unused extra outputs stay with it).
//   3. Keep live nodes, live values and every graph input (the calling convention must not
//      change); renumber the rest densely with compact_graph.
//
//   before: x -> Relu -> a -> (output)      after: x -> Relu -> a -> (output)
//           x -> Sigmoid -> b (unused)
//           w (constant, unused)
Graph eliminate_dead_code(const Graph &g) {
  g.verify();
  std::vector<bool> live_value(g.values.size(), false);
  std::vector<bool> live_node(g.nodes.size(), false);
  for (ValueId o : g.outputs) live_value.at(o) = true;
  for (size_t n = g.nodes.size(); n-- > 0;) {
    const Node &node = g.nodes[n];
    for (ValueId o : node.outputs) live_node[n] = live_node[n] || live_value[o];
    if (!live_node[n]) continue;
    for (ValueId o : node.outputs) live_value[o] = true;
    for (ValueId in : node.inputs) {
      if (in != kNone) live_value[in] = true;
    }
  }
  for (ValueId in : g.inputs) live_value.at(in) = true;
  return detail::compact_graph(g, live_node, live_value);
}

}  // namespace autotune::graph

// Operator fusion by op patterns.
//
// Algorithm:
//  1. Walk nodes in topological order. For node n, look for an input value v produced by a node
//     in group G such that v has n as its only reader and is no graph output, G accepts n's
//     pattern (anchor groups accept same-shape element-wise/broadcast epilogues; injective
//     groups accept element-wise, broadcast and injective ops), and n's other inputs are
//     produced before G's first node. If found, n joins G; else n starts its own group.
//  2. Emit one autotune.fused node per group, ordered by the group's first node, with the
//     group's nodes copied into a body subgraph.
// Example: Conv -> Add(bias) -> Relu  ->  fused(Conv, Add, Relu)
#include "ir/graph/FuseOperators.h"

#include <algorithm>
#include <map>
#include <set>

#include "ir/graph/OpPattern.h"

namespace autotune::graph {

namespace {

struct Group {
  std::vector<NodeId> nodes;  ///< in topological order
  OpPattern kind;             ///< Anchor, or the most general pattern of an injective chain
  std::vector<int64_t> anchor_shape;
  bool closed = false;        ///< reductions and opaque ops take no followers
};

bool accepts(const Group &g, OpPattern p, const std::vector<int64_t> &out_shape) {
  if (g.closed) return false;
  if (g.kind == OpPattern::Anchor) {
    return (p == OpPattern::ElemWise || p == OpPattern::Broadcast) && out_shape == g.anchor_shape;
  }
  return p == OpPattern::ElemWise || p == OpPattern::Broadcast || p == OpPattern::Injective;
}

}  // namespace

Graph fuse_operators(const Graph &g) {
  auto consumers = g.consumers();
  std::set<ValueId> graph_outputs(g.outputs.begin(), g.outputs.end());
  std::vector<int> group_of(g.nodes.size(), -1);
  std::vector<Group> groups;

  for (size_t n = 0; n < g.nodes.size(); ++n) {
    const Node &node = g.nodes[n];
    OpPattern p = op_pattern(g, node);
    const std::vector<int64_t> &out_shape = g.value(node.outputs.at(0)).shape;
    int chosen = -1;
    if (p == OpPattern::ElemWise || p == OpPattern::Broadcast || p == OpPattern::Injective) {
      for (ValueId v : node.inputs) {
        if (v == kNone || g.value(v).producer == kNone) continue;
        if (consumers[v].size() != 1 || graph_outputs.count(v)) continue;
        int gid = group_of[g.value(v).producer];
        Group &cand = groups[gid];
        if (!accepts(cand, p, out_shape)) continue;
        NodeId first = cand.nodes.front();
        bool others_ready = true;
        for (ValueId w : node.inputs) {
          if (w == kNone || w == v) continue;
          NodeId prod = g.value(w).producer;
          if (prod != kNone && group_of[prod] != gid && prod >= first) others_ready = false;
        }
        if (!others_ready) continue;
        chosen = gid;
        // Prefer joining an anchor's epilogue over an injective chain.
        if (cand.kind == OpPattern::Anchor) break;
      }
    }
    if (chosen >= 0) {
      groups[chosen].nodes.push_back(static_cast<NodeId>(n));
      group_of[n] = chosen;
      continue;
    }
    Group grp;
    grp.nodes = {static_cast<NodeId>(n)};
    grp.kind = p == OpPattern::Anchor ? OpPattern::Anchor : OpPattern::Injective;
    grp.anchor_shape = out_shape;
    grp.closed = p == OpPattern::Reduce || p == OpPattern::Opaque;
    group_of[n] = static_cast<int>(groups.size());
    groups.push_back(grp);
  }

  // Emit: the outer graph keeps every value (ids stay valid); nodes become fused kernels.
  Graph out;
  out.values = g.values;
  for (Value &v : out.values) v.producer = kNone;
  out.inputs = g.inputs;
  out.outputs = g.outputs;
  out.opset = g.opset;
  out.name = g.name;
  std::vector<int> order(groups.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  std::sort(order.begin(), order.end(),
            [&](int a, int b) { return groups[a].nodes.front() < groups[b].nodes.front(); });
  for (int gid : order) {
    const Group &grp = groups[gid];
    std::set<NodeId> members(grp.nodes.begin(), grp.nodes.end());
    auto body = std::make_shared<Graph>();
    body->opset = g.opset;
    std::map<ValueId, ValueId> local;  // outer value id -> body value id
    Node fused;
    auto import_value = [&](ValueId v) {
      auto it = local.find(v);
      if (it != local.end()) return it->second;
      Value copy = g.value(v);
      copy.producer = kNone;
      ValueId id = body->add_value(copy);
      local[v] = id;
      return id;
    };
    // Inputs: values read by members and produced outside the group (constants included).
    for (NodeId m : grp.nodes) {
      for (ValueId v : g.nodes[m].inputs) {
        if (v == kNone || local.count(v)) continue;
        NodeId prod = g.value(v).producer;
        if (prod != kNone && members.count(prod)) continue;
        body->inputs.push_back(import_value(v));
        fused.inputs.push_back(v);
      }
    }
    for (NodeId m : grp.nodes) {
      Node copy = g.nodes[m];
      for (ValueId &v : copy.inputs) {
        if (v != kNone) v = import_value(v);
      }
      for (ValueId &v : copy.outputs) v = import_value(v);
      body->add_node(copy);
    }
    // Outputs: values produced here and read outside or returned by the graph.
    for (NodeId m : grp.nodes) {
      for (ValueId v : g.nodes[m].outputs) {
        bool outside = graph_outputs.count(v) > 0;
        for (NodeId c : consumers[v]) outside |= !members.count(c);
        if (!outside) continue;
        body->outputs.push_back(local.at(v));
        fused.outputs.push_back(v);
      }
    }
    const Node &first = g.nodes[grp.nodes.front()];
    NodeId anchor = grp.nodes.front();
    for (NodeId m : grp.nodes) {
      if (op_pattern(g, g.nodes[m]) == OpPattern::Anchor) anchor = m;
    }
    fused.name = "fused_" + first.name;
    fused.op_type = "fused";
    fused.domain = "autotune";
    fused.attrs.set("anchor", g.nodes[anchor].op_type);
    fused.body = body;
    out.add_node(std::move(fused));
  }
  out.verify();
  return out;
}

}  // namespace autotune::graph

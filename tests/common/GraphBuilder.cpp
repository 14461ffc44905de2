// Hand-built graphs and structural graph comparison for graph pass tests.
#include "tests/common/GraphBuilder.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

namespace autotune::test {

using graph::Attribute;
using graph::ConstantPtr;
using graph::Graph;
using graph::kNone;
using graph::Node;
using graph::Value;
using graph::ValueId;

graph::Attributes attrs(std::initializer_list<std::pair<std::string, Attribute>> list) {
  graph::Attributes a;
  for (const auto &[name, value] : list) a.set(name, value);
  return a;
}

graph::ValueId GraphBuilder::add_input(const std::string &name, std::vector<int64_t> shape,
                                       ir::DataType dtype) {
  Value v;
  v.name = name;
  v.dtype = dtype;
  v.shape = std::move(shape);
  v.shape_known = true;
  ValueId id = g_.add_value(std::move(v));
  g_.inputs.push_back(id);
  return id;
}

graph::ValueId GraphBuilder::add_constant(const std::string &name, ConstantPtr data) {
  Value v;
  v.name = name;
  v.dtype = data->dtype;
  v.shape = data->shape;
  v.shape_known = true;
  v.constant = std::move(data);
  return g_.add_value(std::move(v));
}

graph::NodeId GraphBuilder::add_node(const std::string &op_type,
                                     const std::vector<std::string> &inputs,
                                     const std::vector<std::string> &outputs,
                                     graph::Attributes attributes, const std::string &node_name) {
  Node n;
  n.name = node_name.empty() ? op_type + "_" + std::to_string(g_.nodes.size()) : node_name;
  n.op_type = op_type;
  for (const std::string &in : inputs) n.inputs.push_back(in.empty() ? kNone : id(in));
  for (const std::string &out : outputs) {
    Value v;
    v.name = out;
    n.outputs.push_back(g_.add_value(std::move(v)));
  }
  n.attrs = std::move(attributes);
  n.attrs.owner = n.describe();
  return g_.add_node(std::move(n));
}

void GraphBuilder::set_type(const std::string &name, std::vector<int64_t> shape,
                            ir::DataType dtype) {
  Value &v = g_.value(id(name));
  v.dtype = dtype;
  v.shape = std::move(shape);
  v.shape_known = true;
}

void GraphBuilder::add_outputs(const std::vector<std::string> &names) {
  for (const std::string &name : names) g_.outputs.push_back(id(name));
}

graph::ValueId GraphBuilder::id(const std::string &name) const {
  std::optional<ValueId> v = g_.find_value(name);
  if (!v) ADD_FAILURE() << "GraphBuilder: no value named '" << name << "'";
  return v.value_or(kNone);
}

Graph GraphBuilder::build() const {
  g_.verify();
  return g_;
}

namespace {

std::string attribute_str(const Attribute &a) {
  std::ostringstream os;
  auto list = [&](const auto &xs) {
    os << "[";
    for (size_t i = 0; i < xs.size(); ++i) os << (i ? ", " : "") << xs[i];
    os << "]";
  };
  if (auto *i = std::get_if<int64_t>(&a)) os << *i;
  if (auto *d = std::get_if<double>(&a)) os << *d;
  if (auto *s = std::get_if<std::string>(&a)) os << '"' << *s << '"';
  if (auto *is = std::get_if<std::vector<int64_t>>(&a)) list(*is);
  if (auto *ds = std::get_if<std::vector<double>>(&a)) list(*ds);
  if (auto *ss = std::get_if<std::vector<std::string>>(&a)) list(*ss);
  if (auto *t = std::get_if<ConstantPtr>(&a)) {
    os << "tensor " << (*t ? (*t)->dtype.str() + graph::shape_str((*t)->shape) : "null");
  }
  return os.str();
}

std::string constant_str(const graph::TensorData &t) {
  std::ostringstream os;
  os << "{";
  int64_t n = std::min<int64_t>(t.size(), 8);
  for (int64_t i = 0; i < n; ++i) os << (i ? ", " : "") << t.as_double(i);
  if (t.size() > n) os << ", ...";
  os << "}";
  return os.str();
}

std::string value_str(const Value &v) {
  std::string s = v.name + ": " + (v.shape_known ? v.dtype.str() + graph::shape_str(v.shape) : "?");
  if (v.constant) s += " = " + constant_str(*v.constant);
  return s;
}

std::string name_of(const Graph &g, ValueId v) { return v == kNone ? "" : g.value(v).name; }

std::string node_str(const Graph &g, const Node &n) {
  std::ostringstream os;
  for (size_t i = 0; i < n.outputs.size(); ++i) os << (i ? ", " : "") << name_of(g, n.outputs[i]);
  os << " = " << (n.domain.empty() ? "" : n.domain + ".") << n.op_type << "(";
  for (size_t i = 0; i < n.inputs.size(); ++i) os << (i ? ", " : "") << name_of(g, n.inputs[i]);
  os << ")";
  for (const auto &[name, value] : n.attrs.all()) os << " " << name << "=" << attribute_str(value);
  return os.str();
}

bool same_constant(const graph::TensorData &a, const graph::TensorData &b) {
  if (a.dtype != b.dtype || a.shape != b.shape) return false;
  for (int64_t i = 0; i < a.size(); ++i) {
    double x = a.as_double(i), y = b.as_double(i);
    if (std::abs(x - y) > 1e-5 * (1 + std::abs(y))) return false;
  }
  return true;
}

bool same_attribute(const Attribute &a, const Attribute &b) {
  if (a.index() != b.index()) return false;
  if (auto *t = std::get_if<ConstantPtr>(&a)) {
    const ConstantPtr &u = std::get<ConstantPtr>(b);
    return *t && u ? same_constant(**t, *u) : *t == u;
  }
  return a == b;
}

/// The first difference between the graphs, or "".
std::string first_difference(const Graph &a, const Graph &b) {
  auto names = [](const Graph &g, const std::vector<ValueId> &ids) {
    std::vector<std::string> out;
    for (ValueId v : ids) out.push_back(name_of(g, v));
    return out;
  };
  if (names(a, a.inputs) != names(b, b.inputs)) return "graph inputs differ";
  if (names(a, a.outputs) != names(b, b.outputs)) return "graph outputs differ";
  if (a.nodes.size() != b.nodes.size()) {
    return std::to_string(a.nodes.size()) + " nodes, expected " + std::to_string(b.nodes.size());
  }
  for (size_t n = 0; n < a.nodes.size(); ++n) {
    const Node &x = a.nodes[n], &y = b.nodes[n];
    std::string what = "node " + std::to_string(n) + " (" + node_str(a, x) + ") ";
    if (x.op_type != y.op_type || x.domain != y.domain) return what + "has another op";
    if (names(a, x.inputs) != names(b, y.inputs)) return what + "has other inputs";
    if (names(a, x.outputs) != names(b, y.outputs)) return what + "has other outputs";
    const auto &ax = x.attrs.all(), &ay = y.attrs.all();
    bool same = ax.size() == ay.size();
    for (auto i = ax.begin(), j = ay.begin(); same && i != ax.end(); ++i, ++j) {
      same = i->first == j->first && same_attribute(i->second, j->second);
    }
    if (!same) return what + "has other attributes";
  }
  if (a.values.size() != b.values.size()) {
    return std::to_string(a.values.size()) + " values, expected " + std::to_string(b.values.size());
  }
  std::map<std::string, const Value *> expected;
  for (const Value &v : b.values) expected[v.name] = &v;
  for (const Value &v : a.values) {
    auto it = expected.find(v.name);
    if (it == expected.end()) return "unexpected value '" + v.name + "'";
    const Value &e = *it->second;
    if (v.shape_known != e.shape_known ||
        (v.shape_known && (v.dtype != e.dtype || v.shape != e.shape))) {
      return "value '" + v.name + "' has another type";
    }
    if (bool(v.constant) != bool(e.constant)) return "value '" + v.name + "' constness differs";
    if (v.constant && !same_constant(*v.constant, *e.constant)) {
      return "value '" + v.name + "' has other data";
    }
  }
  return "";
}

}  // namespace

std::string graph_str(const Graph &g) {
  std::ostringstream os;
  for (size_t v = 0; v < g.values.size(); ++v) {
    const Value &value = g.values[v];
    bool input = std::count(g.inputs.begin(), g.inputs.end(), static_cast<ValueId>(v)) > 0;
    const char *kind = input ? "input " : value.constant ? "const " : nullptr;
    if (!kind && value.producer == kNone) kind = "unproduced ";
    if (kind) os << "    " << kind << value_str(value) << "\n";
  }
  for (const Node &n : g.nodes) {
    os << "    " << node_str(g, n) << "\n";
    for (ValueId o : n.outputs) os << "      " << value_str(g.value(o)) << "\n";
  }
  os << "    outputs:";
  for (ValueId o : g.outputs) os << " " << name_of(g, o);
  os << "\n";
  return os.str();
}

::testing::AssertionResult assert_graph_equal(const char *actual_text, const char *expected_text,
                                              const Graph &actual, const Graph &expected) {
  std::string diff = first_difference(actual, expected);
  if (diff.empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "graphs differ: " << actual_text << " vs "
                                       << expected_text << ": " << diff << "\n  actual:\n"
                                       << graph_str(actual) << "  expected:\n"
                                       << graph_str(expected);
}

}  // namespace autotune::test

// Graph IR basics: constant tensors, attribute access with typed errors, graph bookkeeping.
#include "ir/graph/Graph.h"

#include <cstring>
#include <sstream>

namespace autotune::graph {

int64_t shape_size(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string shape_str(const std::vector<int64_t> &shape) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < shape.size(); ++i) os << (i ? ", " : "") << shape[i];
  os << "]";
  return os.str();
}

int64_t TensorData::size() const { return shape_size(shape); }

double TensorData::as_double(int64_t i) const {
  switch (dtype.code) {
    case DataType::Code::Float:
      if (dtype.bits == 32) return data<float>()[i];
      if (dtype.bits == 64) return data<double>()[i];
      break;
    case DataType::Code::Int:
    case DataType::Code::UInt:
    case DataType::Code::Bool:
      return static_cast<double>(as_int64(i));
    default: break;
  }
  user_error << "constant of type " << dtype.str() << " cannot be read as a number";
  return 0;
}

int64_t TensorData::as_int64(int64_t i) const {
  switch (dtype.code) {
    case DataType::Code::Int:
      switch (dtype.bits) {
        case 8: return data<int8_t>()[i];
        case 16: return data<int16_t>()[i];
        case 32: return data<int32_t>()[i];
        case 64: return data<int64_t>()[i];
      }
      break;
    case DataType::Code::UInt:
      switch (dtype.bits) {
        case 8: return data<uint8_t>()[i];
        case 16: return data<uint16_t>()[i];
        case 32: return data<uint32_t>()[i];
        case 64: return static_cast<int64_t>(data<uint64_t>()[i]);
      }
      break;
    case DataType::Code::Bool: return data<uint8_t>()[i] != 0;
    case DataType::Code::Float: return static_cast<int64_t>(as_double(i));
    default: break;
  }
  user_error << "constant of type " << dtype.str() << " cannot be read as an integer";
  return 0;
}

std::shared_ptr<TensorData> TensorData::make(DataType dtype, std::vector<int64_t> shape) {
  auto t = std::make_shared<TensorData>();
  t->dtype = dtype;
  t->shape = std::move(shape);
  t->bytes.assign(static_cast<size_t>(t->size()) * dtype.bytes(), 0);
  return t;
}

std::shared_ptr<TensorData> TensorData::from_floats(std::vector<int64_t> shape,
                                                    const std::vector<float> &values) {
  auto t = make(ir::Float(32), std::move(shape));
  internal_check(static_cast<int64_t>(values.size()) == t->size()) << "from_floats size";
  if (!values.empty()) std::memcpy(t->bytes.data(), values.data(), values.size() * 4);
  return t;
}

std::shared_ptr<TensorData> TensorData::from_int64s(std::vector<int64_t> shape,
                                                    const std::vector<int64_t> &values) {
  auto t = make(ir::Int(64), std::move(shape));
  internal_check(static_cast<int64_t>(values.size()) == t->size()) << "from_int64s size";
  if (!values.empty()) std::memcpy(t->bytes.data(), values.data(), values.size() * 8);
  return t;
}

const Attribute &Attributes::find(const std::string &name) const {
  auto it = attrs_.find(name);
  user_check(it != attrs_.end()) << owner << ": required attribute '" << name << "' is missing";
  return it->second;
}

namespace {
template <typename T>
const T &expect(const Attribute &a, const std::string &owner, const std::string &name,
                const char *what) {
  const T *v = std::get_if<T>(&a);
  user_check(v) << owner << ": attribute '" << name << "' must be " << what;
  return *v;
}
}  // namespace

int64_t Attributes::get_int(const std::string &name) const {
  return expect<int64_t>(find(name), owner, name, "an integer");
}
int64_t Attributes::get_int(const std::string &name, int64_t def) const {
  return has(name) ? get_int(name) : def;
}
double Attributes::get_float(const std::string &name) const {
  const Attribute &a = find(name);
  if (const int64_t *i = std::get_if<int64_t>(&a)) return static_cast<double>(*i);
  return expect<double>(a, owner, name, "a float");
}
double Attributes::get_float(const std::string &name, double def) const {
  return has(name) ? get_float(name) : def;
}
std::string Attributes::get_string(const std::string &name) const {
  return expect<std::string>(find(name), owner, name, "a string");
}
std::string Attributes::get_string(const std::string &name, const std::string &def) const {
  return has(name) ? get_string(name) : def;
}
std::vector<int64_t> Attributes::get_ints(const std::string &name) const {
  return expect<std::vector<int64_t>>(find(name), owner, name, "a list of integers");
}
std::vector<int64_t> Attributes::get_ints(const std::string &name,
                                          const std::vector<int64_t> &def) const {
  return has(name) ? get_ints(name) : def;
}
std::vector<double> Attributes::get_floats(const std::string &name) const {
  return expect<std::vector<double>>(find(name), owner, name, "a list of floats");
}
std::vector<double> Attributes::get_floats(const std::string &name,
                                           const std::vector<double> &def) const {
  return has(name) ? get_floats(name) : def;
}
std::vector<std::string> Attributes::get_strings(const std::string &name) const {
  return expect<std::vector<std::string>>(find(name), owner, name, "a list of strings");
}
ConstantPtr Attributes::get_tensor(const std::string &name) const {
  return expect<ConstantPtr>(find(name), owner, name, "a tensor");
}

std::string Node::describe() const {
  return "node '" + name + "' (" + (domain.empty() ? "" : domain + ".") + op_type + ")";
}

ValueId Graph::add_value(Value v) {
  values.push_back(std::move(v));
  return static_cast<ValueId>(values.size() - 1);
}

NodeId Graph::add_node(Node n) {
  NodeId id = static_cast<NodeId>(nodes.size());
  for (ValueId out : n.outputs) values.at(out).producer = id;
  if (n.attrs.owner.empty()) n.attrs.owner = n.describe();
  nodes.push_back(std::move(n));
  return id;
}

std::optional<ValueId> Graph::find_value(const std::string &name) const {
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i].name == name) return static_cast<ValueId>(i);
  }
  return std::nullopt;
}

std::vector<std::vector<NodeId>> Graph::consumers() const {
  std::vector<std::vector<NodeId>> out(values.size());
  for (size_t n = 0; n < nodes.size(); ++n) {
    for (ValueId in : nodes[n].inputs) {
      if (in != kNone) out.at(in).push_back(static_cast<NodeId>(n));
    }
  }
  return out;
}

void Graph::verify() const {
  std::vector<bool> available(values.size(), false);
  for (ValueId in : inputs) available.at(in) = true;
  for (size_t v = 0; v < values.size(); ++v) {
    if (values[v].constant) available[v] = true;
  }
  for (size_t n = 0; n < nodes.size(); ++n) {
    const Node &node = nodes[n];
    for (ValueId in : node.inputs) {
      if (in == kNone) continue;
      internal_check(in >= 0 && static_cast<size_t>(in) < values.size())
          << node.describe() << " reads value id " << in << " out of range";
      internal_check(available[in]) << node.describe() << " reads '" << values[in].name
                                    << "' before it is produced";
    }
    for (ValueId out : node.outputs) {
      internal_check(values.at(out).producer == static_cast<NodeId>(n))
          << "value '" << values[out].name << "' has an inconsistent producer";
      available[out] = true;
    }
  }
  for (ValueId out : outputs) {
    internal_check(available.at(out)) << "graph output '" << values[out].name
                                      << "' is never produced";
  }
}

}  // namespace autotune::graph

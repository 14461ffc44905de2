// The graph IR: a model as values (tensors with static shapes and types, constants included)
// and nodes (operators with typed attributes), kept in topological order. The ONNX importer
// builds it; graph passes (GraphPipeline.cpp) rewrite it; codegen/BuildGraph compiles it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ir/core/Type.h"
#include "ir/support/Error.h"

namespace autotune::graph {

using ir::DataType;

/// An immutable row-major constant tensor (initializer, folded value, pre-transformed weight).
struct TensorData {
  DataType dtype;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;  ///< size() * dtype.bytes() bytes

  int64_t size() const;
  template <typename T>
  const T *data() const { return reinterpret_cast<const T *>(bytes.data()); }
  template <typename T>
  T *mutable_data() { return reinterpret_cast<T *>(bytes.data()); }
  /// Element i converted to double / int64 whatever the stored type (float, int, bool).
  double as_double(int64_t i) const;
  int64_t as_int64(int64_t i) const;

  static std::shared_ptr<TensorData> make(DataType dtype, std::vector<int64_t> shape);
  static std::shared_ptr<TensorData> from_floats(std::vector<int64_t> shape,
                                                 const std::vector<float> &values);
  static std::shared_ptr<TensorData> from_int64s(std::vector<int64_t> shape,
                                                 const std::vector<int64_t> &values);
};
using ConstantPtr = std::shared_ptr<const TensorData>;

/// Number of elements of a shape (1 for a scalar).
int64_t shape_size(const std::vector<int64_t> &shape);
/// "[1, 3, 224, 224]".
std::string shape_str(const std::vector<int64_t> &shape);

using Attribute = std::variant<int64_t, double, std::string, std::vector<int64_t>,
                               std::vector<double>, std::vector<std::string>, ConstantPtr>;

/// A node's attributes by name. Getters throw UserError naming the node and attribute when the
/// attribute has another type; the defaulted forms return the default when it is absent.
class Attributes {
 public:
  bool has(const std::string &name) const { return attrs_.count(name) > 0; }
  void set(const std::string &name, Attribute value) { attrs_[name] = std::move(value); }
  void erase(const std::string &name) { attrs_.erase(name); }
  int64_t get_int(const std::string &name) const;
  int64_t get_int(const std::string &name, int64_t def) const;
  double get_float(const std::string &name) const;
  double get_float(const std::string &name, double def) const;
  std::string get_string(const std::string &name) const;
  std::string get_string(const std::string &name, const std::string &def) const;
  std::vector<int64_t> get_ints(const std::string &name) const;
  std::vector<int64_t> get_ints(const std::string &name, const std::vector<int64_t> &def) const;
  std::vector<double> get_floats(const std::string &name) const;
  std::vector<double> get_floats(const std::string &name, const std::vector<double> &def) const;
  std::vector<std::string> get_strings(const std::string &name) const;
  ConstantPtr get_tensor(const std::string &name) const;
  const std::map<std::string, Attribute> &all() const { return attrs_; }
  /// Used in messages: "node 'conv1' (Conv)".
  std::string owner;

 private:
  const Attribute &find(const std::string &name) const;
  std::map<std::string, Attribute> attrs_;
};

/// Index of a value or node inside its graph; -1 means "none" (absent optional input).
using ValueId = int;
using NodeId = int;
constexpr int kNone = -1;

/// A tensor flowing through the graph. Shapes are static (batch size included) once shape
/// inference ran; a scalar has an empty shape.
struct Value {
  std::string name;
  DataType dtype = ir::Float(32);
  std::vector<int64_t> shape;
  bool shape_known = false;
  ConstantPtr constant;      ///< set for initializers and values folded to constants
  NodeId producer = kNone;   ///< kNone for graph inputs and constants
};

/// One operator application. `op_type` uses ONNX names ("Conv", "Relu"); passes add their own
/// in the "autotune" domain (e.g. fused kernels).
struct Node {
  std::string name;
  std::string op_type;
  std::string domain;  ///< "" for the default ONNX domain
  std::vector<ValueId> inputs;
  std::vector<ValueId> outputs;
  Attributes attrs;
  /// For fused nodes: the subgraph the kernel computes (its inputs/outputs map to ours in order).
  std::shared_ptr<const struct Graph> body;

  /// "node 'conv1' (Conv)" for messages.
  std::string describe() const;
};

/// A model: values, nodes in topological order, graph inputs and outputs, and the opset.
struct Graph {
  std::vector<Value> values;
  std::vector<Node> nodes;
  std::vector<ValueId> inputs;   ///< runtime inputs (not constants)
  std::vector<ValueId> outputs;
  int64_t opset = 13;
  std::string name;

  ValueId add_value(Value v);
  /// Appends a node and sets `producer` of its outputs.
  NodeId add_node(Node n);
  const Value &value(ValueId id) const { return values.at(id); }
  Value &value(ValueId id) { return values.at(id); }
  /// The value named `name`, if any (linear scan; importers keep their own maps).
  std::optional<ValueId> find_value(const std::string &name) const;
  /// For each value, the nodes reading it (in node order).
  std::vector<std::vector<NodeId>> consumers() const;
  /// Internal check: topological order, producers consistent, ids in range.
  void verify() const;
};

}  // namespace autotune::graph

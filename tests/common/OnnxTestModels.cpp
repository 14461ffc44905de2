// Small ONNX models built in memory for the importer's tests.
#include "tests/common/OnnxTestModels.h"

#include <cstring>
#include <stdexcept>

namespace autotune::test {

onnx::ModelProto make_onnx_model(int64_t opset, const std::string &domain) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.set_producer_name("autotune-tests");
  auto *o = m.add_opset_import();
  o->set_domain(domain);
  o->set_version(opset);
  m.mutable_graph()->set_name("test");
  return m;
}

void set_tensor_type(onnx::ValueInfoProto *vi, const std::vector<OnnxDim> &dims,
                     int32_t elem_type) {
  auto *t = vi->mutable_type()->mutable_tensor_type();
  t->set_elem_type(elem_type);
  auto *shape = t->mutable_shape();
  for (const OnnxDim &d : dims) {
    auto *dim = shape->add_dim();
    if (d.param.empty()) {
      dim->set_dim_value(d.value);
    } else {
      dim->set_dim_param(d.param);
    }
  }
}

void add_onnx_input(onnx::GraphProto *g, const std::string &name, const std::vector<OnnxDim> &dims,
                    int32_t elem_type) {
  auto *vi = g->add_input();
  vi->set_name(name);
  set_tensor_type(vi, dims, elem_type);
}

void add_onnx_output(onnx::GraphProto *g, const std::string &name, const std::vector<OnnxDim> &dims,
                     int32_t elem_type) {
  auto *vi = g->add_output();
  vi->set_name(name);
  set_tensor_type(vi, dims, elem_type);
}

void add_onnx_value_info(onnx::GraphProto *g, const std::string &name,
                         const std::vector<OnnxDim> &dims, int32_t elem_type) {
  auto *vi = g->add_value_info();
  vi->set_name(name);
  set_tensor_type(vi, dims, elem_type);
}

onnx::TensorProto make_float_tensor(const std::string &name, const std::vector<int64_t> &dims,
                                    const std::vector<float> &values, OnnxStorage storage) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) t.add_dims(d);
  if (storage == OnnxStorage::RawData) {
    std::string raw(values.size() * sizeof(float), '\0');
    if (!values.empty()) std::memcpy(raw.data(), values.data(), raw.size());
    t.set_raw_data(raw);
  } else {
    for (float v : values) t.add_float_data(v);
  }
  return t;
}

onnx::TensorProto make_int64_tensor(const std::string &name, const std::vector<int64_t> &dims,
                                    const std::vector<int64_t> &values) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::INT64);
  for (int64_t d : dims) t.add_dims(d);
  for (int64_t v : values) t.add_int64_data(v);
  return t;
}

onnx::NodeProto *add_onnx_node(onnx::GraphProto *g, const std::string &op_type,
                               const std::vector<std::string> &inputs,
                               const std::vector<std::string> &outputs, const std::string &name) {
  auto *n = g->add_node();
  n->set_op_type(op_type);
  n->set_name(name);
  for (const auto &i : inputs) n->add_input(i);
  for (const auto &o : outputs) n->add_output(o);
  return n;
}

namespace {
onnx::AttributeProto *new_attr(onnx::NodeProto *n, const std::string &name,
                               onnx::AttributeProto::AttributeType type) {
  auto *a = n->add_attribute();
  a->set_name(name);
  a->set_type(type);
  return a;
}
}  // namespace

void set_attr(onnx::NodeProto *n, const std::string &name, int64_t v) {
  new_attr(n, name, onnx::AttributeProto::INT)->set_i(v);
}
void set_attr(onnx::NodeProto *n, const std::string &name, float v) {
  new_attr(n, name, onnx::AttributeProto::FLOAT)->set_f(v);
}
void set_attr(onnx::NodeProto *n, const std::string &name, const std::string &v) {
  new_attr(n, name, onnx::AttributeProto::STRING)->set_s(v);
}
void set_attr(onnx::NodeProto *n, const std::string &name, const std::vector<int64_t> &v) {
  auto *a = new_attr(n, name, onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}
void set_attr(onnx::NodeProto *n, const std::string &name, const std::vector<float> &v) {
  auto *a = new_attr(n, name, onnx::AttributeProto::FLOATS);
  for (float x : v) a->add_floats(x);
}
void set_attr(onnx::NodeProto *n, const std::string &name, const std::vector<std::string> &v) {
  auto *a = new_attr(n, name, onnx::AttributeProto::STRINGS);
  for (const auto &x : v) a->add_strings(x);
}
void set_attr(onnx::NodeProto *n, const std::string &name, const onnx::TensorProto &v) {
  *new_attr(n, name, onnx::AttributeProto::TENSOR)->mutable_t() = v;
}

std::vector<float> conv_relu_weights() {
  std::vector<float> w(3 * 2 * 3 * 3);
  for (size_t i = 0; i < w.size(); ++i) w[i] = 0.25f * static_cast<float>(i % 7) - 0.5f;
  return w;
}

std::vector<float> conv_relu_bias() { return {0.5f, -1.0f, 0.125f}; }

onnx::ModelProto conv_relu_model(OnnxStorage storage, int64_t opset) {
  onnx::ModelProto m = make_onnx_model(opset);
  auto *g = m.mutable_graph();
  add_onnx_input(g, "x", {"N", 2, 5, 5});
  *g->add_initializer() = make_float_tensor("w", {3, 2, 3, 3}, conv_relu_weights(), storage);
  *g->add_initializer() = make_float_tensor("b", {3}, conv_relu_bias(), storage);
  auto *conv = add_onnx_node(g, "Conv", {"x", "w", "b"}, {"c"}, "conv1");
  set_attr(conv, "kernel_shape", std::vector<int64_t>{3, 3});
  set_attr(conv, "pads", std::vector<int64_t>{1, 1, 1, 1});
  add_onnx_node(g, "Relu", {"c"}, {"y"}, "relu1");
  add_onnx_output(g, "y", {"N", 3, 5, 5});
  return m;
}

std::string serialize(const onnx::ModelProto &m) {
  std::string bytes;
  if (!m.SerializeToString(&bytes)) throw std::runtime_error("cannot serialize test model");
  return bytes;
}

}  // namespace autotune::test

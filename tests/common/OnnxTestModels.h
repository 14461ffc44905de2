// Small ONNX models built in memory with the protobuf API, for the importer's tests. Built as its
// own test library (autotune_onnx_test_models) so that other tests need no protobuf.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

namespace autotune::test {

/// One dimension of a declared ONNX shape: fixed (3) or symbolic ("N").
struct OnnxDim {
  OnnxDim(int v) : value(v) {}          // NOLINT: implicit so that {1, 3, "H"} reads naturally
  OnnxDim(int64_t v) : value(v) {}      // NOLINT
  OnnxDim(const char *p) : param(p) {}  // NOLINT
  int64_t value = -1;
  std::string param;
};

/// How a float initializer stores its values.
enum class OnnxStorage { FloatData, RawData };

/// An empty model (IR version 8) importing `opset` of `domain` ("" is the default domain).
onnx::ModelProto make_onnx_model(int64_t opset, const std::string &domain = "");

/// Sets `vi`'s type to a tensor of `elem_type` (onnx::TensorProto::FLOAT...) with `dims`.
void set_tensor_type(onnx::ValueInfoProto *vi, const std::vector<OnnxDim> &dims,
                     int32_t elem_type = onnx::TensorProto::FLOAT);
void add_onnx_input(onnx::GraphProto *g, const std::string &name, const std::vector<OnnxDim> &dims,
                    int32_t elem_type = onnx::TensorProto::FLOAT);
void add_onnx_output(onnx::GraphProto *g, const std::string &name, const std::vector<OnnxDim> &dims,
                     int32_t elem_type = onnx::TensorProto::FLOAT);
void add_onnx_value_info(onnx::GraphProto *g, const std::string &name,
                         const std::vector<OnnxDim> &dims,
                         int32_t elem_type = onnx::TensorProto::FLOAT);

/// A float32 tensor stored in float_data or raw_data.
onnx::TensorProto make_float_tensor(const std::string &name, const std::vector<int64_t> &dims,
                                    const std::vector<float> &values,
                                    OnnxStorage storage = OnnxStorage::FloatData);
/// An int64 tensor stored in int64_data.
onnx::TensorProto make_int64_tensor(const std::string &name, const std::vector<int64_t> &dims,
                                    const std::vector<int64_t> &values);

onnx::NodeProto *add_onnx_node(onnx::GraphProto *g, const std::string &op_type,
                               const std::vector<std::string> &inputs,
                               const std::vector<std::string> &outputs,
                               const std::string &name = "");
void set_attr(onnx::NodeProto *n, const std::string &name, int64_t v);
void set_attr(onnx::NodeProto *n, const std::string &name, float v);
void set_attr(onnx::NodeProto *n, const std::string &name, const std::string &v);
void set_attr(onnx::NodeProto *n, const std::string &name, const std::vector<int64_t> &v);
void set_attr(onnx::NodeProto *n, const std::string &name, const std::vector<float> &v);
void set_attr(onnx::NodeProto *n, const std::string &name, const std::vector<std::string> &v);
void set_attr(onnx::NodeProto *n, const std::string &name, const onnx::TensorProto &v);

/// Weights and bias of conv_relu_model.
std::vector<float> conv_relu_weights();  ///< [3, 2, 3, 3]
std::vector<float> conv_relu_bias();     ///< [3]

/// x[N, 2, 5, 5] → Conv "conv1" (w[3, 2, 3, 3], b[3], pads 1) → Relu "relu1" → y[N, 3, 5, 5],
/// with the weights stored as `storage` says.
onnx::ModelProto conv_relu_model(OnnxStorage storage = OnnxStorage::FloatData, int64_t opset = 13);

std::string serialize(const onnx::ModelProto &m);

}  // namespace autotune::test

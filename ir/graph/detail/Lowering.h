// Shared by the per-family lowering files (ir/graph/Lower*Ops.cpp) behind OpRegistry.h: the view
// of one node being lowered, and the lowering function of every supported op type.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph/OpRegistry.h"

namespace autotune::graph::detail {

/// The node being lowered, its inputs and the opset, with typed access that reports errors in
/// the user's terms ("node 'r1' (Reshape): input 'shape' must be a constant ...").
class LoweringContext {
 public:
  LoweringContext(const Node &node, const std::vector<LoweringInput> &inputs, int64_t opset)
      : node_(node), inputs_(inputs), opset_(opset) {}

  const Node &node() const { return node_; }
  const Attributes &attrs() const { return node_.attrs; }
  int64_t opset() const { return opset_; }
  /// "node 'n1' (Conv)".
  std::string describe() const { return node_.describe(); }
  /// The node's output count (optional outputs included).
  size_t num_outputs() const { return node_.outputs.size(); }
  /// The input count given (absent optional inputs included).
  size_t num_inputs() const { return inputs_.size(); }

  /// True when input i exists and is not an omitted optional input.
  bool has_input(size_t i) const;
  /// True when input i exists and its data is known.
  bool is_constant(size_t i) const { return i < inputs_.size() && inputs_[i].constant != nullptr; }
  /// Input i as a tensor; UserError naming the input (`what`, its ONNX name) when absent.
  const te::Tensor &input(size_t i, const char *what) const;
  /// Input i's data; UserError "input 'what' must be a constant (dynamic shapes are not
  /// supported)" when it is not a constant.
  ConstantPtr constant(size_t i, const char *what) const;
  /// Input i's data as integers / doubles (any element type), flattened.
  std::vector<int64_t> constant_ints(size_t i, const char *what) const;
  std::vector<double> constant_floats(size_t i, const char *what) const;
  /// The extent list of input i: its tensor's shape, or its constant's shape.
  std::vector<int64_t> input_shape(size_t i, const char *what) const;

  /// `axis` (negative counts from the back) mapped into [0, rank); UserError otherwise.
  size_t normalize_axis(int64_t axis, size_t rank, const char *what = "axis") const;

 private:
  const Node &node_;
  const std::vector<LoweringInput> &inputs_;
  int64_t opset_;
};

/// A copy of x (one "elemwise" stage), for ops whose output is their input: a node's output must
/// be a tensor of its own, never one of its inputs.
te::Tensor copy_tensor(const te::Tensor &x);

/// The spatial window of Conv, MaxPool and AveragePool, one entry per spatial dimension.
struct WindowAttrs {
  std::vector<int64_t> kernel, strides, dilations, pad_begin, pad_end;
};

/// Reads `strides`, `dilations`, `pads` and `auto_pad` (NOTSET, VALID, SAME_UPPER, SAME_LOWER)
/// for a window of extents `kernel` over spatial input extents `in`. SAME_* pads the input so
/// that the output extent is ceil(in / stride), the odd padding element going to the end
/// (SAME_UPPER) or the beginning (SAME_LOWER).
WindowAttrs read_window_attrs(const LoweringContext &ctx, const std::vector<int64_t> &in,
                              const std::vector<int64_t> &kernel);

/// One lowering function: the node's outputs from its inputs (see lower_node).
using LowerFn = std::vector<te::Tensor> (*)(const LoweringContext &);

/// The element type of an ONNX TensorProto data type code (1 float, 7 int64, 9 bool, ...);
/// UserError naming `owner` for codes without one (string, complex, bfloat16).
DataType dtype_from_onnx(int64_t code, const std::string &owner);

/// The constant `data` as a tensor stage (ops::constant_tensor, or ops::full when all elements
/// are equal), named `name`.
te::Tensor constant_to_tensor(const TensorData &data, const std::string &name,
                              const std::string &owner);

// Lowering functions, grouped by the file that defines them.

// LowerConvOps.cpp
std::vector<te::Tensor> lower_conv(const LoweringContext &ctx);
std::vector<te::Tensor> lower_conv_transpose(const LoweringContext &ctx);
// LowerMatmulOps.cpp
std::vector<te::Tensor> lower_gemm(const LoweringContext &ctx);
std::vector<te::Tensor> lower_matmul(const LoweringContext &ctx);
// LowerPoolOps.cpp
std::vector<te::Tensor> lower_max_pool(const LoweringContext &ctx);
std::vector<te::Tensor> lower_average_pool(const LoweringContext &ctx);
std::vector<te::Tensor> lower_global_average_pool(const LoweringContext &ctx);
std::vector<te::Tensor> lower_global_max_pool(const LoweringContext &ctx);
// LowerNormalizationOps.cpp
std::vector<te::Tensor> lower_batch_normalization(const LoweringContext &ctx);
std::vector<te::Tensor> lower_instance_normalization(const LoweringContext &ctx);
std::vector<te::Tensor> lower_lrn(const LoweringContext &ctx);
std::vector<te::Tensor> lower_softmax(const LoweringContext &ctx);
std::vector<te::Tensor> lower_log_softmax(const LoweringContext &ctx);
// LowerReduceOps.cpp
std::vector<te::Tensor> lower_reduce_sum(const LoweringContext &ctx);
std::vector<te::Tensor> lower_reduce_mean(const LoweringContext &ctx);
std::vector<te::Tensor> lower_reduce_max(const LoweringContext &ctx);
std::vector<te::Tensor> lower_reduce_min(const LoweringContext &ctx);
std::vector<te::Tensor> lower_reduce_prod(const LoweringContext &ctx);
// LowerElemwiseOps.cpp
std::vector<te::Tensor> lower_relu(const LoweringContext &ctx);
std::vector<te::Tensor> lower_leaky_relu(const LoweringContext &ctx);
std::vector<te::Tensor> lower_prelu(const LoweringContext &ctx);
std::vector<te::Tensor> lower_clip(const LoweringContext &ctx);
std::vector<te::Tensor> lower_sigmoid(const LoweringContext &ctx);
std::vector<te::Tensor> lower_tanh(const LoweringContext &ctx);
std::vector<te::Tensor> lower_hard_sigmoid(const LoweringContext &ctx);
std::vector<te::Tensor> lower_hard_swish(const LoweringContext &ctx);
std::vector<te::Tensor> lower_sqrt(const LoweringContext &ctx);
std::vector<te::Tensor> lower_exp(const LoweringContext &ctx);
std::vector<te::Tensor> lower_log(const LoweringContext &ctx);
std::vector<te::Tensor> lower_neg(const LoweringContext &ctx);
std::vector<te::Tensor> lower_abs(const LoweringContext &ctx);
std::vector<te::Tensor> lower_erf(const LoweringContext &ctx);
std::vector<te::Tensor> lower_add(const LoweringContext &ctx);
std::vector<te::Tensor> lower_sub(const LoweringContext &ctx);
std::vector<te::Tensor> lower_mul(const LoweringContext &ctx);
std::vector<te::Tensor> lower_div(const LoweringContext &ctx);
std::vector<te::Tensor> lower_pow(const LoweringContext &ctx);
std::vector<te::Tensor> lower_sum(const LoweringContext &ctx);
std::vector<te::Tensor> lower_max(const LoweringContext &ctx);
std::vector<te::Tensor> lower_min(const LoweringContext &ctx);
std::vector<te::Tensor> lower_mean(const LoweringContext &ctx);
std::vector<te::Tensor> lower_equal(const LoweringContext &ctx);
std::vector<te::Tensor> lower_where(const LoweringContext &ctx);
std::vector<te::Tensor> lower_cast(const LoweringContext &ctx);
std::vector<te::Tensor> lower_identity(const LoweringContext &ctx);
std::vector<te::Tensor> lower_dropout(const LoweringContext &ctx);
// LowerShapeOps.cpp
std::vector<te::Tensor> lower_flatten(const LoweringContext &ctx);
std::vector<te::Tensor> lower_reshape(const LoweringContext &ctx);
std::vector<te::Tensor> lower_transpose(const LoweringContext &ctx);
std::vector<te::Tensor> lower_concat(const LoweringContext &ctx);
std::vector<te::Tensor> lower_split(const LoweringContext &ctx);
std::vector<te::Tensor> lower_slice(const LoweringContext &ctx);
std::vector<te::Tensor> lower_pad(const LoweringContext &ctx);
std::vector<te::Tensor> lower_squeeze(const LoweringContext &ctx);
std::vector<te::Tensor> lower_unsqueeze(const LoweringContext &ctx);
std::vector<te::Tensor> lower_shape(const LoweringContext &ctx);
std::vector<te::Tensor> lower_gather(const LoweringContext &ctx);
std::vector<te::Tensor> lower_expand(const LoweringContext &ctx);
std::vector<te::Tensor> lower_constant(const LoweringContext &ctx);
std::vector<te::Tensor> lower_constant_of_shape(const LoweringContext &ctx);
// LowerResizeOps.cpp
std::vector<te::Tensor> lower_resize(const LoweringContext &ctx);
std::vector<te::Tensor> lower_upsample(const LoweringContext &ctx);

}  // namespace autotune::graph::detail

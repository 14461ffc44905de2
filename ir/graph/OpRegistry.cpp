// The table from ONNX op type to lowering function, and the node view the lowerings share. The
// lowerings themselves live in one file per family: LowerConvOps, LowerMatmulOps, LowerPoolOps,
// LowerNormalizationOps, LowerReduceOps, LowerElemwiseOps, LowerShapeOps, LowerResizeOps.
#include "ir/graph/OpRegistry.h"

#include <algorithm>

#include "ir/graph/detail/Lowering.h"
#include "ir/ops/Constant.h"

namespace autotune::graph {

using detail::LowerFn;
using detail::LoweringContext;

namespace {

struct OpLowering {
  const char *op_type;
  LowerFn lower;
};

/// Every supported op type of the default ONNX domain, in alphabetical order.
const OpLowering kLowerings[] = {
    {"Abs", detail::lower_abs},
    {"Add", detail::lower_add},
    {"AveragePool", detail::lower_average_pool},
    {"BatchNormalization", detail::lower_batch_normalization},
    {"Cast", detail::lower_cast},
    {"Clip", detail::lower_clip},
    {"Concat", detail::lower_concat},
    {"Constant", detail::lower_constant},
    {"ConstantOfShape", detail::lower_constant_of_shape},
    {"Conv", detail::lower_conv},
    {"ConvTranspose", detail::lower_conv_transpose},
    {"Div", detail::lower_div},
    {"Dropout", detail::lower_dropout},
    {"Equal", detail::lower_equal},
    {"Erf", detail::lower_erf},
    {"Exp", detail::lower_exp},
    {"Expand", detail::lower_expand},
    {"Flatten", detail::lower_flatten},
    {"Gather", detail::lower_gather},
    {"Gemm", detail::lower_gemm},
    {"GlobalAveragePool", detail::lower_global_average_pool},
    {"GlobalMaxPool", detail::lower_global_max_pool},
    {"HardSigmoid", detail::lower_hard_sigmoid},
    {"HardSwish", detail::lower_hard_swish},
    {"Identity", detail::lower_identity},
    {"InstanceNormalization", detail::lower_instance_normalization},
    {"LRN", detail::lower_lrn},
    {"LeakyRelu", detail::lower_leaky_relu},
    {"Log", detail::lower_log},
    {"LogSoftmax", detail::lower_log_softmax},
    {"MatMul", detail::lower_matmul},
    {"Max", detail::lower_max},
    {"MaxPool", detail::lower_max_pool},
    {"Mean", detail::lower_mean},
    {"Min", detail::lower_min},
    {"Mul", detail::lower_mul},
    {"Neg", detail::lower_neg},
    {"PRelu", detail::lower_prelu},
    {"Pad", detail::lower_pad},
    {"Pow", detail::lower_pow},
    {"ReduceMax", detail::lower_reduce_max},
    {"ReduceMean", detail::lower_reduce_mean},
    {"ReduceMin", detail::lower_reduce_min},
    {"ReduceProd", detail::lower_reduce_prod},
    {"ReduceSum", detail::lower_reduce_sum},
    {"Relu", detail::lower_relu},
    {"Reshape", detail::lower_reshape},
    {"Resize", detail::lower_resize},
    {"Shape", detail::lower_shape},
    {"Sigmoid", detail::lower_sigmoid},
    {"Slice", detail::lower_slice},
    {"Softmax", detail::lower_softmax},
    {"Split", detail::lower_split},
    {"Sqrt", detail::lower_sqrt},
    {"Squeeze", detail::lower_squeeze},
    {"Sub", detail::lower_sub},
    {"Sum", detail::lower_sum},
    {"Tanh", detail::lower_tanh},
    {"Transpose", detail::lower_transpose},
    {"Unsqueeze", detail::lower_unsqueeze},
    {"Upsample", detail::lower_upsample},
    {"Where", detail::lower_where},
};

bool is_default_domain(const std::string &domain) { return domain.empty() || domain == "ai.onnx"; }

LowerFn find_lowering(const std::string &op_type) {
  for (const OpLowering &l : kLowerings) {
    if (op_type == l.op_type) return l.lower;
  }
  return nullptr;
}

}  // namespace

std::vector<te::Tensor> lower_node(const Node &node, const std::vector<LoweringInput> &inputs,
                                   int64_t opset) {
  LowerFn lower = is_default_domain(node.domain) ? find_lowering(node.op_type) : nullptr;
  user_check(lower != nullptr) << "unsupported operator '"
                               << (node.domain.empty() ? "" : node.domain + ".") << node.op_type
                               << "' (opset " << opset << ") at node '" << node.name << "'";
  internal_check(inputs.size() == node.inputs.size())
      << node.describe() << " has " << node.inputs.size() << " inputs but " << inputs.size()
      << " lowering inputs were given";
  std::vector<te::Tensor> outputs = lower(LoweringContext(node, inputs, opset));
  internal_check(outputs.size() == node.outputs.size())
      << "lowering of " << node.describe() << " made " << outputs.size() << " tensors for "
      << node.outputs.size() << " outputs";
  return outputs;
}

bool is_supported_op(const std::string &op_type) { return find_lowering(op_type) != nullptr; }

std::vector<std::string> supported_ops() {
  std::vector<std::string> ops;
  for (const OpLowering &l : kLowerings) ops.emplace_back(l.op_type);
  std::sort(ops.begin(), ops.end());
  return ops;
}

namespace detail {

bool LoweringContext::has_input(size_t i) const {
  return i < inputs_.size() && (inputs_[i].tensor.defined() || inputs_[i].constant != nullptr);
}

const te::Tensor &LoweringContext::input(size_t i, const char *what) const {
  user_check(i < inputs_.size() && inputs_[i].tensor.defined())
      << describe() << ": input '" << what << "' (number " << i << ") is missing";
  return inputs_[i].tensor;
}

ConstantPtr LoweringContext::constant(size_t i, const char *what) const {
  user_check(i < inputs_.size() && inputs_[i].constant != nullptr)
      << describe() << ": input '" << what
      << "' must be a constant (dynamic shapes are not supported)";
  return inputs_[i].constant;
}

std::vector<int64_t> LoweringContext::constant_ints(size_t i, const char *what) const {
  ConstantPtr c = constant(i, what);
  std::vector<int64_t> values(static_cast<size_t>(c->size()));
  for (int64_t k = 0; k < c->size(); ++k) values[k] = c->as_int64(k);
  return values;
}

std::vector<double> LoweringContext::constant_floats(size_t i, const char *what) const {
  ConstantPtr c = constant(i, what);
  std::vector<double> values(static_cast<size_t>(c->size()));
  for (int64_t k = 0; k < c->size(); ++k) values[k] = c->as_double(k);
  return values;
}

std::vector<int64_t> LoweringContext::input_shape(size_t i, const char *what) const {
  if (i < inputs_.size() && inputs_[i].tensor.defined()) return inputs_[i].tensor.shape();
  return constant(i, what)->shape;
}

size_t LoweringContext::normalize_axis(int64_t axis, size_t rank, const char *what) const {
  int64_t r = static_cast<int64_t>(rank);
  user_check(axis >= -r && axis < r)
      << describe() << ": " << what << " " << axis << " is out of range for rank " << rank
      << " (expected [" << -r << ", " << r - 1 << "])";
  return static_cast<size_t>(axis < 0 ? axis + r : axis);
}

WindowAttrs read_window_attrs(const LoweringContext &ctx, const std::vector<int64_t> &in,
                              const std::vector<int64_t> &kernel) {
  size_t k = in.size();
  const Attributes &attrs = ctx.attrs();
  WindowAttrs w;
  w.kernel = kernel;
  w.strides = attrs.get_ints("strides", std::vector<int64_t>(k, 1));
  w.dilations = attrs.get_ints("dilations", std::vector<int64_t>(k, 1));
  std::vector<int64_t> pads = attrs.get_ints("pads", std::vector<int64_t>(2 * k, 0));
  user_check(w.strides.size() == k && w.dilations.size() == k && pads.size() == 2 * k)
      << ctx.describe() << ": strides " << shape_str(w.strides) << ", dilations "
      << shape_str(w.dilations) << " and pads " << shape_str(pads) << " must have " << k << ", "
      << k << " and " << 2 * k << " entries for " << k << " spatial dimensions";
  for (size_t d = 0; d < k; ++d) {
    user_check(w.strides[d] >= 1 && w.dilations[d] >= 1)
        << ctx.describe() << ": strides " << shape_str(w.strides) << " and dilations "
        << shape_str(w.dilations) << " must be >= 1";
  }
  w.pad_begin.assign(pads.begin(), pads.begin() + k);
  w.pad_end.assign(pads.begin() + k, pads.end());
  std::string auto_pad = attrs.get_string("auto_pad", "NOTSET");
  if (auto_pad == "VALID") {
    w.pad_begin.assign(k, 0);
    w.pad_end.assign(k, 0);
  } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    for (size_t d = 0; d < k; ++d) {
      int64_t out = ir::ceil_div(in[d], w.strides[d]);
      int64_t total = std::max<int64_t>(
          0, (out - 1) * w.strides[d] + (kernel[d] - 1) * w.dilations[d] + 1 - in[d]);
      w.pad_begin[d] = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      w.pad_end[d] = total - w.pad_begin[d];
    }
  } else {
    user_check(auto_pad == "NOTSET") << ctx.describe() << ": auto_pad '" << auto_pad
                                     << "' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER";
  }
  for (size_t d = 0; d < k; ++d) {
    user_check(w.pad_begin[d] >= 0 && w.pad_end[d] >= 0)
        << ctx.describe() << ": pads " << shape_str(pads) << " must be non-negative";
  }
  return w;
}

DataType dtype_from_onnx(int64_t code, const std::string &owner) {
  switch (code) {
    case 1:
      return ir::Float(32);
    case 2:
      return ir::UInt(8);
    case 3:
      return ir::Int(8);
    case 4:
      return ir::UInt(16);
    case 5:
      return ir::Int(16);
    case 6:
      return ir::Int(32);
    case 7:
      return ir::Int(64);
    case 9:
      return ir::Bool();
    case 10:
      return ir::Float(16);
    case 11:
      return ir::Float(64);
    case 12:
      return ir::UInt(32);
    case 13:
      return ir::UInt(64);
    default:
      break;
  }
  user_error << owner << ": ONNX data type " << code
             << " is not supported (expected a float, integer or bool type)";
  return DataType();
}

te::Tensor constant_to_tensor(const TensorData &data, const std::string &name,
                              const std::string &owner) {
  user_check(data.size() > 0) << owner << ": constant with shape " << shape_str(data.shape)
                              << " is empty (zero-size tensors are not supported)";
  auto element = [&](int64_t k) {
    return data.dtype.is_float() ? ir::FloatImm::make(data.dtype, data.as_double(k))
                                 : ir::IntImm::make(data.dtype, data.as_int64(k));
  };
  // Bytes compare equal exactly when the elements are the same (NaNs with equal bits included).
  size_t width = static_cast<size_t>(data.dtype.bytes());
  bool all_equal = true;
  for (int64_t k = 1; all_equal && k < data.size(); ++k) {
    all_equal = std::equal(data.bytes.begin(), data.bytes.begin() + width,
                           data.bytes.begin() + static_cast<size_t>(k) * width);
  }
  if (all_equal) return ops::full(data.shape, element(0), name);
  user_check(data.size() <= ops::kMaxEmbeddedElements)
      << owner << ": constant with shape " << shape_str(data.shape) << " has " << data.size()
      << " elements, more than the " << ops::kMaxEmbeddedElements
      << " a kernel can embed (fold it into a graph constant instead)";
  std::vector<ir::Expr> elements;
  for (int64_t k = 0; k < data.size(); ++k) elements.push_back(element(k));
  return ops::constant_tensor(data.shape, elements, name);
}

}  // namespace detail

}  // namespace autotune::graph

// Naive reference implementations of the operators in ir/ops, written as plain loops over
// row-major float arrays. They share no code with the tensor-expression definitions (nothing
// here includes ir/), so operator tests compare two independent derivations of each result.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

namespace autotune::test::ref {

/// A dense row-major float array with its shape.
struct HostTensor {
  std::vector<int64_t> shape;
  std::vector<float> data;

  HostTensor() = default;
  /// A zero-filled tensor of `shape`.
  explicit HostTensor(std::vector<int64_t> shape);
  HostTensor(std::vector<int64_t> shape, std::vector<float> data);
  /// Number of elements.
  int64_t size() const { return static_cast<int64_t>(data.size()); }
  /// The element at `idx` (one index per dimension).
  float &at(const std::vector<int64_t> &idx);
  float at(const std::vector<int64_t> &idx) const;
};

/// Number of elements of `shape` (1 for rank 0).
int64_t num_elements(const std::vector<int64_t> &shape);
/// Uniform random values in [lo, hi) from a fixed seed.
HostTensor random_tensor(std::vector<int64_t> shape, uint32_t seed, float lo = -1.0f,
                         float hi = 1.0f);

using Pair = std::array<int64_t, 2>;  ///< {h, w}
using Pads = std::array<int64_t, 4>;  ///< {top, left, bottom, right}

// ---- Convolutions (NCHW data, OIHW weights unless stated) ---------------------------------

/// Grouped convolution: x [N, C, H, W], w [K, C/groups, R, S].
HostTensor conv2d_nchw(const HostTensor &x, const HostTensor &w, Pair strides, Pads pads,
                       Pair dilation, int64_t groups);
/// Blocked convolution: x [N, C/ic_bn, H, W, ic_bn], w [K/oc_bn, C/ic_bn, R, S, ic_bn, oc_bn].
HostTensor conv2d_nchwc(const HostTensor &x, const HostTensor &w, Pair strides, Pads pads,
                        Pair dilation);
/// Blocked depthwise convolution: x [N, C/bn, H, W, bn], w [C/bn, 1, R, S, 1, bn].
HostTensor depthwise_conv2d_nchwc(const HostTensor &x, const HostTensor &w, Pair strides, Pads pads,
                                  Pair dilation);
/// ONNX ConvTranspose, computed by scattering each input element: x [N, C, H, W],
/// w [C, K/groups, R, S].
HostTensor conv2d_transpose_nchw(const HostTensor &x, const HostTensor &w, Pair strides, Pads pads,
                                 Pair dilation, int64_t groups, Pair output_padding);

// ---- Matrix products ----------------------------------------------------------------------

/// x [M, K] times w [N, K] transposed, plus bias [N] when `bias` is non-null.
HostTensor dense(const HostTensor &x, const HostTensor &w, const HostTensor *bias);
HostTensor matmul(const HostTensor &a, const HostTensor &b);
/// a [Ba, M, K] x b [Bb, K, N]; a batch extent of 1 broadcasts.
HostTensor batch_matmul(const HostTensor &a, const HostTensor &b);

// ---- Pooling (NCHW) -------------------------------------------------------------------------

/// PyTorch-style pooling loops: windows start at o*stride - pad_begin; ceil_mode drops a last
/// window starting past in + pad_begin. Max ignores taps outside the input (-inf if none);
/// average divides by the taps inside the input, or inside the padded input with
/// count_include_pad (at least 1).
HostTensor max_pool2d(const HostTensor &x, Pair kernel, Pair strides, Pads pads, Pair dilation,
                      bool ceil_mode);
HostTensor avg_pool2d(const HostTensor &x, Pair kernel, Pair strides, Pads pads, Pair dilation,
                      bool ceil_mode, bool count_include_pad);
HostTensor global_avg_pool2d(const HostTensor &x);
HostTensor global_max_pool2d(const HostTensor &x);

// ---- Element-wise -------------------------------------------------------------------------

HostTensor unary(const HostTensor &x, const std::function<float(float)> &f);
/// numpy broadcasting of a and b, then f element by element.
HostTensor broadcast_binary(const HostTensor &a, const HostTensor &b,
                            const std::function<float(float, float)> &f);

// ---- Normalization and reductions -------------------------------------------------------

/// Inference batch norm along axis 1; parameters have shape [C].
HostTensor batch_norm(const HostTensor &x, const HostTensor &gamma, const HostTensor &beta,
                      const HostTensor &mean, const HostTensor &var, double epsilon);
/// axis in [0, rank).
HostTensor softmax(const HostTensor &x, int64_t axis);
HostTensor log_softmax(const HostTensor &x, int64_t axis);

enum class ReduceKind { Sum, Mean, Max, Min, Prod };
/// `axes` in [0, rank), distinct; empty means all. Without keepdims, reduced axes are removed.
HostTensor reduce(const HostTensor &x, const std::vector<int64_t> &axes, bool keepdims,
                  ReduceKind kind);

// ---- Data movement -------------------------------------------------------------------------

HostTensor pad(const HostTensor &x, const std::vector<int64_t> &before,
               const std::vector<int64_t> &after, float value);
/// axis in [0, rank).
HostTensor concat(const std::vector<HostTensor> &xs, int64_t axis);
/// out.shape[d] = x.shape[perm[d]].
HostTensor transpose(const HostTensor &x, const std::vector<int64_t> &perm);
/// The same data with `shape` (fully resolved, same element count).
HostTensor reshape(const HostTensor &x, const std::vector<int64_t> &shape);
HostTensor nchw_to_nchwc(const HostTensor &x, int64_t bn);
HostTensor nchwc_to_nchw(const HostTensor &x);
/// [K, C, R, S] -> [K/oc_bn, C/ic_bn, R, S, ic_bn, oc_bn].
HostTensor weight_oihw_to_blocked(const HostTensor &w, int64_t ic_bn, int64_t oc_bn);

}  // namespace autotune::test::ref

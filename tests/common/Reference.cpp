// Naive reference loops for the ir/ops operators; accumulation is in double.
#include "tests/common/Reference.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>

namespace autotune::test::ref {

namespace {

/// Misuse of a reference function is a bug in the test itself.
void require(bool cond, const std::string &what) {
  if (!cond) throw std::logic_error("reference: " + what);
}

/// Row-major strides of `shape`.
std::vector<int64_t> strides_of(const std::vector<int64_t> &shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;) s[d - 1] = s[d] * shape[d];
  return s;
}

/// The multi-index of linear position `linear` in `shape`.
std::vector<int64_t> unravel(int64_t linear, const std::vector<int64_t> &shape) {
  std::vector<int64_t> idx(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    idx[d] = linear % shape[d];
    linear /= shape[d];
  }
  return idx;
}

int64_t offset_of(const std::vector<int64_t> &shape, const std::vector<int64_t> &idx) {
  require(idx.size() == shape.size(), "index rank mismatch");
  int64_t off = 0;
  for (size_t d = 0; d < shape.size(); ++d) {
    require(idx[d] >= 0 && idx[d] < shape[d], "index out of range");
    off = off * shape[d] + idx[d];
  }
  return off;
}

bool inside(int64_t v, int64_t extent) { return v >= 0 && v < extent; }

}  // namespace

int64_t num_elements(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

HostTensor::HostTensor(std::vector<int64_t> s)
    : shape(std::move(s)), data(static_cast<size_t>(num_elements(shape)), 0.0f) {}

HostTensor::HostTensor(std::vector<int64_t> s, std::vector<float> d)
    : shape(std::move(s)), data(std::move(d)) {
  require(static_cast<int64_t>(data.size()) == num_elements(shape), "data size != shape size");
}

float &HostTensor::at(const std::vector<int64_t> &idx) { return data[offset_of(shape, idx)]; }
float HostTensor::at(const std::vector<int64_t> &idx) const { return data[offset_of(shape, idx)]; }

HostTensor random_tensor(std::vector<int64_t> shape, uint32_t seed, float lo, float hi) {
  HostTensor t(std::move(shape));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  for (float &v : t.data) v = dist(rng);
  return t;
}

// ---- Convolutions -------------------------------------------------------------------------

namespace {

int64_t conv_out(int64_t in, int64_t k, int64_t stride, int64_t pb, int64_t pe, int64_t dil) {
  int64_t span = in + pb + pe - dil * (k - 1) - 1;
  require(span >= 0, "convolution kernel larger than padded input");
  return span / stride + 1;
}

}  // namespace

HostTensor conv2d_nchw(const HostTensor &x, const HostTensor &w, Pair st, Pads pads, Pair dil,
                       int64_t groups) {
  require(x.shape.size() == 4 && w.shape.size() == 4, "conv2d_nchw ranks");
  int64_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3];
  int64_t K = w.shape[0], Cg = w.shape[1], R = w.shape[2], S = w.shape[3];
  require(C % groups == 0 && K % groups == 0 && Cg == C / groups, "conv2d_nchw groups");
  int64_t OH = conv_out(H, R, st[0], pads[0], pads[2], dil[0]);
  int64_t OW = conv_out(W, S, st[1], pads[1], pads[3], dil[1]);
  int64_t Kg = K / groups;
  HostTensor out({N, K, OH, OW});
  for (int64_t n = 0; n < N; ++n)
    for (int64_t k = 0; k < K; ++k)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          double acc = 0;
          int64_t g = k / Kg;
          for (int64_t c = 0; c < Cg; ++c)
            for (int64_t r = 0; r < R; ++r)
              for (int64_t s = 0; s < S; ++s) {
                int64_t ih = oh * st[0] - pads[0] + r * dil[0];
                int64_t iw = ow * st[1] - pads[1] + s * dil[1];
                if (!inside(ih, H) || !inside(iw, W)) continue;
                acc += double(x.at({n, g * Cg + c, ih, iw})) * w.at({k, c, r, s});
              }
          out.at({n, k, oh, ow}) = float(acc);
        }
  return out;
}

HostTensor conv2d_nchwc(const HostTensor &x, const HostTensor &w, Pair st, Pads pads, Pair dil) {
  require(x.shape.size() == 5 && w.shape.size() == 6, "conv2d_nchwc ranks");
  int64_t N = x.shape[0], CB = x.shape[1], H = x.shape[2], W = x.shape[3], IB = x.shape[4];
  int64_t KB = w.shape[0], R = w.shape[2], S = w.shape[3], OB = w.shape[5];
  require(w.shape[1] == CB && w.shape[4] == IB, "conv2d_nchwc weight shape");
  int64_t OH = conv_out(H, R, st[0], pads[0], pads[2], dil[0]);
  int64_t OW = conv_out(W, S, st[1], pads[1], pads[3], dil[1]);
  HostTensor out({N, KB, OH, OW, OB});
  for (int64_t n = 0; n < N; ++n)
    for (int64_t kb = 0; kb < KB; ++kb)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow)
          for (int64_t ob = 0; ob < OB; ++ob) {
            double acc = 0;
            for (int64_t cb = 0; cb < CB; ++cb)
              for (int64_t ib = 0; ib < IB; ++ib)
                for (int64_t r = 0; r < R; ++r)
                  for (int64_t s = 0; s < S; ++s) {
                    int64_t ih = oh * st[0] - pads[0] + r * dil[0];
                    int64_t iw = ow * st[1] - pads[1] + s * dil[1];
                    if (!inside(ih, H) || !inside(iw, W)) continue;
                    acc += double(x.at({n, cb, ih, iw, ib})) * w.at({kb, cb, r, s, ib, ob});
                  }
            out.at({n, kb, oh, ow, ob}) = float(acc);
          }
  return out;
}

HostTensor depthwise_conv2d_nchwc(const HostTensor &x, const HostTensor &w, Pair st, Pads pads,
                                  Pair dil) {
  require(x.shape.size() == 5 && w.shape.size() == 6, "depthwise_conv2d_nchwc ranks");
  int64_t N = x.shape[0], CB = x.shape[1], H = x.shape[2], W = x.shape[3], B = x.shape[4];
  int64_t R = w.shape[2], S = w.shape[3];
  require(w.shape[0] == CB && w.shape[5] == B, "depthwise_conv2d_nchwc weight shape");
  int64_t OH = conv_out(H, R, st[0], pads[0], pads[2], dil[0]);
  int64_t OW = conv_out(W, S, st[1], pads[1], pads[3], dil[1]);
  HostTensor out({N, CB, OH, OW, B});
  for (int64_t n = 0; n < N; ++n)
    for (int64_t cb = 0; cb < CB; ++cb)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow)
          for (int64_t b = 0; b < B; ++b) {
            double acc = 0;
            for (int64_t r = 0; r < R; ++r)
              for (int64_t s = 0; s < S; ++s) {
                int64_t ih = oh * st[0] - pads[0] + r * dil[0];
                int64_t iw = ow * st[1] - pads[1] + s * dil[1];
                if (!inside(ih, H) || !inside(iw, W)) continue;
                acc += double(x.at({n, cb, ih, iw, b})) * w.at({cb, 0, r, s, 0, b});
              }
            out.at({n, cb, oh, ow, b}) = float(acc);
          }
  return out;
}

HostTensor conv2d_transpose_nchw(const HostTensor &x, const HostTensor &w, Pair st, Pads pads,
                                 Pair dil, int64_t groups, Pair output_padding) {
  require(x.shape.size() == 4 && w.shape.size() == 4, "conv2d_transpose_nchw ranks");
  int64_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3];
  int64_t Kg = w.shape[1], R = w.shape[2], S = w.shape[3];
  require(w.shape[0] == C && C % groups == 0, "conv2d_transpose_nchw weight shape");
  int64_t Cg = C / groups, K = Kg * groups;
  int64_t OH = st[0] * (H - 1) + output_padding[0] + dil[0] * (R - 1) + 1 - pads[0] - pads[2];
  int64_t OW = st[1] * (W - 1) + output_padding[1] + dil[1] * (S - 1) + 1 - pads[1] - pads[3];
  std::vector<double> acc(static_cast<size_t>(N * K * OH * OW), 0.0);
  // Each input element adds its kernel-weighted copy to the outputs it reaches.
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t ih = 0; ih < H; ++ih)
        for (int64_t iw = 0; iw < W; ++iw)
          for (int64_t kk = 0; kk < Kg; ++kk)
            for (int64_t r = 0; r < R; ++r)
              for (int64_t s = 0; s < S; ++s) {
                int64_t oh = ih * st[0] + r * dil[0] - pads[0];
                int64_t ow = iw * st[1] + s * dil[1] - pads[1];
                if (!inside(oh, OH) || !inside(ow, OW)) continue;
                int64_t k = (c / Cg) * Kg + kk;
                acc[((n * K + k) * OH + oh) * OW + ow] +=
                    double(x.at({n, c, ih, iw})) * w.at({c, kk, r, s});
              }
  HostTensor out({N, K, OH, OW});
  for (size_t i = 0; i < acc.size(); ++i) out.data[i] = float(acc[i]);
  return out;
}

// ---- Matrix products ----------------------------------------------------------------------

HostTensor dense(const HostTensor &x, const HostTensor &w, const HostTensor *bias) {
  int64_t M = x.shape[0], K = x.shape[1], N = w.shape[0];
  require(w.shape[1] == K, "dense shapes");
  HostTensor out({M, N});
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      double acc = 0;
      for (int64_t k = 0; k < K; ++k) acc += double(x.at({m, k})) * w.at({n, k});
      if (bias) acc += bias->data[n];
      out.at({m, n}) = float(acc);
    }
  return out;
}

HostTensor matmul(const HostTensor &a, const HostTensor &b) {
  int64_t M = a.shape[0], K = a.shape[1], N = b.shape[1];
  require(b.shape[0] == K, "matmul shapes");
  HostTensor out({M, N});
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      double acc = 0;
      for (int64_t k = 0; k < K; ++k) acc += double(a.at({m, k})) * b.at({k, n});
      out.at({m, n}) = float(acc);
    }
  return out;
}

HostTensor batch_matmul(const HostTensor &a, const HostTensor &b) {
  int64_t BA = a.shape[0], BB = b.shape[0], M = a.shape[1], K = a.shape[2], N = b.shape[2];
  require(b.shape[1] == K && (BA == BB || BA == 1 || BB == 1), "batch_matmul shapes");
  int64_t B = std::max(BA, BB);
  HostTensor out({B, M, N});
  for (int64_t i = 0; i < B; ++i)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t n = 0; n < N; ++n) {
        double acc = 0;
        for (int64_t k = 0; k < K; ++k) {
          acc += double(a.at({BA == 1 ? 0 : i, m, k})) * b.at({BB == 1 ? 0 : i, k, n});
        }
        out.at({i, m, n}) = float(acc);
      }
  return out;
}

// ---- Pooling ------------------------------------------------------------------------------

namespace {

int64_t pool_out(int64_t in, int64_t k, int64_t stride, int64_t pb, int64_t pe, int64_t dil,
                 bool ceil_mode) {
  int64_t span = in + pb + pe - dil * (k - 1) - 1;
  require(span >= 0, "pooling window larger than padded input");
  int64_t out = (span + (ceil_mode ? stride - 1 : 0)) / stride + 1;
  if (ceil_mode && (out - 1) * stride >= in + pb) --out;
  return out;
}

/// Visits every output position of a pooling with the list of its taps.
template <typename F>
HostTensor pool(const HostTensor &x, Pair kernel, Pair st, Pads pads, Pair dil, bool ceil_mode,
                F reduce_window) {
  require(x.shape.size() == 4, "pooling rank");
  int64_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3];
  int64_t OH = pool_out(H, kernel[0], st[0], pads[0], pads[2], dil[0], ceil_mode);
  int64_t OW = pool_out(W, kernel[1], st[1], pads[1], pads[3], dil[1], ceil_mode);
  HostTensor out({N, C, OH, OW});
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          std::vector<int64_t> rows, cols;
          for (int64_t r = 0; r < kernel[0]; ++r) rows.push_back(oh * st[0] - pads[0] + r * dil[0]);
          for (int64_t s = 0; s < kernel[1]; ++s) cols.push_back(ow * st[1] - pads[1] + s * dil[1]);
          out.at({n, c, oh, ow}) = reduce_window(n, c, rows, cols);
        }
  return out;
}

}  // namespace

HostTensor max_pool2d(const HostTensor &x, Pair kernel, Pair st, Pads pads, Pair dil,
                      bool ceil_mode) {
  int64_t H = x.shape[2], W = x.shape[3];
  return pool(x, kernel, st, pads, dil, ceil_mode,
              [&](int64_t n, int64_t c, const std::vector<int64_t> &rows,
                  const std::vector<int64_t> &cols) {
                float m = -std::numeric_limits<float>::infinity();
                for (int64_t h : rows)
                  for (int64_t w : cols)
                    if (inside(h, H) && inside(w, W)) m = std::max(m, x.at({n, c, h, w}));
                return m;
              });
}

HostTensor avg_pool2d(const HostTensor &x, Pair kernel, Pair st, Pads pads, Pair dil,
                      bool ceil_mode, bool count_include_pad) {
  int64_t H = x.shape[2], W = x.shape[3];
  return pool(x, kernel, st, pads, dil, ceil_mode,
              [&](int64_t n, int64_t c, const std::vector<int64_t> &rows,
                  const std::vector<int64_t> &cols) {
                double acc = 0;
                int64_t count = 0;
                for (int64_t h : rows)
                  for (int64_t w : cols) {
                    if (inside(h, H) && inside(w, W)) acc += x.at({n, c, h, w});
                    bool counted = count_include_pad ? (h >= -pads[0] && h < H + pads[2] &&
                                                        w >= -pads[1] && w < W + pads[3])
                                                     : (inside(h, H) && inside(w, W));
                    if (counted) ++count;
                  }
                return float(acc / double(std::max<int64_t>(count, 1)));
              });
}

HostTensor global_avg_pool2d(const HostTensor &x) {
  int64_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3];
  HostTensor out({N, C, 1, 1});
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c) {
      double acc = 0;
      for (int64_t h = 0; h < H; ++h)
        for (int64_t w = 0; w < W; ++w) acc += x.at({n, c, h, w});
      out.at({n, c, 0, 0}) = float(acc / double(H * W));
    }
  return out;
}

HostTensor global_max_pool2d(const HostTensor &x) {
  int64_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3];
  HostTensor out({N, C, 1, 1});
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c) {
      float m = -std::numeric_limits<float>::infinity();
      for (int64_t h = 0; h < H; ++h)
        for (int64_t w = 0; w < W; ++w) m = std::max(m, x.at({n, c, h, w}));
      out.at({n, c, 0, 0}) = m;
    }
  return out;
}

// ---- Element-wise -------------------------------------------------------------------------

HostTensor unary(const HostTensor &x, const std::function<float(float)> &f) {
  HostTensor out(x.shape);
  for (size_t i = 0; i < x.data.size(); ++i) out.data[i] = f(x.data[i]);
  return out;
}

HostTensor broadcast_binary(const HostTensor &a, const HostTensor &b,
                            const std::function<float(float, float)> &f) {
  size_t rank = std::max(a.shape.size(), b.shape.size());
  // Both shapes left-padded with 1s to the output rank.
  std::vector<int64_t> sa(rank, 1), sb(rank, 1), so(rank);
  std::copy(a.shape.begin(), a.shape.end(), sa.begin() + (rank - a.shape.size()));
  std::copy(b.shape.begin(), b.shape.end(), sb.begin() + (rank - b.shape.size()));
  for (size_t d = 0; d < rank; ++d) {
    require(sa[d] == sb[d] || sa[d] == 1 || sb[d] == 1, "broadcast shapes");
    so[d] = std::max(sa[d], sb[d]);
  }
  HostTensor out(so);
  for (int64_t i = 0; i < out.size(); ++i) {
    std::vector<int64_t> idx = unravel(i, so), ia(rank), ib(rank);
    for (size_t d = 0; d < rank; ++d) {
      ia[d] = sa[d] == 1 ? 0 : idx[d];
      ib[d] = sb[d] == 1 ? 0 : idx[d];
    }
    out.data[i] = f(a.data[offset_of(sa, ia)], b.data[offset_of(sb, ib)]);
  }
  return out;
}

// ---- Normalization and reductions -------------------------------------------------------

HostTensor batch_norm(const HostTensor &x, const HostTensor &gamma, const HostTensor &beta,
                      const HostTensor &mean, const HostTensor &var, double epsilon) {
  HostTensor out(x.shape);
  int64_t C = x.shape[1];
  int64_t inner = num_elements(x.shape) / (x.shape[0] * C);
  for (int64_t i = 0; i < out.size(); ++i) {
    int64_t c = (i / inner) % C;
    double v = (double(x.data[i]) - mean.data[c]) / std::sqrt(double(var.data[c]) + epsilon);
    out.data[i] = float(v * gamma.data[c] + beta.data[c]);
  }
  return out;
}

namespace {

/// Calls f(outer, inner) for every line along `axis`; the line's elements are at
/// base + j * stride for j in [0, extent).
template <typename F>
void for_each_line(const HostTensor &x, int64_t axis, F f) {
  std::vector<int64_t> st = strides_of(x.shape);
  int64_t extent = x.shape[axis], stride = st[axis];
  int64_t outer = num_elements(x.shape) / (extent * stride);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t in = 0; in < stride; ++in) f(o * extent * stride + in, stride, extent);
}

HostTensor softmax_impl(const HostTensor &x, int64_t axis, bool log_output) {
  require(axis >= 0 && axis < static_cast<int64_t>(x.shape.size()), "softmax axis");
  HostTensor out(x.shape);
  for_each_line(x, axis, [&](int64_t base, int64_t stride, int64_t extent) {
    double m = -std::numeric_limits<double>::infinity();
    for (int64_t j = 0; j < extent; ++j) m = std::max(m, double(x.data[base + j * stride]));
    double sum = 0;
    for (int64_t j = 0; j < extent; ++j) sum += std::exp(double(x.data[base + j * stride]) - m);
    for (int64_t j = 0; j < extent; ++j) {
      double v = double(x.data[base + j * stride]) - m;
      out.data[base + j * stride] = float(log_output ? v - std::log(sum) : std::exp(v) / sum);
    }
  });
  return out;
}

}  // namespace

HostTensor softmax(const HostTensor &x, int64_t axis) { return softmax_impl(x, axis, false); }
HostTensor log_softmax(const HostTensor &x, int64_t axis) { return softmax_impl(x, axis, true); }

HostTensor reduce(const HostTensor &x, const std::vector<int64_t> &axes, bool keepdims,
                  ReduceKind kind) {
  size_t rank = x.shape.size();
  std::vector<bool> reduced(rank, axes.empty());
  for (int64_t a : axes) {
    require(a >= 0 && a < static_cast<int64_t>(rank) && !reduced[a], "reduce axes");
    reduced[a] = true;
  }
  std::vector<int64_t> kept(rank);  // x's shape with reduced axes set to 1
  std::vector<int64_t> out_shape;
  for (size_t d = 0; d < rank; ++d) {
    kept[d] = reduced[d] ? 1 : x.shape[d];
    if (!reduced[d] || keepdims) out_shape.push_back(kept[d]);
  }
  int64_t n_out = num_elements(kept);
  double init = 0;
  if (kind == ReduceKind::Max) init = -std::numeric_limits<double>::infinity();
  if (kind == ReduceKind::Min) init = std::numeric_limits<double>::infinity();
  if (kind == ReduceKind::Prod) init = 1;
  std::vector<double> acc(static_cast<size_t>(n_out), init);
  for (int64_t i = 0; i < x.size(); ++i) {
    std::vector<int64_t> idx = unravel(i, x.shape);
    for (size_t d = 0; d < rank; ++d) {
      if (reduced[d]) idx[d] = 0;
    }
    double &a = acc[offset_of(kept, idx)];
    double v = x.data[i];
    switch (kind) {
      case ReduceKind::Sum:
      case ReduceKind::Mean: a += v; break;
      case ReduceKind::Max: a = std::max(a, v); break;
      case ReduceKind::Min: a = std::min(a, v); break;
      case ReduceKind::Prod: a *= v; break;
    }
  }
  double count = double(x.size()) / double(n_out);
  HostTensor out(out_shape);
  for (int64_t i = 0; i < n_out; ++i) {
    out.data[i] = float(kind == ReduceKind::Mean ? acc[i] / count : acc[i]);
  }
  return out;
}

// ---- Data movement -------------------------------------------------------------------------

HostTensor pad(const HostTensor &x, const std::vector<int64_t> &before,
               const std::vector<int64_t> &after, float value) {
  size_t rank = x.shape.size();
  std::vector<int64_t> shape(rank);
  for (size_t d = 0; d < rank; ++d) shape[d] = x.shape[d] + before[d] + after[d];
  HostTensor out(shape);
  std::fill(out.data.begin(), out.data.end(), value);
  for (int64_t i = 0; i < x.size(); ++i) {
    std::vector<int64_t> idx = unravel(i, x.shape);
    for (size_t d = 0; d < rank; ++d) idx[d] += before[d];
    out.at(idx) = x.data[i];
  }
  return out;
}

HostTensor concat(const std::vector<HostTensor> &xs, int64_t axis) {
  std::vector<int64_t> shape = xs.at(0).shape;
  shape[axis] = 0;
  for (const HostTensor &x : xs) shape[axis] += x.shape[axis];
  HostTensor out(shape);
  int64_t offset = 0;
  for (const HostTensor &x : xs) {
    for (int64_t i = 0; i < x.size(); ++i) {
      std::vector<int64_t> idx = unravel(i, x.shape);
      idx[axis] += offset;
      out.at(idx) = x.data[i];
    }
    offset += x.shape[axis];
  }
  return out;
}

HostTensor transpose(const HostTensor &x, const std::vector<int64_t> &perm) {
  size_t rank = x.shape.size();
  std::vector<int64_t> shape(rank);
  for (size_t d = 0; d < rank; ++d) shape[d] = x.shape[perm[d]];
  HostTensor out(shape);
  for (int64_t i = 0; i < out.size(); ++i) {
    std::vector<int64_t> idx = unravel(i, shape), src(rank);
    for (size_t d = 0; d < rank; ++d) src[perm[d]] = idx[d];
    out.data[i] = x.at(src);
  }
  return out;
}

HostTensor reshape(const HostTensor &x, const std::vector<int64_t> &shape) {
  return HostTensor(shape, x.data);
}

HostTensor nchw_to_nchwc(const HostTensor &x, int64_t bn) {
  int64_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3];
  require(C % bn == 0, "nchw_to_nchwc block");
  HostTensor out({N, C / bn, H, W, bn});
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t w = 0; w < W; ++w) out.at({n, c / bn, h, w, c % bn}) = x.at({n, c, h, w});
  return out;
}

HostTensor nchwc_to_nchw(const HostTensor &x) {
  int64_t N = x.shape[0], CB = x.shape[1], H = x.shape[2], W = x.shape[3], B = x.shape[4];
  HostTensor out({N, CB * B, H, W});
  for (int64_t n = 0; n < N; ++n)
    for (int64_t cb = 0; cb < CB; ++cb)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t w = 0; w < W; ++w)
          for (int64_t b = 0; b < B; ++b) out.at({n, cb * B + b, h, w}) = x.at({n, cb, h, w, b});
  return out;
}

HostTensor weight_oihw_to_blocked(const HostTensor &w, int64_t ic_bn, int64_t oc_bn) {
  int64_t K = w.shape[0], C = w.shape[1], R = w.shape[2], S = w.shape[3];
  require(K % oc_bn == 0 && C % ic_bn == 0, "weight_oihw_to_blocked blocks");
  HostTensor out({K / oc_bn, C / ic_bn, R, S, ic_bn, oc_bn});
  for (int64_t k = 0; k < K; ++k)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t r = 0; r < R; ++r)
        for (int64_t s = 0; s < S; ++s) {
          out.at({k / oc_bn, c / ic_bn, r, s, c % ic_bn, k % oc_bn}) = w.at({k, c, r, s});
        }
  return out;
}

}  // namespace autotune::test::ref

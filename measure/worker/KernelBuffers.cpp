// Kernel argument buffers for the worker: allocation, deterministic inputs, comparison.
#include "measure/worker/KernelBuffers.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

#include "codegen/runtime/ThreadPool.h"
#include "ir/support/Error.h"

namespace autotune::measure {
namespace {

/// SplitMix64: a counter-based generator, so element i of a stream needs no state.
inline uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

template <typename T>
void fill_ints(void *p, int64_t n, uint64_t key) {
  T *out = static_cast<T *>(p);
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<T>(mix(key + static_cast<uint64_t>(i)) & 3);
}

template <typename T>
void fill_floats(void *p, int64_t n, uint64_t key) {
  T *out = static_cast<T *>(p);
  for (int64_t i = 0; i < n; ++i) {
    // 24 random bits -> [0, 1) exactly representable in float, then [-1, 1).
    double u = static_cast<double>(mix(key + static_cast<uint64_t>(i)) >> 40) * (1.0 / 16777216.0);
    out[i] = static_cast<T>(2.0 * u - 1.0);
  }
}

template <typename T>
Comparison compare_floats(const void *a, const void *b, int64_t n, double rtol, double atol) {
  const T *x = static_cast<const T *>(a);
  const T *y = static_cast<const T *>(b);
  Comparison c;
  for (int64_t i = 0; i < n; ++i) {
    double got = static_cast<double>(x[i]), want = static_cast<double>(y[i]);
    bool ok;
    double err;
    if (std::isnan(got) || std::isnan(want)) {
      ok = std::isnan(got) && std::isnan(want);
      err = ok ? 0 : std::numeric_limits<double>::quiet_NaN();
    } else if (std::isinf(got) || std::isinf(want)) {
      ok = got == want;
      err = ok ? 0 : std::numeric_limits<double>::infinity();
    } else {
      err = std::fabs(got - want);
      ok = err <= atol + rtol * std::fabs(want);
    }
    // A NaN mismatch makes the maximum NaN for good: no finite error describes it.
    if (std::isnan(err)) {
      c.max_abs_error = err;
    } else if (!std::isnan(c.max_abs_error) && err > c.max_abs_error) {
      c.max_abs_error = err;
    }
    if (!ok && c.ok) {
      c.ok = false;
      c.first_bad = i;
      c.got = got;
      c.expected = want;
    }
  }
  return c;
}

template <typename T>
Comparison compare_ints(const void *a, const void *b, int64_t n) {
  const T *x = static_cast<const T *>(a);
  const T *y = static_cast<const T *>(b);
  Comparison c;
  for (int64_t i = 0; i < n; ++i) {
    if (x[i] == y[i]) continue;
    double err = std::fabs(static_cast<double>(x[i]) - static_cast<double>(y[i]));
    if (err > c.max_abs_error) c.max_abs_error = err;
    if (c.ok) {
      c.ok = false;
      c.first_bad = i;
      c.got = static_cast<double>(x[i]);
      c.expected = static_cast<double>(y[i]);
    }
  }
  return c;
}

}  // namespace

ElemType parse_elem_type(const std::string &dtype) {
  using K = ElemType::Kind;
  if (dtype == "bool") return {K::Bool, 8};
  if (dtype == "float32") return {K::Float, 32};
  if (dtype == "float64") return {K::Float, 64};
  for (int bits : {8, 16, 32, 64}) {
    if (dtype == "int" + std::to_string(bits)) return {K::Int, bits};
    if (dtype == "uint" + std::to_string(bits)) return {K::UInt, bits};
  }
  user_error << "unsupported buffer element type '" << dtype
             << "' (expected float32, float64, int8..int64, uint8..uint64 or bool)";
  return {};
}

int64_t buffer_bytes(const BufferSpec &spec) {
  ElemType t = parse_elem_type(spec.dtype);
  int64_t bytes = t.bytes();
  for (int64_t d : spec.shape) {
    user_check(d >= 0) << "buffer shape has a negative dimension " << d;
    user_check(d == 0 || bytes <= kMaxBufferBytes / d)
        << "buffer of " << spec.dtype << " is larger than " << (kMaxBufferBytes >> 30) << " GiB";
    bytes *= d;
  }
  return bytes;
}

AlignedBuffer::AlignedBuffer(int64_t bytes) : bytes_(bytes) {
  // One extra cache line keeps zero-byte buffers valid and tolerates vector loads that read a
  // few lanes past a tail they mask off.
  data_ = autotune_alloc(bytes + 64);
  user_check(data_ != nullptr) << "cannot allocate a kernel buffer of " << bytes << " bytes";
}

AlignedBuffer::~AlignedBuffer() { autotune_free(data_); }

AlignedBuffer::AlignedBuffer(AlignedBuffer &&o) noexcept
    : data_(std::exchange(o.data_, nullptr)), bytes_(std::exchange(o.bytes_, 0)) {}

AlignedBuffer &AlignedBuffer::operator=(AlignedBuffer &&o) noexcept {
  if (this != &o) {
    autotune_free(data_);
    data_ = std::exchange(o.data_, nullptr);
    bytes_ = std::exchange(o.bytes_, 0);
  }
  return *this;
}

void fill_random(AlignedBuffer &buf, ElemType t, uint64_t seed, uint64_t stream) {
  // Streams are spaced 2^40 elements apart so that arguments never share values.
  uint64_t key = mix(seed) + (stream << 40);
  int64_t n = buf.bytes() / t.bytes();
  using K = ElemType::Kind;
  switch (t.kind) {
    case K::Float:
      if (t.bits == 64)
        fill_floats<double>(buf.data(), n, key);
      else
        fill_floats<float>(buf.data(), n, key);
      return;
    case K::Bool: {
      auto *p = static_cast<uint8_t *>(buf.data());
      for (int64_t i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(mix(key + i) & 1);
      return;
    }
    case K::Int:
    case K::UInt:
      switch (t.bits) {
        case 8:
          fill_ints<uint8_t>(buf.data(), n, key);
          return;
        case 16:
          fill_ints<uint16_t>(buf.data(), n, key);
          return;
        case 32:
          fill_ints<uint32_t>(buf.data(), n, key);
          return;
        default:
          fill_ints<uint64_t>(buf.data(), n, key);
          return;
      }
  }
}

void fill_sentinel(AlignedBuffer &buf, ElemType t) {
  if (t.kind == ElemType::Kind::Float) {
    int64_t n = buf.bytes() / t.bytes();
    if (t.bits == 64) {
      auto *p = static_cast<double *>(buf.data());
      for (int64_t i = 0; i < n; ++i) p[i] = std::numeric_limits<double>::quiet_NaN();
    } else {
      auto *p = static_cast<float *>(buf.data());
      for (int64_t i = 0; i < n; ++i) p[i] = std::numeric_limits<float>::quiet_NaN();
    }
    return;
  }
  std::memset(buf.data(), 0xA5, static_cast<size_t>(buf.bytes()));
}

Comparison compare_buffers(const void *actual, const void *expected, int64_t n, ElemType t,
                           double rtol, double atol) {
  using K = ElemType::Kind;
  switch (t.kind) {
    case K::Float:
      return t.bits == 64 ? compare_floats<double>(actual, expected, n, rtol, atol)
                          : compare_floats<float>(actual, expected, n, rtol, atol);
    case K::Bool:
      return compare_ints<uint8_t>(actual, expected, n);
    case K::Int:
      switch (t.bits) {
        case 8:
          return compare_ints<int8_t>(actual, expected, n);
        case 16:
          return compare_ints<int16_t>(actual, expected, n);
        case 32:
          return compare_ints<int32_t>(actual, expected, n);
        default:
          return compare_ints<int64_t>(actual, expected, n);
      }
    case K::UInt:
      switch (t.bits) {
        case 8:
          return compare_ints<uint8_t>(actual, expected, n);
        case 16:
          return compare_ints<uint16_t>(actual, expected, n);
        case 32:
          return compare_ints<uint32_t>(actual, expected, n);
        default:
          return compare_ints<uint64_t>(actual, expected, n);
      }
  }
  return {};
}

}  // namespace autotune::measure

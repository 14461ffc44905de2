// The buffers a worker hands to a kernel: element types from their wire spelling, 64-byte
// aligned storage, deterministic random inputs, and the output comparison against a reference.
#pragma once

#include <cstdint>
#include <string>

#include "measure/worker/RunTypes.h"

namespace autotune::measure {

/// An element type a worker can fill and compare.
struct ElemType {
  enum class Kind : uint8_t { Float, Int, UInt, Bool };
  Kind kind = Kind::Float;
  int bits = 32;
  int bytes() const { return kind == Kind::Bool ? 1 : bits / 8; }
};

/// Parses "float32", "float64", "int8".."int64", "uint8".."uint64", "bool"; UserError otherwise.
ElemType parse_elem_type(const std::string &dtype);

/// Largest buffer a worker allocates for one argument.
inline constexpr int64_t kMaxBufferBytes = int64_t(4) << 30;

/// Bytes of a buffer of `spec`: UserError for a negative dimension, an overflowing shape or a
/// buffer over kMaxBufferBytes.
int64_t buffer_bytes(const BufferSpec &spec);

/// Owned storage from autotune_alloc (64-byte aligned); move-only. A zero-byte buffer still has a
/// valid pointer.
class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  /// UserError when the allocation fails.
  explicit AlignedBuffer(int64_t bytes);
  ~AlignedBuffer();
  AlignedBuffer(AlignedBuffer &&o) noexcept;
  AlignedBuffer &operator=(AlignedBuffer &&o) noexcept;
  AlignedBuffer(const AlignedBuffer &) = delete;
  AlignedBuffer &operator=(const AlignedBuffer &) = delete;

  void *data() const { return data_; }
  int64_t bytes() const { return bytes_; }

 private:
  void *data_ = nullptr;
  int64_t bytes_ = 0;
};

/// Fills `buf` with values from a counter-based generator keyed by (seed, stream): uniform
/// [-1, 1) floats, integers in [0, 4), booleans 0/1. The same on every machine (no std::
/// distributions, whose output is implementation-defined).
void fill_random(AlignedBuffer &buf, ElemType t, uint64_t seed, uint64_t stream);

/// Fills an output before the checked run so that elements the kernel never writes show up:
/// NaN for floats, 0xA5 bytes for integers.
void fill_sentinel(AlignedBuffer &buf, ElemType t);

/// The result of comparing a kernel's output with the reference's.
struct Comparison {
  bool ok = true;
  double max_abs_error = 0;  ///< over all elements (NaN when one side has a NaN the other lacks)
  int64_t first_bad = -1;    ///< first element over tolerance
  double got = 0, expected = 0;  ///< values at first_bad
};

/// Compares n elements: floats pass when |a - b| <= atol + rtol * |b| (NaN against NaN passes,
/// NaN against a number fails), integers and booleans must be equal.
Comparison compare_buffers(const void *actual, const void *expected, int64_t n, ElemType t,
                           double rtol, double atol);

}  // namespace autotune::measure

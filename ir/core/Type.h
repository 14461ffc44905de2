// Scalar and vector value types of the loop-nest IR.
#pragma once

#include <cstdint>
#include <string>

namespace autotune::ir {

/// A value type: a scalar code and bit width, times a number of vector lanes (1 for scalars).
/// `Handle` is an opaque pointer to a buffer; `Bool` is a 1-bit truth value.
struct DataType {
  enum class Code : uint8_t { Int, UInt, Float, Bool, Handle };
  Code code = Code::Int;
  uint8_t bits = 64;
  uint16_t lanes = 1;

  constexpr DataType() = default;
  constexpr DataType(Code c, int b, int l = 1)
      : code(c), bits(static_cast<uint8_t>(b)), lanes(static_cast<uint16_t>(l)) {}

  bool is_int() const { return code == Code::Int; }
  bool is_uint() const { return code == Code::UInt; }
  bool is_float() const { return code == Code::Float; }
  bool is_bool() const { return code == Code::Bool; }
  bool is_handle() const { return code == Code::Handle; }
  bool is_integer_like() const { return is_int() || is_uint(); }
  bool is_scalar() const { return lanes == 1; }
  bool is_vector() const { return lanes > 1; }
  /// Size of one element in bytes (Bool counts as one byte in memory).
  int bytes() const { return is_bool() ? 1 : (bits + 7) / 8; }
  DataType with_lanes(int l) const { return DataType(code, bits, l); }
  DataType element_of() const { return with_lanes(1); }

  bool operator==(const DataType &o) const {
    return code == o.code && bits == o.bits && lanes == o.lanes;
  }
  bool operator!=(const DataType &o) const { return !(*this == o); }
  /// "float32", "int64x8", "bool", "handle".
  std::string str() const;
  /// Parses the spelling of str() for scalars ("float32", "int64", "bool"); throws UserError.
  static DataType parse(const std::string &s);
};

inline DataType Int(int bits = 64, int lanes = 1) { return DataType(DataType::Code::Int, bits, lanes); }
inline DataType UInt(int bits, int lanes = 1) { return DataType(DataType::Code::UInt, bits, lanes); }
inline DataType Float(int bits = 32, int lanes = 1) { return DataType(DataType::Code::Float, bits, lanes); }
inline DataType Bool(int lanes = 1) { return DataType(DataType::Code::Bool, 1, lanes); }
inline DataType Handle() { return DataType(DataType::Code::Handle, 64, 1); }

/// The type of every loop variable and index expression.
inline DataType index_type() { return Int(64); }

}  // namespace autotune::ir

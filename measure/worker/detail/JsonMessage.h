// JSON helpers shared by the protocol files (Protocol.cpp, TrackerProtocol.cpp,
// ModelProtocol.cpp): building a frame from a JSON object and typed, bounded field access whose
// errors name the message and the field. Not part of the public headers.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "measure/worker/Protocol.h"

namespace autotune::measure::detail {

using nlohmann::json;

inline constexpr size_t kMaxStringBytes = 64 * 1024;

inline Frame make_frame(MessageType type, const json &meta, std::string data = {}) {
  Frame f;
  f.type = type;
  f.meta = meta.dump(-1, ' ', false, json::error_handler_t::replace);
  f.data = std::move(data);
  return f;
}

/// Parses f's metadata after checking its type.
inline json parse_meta(const Frame &f, MessageType expected) {
  if (f.type != expected) {
    throw ProtocolError(std::string("expected a message of type ") + message_type_name(expected) +
                        ", got " + message_type_name(f.type));
  }
  json j = json::parse(f.meta, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    throw ProtocolError(std::string("malformed ") + message_type_name(expected) +
                        " message: its metadata is not a JSON object");
  }
  return j;
}

/// Typed field access with messages that name the message and the field.
class Fields {
 public:
  Fields(const json &j, const char *message) : j_(j), message_(message) {}

  const json &get(const char *key, bool required = true) const {
    static const json kNull;
    auto it = j_.find(key);
    if (it == j_.end()) {
      if (required) fail(key, "is missing");
      return kNull;
    }
    return *it;
  }
  std::string str(const char *key, bool required = true) const {
    const json &v = get(key, required);
    if (v.is_null() && !required) return {};
    if (!v.is_string()) fail(key, "must be a string");
    const std::string &s = v.get_ref<const std::string &>();
    if (s.size() > kMaxStringBytes) fail(key, "is longer than 64 KiB");
    return s;
  }
  double num(const char *key, bool required = true, double fallback = 0) const {
    const json &v = get(key, required);
    if (v.is_null() && !required) return fallback;
    if (!v.is_number()) fail(key, "must be a number");
    return v.get<double>();
  }
  int64_t integer(const char *key, int64_t lo, int64_t hi, bool required = true,
                  int64_t fallback = 0) const {
    const json &v = get(key, required);
    if (v.is_null() && !required) return fallback;
    if (!v.is_number_integer()) fail(key, "must be an integer");
    if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
      fail(key, "is out of range");
    }
    int64_t x = v.get<int64_t>();
    if (x < lo || x > hi) {
      std::ostringstream os;
      os << "must be in [" << lo << ", " << hi << "], got " << x;
      fail(key, os.str());
    }
    return x;
  }
  uint64_t uinteger(const char *key, bool required = true, uint64_t fallback = 0) const {
    const json &v = get(key, required);
    if (v.is_null() && !required) return fallback;
    if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<int64_t>() >= 0)) {
      fail(key, "must be a non-negative integer");
    }
    return v.get<uint64_t>();
  }
  bool boolean(const char *key, bool required = true, bool fallback = false) const {
    const json &v = get(key, required);
    if (v.is_null() && !required) return fallback;
    if (!v.is_boolean()) fail(key, "must be true or false");
    return v.get<bool>();
  }
  const json &array(const char *key, size_t max_size, bool required = true) const {
    static const json kEmpty = json::array();
    const json &v = get(key, required);
    if (v.is_null() && !required) return kEmpty;
    if (!v.is_array()) fail(key, "must be an array");
    if (v.size() > max_size) fail(key, "has more than " + std::to_string(max_size) + " entries");
    return v;
  }
  [[noreturn]] void fail(const char *key, const std::string &what) const {
    throw ProtocolError(std::string("malformed ") + message_ + " message: field '" + key + "' " +
                        what);
  }

 private:
  const json &j_;
  const char *message_;
};


}  // namespace autotune::measure::detail

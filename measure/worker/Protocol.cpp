// Frame encoding and the JSON form of the worker session messages (tracker messages:
// TrackerProtocol.cpp; whole-model messages: ModelProtocol.cpp).
#include "measure/worker/Protocol.h"
#include "measure/worker/detail/JsonMessage.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <sstream>

namespace autotune::measure {
namespace {

using nlohmann::json;
using detail::Fields;
using detail::make_frame;
using detail::parse_meta;
using detail::kMaxStringBytes;

constexpr size_t kMaxArgs = 256;
constexpr size_t kMaxRank = 16;
constexpr size_t kMaxCosts = 100000;

void put_u16(unsigned char *p, uint16_t v) {
  p[0] = static_cast<unsigned char>(v);
  p[1] = static_cast<unsigned char>(v >> 8);
}
void put_u32(unsigned char *p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}
uint16_t get_u16(const unsigned char *p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t get_u32(const unsigned char *p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(p[i]) << (8 * i);
  return v;
}

bool is_known_type(uint16_t t) {
  return t >= static_cast<uint16_t>(MessageType::Hello) &&
         t <= static_cast<uint16_t>(MessageType::ModelReply);
}

/// Throws ProtocolError when a frame's metadata or data is over its limit (on either end).
void check_frame_sizes(size_t meta_bytes, size_t data_bytes) {
  if (meta_bytes > kMaxMetaBytes) {
    throw ProtocolError("frame metadata of " + std::to_string(meta_bytes) +
                        " bytes exceeds the limit of " + std::to_string(kMaxMetaBytes));
  }
  if (data_bytes > kMaxDataBytes) {
    throw ProtocolError("frame data of " + std::to_string(data_bytes) +
                        " bytes exceeds the limit of " + std::to_string(kMaxDataBytes));
  }
}

std::string module_name(const Fields &fields, const char *key, bool allow_empty) {
  std::string name = fields.str(key, !allow_empty);
  if (name.empty() && allow_empty) return name;
  if (!is_valid_module_name(name)) fields.fail(key, "is not a valid module name '" + name + "'");
  return name;
}

json timing_to_json(const TimingOptions &t) {
  return {{"number", t.number},
          {"repeat", t.repeat},
          {"min_repeat_ms", t.min_repeat_ms},
          {"flush_cache", t.flush_cache},
          {"timeout_s", t.timeout_s}};
}

TimingOptions timing_from_json(const json &j) {
  if (!j.is_object())
    throw ProtocolError("malformed Run message: field 'timing' must be an object");
  Fields f(j, "Run (timing)");
  TimingOptions t;
  t.number = static_cast<int>(f.integer("number", 1, 1 << 30));
  t.repeat = static_cast<int>(f.integer("repeat", 1, 100000));
  t.min_repeat_ms = f.num("min_repeat_ms");
  t.flush_cache = f.boolean("flush_cache");
  t.timeout_s = f.num("timeout_s");
  if (!(t.min_repeat_ms >= 0 && t.min_repeat_ms <= 3.6e6)) {
    f.fail("min_repeat_ms", "must be in [0, 3600000]");
  }
  if (!(t.timeout_s > 0)) f.fail("timeout_s", "must be positive");
  return t;
}

}  // namespace

const char *message_type_name(MessageType t) {
  switch (t) {
    case MessageType::Hello:
      return "Hello";
    case MessageType::Info:
      return "Info";
    case MessageType::Upload:
      return "Upload";
    case MessageType::Uploaded:
      return "Uploaded";
    case MessageType::Run:
      return "Run";
    case MessageType::RunReply:
      return "RunReply";
    case MessageType::Remove:
      return "Remove";
    case MessageType::Removed:
      return "Removed";
    case MessageType::Shutdown:
      return "Shutdown";
    case MessageType::Error:
      return "Error";
    case MessageType::Register:
      return "Register";
    case MessageType::Registered:
      return "Registered";
    case MessageType::Heartbeat:
      return "Heartbeat";
    case MessageType::Request:
      return "Request";
    case MessageType::Assigned:
      return "Assigned";
    case MessageType::Release:
      return "Release";
    case MessageType::Released:
      return "Released";
    case MessageType::Summary:
      return "Summary";
    case MessageType::SummaryReply:
      return "SummaryReply";
    case MessageType::RunModel:
      return "RunModel";
    case MessageType::ModelReply:
      return "ModelReply";
  }
  return "unknown";
}

FrameHeader decode_frame_header(const unsigned char *bytes) {
  if (std::memcmp(bytes, kFrameMagic, 4) != 0) {
    char hex[16];
    std::snprintf(hex, sizeof(hex), "0x%08x", static_cast<unsigned>(get_u32(bytes)));
    throw ProtocolError(std::string("bad frame magic ") + hex +
                        " (expected \"ATRP\"): the peer is not an autotune-rpc endpoint");
  }
  FrameHeader h;
  h.version = get_u16(bytes + 4);
  uint16_t type = get_u16(bytes + 6);
  h.meta_bytes = get_u32(bytes + 8);
  h.data_bytes = get_u32(bytes + 12);
  if (!is_known_type(type)) {
    throw ProtocolError("unknown message type " + std::to_string(type));
  }
  h.type = static_cast<MessageType>(type);
  if (h.version != kProtocolVersion && h.type != MessageType::Error) {
    throw ProtocolError("peer speaks protocol version " + std::to_string(h.version) +
                        ", this build speaks version " + std::to_string(kProtocolVersion) +
                        ": use the same autotune version on both ends");
  }
  check_frame_sizes(h.meta_bytes, h.data_bytes);
  return h;
}

std::string encode_frame(const Frame &f) {
  check_frame_sizes(f.meta.size(), f.data.size());
  std::string out(kFrameHeaderBytes + f.meta.size() + f.data.size(), '\0');
  auto *p = reinterpret_cast<unsigned char *>(&out[0]);
  std::memcpy(p, kFrameMagic, 4);
  put_u16(p + 4, kProtocolVersion);
  put_u16(p + 6, static_cast<uint16_t>(f.type));
  put_u32(p + 8, static_cast<uint32_t>(f.meta.size()));
  put_u32(p + 12, static_cast<uint32_t>(f.data.size()));
  std::memcpy(p + kFrameHeaderBytes, f.meta.data(), f.meta.size());
  if (!f.data.empty()) {
    std::memcpy(p + kFrameHeaderBytes + f.meta.size(), f.data.data(), f.data.size());
  }
  return out;
}

bool is_valid_module_name(const std::string &name) {
  if (name.empty() || name.size() > kMaxModuleNameBytes || name[0] == '.') return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// ---- Encoders -----------------------------------------------------------------------------------

Frame to_frame(const HelloMessage &m) {
  return make_frame(MessageType::Hello, {{"client", m.client}, {"token", m.token}});
}

Frame to_frame(const InfoMessage &m) {
  return make_frame(MessageType::Info, {{"version", m.version},
                                        {"protocol", m.protocol},
                                        {"triple", m.triple},
                                        {"cpu", m.cpu},
                                        {"num_threads", m.num_threads},
                                        {"pid", m.pid}});
}

Frame to_frame(const UploadMessage &m) {
  return make_frame(MessageType::Upload, {{"name", m.name}}, m.bytes);
}

Frame to_frame(const UploadedMessage &m) {
  return make_frame(MessageType::Uploaded, {{"name", m.name}, {"bytes", m.bytes}});
}

Frame to_frame(const RunRequest &m) {
  json args = json::array();
  for (const BufferSpec &a : m.args) {
    args.push_back({{"shape", a.shape}, {"dtype", a.dtype}, {"is_output", a.is_output}});
  }
  return make_frame(MessageType::Run, {{"module", m.module},
                                       {"kernel", m.kernel},
                                       {"reference_module", m.reference_module},
                                       {"reference_kernel", m.reference_kernel},
                                       {"args", std::move(args)},
                                       {"timing", timing_to_json(m.timing)},
                                       {"rtol", m.rtol},
                                       {"atol", m.atol},
                                       {"seed", m.seed}});
}

Frame to_frame(const RunResult &m) {
  // JSON has no infinities or NaNs: a non-finite cost travels as null and comes back as NaN.
  json costs = json::array();
  for (double c : m.costs_s) costs.push_back(std::isfinite(c) ? json(c) : json());
  auto finite = [](double x) { return std::isfinite(x) ? json(x) : json(); };
  return make_frame(MessageType::RunReply, {{"status", status_name(m.status)},
                                            {"error", m.error},
                                            {"costs_s", std::move(costs)},
                                            {"mean_s", finite(m.mean_s)},
                                            {"median_s", finite(m.median_s)},
                                            {"run_s", finite(m.run_s)}});
}

Frame to_frame(const RemoveMessage &m) {
  return make_frame(MessageType::Remove, {{"names", m.names}});
}

Frame to_frame(const RemovedMessage &m) {
  return make_frame(MessageType::Removed, {{"removed", m.removed}});
}

Frame to_frame(const ShutdownMessage &m) {
  return make_frame(MessageType::Shutdown, {{"stop_server", m.stop_server}});
}

Frame to_frame(const ErrorMessage &m) {
  return make_frame(MessageType::Error, {{"message", m.message}});
}

// ---- Decoders -----------------------------------------------------------------------------------

template <>
HelloMessage from_frame<HelloMessage>(const Frame &f) {
  json j = parse_meta(f, MessageType::Hello);
  Fields fields(j, "Hello");
  HelloMessage m;
  m.client = fields.str("client", false);
  m.token = fields.str("token", false);
  return m;
}

template <>
InfoMessage from_frame<InfoMessage>(const Frame &f) {
  json j = parse_meta(f, MessageType::Info);
  Fields fields(j, "Info");
  InfoMessage m;
  m.version = fields.str("version");
  m.protocol = static_cast<int>(fields.integer("protocol", 0, 65535));
  m.triple = fields.str("triple");
  m.cpu = fields.str("cpu", false);
  m.num_threads = static_cast<int>(fields.integer("num_threads", 1, 1 << 20));
  m.pid = fields.integer("pid", 0, INT64_MAX, false);
  return m;
}

template <>
UploadMessage from_frame<UploadMessage>(const Frame &f) {
  json j = parse_meta(f, MessageType::Upload);
  Fields fields(j, "Upload");
  UploadMessage m;
  m.name = module_name(fields, "name", false);
  m.bytes = f.data;
  return m;
}

template <>
UploadedMessage from_frame<UploadedMessage>(const Frame &f) {
  json j = parse_meta(f, MessageType::Uploaded);
  Fields fields(j, "Uploaded");
  UploadedMessage m;
  m.name = fields.str("name");
  m.bytes = fields.uinteger("bytes");
  return m;
}

template <>
RunRequest from_frame<RunRequest>(const Frame &f) {
  json j = parse_meta(f, MessageType::Run);
  Fields fields(j, "Run");
  RunRequest m;
  m.module = module_name(fields, "module", false);
  m.kernel = fields.str("kernel");
  m.reference_module = module_name(fields, "reference_module", true);
  m.reference_kernel = fields.str("reference_kernel", false);
  for (const json &a : fields.array("args", kMaxArgs)) {
    if (!a.is_object()) fields.fail("args", "must hold objects");
    Fields af(a, "Run (args)");
    BufferSpec spec;
    for (const json &d : af.array("shape", kMaxRank)) {
      if (!d.is_number_integer() || d.get<int64_t>() < 0) {
        af.fail("shape", "must hold non-negative integers");
      }
      spec.shape.push_back(d.get<int64_t>());
    }
    spec.dtype = af.str("dtype");
    spec.is_output = af.boolean("is_output");
    m.args.push_back(std::move(spec));
  }
  m.timing = timing_from_json(fields.get("timing"));
  m.rtol = fields.num("rtol");
  m.atol = fields.num("atol");
  m.seed = fields.uinteger("seed");
  return m;
}

template <>
RunResult from_frame<RunResult>(const Frame &f) {
  json j = parse_meta(f, MessageType::RunReply);
  Fields fields(j, "RunReply");
  RunResult r;
  try {
    r.status = status_from_name(fields.str("status"));
  } catch (const std::exception &e) {
    fields.fail("status", e.what());
  }
  r.error = fields.str("error", false);
  auto value = [](const json &v) { return v.is_number() ? v.get<double>() : std::nan(""); };
  for (const json &c : fields.array("costs_s", kMaxCosts)) {
    if (!c.is_number() && !c.is_null()) fields.fail("costs_s", "must hold numbers");
    r.costs_s.push_back(value(c));
  }
  r.mean_s = value(fields.get("mean_s", false));
  r.median_s = value(fields.get("median_s", false));
  r.run_s = value(fields.get("run_s", false));
  return r;
}

template <>
RemoveMessage from_frame<RemoveMessage>(const Frame &f) {
  json j = parse_meta(f, MessageType::Remove);
  Fields fields(j, "Remove");
  RemoveMessage m;
  for (const json &n : fields.array("names", 100000)) {
    if (!n.is_string()) fields.fail("names", "must hold strings");
    m.names.push_back(n.get<std::string>());
  }
  return m;
}

template <>
RemovedMessage from_frame<RemovedMessage>(const Frame &f) {
  json j = parse_meta(f, MessageType::Removed);
  RemovedMessage m;
  m.removed = static_cast<int>(Fields(j, "Removed").integer("removed", 0, INT32_MAX, false));
  return m;
}

template <>
ShutdownMessage from_frame<ShutdownMessage>(const Frame &f) {
  json j = parse_meta(f, MessageType::Shutdown);
  ShutdownMessage m;
  m.stop_server = Fields(j, "Shutdown").boolean("stop_server", false);
  return m;
}

template <>
ErrorMessage from_frame<ErrorMessage>(const Frame &f) {
  json j = parse_meta(f, MessageType::Error);
  ErrorMessage m;
  m.message = Fields(j, "Error").str("message");
  return m;
}

}  // namespace autotune::measure

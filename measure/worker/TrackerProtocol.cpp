// The JSON form of the tracker's messages.
#include "measure/worker/TrackerProtocol.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>

#include "ir/support/Error.h"
#include "measure/worker/detail/JsonMessage.h"

namespace autotune::measure {
namespace {

using detail::Fields;
using detail::json;
using detail::make_frame;
using detail::parse_meta;

constexpr size_t kMaxServers = 100000;
constexpr int64_t kMaxId = int64_t(1) << 53;

json info_to_json(const InfoMessage &m) {
  return {{"version", m.version}, {"protocol", m.protocol}, {"triple", m.triple},
          {"cpu", m.cpu},         {"num_threads", m.num_threads}, {"pid", m.pid}};
}

InfoMessage info_from_json(const json &j, const char *message) {
  if (!j.is_object()) {
    throw ProtocolError(std::string("malformed ") + message + " message: field 'info' must be an object");
  }
  Fields f(j, message);
  InfoMessage m;
  m.version = f.str("version");
  m.protocol = static_cast<int>(f.integer("protocol", 0, 65535));
  m.triple = f.str("triple");
  m.cpu = f.str("cpu");
  m.num_threads = static_cast<int>(f.integer("num_threads", 1, 1 << 20));
  m.pid = f.integer("pid", 0, INT64_MAX);
  return m;
}

std::string key_field(const Fields &f, const char *name) {
  std::string key = f.str(name);
  if (!is_valid_key(key)) f.fail(name, "is not a valid key '" + key + "'");
  return key;
}

json server_to_json(const ServerRecord &s) {
  return {{"id", s.id},     {"key", s.key},   {"host", s.host},
          {"port", s.port}, {"info", info_to_json(s.info)}};
}

ServerRecord server_from_json(const json &j, const char *message) {
  if (!j.is_object()) {
    throw ProtocolError(std::string("malformed ") + message + " message: a server entry must be an object");
  }
  Fields f(j, message);
  ServerRecord s;
  s.id = f.integer("id", 0, kMaxId);
  s.key = key_field(f, "key");
  s.host = f.str("host");
  s.port = static_cast<uint16_t>(f.integer("port", 1, 65535));
  s.info = info_from_json(f.get("info"), message);
  return s;
}

json state_to_json(const KeyState &s) {
  return {{"key", s.key}, {"free", s.free}, {"busy", s.busy}, {"queued", s.queued}};
}

KeyState state_from_json(const json &j, const char *message) {
  if (!j.is_object()) {
    throw ProtocolError(std::string("malformed ") + message + " message: a key state must be an object");
  }
  Fields f(j, message);
  KeyState s;
  s.key = f.str("key");
  s.free = static_cast<int>(f.integer("free", 0, kMaxServers));
  s.busy = static_cast<int>(f.integer("busy", 0, kMaxServers));
  s.queued = static_cast<int>(f.integer("queued", 0, kMaxServers));
  return s;
}

}  // namespace

bool is_valid_key(const std::string &key) {
  if (key.empty() || key.size() > kMaxKeyBytes) return false;
  for (char c : key) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) {
      return false;
    }
  }
  return true;
}

Frame to_frame(const RegisterMessage &m) {
  return make_frame(MessageType::Register, {{"key", m.key},
                                            {"host", m.host},
                                            {"port", m.port},
                                            {"info", info_to_json(m.info)}});
}

Frame to_frame(const RegisteredMessage &m) {
  return make_frame(MessageType::Registered, {{"id", m.id}, {"heartbeat_s", m.heartbeat_s}});
}

Frame to_frame(const HeartbeatMessage &m) {
  return make_frame(MessageType::Heartbeat, {{"busy", m.busy}, {"sessions", m.sessions}});
}

Frame to_frame(const RequestMessage &m) {
  return make_frame(MessageType::Request, {{"key", m.key},
                                           {"priority", m.priority},
                                           {"max_servers", m.max_servers},
                                           {"wait_s", m.wait_s}});
}

Frame to_frame(const AssignedMessage &m) {
  json servers = json::array();
  for (const ServerRecord &s : m.servers) servers.push_back(server_to_json(s));
  return make_frame(MessageType::Assigned, {{"servers", servers}, {"state", state_to_json(m.state)}});
}

Frame to_frame(const ReleaseMessage &m) {
  return make_frame(MessageType::Release, {{"ids", m.ids}});
}

Frame to_frame(const ReleasedMessage &m) {
  return make_frame(MessageType::Released, {{"released", m.released}});
}

Frame to_frame(const SummaryMessage &) { return make_frame(MessageType::Summary, json::object()); }

Frame to_frame(const SummaryReplyMessage &m) {
  json keys = json::array(), servers = json::array();
  for (const KeyState &k : m.keys) keys.push_back(state_to_json(k));
  for (const ServerStatus &s : m.servers) {
    servers.push_back({{"server", server_to_json(s.server)},
                       {"leased", s.leased},
                       {"leased_to", s.leased_to},
                       {"busy", s.busy},
                       {"sessions", s.sessions},
                       {"since_heartbeat_s", s.since_heartbeat_s}});
  }
  return make_frame(MessageType::SummaryReply,
                    {{"keys", keys}, {"servers", servers}, {"uptime_s", m.uptime_s}});
}

template <>
RegisterMessage from_frame<RegisterMessage>(const Frame &f) {
  json j = parse_meta(f, MessageType::Register);
  Fields fields(j, "Register");
  RegisterMessage m;
  m.key = key_field(fields, "key");
  m.host = fields.str("host");
  if (m.host.empty()) fields.fail("host", "is empty");
  m.port = static_cast<uint16_t>(fields.integer("port", 1, 65535));
  m.info = info_from_json(fields.get("info"), "Register");
  return m;
}

template <>
RegisteredMessage from_frame<RegisteredMessage>(const Frame &f) {
  json j = parse_meta(f, MessageType::Registered);
  Fields fields(j, "Registered");
  RegisteredMessage m;
  m.id = fields.integer("id", 0, kMaxId);
  m.heartbeat_s = fields.num("heartbeat_s");
  if (!(m.heartbeat_s > 0 && m.heartbeat_s <= 3600)) fields.fail("heartbeat_s", "must be in (0, 3600]");
  return m;
}

template <>
HeartbeatMessage from_frame<HeartbeatMessage>(const Frame &f) {
  json j = parse_meta(f, MessageType::Heartbeat);
  Fields fields(j, "Heartbeat");
  HeartbeatMessage m;
  m.busy = fields.boolean("busy");
  m.sessions = fields.integer("sessions", 0, INT64_MAX);
  return m;
}

template <>
RequestMessage from_frame<RequestMessage>(const Frame &f) {
  json j = parse_meta(f, MessageType::Request);
  Fields fields(j, "Request");
  RequestMessage m;
  m.key = key_field(fields, "key");
  m.priority = static_cast<int>(fields.integer("priority", -1000000, 1000000));
  m.max_servers = static_cast<int>(fields.integer("max_servers", 1, 100000));
  m.wait_s = fields.num("wait_s");
  if (!(m.wait_s >= 0 && m.wait_s <= 86400)) fields.fail("wait_s", "must be in [0, 86400]");
  return m;
}

template <>
AssignedMessage from_frame<AssignedMessage>(const Frame &f) {
  json j = parse_meta(f, MessageType::Assigned);
  Fields fields(j, "Assigned");
  AssignedMessage m;
  for (const json &s : fields.array("servers", kMaxServers)) {
    m.servers.push_back(server_from_json(s, "Assigned"));
  }
  m.state = state_from_json(fields.get("state"), "Assigned");
  return m;
}

template <>
ReleaseMessage from_frame<ReleaseMessage>(const Frame &f) {
  json j = parse_meta(f, MessageType::Release);
  Fields fields(j, "Release");
  ReleaseMessage m;
  for (const json &id : fields.array("ids", kMaxServers)) {
    if (!id.is_number_integer()) fields.fail("ids", "must hold integers");
    m.ids.push_back(id.get<int64_t>());
  }
  return m;
}

template <>
ReleasedMessage from_frame<ReleasedMessage>(const Frame &f) {
  json j = parse_meta(f, MessageType::Released);
  Fields fields(j, "Released");
  ReleasedMessage m;
  m.released = static_cast<int>(fields.integer("released", 0, kMaxServers));
  return m;
}

template <>
SummaryMessage from_frame<SummaryMessage>(const Frame &f) {
  parse_meta(f, MessageType::Summary);
  return {};
}

template <>
SummaryReplyMessage from_frame<SummaryReplyMessage>(const Frame &f) {
  json j = parse_meta(f, MessageType::SummaryReply);
  Fields fields(j, "SummaryReply");
  SummaryReplyMessage m;
  for (const json &k : fields.array("keys", kMaxServers)) {
    m.keys.push_back(state_from_json(k, "SummaryReply"));
  }
  for (const json &s : fields.array("servers", kMaxServers)) {
    if (!s.is_object()) fields.fail("servers", "must hold objects");
    Fields sf(s, "SummaryReply");
    ServerStatus st;
    st.server = server_from_json(sf.get("server"), "SummaryReply");
    st.leased = sf.boolean("leased");
    st.leased_to = sf.str("leased_to");
    st.busy = sf.boolean("busy");
    st.sessions = sf.integer("sessions", 0, INT64_MAX);
    st.since_heartbeat_s = sf.num("since_heartbeat_s");
    m.servers.push_back(std::move(st));
  }
  m.uptime_s = fields.num("uptime_s");
  return m;
}

void parse_host_port(const std::string &s, const std::string &what, std::string *host,
                     uint16_t *port) {
  size_t colon = s.rfind(':');
  user_check(colon != std::string::npos && colon > 0 && colon + 1 < s.size())
      << what << " expects HOST:PORT, got '" << s << "'";
  std::string p = s.substr(colon + 1);
  char *end = nullptr;
  errno = 0;
  long v = std::strtol(p.c_str(), &end, 10);
  user_check(*end == '\0' && errno == 0 && v >= 1 && v <= 65535)
      << what << " expects HOST:PORT with a port in [1, 65535], got '" << s << "'";
  *host = s.substr(0, colon);
  *port = static_cast<uint16_t>(v);
}

}  // namespace autotune::measure

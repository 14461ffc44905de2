// The tracker's messages. A tracker keeps, per key ("rk3399"), the servers that registered with
// it and leases them to clients by priority.
//
// Server connection: Hello/Info, Register -> Registered, then a Heartbeat every few seconds for
// as long as the server lives; a server whose heartbeats stop, or whose connection closes, is
// forgotten. A restarted tracker gets the servers back when they reconnect and register again.
//
// Client connection: Hello/Info, then Request -> Assigned (leases), Release -> Released, and
// Summary -> SummaryReply, in any order. A lease lasts until it is released or the client's
// connection closes. Anyone may ask for a Summary (`autotune-rpc status`).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "measure/worker/Protocol.h"

namespace autotune::measure {

/// Longest tracker key; keys are [A-Za-z0-9._-].
inline constexpr size_t kMaxKeyBytes = 100;
/// True for keys the tracker accepts.
bool is_valid_key(const std::string &key);

/// A server's address and what it runs on.
struct ServerRecord {
  int64_t id = 0;    ///< the tracker's number for this registration
  std::string key;   ///< "rk3399"
  std::string host;  ///< where clients connect
  uint16_t port = 0;
  InfoMessage info;  ///< what the server reported when it registered
};

struct RegisterMessage {
  std::string key;
  std::string host;  ///< address clients should connect to
  uint16_t port = 0;
  InfoMessage info;
};

struct RegisteredMessage {
  int64_t id = 0;
  double heartbeat_s = 2;  ///< how often the tracker expects a Heartbeat
};

struct HeartbeatMessage {
  bool busy = false;  ///< the server is serving a session now (informative)
  int64_t sessions = 0;  ///< sessions served so far
};

struct RequestMessage {
  std::string key;
  int priority = 0;     ///< higher first; equal priorities are served in arrival order
  int max_servers = 1;  ///< lease up to this many free servers at once
  /// How long the tracker may hold the request waiting for a free server; 0: answer at once.
  double wait_s = 0;
};

/// Free servers, leased servers and waiting requests of one key.
struct KeyState {
  std::string key;
  int free = 0, busy = 0, queued = 0;
};

/// Answers a Request: the leased servers (possibly none, after wait_s) and the key's state.
struct AssignedMessage {
  std::vector<ServerRecord> servers;
  KeyState state;
};

struct ReleaseMessage {
  std::vector<int64_t> ids;
};

struct ReleasedMessage {
  int released = 0;
};

struct SummaryMessage {};

/// One registered server as the tracker sees it.
struct ServerStatus {
  ServerRecord server;
  bool leased = false;
  std::string leased_to;  ///< the client's Hello name and address, when leased
  bool busy = false;      ///< from the latest heartbeat
  int64_t sessions = 0;
  double since_heartbeat_s = 0;
};

struct SummaryReplyMessage {
  std::vector<KeyState> keys;
  std::vector<ServerStatus> servers;
  double uptime_s = 0;
};

Frame to_frame(const RegisterMessage &m);
Frame to_frame(const RegisteredMessage &m);
Frame to_frame(const HeartbeatMessage &m);
Frame to_frame(const RequestMessage &m);
Frame to_frame(const AssignedMessage &m);
Frame to_frame(const ReleaseMessage &m);
Frame to_frame(const ReleasedMessage &m);
Frame to_frame(const SummaryMessage &m);
Frame to_frame(const SummaryReplyMessage &m);

template <>
RegisterMessage from_frame<RegisterMessage>(const Frame &f);
template <>
RegisteredMessage from_frame<RegisteredMessage>(const Frame &f);
template <>
HeartbeatMessage from_frame<HeartbeatMessage>(const Frame &f);
template <>
RequestMessage from_frame<RequestMessage>(const Frame &f);
template <>
AssignedMessage from_frame<AssignedMessage>(const Frame &f);
template <>
ReleaseMessage from_frame<ReleaseMessage>(const Frame &f);
template <>
ReleasedMessage from_frame<ReleasedMessage>(const Frame &f);
template <>
SummaryMessage from_frame<SummaryMessage>(const Frame &f);
template <>
SummaryReplyMessage from_frame<SummaryReplyMessage>(const Frame &f);

/// "HOST:PORT" -> host and port; UserError naming `what` ("--tracker") on a malformed value.
void parse_host_port(const std::string &s, const std::string &what, std::string *host,
                     uint16_t *port);

}  // namespace autotune::measure

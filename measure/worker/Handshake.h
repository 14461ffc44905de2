// The opening of every autotune-rpc connection, server side: a Hello (with the shared secret
// when the listener has one) answered by Info. Shared by the measurement server and the tracker.
#pragma once

#include <optional>
#include <string>

#include "measure/worker/Channel.h"
#include "measure/worker/Protocol.h"

namespace autotune::measure {

/// One line on stderr: "autotune-rpc[PID]: MSG".
void rpc_log(const std::string &msg);

/// Logs why the connection is being closed and tells the peer with an Error frame (best effort:
/// the connection may be gone already).
void reject_connection(Channel &channel, const std::string &reason);

/// Reads the peer's first frame before `deadline`. It must be a Hello carrying `token` (when
/// non-empty); then `info` is sent back and the Hello returned. Otherwise (garbage bytes, a
/// foreign protocol version, an oversized frame, another message type, a wrong token, silence
/// past the deadline) the reason is logged, sent to the peer when possible, and nullopt returned.
std::optional<HelloMessage> accept_hello(Channel &channel, const std::string &token,
                                         const InfoMessage &info, Deadline deadline);

}  // namespace autotune::measure

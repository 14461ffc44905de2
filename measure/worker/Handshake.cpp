// Server-side handshake and the rejection path shared by the server and the tracker.
#include "measure/worker/Handshake.h"

#include <unistd.h>

#include <iostream>

namespace autotune::measure {

void rpc_log(const std::string &msg) {
  // One write per line, so that lines of concurrent connections never interleave.
  std::string line = "autotune-rpc[" + std::to_string(getpid()) + "]: " + msg + "\n";
  std::cerr.write(line.data(), static_cast<std::streamsize>(line.size()));
  std::cerr.flush();
}

void reject_connection(Channel &channel, const std::string &reason) {
  rpc_log("rejected " + channel.peer() + ": " + reason);
  try {
    channel.send(to_frame(ErrorMessage{reason}), deadline_after(5));
  } catch (const std::exception &) {
  }
}

std::optional<HelloMessage> accept_hello(Channel &channel, const std::string &token,
                                         const InfoMessage &info, Deadline deadline) {
  try {
    std::optional<Frame> first = channel.receive(deadline);
    if (!first) return std::nullopt;  // connected and closed without a word (a port probe)
    if (first->type != MessageType::Hello) {
      throw ProtocolError(std::string("expected Hello as the first message, got ") +
                          message_type_name(first->type));
    }
    HelloMessage hello = from_frame<HelloMessage>(*first);
    if (!token.empty() && hello.token != token) {
      reject_connection(channel, "wrong token from client '" + hello.client +
                                     "': this endpoint requires the token given by --token or "
                                     "AUTOTUNE_RPC_TOKEN");
      return std::nullopt;
    }
    channel.send(to_frame(info), deadline_after(10));
    return hello;
  } catch (const ProtocolError &e) {
    reject_connection(channel, e.what());
  } catch (const ChannelError &e) {
    if (e.kind() == ChannelError::Kind::Timeout) {
      reject_connection(channel, "no Hello within the handshake deadline");
    } else if (e.kind() != ChannelError::Kind::Closed) {
      rpc_log("handshake with " + channel.peer() + " failed: " + e.what());
    }
  }
  return std::nullopt;
}

}  // namespace autotune::measure

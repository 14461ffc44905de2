// The client side of a measurement session: typed request/reply calls over any Channel.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "measure/worker/Channel.h"
#include "measure/worker/ModelProtocol.h"
#include "measure/worker/Protocol.h"

namespace autotune::measure {

/// The server answered a request with an Error message (the session may go on).
class RemoteError : public std::runtime_error {
 public:
  explicit RemoteError(const std::string &msg) : std::runtime_error(msg) {}
};

/// Sends `request` and decodes the reply as a Reply, before `deadline`. ChannelError when the
/// stream fails or the peer closes it without replying, ProtocolError for an unexpected or
/// malformed reply, RemoteError when the peer answers Error. Shared by every client of the
/// protocol (WorkerClient, TrackerClient).
template <typename Reply, typename Request>
Reply call_remote(Channel &channel, const Request &request, Deadline deadline) {
  channel.send(to_frame(request), deadline);
  std::optional<Frame> reply = channel.receive(deadline);
  if (!reply) {
    throw ChannelError(ChannelError::Kind::Closed,
                       channel.peer() + " closed the connection without replying");
  }
  if (reply->type == MessageType::Error) {
    throw RemoteError(from_frame<ErrorMessage>(*reply).message);
  }
  return from_frame<Reply>(*reply);
}

/// Sends requests and decodes replies. Each call throws ChannelError when the stream fails or
/// the server closes it (Closed), ProtocolError for an unexpected or malformed reply, and
/// RemoteError when the server answers Error.
class WorkerClient {
 public:
  explicit WorkerClient(Channel &channel) : channel_(channel) {}

  InfoMessage hello(const HelloMessage &m, Deadline deadline);
  UploadedMessage upload(const UploadMessage &m, Deadline deadline);
  RunResult run(const RunRequest &m, Deadline deadline);
  RemovedMessage remove(const RemoveMessage &m, Deadline deadline);
  /// Runs a whole uploaded module (ModelProtocol.h).
  RunModelReply run_model(const RunModelRequest &m, Deadline deadline);
  /// Ends the session (no reply is expected).
  void shutdown(const ShutdownMessage &m, Deadline deadline);

  Channel &channel() { return channel_; }

 private:
  Channel &channel_;
};

}  // namespace autotune::measure

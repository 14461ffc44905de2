// Request/reply calls of a measurement session.
#include "measure/worker/Client.h"

namespace autotune::measure {

template <typename Reply, typename Request>
Reply WorkerClient::call(const Request &request, Deadline deadline) {
  channel_.send(to_frame(request), deadline);
  std::optional<Frame> reply = channel_.receive(deadline);
  if (!reply) {
    throw ChannelError(ChannelError::Kind::Closed,
                       channel_.peer() + " closed the connection without replying");
  }
  if (reply->type == MessageType::Error) {
    throw RemoteError(from_frame<ErrorMessage>(*reply).message);
  }
  return from_frame<Reply>(*reply);
}

InfoMessage WorkerClient::hello(const HelloMessage &m, Deadline deadline) {
  InfoMessage info = call<InfoMessage>(m, deadline);
  if (info.protocol != kProtocolVersion) {
    throw ProtocolError("server " + channel_.peer() + " speaks protocol version " +
                        std::to_string(info.protocol) + ", this build speaks version " +
                        std::to_string(kProtocolVersion));
  }
  return info;
}

UploadedMessage WorkerClient::upload(const UploadMessage &m, Deadline deadline) {
  return call<UploadedMessage>(m, deadline);
}

RunResult WorkerClient::run(const RunRequest &m, Deadline deadline) {
  return call<RunResult>(m, deadline);
}

RemovedMessage WorkerClient::remove(const RemoveMessage &m, Deadline deadline) {
  return call<RemovedMessage>(m, deadline);
}

RunModelReply WorkerClient::run_model(const RunModelRequest &m, Deadline deadline) {
  return call<RunModelReply>(m, deadline);
}

void WorkerClient::shutdown(const ShutdownMessage &m, Deadline deadline) {
  channel_.send(to_frame(m), deadline);
}

}  // namespace autotune::measure

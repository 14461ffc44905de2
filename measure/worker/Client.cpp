// Request/reply calls of a measurement session.
#include "measure/worker/Client.h"

namespace autotune::measure {

InfoMessage WorkerClient::hello(const HelloMessage &m, Deadline deadline) {
  InfoMessage info = call_remote<InfoMessage>(channel_, m, deadline);
  if (info.protocol != kProtocolVersion) {
    throw ProtocolError("server " + channel_.peer() + " speaks protocol version " +
                        std::to_string(info.protocol) + ", this build speaks version " +
                        std::to_string(kProtocolVersion));
  }
  return info;
}

UploadedMessage WorkerClient::upload(const UploadMessage &m, Deadline deadline) {
  return call_remote<UploadedMessage>(channel_, m, deadline);
}

RunResult WorkerClient::run(const RunRequest &m, Deadline deadline) {
  return call_remote<RunResult>(channel_, m, deadline);
}

RemovedMessage WorkerClient::remove(const RemoveMessage &m, Deadline deadline) {
  return call_remote<RemovedMessage>(channel_, m, deadline);
}

RunModelReply WorkerClient::run_model(const RunModelRequest &m, Deadline deadline) {
  return call_remote<RunModelReply>(channel_, m, deadline);
}

void WorkerClient::shutdown(const ShutdownMessage &m, Deadline deadline) {
  channel_.send(to_frame(m), deadline);
}

}  // namespace autotune::measure

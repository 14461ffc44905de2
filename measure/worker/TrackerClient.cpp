// Request/reply calls to a tracker over one TCP connection.
#include "measure/worker/TrackerClient.h"

#include "ir/support/Error.h"
#include "measure/worker/Client.h"
#include "measure/worker/TcpChannel.h"

namespace autotune::measure {

struct TrackerClient::Impl {
  std::string host;
  uint16_t port = 0;
  std::unique_ptr<TcpChannel> channel;

  template <typename Reply, typename Request>
  Reply call(const Request &request, Deadline deadline) {
    try {
      return call_remote<Reply>(*channel, request, deadline);
    } catch (const RemoteError &e) {
      throw RemoteError("the tracker " + channel->peer() + " refused the request: " + e.what());
    }
  }
};

TrackerClient::TrackerClient(const std::string &host, uint16_t port, const std::string &token,
                             const std::string &client_name, double connect_timeout_s)
    : impl_(std::make_unique<Impl>()) {
  impl_->host = host;
  impl_->port = port;
  try {
    impl_->channel = TcpChannel::connect(host, port, connect_timeout_s);
    impl_->call<InfoMessage>(HelloMessage{client_name, token}, deadline_after(connect_timeout_s));
  } catch (const RemoteError &e) {
    user_error << "the tracker at " << address() << " refused the connection: " << e.what();
  } catch (const std::exception &e) {
    user_error << "cannot reach the tracker at " << address() << ": " << e.what()
               << " (start one with `autotune-rpc tracker --port " << port << "`)";
  }
}

TrackerClient::~TrackerClient() {
  if (!impl_->channel) return;
  try {
    impl_->channel->send(to_frame(ShutdownMessage{}), deadline_after(1));
  } catch (const std::exception &) {
  }
}

std::string TrackerClient::address() const {
  return impl_->host + ":" + std::to_string(impl_->port);
}

std::vector<ServerRecord> TrackerClient::request(const std::string &key, int max_servers,
                                                 double wait_s, int priority, KeyState *state) {
  RequestMessage req;
  req.key = key;
  req.max_servers = max_servers;
  req.wait_s = wait_s;
  req.priority = priority;
  AssignedMessage reply = impl_->call<AssignedMessage>(req, deadline_after(wait_s + 30));
  if (state) *state = reply.state;
  return reply.servers;
}

void TrackerClient::release(const std::vector<int64_t> &ids) {
  if (ids.empty()) return;
  impl_->call<ReleasedMessage>(ReleaseMessage{ids}, deadline_after(30));
}

SummaryReplyMessage TrackerClient::summary() {
  return impl_->call<SummaryReplyMessage>(SummaryMessage{}, deadline_after(30));
}

}  // namespace autotune::measure

// The client side of a tracker connection: lease servers of a key, release them, ask for a
// summary. Leases last as long as this object's connection (or until released).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "measure/worker/Channel.h"
#include "measure/worker/TrackerProtocol.h"

namespace autotune::measure {

class TrackerClient {
 public:
  /// Connects to the tracker at host:port and says Hello (with `token` when non-empty).
  /// UserError naming the address when it cannot be reached or refuses the handshake.
  TrackerClient(const std::string &host, uint16_t port, const std::string &token,
                const std::string &client_name, double connect_timeout_s = 10);
  ~TrackerClient();
  TrackerClient(const TrackerClient &) = delete;
  TrackerClient &operator=(const TrackerClient &) = delete;

  /// Leases up to `max_servers` free servers of `key`, waiting up to wait_s for the first one.
  /// Returns the leased servers (none when none became free in time); `state` receives the key's
  /// counts. ChannelError / ProtocolError / RemoteError when the tracker connection fails.
  std::vector<ServerRecord> request(const std::string &key, int max_servers, double wait_s,
                                    int priority = 0, KeyState *state = nullptr);
  /// Gives leases back (unknown ids are ignored).
  void release(const std::vector<int64_t> &ids);
  SummaryReplyMessage summary();

  /// "127.0.0.1:9190".
  std::string address() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace autotune::measure

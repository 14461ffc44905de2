// A TCP listener that hands each accepted connection to its own thread: how the server and the
// tracker accept peers, so that one slow or hostile peer never stalls the others.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "measure/worker/TcpChannel.h"

namespace autotune::measure {

class Listener {
 public:
  using Handler = std::function<void(TcpChannel &)>;

  /// Binds host:port (0 picks a free port). A host that is not a loopback address requires
  /// `has_token` (UserError otherwise, naming `what`: "the server", "the tracker").
  /// UserError when the address cannot be resolved or bound.
  Listener(const std::string &host, uint16_t port, bool has_token, const std::string &what);
  /// Stops, interrupts open connections and joins their threads.
  ~Listener();
  Listener(const Listener &) = delete;
  Listener &operator=(const Listener &) = delete;

  uint16_t port() const;
  const std::string &host() const;

  /// Accepts until stop(), running `handler` for each connection on a new thread (the channel
  /// lives until the handler returns). Returns after stop(), once every handler has returned.
  void run(const Handler &handler);
  /// Thread-safe: closes the acceptor and interrupts every open connection.
  void stop();
  bool stopping() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace autotune::measure

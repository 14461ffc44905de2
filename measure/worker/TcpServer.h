// `autotune-rpc server --host H --port P`: accepts clients over TCP (Boost.Asio) and serves each
// with a fresh Worker, one client at a time. The tracker and the crash-isolating child process
// of remote boards build on this (issue 6).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "measure/worker/Worker.h"

namespace autotune::measure {

class TcpServer {
 public:
  /// Listens on `host`:`port` (port 0 picks a free one, see port()). A host that is not a
  /// loopback address requires opt.token (UserError otherwise: measurement servers run code
  /// they are sent). UserError when the address cannot be bound.
  TcpServer(const std::string &host, uint16_t port, WorkerOptions opt);
  ~TcpServer();
  TcpServer(const TcpServer &) = delete;
  TcpServer &operator=(const TcpServer &) = delete;

  /// The bound port.
  uint16_t port() const;
  const std::string &host() const;

  /// Serves clients one at a time until stop(), or until a client's Shutdown asks the server to
  /// stop. A client that breaks the protocol is logged and disconnected; the server goes on.
  void run();
  /// Thread-safe: run() returns soon, aborting the session in progress at its next I/O.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace autotune::measure

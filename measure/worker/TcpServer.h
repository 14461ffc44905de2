// `autotune-rpc server`: accepts clients over TCP. Every connection gets its own thread for the
// handshake, so a hostile or broken peer (garbage, wrong token, foreign version, oversized
// frame, silence) is rejected with a logged reason while others are served; sessions that pass
// the handshake run one at a time (timings must not overlap). With a child command, each
// session is relayed to a child worker process (SessionRelay.h) so that crashing kernels kill
// the child, not the server; with a tracker, the server registers and sends heartbeats
// (TrackerRegistration.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "measure/worker/Worker.h"

namespace autotune::measure {

struct ServerOptions {
  WorkerOptions worker;  ///< token, kernel threads, work directory
  /// Launcher words plus the autotune-rpc program for per-session child processes; empty:
  /// sessions run in this process (tests of the protocol; no crash isolation).
  std::vector<std::string> child_command;
  /// Register with this tracker (empty host: none) under `key`.
  std::string tracker_host;
  uint16_t tracker_port = 0;
  std::string key;
  /// Address announced to the tracker; empty: the listen address unless that is a wildcard,
  /// then the address this host uses to reach the tracker.
  std::string advertise_host;
  double handshake_s = 10;  ///< a client must say Hello this soon
};

class TcpServer {
 public:
  /// Listens on `host`:`port` (port 0 picks a free one, see port()). A host that is not a
  /// loopback address requires a token (UserError otherwise: measurement servers run code
  /// they are sent). UserError when the address cannot be bound.
  TcpServer(const std::string &host, uint16_t port, ServerOptions opt);
  TcpServer(const std::string &host, uint16_t port, WorkerOptions opt);
  ~TcpServer();
  TcpServer(const TcpServer &) = delete;
  TcpServer &operator=(const TcpServer &) = delete;

  /// The bound port.
  uint16_t port() const;
  const std::string &host() const;

  /// Serves until stop(), or until a client's Shutdown asks the server to stop.
  void run();
  /// Thread-safe: run() returns soon, aborting the session in progress at its next I/O.
  void stop();
  /// Sessions that passed the handshake and ended so far.
  int64_t sessions() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace autotune::measure

// `autotune-rpc tracker`: the registry of measurement servers. Servers register under a key
// ("rk3399") and keep a connection open with heartbeats; clients lease free servers of a key,
// highest priority first, and keep them until they release them or disconnect.
// TrackerProtocol.h describes the conversation.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "measure/worker/TrackerProtocol.h"

namespace autotune::measure {

struct TrackerOptions {
  std::string token;         ///< when non-empty, every peer's Hello must carry it
  double heartbeat_s = 2;    ///< how often servers are asked to send a heartbeat
  double expire_s = 15;      ///< a server silent this long is forgotten
  double handshake_s = 10;   ///< a peer must say Hello this soon after connecting
};

class Tracker {
 public:
  /// Listens on host:port (0: a free port). Anything but loopback requires opt.token.
  /// UserError when the address cannot be bound.
  Tracker(const std::string &host, uint16_t port, TrackerOptions opt = {});
  ~Tracker();
  Tracker(const Tracker &) = delete;
  Tracker &operator=(const Tracker &) = delete;

  uint16_t port() const;
  /// Serves until stop(); every connection has its own thread.
  void run();
  /// Thread-safe: run() returns soon, dropping every connection.
  void stop();
  /// The state as `autotune-rpc status` shows it (for tests and logs).
  SummaryReplyMessage summary() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace autotune::measure

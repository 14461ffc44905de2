// A server's standing with its tracker: registers, then sends heartbeats (at once when its
// state changes) from a background thread; when the tracker goes away it reconnects with
// back-off and registers again, so a restarted tracker gets its servers back.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "measure/worker/TrackerProtocol.h"

namespace autotune::measure {

struct RegistrationOptions {
  std::string tracker_host;
  uint16_t tracker_port = 0;
  std::string token;
  std::string key;
  /// Where clients connect: a loopback or routable address. Empty: the local address of the
  /// connection to the tracker (right whenever clients reach the server the way it reaches the
  /// tracker).
  std::string host;
  uint16_t port = 0;
  InfoMessage info;
  double max_backoff_s = 10;
};

class TrackerRegistration {
 public:
  /// `state` is called for each heartbeat (from the background thread).
  TrackerRegistration(RegistrationOptions opt, std::function<HeartbeatMessage()> state);
  /// Unregisters (best effort) and joins the thread.
  ~TrackerRegistration();
  TrackerRegistration(const TrackerRegistration &) = delete;
  TrackerRegistration &operator=(const TrackerRegistration &) = delete;

  /// The server's state changed: send a heartbeat now.
  void notify();
  /// True while registered (for tests and logs).
  bool registered() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace autotune::measure

// Measurement on remote boards through a tracker: leases every free server of a key, spreads
// each batch over them (one session per server, in parallel: each board times its own trials),
// and survives the boards. A server that dies, hangs or disconnects mid-batch has its trials
// retried on another server, or on the same one once it is back; a trial counts as failed only
// after `max_attempts` such failures. No free server for a while: a message and waiting with
// back-off, never a crash (unless max_wait_s is set and passes).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "measure/Runner.h"

namespace autotune::measure {

struct TrackerRunnerOptions {
  std::string tracker_host = "127.0.0.1";
  uint16_t tracker_port = 9190;
  std::string key;    ///< the device's tracker key ("rk3399")
  std::string token;  ///< shared secret of the tracker and the servers
  /// The architecture the candidates are built for ("aarch64"); servers of the key that run
  /// another one are given back with a message instead of failing every trial. Empty: any.
  std::string arch;
  int priority = 0;   ///< higher-priority clients get free servers first
  int max_servers = 0;   ///< most servers to lease at once; 0: every free one
  int max_attempts = 3;  ///< machine failures before a trial is reported as failed
  /// Give up (UserError) after waiting this long for a first server; 0: wait forever.
  double max_wait_s = 0;
  double report_every_s = 15;  ///< how often the waiting message repeats
  double connect_timeout_s = 10;
  double upload_timeout_s = 120;
  /// Where waiting messages go (default: stderr with an "autotune: " prefix).
  std::function<void(const std::string &)> log;
};

class TrackerRunner final : public Runner {
 public:
  /// Does not connect yet: the first run() or device_info() does.
  explicit TrackerRunner(TrackerRunnerOptions opt);
  ~TrackerRunner() override;
  /// One result per input, in order. Trials of a batch run on all leased servers at once.
  std::vector<RunResult> run(const std::vector<RunInput> &inputs) override;
  /// The first leased server's description (waits for a server like run()).
  InfoMessage device_info() override;

  /// Servers leased now.
  int servers() const;
  /// Trials that were re-queued after a machine failure, so far.
  int64_t retries() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace autotune::measure

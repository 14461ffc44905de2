// Runners: the second stage of a measurement. They ship built kernels to a measurement worker
// (autotune-rpc) and collect run results. LocalRunner owns a worker child process; RpcRunner
// talks to a server over TCP. Crashes and hangs of a candidate are statuses, never exceptions.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "measure/MeasureTypes.h"
#include "measure/worker/Protocol.h"

namespace autotune::measure {

/// Where built kernels are measured.
class Runner {
 public:
  virtual ~Runner() = default;
  /// Runs every input, one after another (timings must not overlap), and returns one result per
  /// input in order. A candidate that crashes, hangs, fails or computes a wrong answer gets its
  /// status; only a setup problem (no worker program, server unreachable) throws UserError.
  virtual std::vector<RunResult> run(const std::vector<RunInput> &inputs) = 0;
  /// The measuring machine (starting or connecting to the worker if needed); UserError when it
  /// cannot be reached.
  virtual InfoMessage device_info() = 0;
};

struct LocalRunnerOptions {
  /// The autotune-rpc program; empty: $AUTOTUNE_RPC_BIN, else `autotune-rpc` next to the running
  /// executable.
  std::string rpc_bin;
  int num_threads = 1;  ///< threads for the kernels' parallel loops in the worker
  /// How long a module upload may take before the worker is presumed stuck.
  double upload_timeout_s = 60;
};

/// Measures on this machine in a child process (`autotune-rpc server --stdio`), started on first
/// use. When a candidate kills the worker (SIGSEGV, abort) its result is RuntimeDevice ("worker
/// died with signal 11 (SIGSEGV)"); when a run exceeds its timing.timeout_s the worker is
/// SIGKILLed and the result is RunTimeout. Either way the next request starts a fresh worker.
/// Uploads are cached per worker (by path, size and modification time); candidate modules are
/// removed from the worker after each run() call, reference modules stay.
class LocalRunner final : public Runner {
 public:
  /// UserError when the worker program cannot be found.
  explicit LocalRunner(LocalRunnerOptions opt = {});
  ~LocalRunner() override;
  std::vector<RunResult> run(const std::vector<RunInput> &inputs) override;
  InfoMessage device_info() override;

  /// The worker's pid, or 0 when none runs (tests use it to observe respawns).
  int worker_pid() const;
  /// Workers started so far (1 + respawns).
  int workers_started() const;
  const std::string &rpc_bin() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Measures on one `autotune-rpc server` reached over TCP, connecting on first use and again
/// after a failure. A crashing or hanging candidate is reported by the server (it runs each
/// session in a child process, SessionRelay.h); a lost connection is RuntimeDevice and no reply
/// well past the timeout is RunTimeout. For a pool of boards behind a tracker, with retries on
/// other boards, use TrackerRunner (TrackerRunner.h).
class RpcRunner final : public Runner {
 public:
  RpcRunner(std::string host, uint16_t port, std::string token = "", double connect_timeout_s = 10);
  ~RpcRunner() override;
  std::vector<RunResult> run(const std::vector<RunInput> &inputs) override;
  InfoMessage device_info() override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The autotune-rpc program LocalRunner starts for `opt` (see LocalRunnerOptions::rpc_bin);
/// UserError naming the places looked at when there is none.
std::string find_rpc_bin(const std::string &explicit_path = "");

}  // namespace autotune::measure

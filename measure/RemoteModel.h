// Running a module from `autotune build` on a remote autotune-rpc server, from the host: upload
// its three files, run it (RunModel, measure/worker/ModelProtocol.h), take the outputs and run
// times back, remove the uploads. Either at a known server address or on a server leased from a
// tracker for a device's key.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "measure/worker/ModelProtocol.h"
#include "measure/worker/Protocol.h"

namespace autotune::measure {

/// What a module directory's model.json says about the module, read without loading kernels.so
/// (which may be for another architecture).
struct ModuleSummary {
  std::string dir;
  std::string target;                        ///< the codegen target string it was built for
  std::vector<ModelTensor> inputs, outputs;  ///< names, dtypes and shapes; no bytes
  size_t num_calls = 0;                      ///< kernel calls per run
  size_t num_distinct_kernels = 0;
  int64_t arena_bytes = 0;
};

/// Reads `dir`/model.json. UserError naming the directory or file when it is missing, is not an
/// autotune module of the supported format version, or describes malformed tensors.
ModuleSummary read_module_summary(const std::string &dir);

/// The architecture of a triple ("aarch64" for "aarch64-linux-gnu"; "arm64" and "amd64" are
/// spelled "aarch64" and "x86_64").
std::string triple_arch(const std::string &triple);

/// The architecture of a target string's -mtriple ("aarch64" for "llvm -mtriple=aarch64-linux-gnu
/// -mcpu=cortex-a72"); empty when the string names no triple.
std::string target_arch(const std::string &target);

struct RemoteRunOptions {
  std::string token;                     ///< the servers' (and tracker's) shared secret, if any
  std::string client_name = "autotune";  ///< for the server's logs
  int warmup = 0;                        ///< untimed runs before the timed ones
  int repeat = 0;                        ///< timed runs; 0: one run
  int threads = 0;                       ///< threads on the server; 0: the server's setting
  /// Seconds each step (an upload, the run) may take before the server counts as hung.
  double timeout_s = 300;
  double connect_timeout_s = 10;
};

struct RemoteRunResult {
  RunModelReply reply;  ///< outputs in the module's order, run times, load time
  InfoMessage server;   ///< what the server runs on (its Info)
  std::string address;  ///< "HOST:PORT" of the server
};

/// Runs the module in `module_dir` with `inputs` on the autotune-rpc server at host:port:
/// connects, says Hello, checks that the module's architecture is the server's, uploads
/// model.json, kernels.so and constants.bin, sends RunModel and removes the uploads again (also
/// after a failed run). UserError naming the server for everything that goes wrong: no
/// connection, a refused Hello (wrong token), a module for another architecture, an Error reply
/// (the server's message, e.g. an input of the wrong shape), a timeout, a lost connection.
RemoteRunResult run_module_remote(const std::string &host, uint16_t port,
                                  const std::string &module_dir,
                                  const std::vector<ModelTensor> &inputs,
                                  const RemoteRunOptions &opt);

/// How to lease a server from a tracker.
struct TrackerLeaseOptions {
  std::string key;       ///< the device's tracker key ("rk3399")
  double wait_s = 600;   ///< longest wait for a free server
  double notice_s = 10;  ///< how often to say that we are still waiting
  int priority = 0;
  /// Receives progress lines ("waiting for a free 'rk3399' server at ..."); default: stderr.
  std::function<void(const std::string &)> notify;
};

/// Leases one server of lease.key from the tracker at tracker_host:tracker_port (waiting up to
/// lease.wait_s, with a notice every lease.notice_s: "waiting for a free 'KEY' server at
/// HOST:PORT (F free, B busy)"), runs the module there (run_module_remote) and releases the
/// lease. UserError when the tracker cannot be reached or no server became free in time.
RemoteRunResult run_module_on_tracker(const std::string &tracker_host, uint16_t tracker_port,
                                      const TrackerLeaseOptions &lease,
                                      const std::string &module_dir,
                                      const std::vector<ModelTensor> &inputs,
                                      const RemoteRunOptions &opt);

}  // namespace autotune::measure

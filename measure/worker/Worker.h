// The measurement worker: one client session of `autotune-rpc server`. It keeps uploaded shared
// objects in a private directory, runs kernels on deterministic random inputs, checks them
// against a reference kernel and times them (TimeKernel.h). It links no LLVM: boards run it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "codegen/runtime/Module.h"
#include "measure/worker/Channel.h"
#include "measure/worker/KernelBuffers.h"
#include "measure/worker/Protocol.h"

namespace autotune::measure {

class ModelRuns;  // RunModel.h

/// The version that Info reports.
inline constexpr const char *kWorkerVersion = "0.1.0";

struct WorkerOptions {
  int num_threads = 1;  ///< threads for kernels' parallel loops (autotune_set_num_threads)
  std::string token;    ///< when non-empty, a client's Hello must carry the same token
  /// Where the private module directory is made; empty: $TMPDIR, else /tmp.
  std::string work_dir;
};

/// The machine this process runs on, as Info reports it: the triple this program was built for,
/// the CPU model from /proc/cpuinfo, the thread count and the pid.
InfoMessage describe_host(int num_threads);

/// One client session. Not thread-safe; one session at a time per process, since the thread
/// count and the loaded kernels' runtime tables are process-wide.
class Worker {
 public:
  /// Makes the private directory and sets the kernels' thread count; UserError on failure.
  explicit Worker(WorkerOptions opt);
  /// Unloads every module and deletes the private directory.
  ~Worker();
  Worker(const Worker &) = delete;
  Worker &operator=(const Worker &) = delete;

  /// Serves `channel` until Shutdown, the end of the stream, or a protocol error. The first
  /// message must be a Hello (with the token, when the worker has one), answered with Info.
  /// A malformed frame is logged to stderr, answered with an Error frame when possible, and ends
  /// the session. Returns true when the client's Shutdown asked the whole server to stop.
  /// `greeted`: the caller already answered the client's Hello (Handshake.h).
  bool serve(Channel &channel, bool greeted = false);

  /// The reply to one request after the handshake: Upload -> Uploaded, Run -> RunReply,
  /// Remove -> Removed, RunModel -> ModelReply (RunModel.h). A request that cannot be carried
  /// out (unknown module, bad dtype, disk full) gets an Error reply; ProtocolError propagates
  /// for malformed or unexpected messages.
  Frame handle(const Frame &request);

  /// Runs one request: loads the modules, prepares inputs (cached per argument list and seed),
  /// the reference output (cached per reference module, kernel, arguments and seed), makes the
  /// checked run, compares, then times (TimeKernel.h). Kernel failures are results (status
  /// RuntimeDevice, WrongAnswer); UserError for requests that make no sense.
  RunResult run(const RunRequest &req);

  const InfoMessage &info() const { return info_; }
  /// The private directory holding uploaded modules.
  const std::string &dir() const { return dir_; }

 private:
  struct Module;
  struct Reference;
  struct Args;

  Frame upload(const UploadMessage &m);
  int remove_module(const std::string &name);
  /// The kernel `kernel` of uploaded module `name`; false with a message when it can't be loaded.
  bool find_kernel(const std::string &name, const std::string &kernel, runtime::KernelFunction *fn,
                   std::string *error);
  Args make_args(const RunRequest &req, const std::vector<ElemType> &types,
                 const std::vector<int64_t> &bytes);
  /// The reference's outputs for `req` (computed once); nullptr with a message on failure.
  const Reference *reference_for(const RunRequest &req, const std::vector<ElemType> &types,
                                 const std::vector<int64_t> &bytes, MeasureStatus *status,
                                 std::string *error);

  WorkerOptions opt_;
  InfoMessage info_;
  std::string dir_;
  std::map<std::string, std::unique_ptr<Module>> modules_;
  /// Inputs of the last argument list and seed (one entry: a tuning batch shares them).
  std::string inputs_key_;
  std::vector<AlignedBuffer> inputs_;
  std::map<std::string, std::unique_ptr<Reference>> references_;
  uint64_t use_clock_ = 0;
  /// Whole-model runs (RunModel requests), made on the first one.
  std::unique_ptr<ModelRuns> model_runs_;
};

}  // namespace autotune::measure

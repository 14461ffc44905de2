// Local and TCP runners over one session logic: handshake, cached uploads, the run request,
// and the classification of a lost worker (crash -> RuntimeDevice, timeout -> RunTimeout).
#include "measure/Runner.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "measure/Session.h"
#include "measure/worker/Client.h"
#include "measure/worker/ScratchDir.h"
#include "measure/worker/TcpChannel.h"
#include "measure/worker/WorkerProcess.h"

namespace autotune::measure {

namespace fs = std::filesystem;

namespace {

using detail::SessionRunner;
using detail::TcpTransport;
using detail::Transport;

/// A worker child process; each incarnation keeps its modules under one host-owned directory,
/// which is emptied whenever an incarnation is replaced (a killed worker cannot clean up).
class ProcessTransport final : public Transport {
 public:
  ProcessTransport(std::string bin, int num_threads)
      : bin_(std::move(bin)),
        threads_(num_threads),
        dir_(make_scratch_dir("", "autotune-runner")) {}
  ~ProcessTransport() override {
    proc_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  Channel &open() override {
    if (proc_ && proc_->running()) return proc_->channel();
    proc_.reset();
    clear_dir();
    proc_ = std::make_unique<WorkerProcess>(std::vector<std::string>{
        bin_, "server", "--stdio", "--threads", std::to_string(threads_), "--work-dir", dir_});
    ++started_;
    return proc_->channel();
  }
  bool alive() override { return proc_ && proc_->running(); }
  std::string lost() override {
    std::string how = proc_ ? proc_->reap(2.0) : "worker is gone";
    proc_.reset();
    return how;
  }
  void abort() override { proc_.reset(); }  // the destructor SIGKILLs and reaps
  void close() override {
    if (proc_) proc_->reap(1.0);  // it exits by itself after Shutdown
    proc_.reset();
  }

  int pid() const { return proc_ ? proc_->pid() : 0; }
  int started() const { return started_; }

 private:
  void clear_dir() {
    std::error_code ec;
    for (const auto &entry : fs::directory_iterator(dir_, ec)) fs::remove_all(entry.path(), ec);
  }

  std::string bin_;
  int threads_;
  std::string dir_;
  std::unique_ptr<WorkerProcess> proc_;
  int started_ = 0;
};

bool is_executable(const std::string &path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0;
}

}  // namespace

std::string find_rpc_bin(const std::string &explicit_path) {
  if (!explicit_path.empty()) {
    user_check(is_executable(explicit_path))
        << "the measurement worker '" << explicit_path << "' is not an executable file";
    return explicit_path;
  }
  if (const char *env = std::getenv("AUTOTUNE_RPC_BIN"); env && *env) {
    user_check(is_executable(env))
        << "AUTOTUNE_RPC_BIN names '" << env << "', which is not an executable file";
    return env;
  }
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  std::string next_to_self = ec ? "" : (self.parent_path() / "autotune-rpc").string();
  if (!next_to_self.empty() && is_executable(next_to_self)) return next_to_self;
  user_error << "cannot find the measurement worker program autotune-rpc (looked at "
             << (next_to_self.empty() ? "the directory of this program" : "'" + next_to_self + "'")
             << "); set AUTOTUNE_RPC_BIN to its path";
  return "";
}

// ---- LocalRunner --------------------------------------------------------------------------------

struct LocalRunner::Impl {
  std::string bin;
  ProcessTransport transport;
  SessionRunner session;
  Impl(const LocalRunnerOptions &opt, std::string bin_path)
      : bin(std::move(bin_path)),
        transport(bin, opt.num_threads),
        session(transport, "autotune LocalRunner", "", opt.upload_timeout_s) {}
};

LocalRunner::LocalRunner(LocalRunnerOptions opt)
    : impl_(std::make_unique<Impl>(opt, find_rpc_bin(opt.rpc_bin))) {}

LocalRunner::~LocalRunner() = default;

std::vector<RunResult> LocalRunner::run(const std::vector<RunInput> &inputs) {
  return impl_->session.run(inputs);
}

InfoMessage LocalRunner::device_info() { return impl_->session.device_info(); }
int LocalRunner::worker_pid() const { return impl_->transport.pid(); }
int LocalRunner::workers_started() const { return impl_->transport.started(); }
const std::string &LocalRunner::rpc_bin() const { return impl_->bin; }

// ---- RpcRunner ----------------------------------------------------------------------------------

struct RpcRunner::Impl {
  TcpTransport transport;
  SessionRunner session;
  Impl(std::string host, uint16_t port, std::string token, double connect_timeout_s)
      : transport(std::move(host), port, connect_timeout_s),
        session(transport, "autotune RpcRunner", std::move(token), 60) {}
};

RpcRunner::RpcRunner(std::string host, uint16_t port, std::string token, double connect_timeout_s)
    : impl_(std::make_unique<Impl>(std::move(host), port, std::move(token), connect_timeout_s)) {}

RpcRunner::~RpcRunner() = default;

std::vector<RunResult> RpcRunner::run(const std::vector<RunInput> &inputs) {
  return impl_->session.run(inputs);
}

InfoMessage RpcRunner::device_info() { return impl_->session.device_info(); }

}  // namespace autotune::measure

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

#include "measure/worker/Client.h"
#include "measure/worker/ScratchDir.h"
#include "measure/worker/TcpChannel.h"
#include "measure/worker/WorkerProcess.h"

namespace autotune::measure {

namespace fs = std::filesystem;

namespace {

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string format_seconds(double s) {
  std::ostringstream os;
  os << s;
  return os.str();
}

/// How a session reaches its worker.
class Transport {
 public:
  virtual ~Transport() = default;
  /// Starts the worker or connects; UserError when that is impossible.
  virtual Channel &open() = 0;
  /// False once the worker is known to be gone (checked before each request, so that a worker
  /// that died between requests is replaced without blaming the next candidate).
  virtual bool alive() = 0;
  /// After the stream broke: forgets the worker and says what became of it.
  virtual std::string lost() = 0;
  /// After a timeout or protocol error: kills the worker or drops the connection.
  virtual void abort() = 0;
  /// Ends the session politely (after Shutdown was sent).
  virtual void close() = 0;
};

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

class TcpTransport final : public Transport {
 public:
  TcpTransport(std::string host, uint16_t port, double connect_timeout_s)
      : host_(std::move(host)), port_(port), connect_timeout_s_(connect_timeout_s) {}

  Channel &open() override {
    if (channel_) return *channel_;
    try {
      channel_ = TcpChannel::connect(host_, port_, connect_timeout_s_);
    } catch (const ChannelError &e) {
      user_error << "cannot reach the measurement server: " << e.what();
    }
    return *channel_;
  }
  bool alive() override { return channel_ != nullptr; }
  std::string lost() override {
    channel_.reset();
    return "connection to the server " + host_ + ":" + std::to_string(port_) + " was lost";
  }
  void abort() override { channel_.reset(); }
  void close() override { channel_.reset(); }

 private:
  std::string host_;
  uint16_t port_;
  double connect_timeout_s_;
  std::unique_ptr<TcpChannel> channel_;
};

/// The measuring logic shared by both runners.
class SessionRunner {
 public:
  SessionRunner(Transport &transport, std::string client_name, std::string token,
                double upload_timeout_s)
      : transport_(transport),
        client_name_(std::move(client_name)),
        token_(std::move(token)),
        upload_timeout_s_(upload_timeout_s) {}

  ~SessionRunner() {
    if (!client_) return;
    try {
      client_->shutdown(ShutdownMessage{}, deadline_after(1));
    } catch (const std::exception &) {
    }
    transport_.close();
  }

  std::vector<RunResult> run(const std::vector<RunInput> &inputs) {
    std::vector<RunResult> results;
    std::set<std::string> candidates, references;
    for (const RunInput &in : inputs) {
      if (!in.reference_so.empty()) references.insert(in.reference_so);
    }
    for (const RunInput &in : inputs) {
      results.push_back(run_one(in));
      if (!references.count(in.so_path)) candidates.insert(in.so_path);
    }
    remove_uploads(candidates);
    return results;
  }

  InfoMessage device_info() {
    ensure_session();
    return info_;
  }

 private:
  struct Upload {
    std::string name;
    int64_t size = 0, mtime_ns = 0;
  };

  void ensure_session() {
    if (client_ && transport_.alive()) return;
    if (client_) drop_session(transport_.lost());  // gone between requests: replace silently
    Channel &channel = transport_.open();
    client_ = std::make_unique<WorkerClient>(channel);
    try {
      info_ = client_->hello({client_name_, token_}, deadline_after(30));
    } catch (const std::exception &e) {
      std::string how;
      const auto *ce = dynamic_cast<const ChannelError *>(&e);
      if (ce && ce->kind() == ChannelError::Kind::Closed) {
        how = " (" + transport_.lost() + ")";
      } else {
        transport_.abort();
      }
      client_.reset();
      uploads_.clear();
      user_error << "the measurement worker did not start a session: " << e.what() << how;
    }
  }

  /// Forgets the session after its worker is gone (`how` is for nobody: callers report it).
  void drop_session(const std::string & /*how*/) {
    client_.reset();
    uploads_.clear();
  }

  /// The worker-side name of the shared object at `path`, uploading it when this worker has
  /// not got the current version. UserError when the file cannot be read.
  std::string upload(const std::string &path) {
    struct stat st;
    user_check(stat(path.c_str(), &st) == 0)
        << "cannot read the kernel library '" << path << "': " << std::strerror(errno);
    int64_t mtime_ns = int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    auto it = uploads_.find(path);
    if (it != uploads_.end() && it->second.size == st.st_size && it->second.mtime_ns == mtime_ns) {
      return it->second.name;
    }
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    user_check(in.good() || in.eof()) << "cannot read the kernel library '" << path << "'";
    std::string base = fs::path(path).filename().string();
    std::string name = std::to_string(next_name_++) + "-";
    for (char c : base.substr(0, 120)) {
      bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
      name += ok ? c : '_';
    }
    client_->upload({name, std::move(bytes)}, deadline_after(upload_timeout_s_));
    uploads_[path] = {name, st.st_size, mtime_ns};
    return name;
  }

  void remove_uploads(const std::set<std::string> &paths) {
    if (!client_) return;
    RemoveMessage m;
    for (const std::string &p : paths) {
      auto it = uploads_.find(p);
      if (it == uploads_.end()) continue;
      m.names.push_back(it->second.name);
      uploads_.erase(it);
    }
    if (m.names.empty()) return;
    try {
      client_->remove(m, deadline_after(upload_timeout_s_));
    } catch (const std::exception &) {
      transport_.abort();
      drop_session("");
    }
  }

  RunResult run_one(const RunInput &in) {
    auto start = Clock::now();
    RunResult r;
    auto finish = [&](MeasureStatus status, std::string error) {
      r = RunResult();
      r.status = status;
      r.error = std::move(error);
      r.run_s = seconds_since(start);
      return r;
    };

    RunRequest req;
    req.kernel = in.kernel_name;
    req.reference_kernel = in.reference_kernel;
    req.timing = in.timing;
    req.rtol = in.rtol;
    req.atol = in.atol;
    req.seed = in.seed;
    try {
      for (const ArgSpec &a : in.args) req.args.push_back(to_buffer_spec(a));
    } catch (const UserError &e) {
      return finish(MeasureStatus::Unknown, e.what());
    }

    ensure_session();  // UserError when no worker can be had: a setup problem, not the candidate's
    bool running = false;
    try {
      try {
        req.module = upload(in.so_path);
        if (!in.reference_so.empty()) req.reference_module = upload(in.reference_so);
      } catch (const UserError &e) {
        return finish(MeasureStatus::Unknown, e.what());
      }
      running = true;
      r = client_->run(req, deadline_after(in.timing.timeout_s));
      r.run_s = seconds_since(start);
      return r;
    } catch (const ChannelError &e) {
      if (e.kind() == ChannelError::Kind::Timeout) {
        transport_.abort();
        drop_session("");
        if (!running) return finish(MeasureStatus::Unknown, std::string("upload: ") + e.what());
        return finish(MeasureStatus::RunTimeout,
                      "run exceeded the timeout of " + format_seconds(in.timing.timeout_s) +
                          " s; the worker was killed and is restarted for the next trial");
      }
      std::string how = transport_.lost();
      drop_session(how);
      return finish(
          MeasureStatus::RuntimeDevice,
          how + (running ? " while running kernel '" + in.kernel_name + "'" : " during an upload"));
    } catch (const RemoteError &e) {
      return finish(MeasureStatus::Unknown,
                    std::string("the worker refused the request: ") + e.what());
    } catch (const ProtocolError &e) {
      transport_.abort();
      drop_session("");
      return finish(MeasureStatus::Unknown, std::string("protocol error: ") + e.what());
    }
  }

  Transport &transport_;
  std::string client_name_, token_;
  double upload_timeout_s_;
  std::unique_ptr<WorkerClient> client_;
  InfoMessage info_;
  std::map<std::string, Upload> uploads_;  ///< by local path, for the current worker
  uint64_t next_name_ = 0;
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

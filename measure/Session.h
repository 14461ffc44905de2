// One measurement session with one worker, over any transport: the handshake, cached uploads,
// run requests and the classification of failures. Shared by the runners of Runner.h and
// TrackerRunner.h; not a public interface.
#pragma once

#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "ir/support/Error.h"
#include "measure/MeasureTypes.h"
#include "measure/worker/Client.h"
#include "measure/worker/TcpChannel.h"

namespace autotune::measure::detail {

inline double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

inline std::string format_seconds(double s) {
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
  /// True for a worker on another machine: losing it, or getting no answer well past a run's
  /// timeout, is the machine's failure (the trial is retried elsewhere), not the candidate's.
  /// A local worker process that dies was killed by the candidate.
  virtual bool remote() const { return false; }
  /// Seconds to wait for a run's reply beyond its timeout_s (the network, the server's own
  /// timeout handling).
  virtual double reply_slack_s() const { return 0; }
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
  bool remote() const override { return true; }
  double reply_slack_s() const override { return 30; }
  std::string address() const { return host_ + ":" + std::to_string(port_); }

 private:
  std::string host_;
  uint16_t port_;
  double connect_timeout_s_;
  std::unique_ptr<TcpChannel> channel_;
};

/// The measuring logic shared by the runners: one session with one worker.
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
    for (const RunInput &in : inputs) results.push_back(run_one(in));
    forget_candidates(inputs);
    return results;
  }

  /// Removes the candidates of `inputs` (not their references) from the worker.
  void forget_candidates(const std::vector<RunInput> &inputs) {
    std::set<std::string> candidates, references;
    for (const RunInput &in : inputs) {
      if (!in.reference_so.empty()) references.insert(in.reference_so);
    }
    for (const RunInput &in : inputs) {
      if (!references.count(in.so_path)) candidates.insert(in.so_path);
    }
    remove_uploads(candidates);
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
    std::string base = std::filesystem::path(path).filename().string();
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

 public:
  /// Measures one input. `lost` (optional) is set when a remote worker's machine failed (the
  /// connection broke or went silent, or no session could be had): the result then describes
  /// that failure, and the trial deserves another machine. Without `lost`, failing to get a
  /// session throws UserError.
  RunResult run_one(const RunInput &in, bool *lost = nullptr) {
    if (lost) *lost = false;
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

    if (lost) {
      try {
        ensure_session();
      } catch (const UserError &e) {
        *lost = true;
        return finish(MeasureStatus::RuntimeDevice, e.what());
      }
    } else {
      ensure_session();  // UserError when no worker can be had: a setup problem
    }
    bool running = false;
    try {
      try {
        req.module = upload(in.so_path);
        if (!in.reference_so.empty()) req.reference_module = upload(in.reference_so);
      } catch (const UserError &e) {
        return finish(MeasureStatus::Unknown, e.what());
      }
      running = true;
      r = client_->run(req, deadline_after(in.timing.timeout_s + transport_.reply_slack_s()));
      r.run_s = seconds_since(start);
      return r;
    } catch (const ChannelError &e) {
      if (lost && transport_.remote()) *lost = true;
      if (e.kind() == ChannelError::Kind::Timeout) {
        transport_.abort();
        drop_session("");
        if (!running) return finish(MeasureStatus::Unknown, std::string("upload: ") + e.what());
        return finish(MeasureStatus::RunTimeout,
                      transport_.remote()
                          ? "the server sent no reply within " +
                                format_seconds(in.timing.timeout_s + transport_.reply_slack_s()) +
                                " s; the connection was dropped"
                          : "run exceeded the timeout of " + format_seconds(in.timing.timeout_s) +
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

 private:
  Transport &transport_;
  std::string client_name_, token_;
  double upload_timeout_s_;
  std::unique_ptr<WorkerClient> client_;
  InfoMessage info_;
  std::map<std::string, Upload> uploads_;  ///< by local path, for the current worker
  uint64_t next_name_ = 0;
};

}  // namespace autotune::measure::detail

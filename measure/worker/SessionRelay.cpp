// Relaying a session to child worker processes, replacing a child that died or hung.
#include "measure/worker/SessionRelay.h"

#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "measure/worker/Handshake.h"
#include "measure/worker/Protocol.h"
#include "measure/worker/ScratchDir.h"
#include "measure/worker/WorkerProcess.h"

namespace autotune::measure {
namespace {

namespace fs = std::filesystem;

std::string seconds_text(double s) {
  std::ostringstream os;
  os << s;
  return os.str();
}

/// Seconds the request may take on the worker: a Run's timing.timeout_s, any other request's
/// top-level "timeout_s", else a generous default for uploads and removals.
double request_timeout_s(const Frame &f) {
  nlohmann::json j = nlohmann::json::parse(f.meta, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return 600;
  const nlohmann::json *t = nullptr;
  if (f.type == MessageType::Run && j.contains("timing") && j["timing"].is_object()) {
    t = &j["timing"]["timeout_s"];
  } else if (j.contains("timeout_s")) {
    t = &j["timeout_s"];
  }
  if (t && t->is_number() && t->get<double>() > 0) return t->get<double>();
  return 600;
}

class Relay {
 public:
  Relay(Channel &client, const RelayOptions &opt)
      : client_(client), opt_(opt), dir_(make_scratch_dir(opt.work_dir, "autotune-session")) {}
  ~Relay() {
    child_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  bool serve() {
    while (true) {
      std::optional<Frame> request;
      try {
        request = client_.receive();
      } catch (const ProtocolError &e) {
        reject_connection(client_, e.what());
        return false;
      }
      if (!request) return false;
      if (request->type == MessageType::Shutdown) {
        try {
          return from_frame<ShutdownMessage>(*request).stop_server;
        } catch (const ProtocolError &e) {
          reject_connection(client_, e.what());
          return false;
        }
      }
      if (request->type == MessageType::Hello) {
        reject_connection(client_, "Hello is only valid as the first message of a session");
        return false;
      }
      client_.send(forward(*request), deadline_after(60));
    }
  }

 private:
  /// The child's reply to `request`, or the reply that stands for it when the child fails.
  Frame forward(const Frame &request) {
    std::string what = message_type_name(request.type);
    std::string kernel;
    if (request.type == MessageType::Run) {
      try {
        kernel = from_frame<RunRequest>(request).kernel;
      } catch (const ProtocolError &) {
      }
    }
    double timeout_s = request_timeout_s(request);
    try {
      ensure_child();
    } catch (const std::exception &e) {
      child_.reset();
      return to_frame(ErrorMessage{std::string("cannot start a worker process: ") + e.what()});
    }
    try {
      child_->channel().send(request, deadline_after(60));
      std::optional<Frame> reply = child_->channel().receive(deadline_after(timeout_s + opt_.grace_s));
      if (!reply) throw ChannelError(ChannelError::Kind::Closed, "closed");
      remember(request, *reply);
      return std::move(*reply);
    } catch (const ChannelError &e) {
      bool timeout = e.kind() == ChannelError::Kind::Timeout;
      std::string how = timeout ? "" : child_->reap(2.0);
      child_.reset();
      if (timeout) {
        rpc_log(what + " exceeded " + seconds_text(timeout_s) + " s; killed the worker process");
      } else {
        rpc_log(what + ": " + how);
      }
      if (request.type == MessageType::Run) {
        RunResult r;
        r.status = timeout ? MeasureStatus::RunTimeout : MeasureStatus::RuntimeDevice;
        r.error = timeout ? "run exceeded its timeout of " + seconds_text(timeout_s) +
                                " s on the server; the worker process was killed"
                          : how + " while running kernel '" + kernel + "'";
        return to_frame(r);
      }
      return to_frame(ErrorMessage{timeout ? what + " exceeded its timeout of " +
                                                 seconds_text(timeout_s) +
                                                 " s; the worker process was killed"
                                           : how + " during " + what});
    } catch (const ProtocolError &e) {
      child_.reset();
      return to_frame(ErrorMessage{std::string("the worker process sent a malformed reply: ") +
                                   e.what()});
    }
  }

  /// Keeps the session's uploads so that a replacement child gets them too.
  void remember(const Frame &request, const Frame &reply) {
    if (request.type == MessageType::Upload && reply.type == MessageType::Uploaded) {
      uploads_[from_frame<UploadMessage>(request).name] = request;
    } else if (request.type == MessageType::Remove) {
      for (const std::string &name : from_frame<RemoveMessage>(request).names) uploads_.erase(name);
    }
  }

  void ensure_child() {
    if (child_ && child_->running()) return;
    child_.reset();
    std::vector<std::string> argv = opt_.child_command;
    for (const char *a : {"server", "--stdio", "--threads"}) argv.push_back(a);
    argv.push_back(std::to_string(opt_.num_threads));
    argv.push_back("--work-dir");
    argv.push_back(dir_);
    child_ = std::make_unique<WorkerProcess>(argv);
    Channel &ch = child_->channel();
    ch.send(to_frame(HelloMessage{"autotune-rpc session relay", ""}), deadline_after(60));
    std::optional<Frame> info = ch.receive(deadline_after(60));
    if (!info) throw ChannelError(ChannelError::Kind::Closed, child_->reap(2.0) + " at start");
    from_frame<InfoMessage>(*info);
    for (const auto &[name, upload] : uploads_) {  // replay the session's modules
      ch.send(upload, deadline_after(60));
      std::optional<Frame> r = ch.receive(deadline_after(60));
      if (!r || r->type != MessageType::Uploaded) {
        throw ChannelError(ChannelError::Kind::Io, "replaying upload '" + name + "' failed");
      }
    }
  }

  Channel &client_;
  const RelayOptions &opt_;
  std::string dir_;
  std::unique_ptr<WorkerProcess> child_;
  std::map<std::string, Frame> uploads_;
};

}  // namespace

bool relay_session(Channel &client, const RelayOptions &opt) {
  Relay relay(client, opt);
  return relay.serve();
}

}  // namespace autotune::measure

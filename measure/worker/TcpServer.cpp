// The measurement server: handshakes in parallel, sessions one at a time, optionally isolated
// in child processes and registered with a tracker.
#include "measure/worker/TcpServer.h"

#include <condition_variable>
#include <mutex>

#include "measure/worker/Handshake.h"
#include "measure/worker/Listener.h"
#include "measure/worker/SessionRelay.h"
#include "measure/worker/TrackerRegistration.h"

namespace autotune::measure {

struct TcpServer::Impl {
  ServerOptions opt;
  std::unique_ptr<Listener> listener;
  InfoMessage info;
  std::mutex mu;
  std::condition_variable cv;
  bool in_session = false;
  int64_t sessions = 0;
  std::unique_ptr<TrackerRegistration> registration;

  HeartbeatMessage state() {
    std::lock_guard<std::mutex> lk(mu);
    return HeartbeatMessage{in_session, sessions};
  }
  void set_busy(bool busy) {
    {
      std::lock_guard<std::mutex> lk(mu);
      in_session = busy;
      if (!busy) ++sessions;
    }
    cv.notify_all();
    if (registration) registration->notify();
  }

  void serve_connection(TcpChannel &channel) {
    std::optional<HelloMessage> hello =
        accept_hello(channel, opt.worker.token, info, deadline_after(opt.handshake_s));
    if (!hello) return;
    {
      std::unique_lock<std::mutex> lk(mu);
      cv.wait(lk, [&] { return !in_session || listener->stopping(); });
      if (listener->stopping()) return;
    }
    set_busy(true);
    bool stop_server = false;
    try {
      if (opt.child_command.empty()) {
        Worker worker(opt.worker);
        stop_server = worker.serve(channel, /*greeted=*/true);
      } else {
        RelayOptions ro;
        ro.child_command = opt.child_command;
        ro.num_threads = opt.worker.num_threads;
        ro.work_dir = opt.worker.work_dir;
        stop_server = relay_session(channel, ro);
      }
    } catch (const std::exception &e) {
      rpc_log("session with " + channel.peer() + " failed: " + e.what());
    }
    set_busy(false);
    if (stop_server) {
      rpc_log("stopping at the request of " + hello->client + " (" + channel.peer() + ")");
      listener->stop();
      cv.notify_all();
    }
  }
};

TcpServer::TcpServer(const std::string &host, uint16_t port, WorkerOptions opt)
    : TcpServer(host, port, [&opt] {
        ServerOptions s;
        s.worker = std::move(opt);
        return s;
      }()) {}

TcpServer::TcpServer(const std::string &host, uint16_t port, ServerOptions opt)
    : impl_(std::make_unique<Impl>()) {
  impl_->opt = std::move(opt);
  impl_->info = describe_host(impl_->opt.worker.num_threads);
  impl_->listener =
      std::make_unique<Listener>(host, port, !impl_->opt.worker.token.empty(), "the server");
}

TcpServer::~TcpServer() {
  impl_->registration.reset();
  impl_->listener.reset();
}

uint16_t TcpServer::port() const { return impl_->listener->port(); }
const std::string &TcpServer::host() const { return impl_->listener->host(); }

int64_t TcpServer::sessions() const {
  std::lock_guard<std::mutex> lk(impl_->mu);
  return impl_->sessions;
}

void TcpServer::run() {
  Impl *s = impl_.get();
  if (!s->opt.tracker_host.empty()) {
    RegistrationOptions ro;
    ro.tracker_host = s->opt.tracker_host;
    ro.tracker_port = s->opt.tracker_port;
    ro.token = s->opt.worker.token;
    ro.key = s->opt.key;
    const std::string &h = s->listener->host();
    ro.host = !s->opt.advertise_host.empty() ? s->opt.advertise_host
              : (h == "0.0.0.0" || h == "::" || h.empty()) ? std::string()
                                                           : h;
    ro.port = s->listener->port();
    ro.info = s->info;
    s->registration =
        std::make_unique<TrackerRegistration>(ro, [s] { return s->state(); });
  }
  s->listener->run([s](TcpChannel &channel) { s->serve_connection(channel); });
  s->registration.reset();  // unregister
}

void TcpServer::stop() {
  impl_->listener->stop();
  impl_->cv.notify_all();
}

}  // namespace autotune::measure

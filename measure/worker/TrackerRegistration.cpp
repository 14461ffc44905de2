// The registration thread: connect, Hello, Register, heartbeats; reconnect with back-off.
#include "measure/worker/TrackerRegistration.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "measure/worker/Client.h"
#include "measure/worker/Handshake.h"
#include "measure/worker/TcpChannel.h"

namespace autotune::measure {

struct TrackerRegistration::Impl {
  RegistrationOptions opt;
  std::function<HeartbeatMessage()> state;
  mutable std::mutex mu;
  std::condition_variable cv;
  bool stopping = false, poke = false, registered = false;
  TcpChannel *channel = nullptr;
  std::thread thread;

  std::string tracker() const {
    return opt.tracker_host + ":" + std::to_string(opt.tracker_port);
  }

  /// One connection's life: returns when it fails (throws) or on stop.
  void session(bool *was_registered) {
    std::unique_ptr<TcpChannel> ch = TcpChannel::connect(opt.tracker_host, opt.tracker_port, 10);
    {
      std::lock_guard<std::mutex> lk(mu);
      if (stopping) return;
      channel = ch.get();
    }
    struct Clear {
      Impl *s;
      ~Clear() {
        std::lock_guard<std::mutex> lk(s->mu);
        s->channel = nullptr;
        s->registered = false;
      }
    } clear{this};
    RegisterMessage reg;
    reg.key = opt.key;
    reg.host = opt.host.empty() ? ch->local_address() : opt.host;
    reg.port = opt.port;
    reg.info = opt.info;
    RegisteredMessage ok;
    try {
      call_remote<InfoMessage>(*ch, HelloMessage{"autotune-rpc server", opt.token},
                               deadline_after(30));
      ok = call_remote<RegisteredMessage>(*ch, reg, deadline_after(30));
    } catch (const RemoteError &e) {
      throw ProtocolError(std::string("the tracker refused: ") + e.what());
    }
    rpc_log("registered with the tracker " + tracker() + " as server #" + std::to_string(ok.id) +
            " (key " + opt.key + ", " + reg.host + ":" + std::to_string(reg.port) + ")");
    {
      std::lock_guard<std::mutex> lk(mu);
      registered = true;
    }
    *was_registered = true;
    while (true) {
      ch->send(to_frame(state()), deadline_after(30));
      std::unique_lock<std::mutex> lk(mu);
      cv.wait_for(lk, std::chrono::duration<double>(ok.heartbeat_s),
                  [&] { return stopping || poke; });
      poke = false;
      if (stopping) {
        lk.unlock();
        ch->send(to_frame(ShutdownMessage{}), deadline_after(2));  // unregister
        return;
      }
    }
  }

  void loop() {
    double backoff = 0.5;
    bool reported = false;
    while (true) {
      bool was_registered = false;
      try {
        session(&was_registered);
        return;  // stopped
      } catch (const std::exception &e) {
        {
          std::lock_guard<std::mutex> lk(mu);
          if (stopping) return;
        }
        if (was_registered) {  // lost a working registration: start over quickly, and say so
          backoff = 0.5;
          reported = false;
        }
        if (!reported) {
          rpc_log("tracker " + tracker() + ": " + e.what() + "; retrying with back-off");
          reported = true;
        }
      }
      std::unique_lock<std::mutex> lk(mu);
      cv.wait_for(lk, std::chrono::duration<double>(backoff), [&] { return stopping; });
      if (stopping) return;
      backoff = std::min(backoff * 2, opt.max_backoff_s);
    }
  }
};

TrackerRegistration::TrackerRegistration(RegistrationOptions opt,
                                         std::function<HeartbeatMessage()> state)
    : impl_(std::make_unique<Impl>()) {
  impl_->opt = std::move(opt);
  impl_->state = std::move(state);
  impl_->thread = std::thread([s = impl_.get()] { s->loop(); });
}

TrackerRegistration::~TrackerRegistration() {
  {
    std::lock_guard<std::mutex> lk(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  impl_->thread.join();
}

void TrackerRegistration::notify() {
  {
    std::lock_guard<std::mutex> lk(impl_->mu);
    impl_->poke = true;
  }
  impl_->cv.notify_all();
}

bool TrackerRegistration::registered() const {
  std::lock_guard<std::mutex> lk(impl_->mu);
  return impl_->registered;
}

}  // namespace autotune::measure

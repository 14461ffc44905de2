// The tracker: one thread per connection (Listener.h) around one locked registry. A connection
// becomes a server connection with its Register message, or stays a client connection.
#include "measure/worker/Tracker.h"

#include <algorithm>
#include <condition_variable>
#include <list>
#include <map>
#include <mutex>
#include <sstream>

#include "measure/worker/Handshake.h"
#include "measure/worker/Listener.h"
#include "measure/worker/Worker.h"

namespace autotune::measure {

namespace {

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

}  // namespace

struct Tracker::Impl {
  TrackerOptions opt;
  std::unique_ptr<Listener> listener;
  InfoMessage info;
  Clock::time_point started = Clock::now();

  struct Server {
    ServerRecord rec;
    int64_t lease_client = 0;  ///< 0: not leased
    std::string leased_to;
    bool busy = false;  ///< from the server's latest heartbeat
    int64_t sessions = 0;
    Clock::time_point last_heartbeat;
  };
  /// A client's Request waiting for free servers.
  struct Waiter {
    int64_t client = 0;
    std::string client_name;
    std::string key;
    int priority = 0;
    uint64_t seq = 0;
    int max_servers = 1;
    bool served = false;
    std::vector<ServerRecord> got;
  };

  mutable std::mutex mu;
  std::condition_variable cv;
  std::map<int64_t, Server> servers;
  std::list<Waiter *> waiters;
  int64_t next_server_id = 1;
  int64_t next_client_id = 1;
  uint64_t next_seq = 1;

  static bool is_free(const Server &s) { return s.lease_client == 0 && !s.busy; }

  KeyState key_state(const std::string &key) const {
    KeyState st;
    st.key = key;
    for (const auto &[id, s] : servers) {
      if (s.rec.key != key) continue;
      (is_free(s) ? st.free : st.busy)++;
    }
    for (const Waiter *w : waiters) {
      if (w->key == key) ++st.queued;
    }
    return st;
  }

  /// Hands free servers to waiting requests, highest priority first, then oldest first.
  /// Called with mu held whenever a server or a request appears or a lease ends.
  void dispatch() {
    waiters.sort([](const Waiter *a, const Waiter *b) {
      return a->priority != b->priority ? a->priority > b->priority : a->seq < b->seq;
    });
    bool changed = false;
    for (auto it = waiters.begin(); it != waiters.end();) {
      Waiter *w = *it;
      for (auto &[id, s] : servers) {
        if (static_cast<int>(w->got.size()) >= w->max_servers) break;
        if (s.rec.key != w->key || !is_free(s)) continue;
        s.lease_client = w->client;
        s.leased_to = w->client_name;
        w->got.push_back(s.rec);
      }
      if (!w->got.empty()) {
        w->served = true;
        changed = true;
        it = waiters.erase(it);
      } else {
        ++it;
      }
    }
    if (changed) cv.notify_all();
  }

  int release_client(int64_t client, const std::vector<int64_t> *ids) {
    int n = 0;
    for (auto &[id, s] : servers) {
      if (s.lease_client != client) continue;
      if (ids && std::find(ids->begin(), ids->end(), id) == ids->end()) continue;
      s.lease_client = 0;
      s.leased_to.clear();
      ++n;
    }
    if (n) dispatch();
    return n;
  }

  void serve_connection(TcpChannel &channel);
  void serve_server(TcpChannel &channel, const RegisterMessage &reg);
  AssignedMessage handle_request(int64_t client, const std::string &client_name,
                                 const RequestMessage &req);
  SummaryReplyMessage summary() const;
};

SummaryReplyMessage Tracker::Impl::summary() const {
  std::lock_guard<std::mutex> lk(mu);
  SummaryReplyMessage m;
  auto now = Clock::now();
  m.uptime_s = seconds_between(started, now);
  std::map<std::string, bool> keys;
  for (const auto &[id, s] : servers) keys[s.rec.key] = true;
  for (const Waiter *w : waiters) keys[w->key] = true;
  for (const auto &[key, unused] : keys) m.keys.push_back(key_state(key));
  for (const auto &[id, s] : servers) {
    ServerStatus st;
    st.server = s.rec;
    st.leased = s.lease_client != 0;
    st.leased_to = s.leased_to;
    st.busy = s.busy;
    st.sessions = s.sessions;
    st.since_heartbeat_s = seconds_between(s.last_heartbeat, now);
    m.servers.push_back(std::move(st));
  }
  return m;
}

AssignedMessage Tracker::Impl::handle_request(int64_t client, const std::string &client_name,
                                              const RequestMessage &req) {
  Waiter w;
  w.client = client;
  w.client_name = client_name;
  w.key = req.key;
  w.priority = req.priority;
  w.max_servers = req.max_servers;
  std::unique_lock<std::mutex> lk(mu);
  w.seq = next_seq++;
  waiters.push_back(&w);
  dispatch();
  Deadline until = deadline_after(req.wait_s);
  while (!w.served && !listener->stopping()) {
    if (cv.wait_until(lk, std::min(until, deadline_after(0.5))) == std::cv_status::timeout &&
        Clock::now() >= until) {
      break;
    }
  }
  if (!w.served) waiters.remove(&w);
  AssignedMessage reply;
  reply.servers = w.got;
  reply.state = key_state(req.key);
  return reply;
}

void Tracker::Impl::serve_server(TcpChannel &channel, const RegisterMessage &reg) {
  int64_t id;
  {
    std::lock_guard<std::mutex> lk(mu);
    // A server that reconnects (a restarted tracker, a network blip) replaces its old entry.
    for (auto it = servers.begin(); it != servers.end();) {
      bool same = it->second.rec.host == reg.host && it->second.rec.port == reg.port;
      it = same ? servers.erase(it) : std::next(it);
    }
    id = next_server_id++;
    Server s;
    s.rec.id = id;
    s.rec.key = reg.key;
    s.rec.host = reg.host;
    s.rec.port = reg.port;
    s.rec.info = reg.info;
    s.last_heartbeat = Clock::now();
    servers[id] = s;
  }
  std::string who = "server #" + std::to_string(id) + " (key " + reg.key + ", " + reg.host + ":" +
                    std::to_string(reg.port) + ", " + reg.info.triple + ")";
  std::string why = "its connection closed";
  try {
    channel.send(to_frame(RegisteredMessage{id, opt.heartbeat_s}), deadline_after(10));
    rpc_log("registered " + who);
    {
      std::lock_guard<std::mutex> lk(mu);
      dispatch();
    }
    while (true) {
      std::optional<Frame> f = channel.receive(deadline_after(opt.expire_s));
      if (!f) break;
      if (f->type == MessageType::Shutdown) {
        why = "it unregistered";
        break;
      }
      HeartbeatMessage hb = from_frame<HeartbeatMessage>(*f);
      std::lock_guard<std::mutex> lk(mu);
      auto it = servers.find(id);
      if (it == servers.end()) {
        why = "it registered again on another connection";
        break;
      }
      it->second.busy = hb.busy;
      it->second.sessions = hb.sessions;
      it->second.last_heartbeat = Clock::now();
      dispatch();
    }
  } catch (const ChannelError &e) {
    why = e.kind() == ChannelError::Kind::Timeout
              ? "no heartbeat for " + std::to_string(static_cast<int>(opt.expire_s)) + " s"
              : e.what();
  } catch (const ProtocolError &e) {
    reject_connection(channel, e.what());
    why = std::string("protocol error: ") + e.what();
  }
  std::lock_guard<std::mutex> lk(mu);
  servers.erase(id);
  rpc_log("dropped " + who + ": " + why);
}

void Tracker::Impl::serve_connection(TcpChannel &channel) {
  std::optional<HelloMessage> hello =
      accept_hello(channel, opt.token, info, deadline_after(opt.handshake_s));
  if (!hello) return;
  int64_t client;
  {
    std::lock_guard<std::mutex> lk(mu);
    client = next_client_id++;
  }
  std::string client_name = hello->client + " at " + channel.peer();
  try {
    bool first = true, quit = false;
    while (!quit) {
      std::optional<Frame> f = channel.receive();
      if (!f) break;
      if (f->type == MessageType::Register && first) {
        serve_server(channel, from_frame<RegisterMessage>(*f));
        return;
      }
      first = false;
      switch (f->type) {
        case MessageType::Request: {
          RequestMessage req = from_frame<RequestMessage>(*f);
          // The reply first: handle_request may wait up to req.wait_s, and the send deadline
          // must start only after that.
          Frame reply = to_frame(handle_request(client, client_name, req));
          channel.send(reply, deadline_after(10));
          break;
        }
        case MessageType::Release: {
          ReleaseMessage m = from_frame<ReleaseMessage>(*f);
          int n;
          {
            std::lock_guard<std::mutex> lk(mu);
            n = release_client(client, &m.ids);
          }
          channel.send(to_frame(ReleasedMessage{n}), deadline_after(10));
          break;
        }
        case MessageType::Summary:
          from_frame<SummaryMessage>(*f);
          channel.send(to_frame(summary()), deadline_after(10));
          break;
        case MessageType::Shutdown:
          from_frame<ShutdownMessage>(*f);
          quit = true;
          break;
        default:
          throw ProtocolError(std::string("a tracker does not answer ") +
                              message_type_name(f->type) + " messages");
      }
    }
  } catch (const ProtocolError &e) {
    reject_connection(channel, e.what());
  } catch (const ChannelError &e) {
    if (e.kind() != ChannelError::Kind::Closed) rpc_log(channel.peer() + ": " + e.what());
  }
  std::lock_guard<std::mutex> lk(mu);
  release_client(client, nullptr);
}

Tracker::Tracker(const std::string &host, uint16_t port, TrackerOptions opt)
    : impl_(std::make_unique<Impl>()) {
  impl_->opt = std::move(opt);
  impl_->info = describe_host(1);
  impl_->listener =
      std::make_unique<Listener>(host, port, !impl_->opt.token.empty(), "the tracker");
}

Tracker::~Tracker() = default;

uint16_t Tracker::port() const { return impl_->listener->port(); }

void Tracker::run() {
  Impl *s = impl_.get();
  s->listener->run([s](TcpChannel &channel) { s->serve_connection(channel); });
}

void Tracker::stop() {
  impl_->listener->stop();
  std::lock_guard<std::mutex> lk(impl_->mu);
  impl_->cv.notify_all();
}

SummaryReplyMessage Tracker::summary() const { return impl_->summary(); }

}  // namespace autotune::measure

// The accept loop and the bookkeeping of connection threads.
#include "measure/worker/Listener.h"

#include <list>
#include <mutex>
#include <thread>

#include "ir/support/Error.h"
#include "measure/worker/Handshake.h"
#include "measure/worker/detail/TcpChannelImpl.h"

namespace autotune::measure {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

struct Listener::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::string host;
  uint16_t port = 0;
  mutable std::mutex mu;
  bool stopping = false;
  struct Connection {
    std::unique_ptr<TcpChannel> channel;
    std::thread thread;
    bool done = false;
  };
  std::list<Connection> connections;

  /// Joins the threads of finished connections.
  void reap(bool all) {
    std::list<Connection> finished;
    {
      std::lock_guard<std::mutex> lk(mu);
      for (auto it = connections.begin(); it != connections.end();) {
        if (all || it->done) {
          finished.splice(finished.end(), connections, it++);
        } else {
          ++it;
        }
      }
    }
    for (Connection &c : finished) {
      if (c.thread.joinable()) c.thread.join();
    }
  }
};

Listener::Listener(const std::string &host, uint16_t port, bool has_token, const std::string &what)
    : impl_(std::make_unique<Impl>()) {
  impl_->host = host;
  error_code ec;
  tcp::resolver resolver(impl_->io);
  auto endpoints = resolver.resolve(host, std::to_string(port), ec);
  user_check(!ec && !endpoints.empty())
      << "cannot resolve the listen address '" << host << "': " << ec.message();
  tcp::endpoint endpoint = endpoints.begin()->endpoint();
  user_check(endpoint.address().is_loopback() || has_token)
      << what << " listening on '" << host << "' (not a loopback address) requires a token "
      << "(--token or AUTOTUNE_RPC_TOKEN): measurement servers run whatever code they are sent";
  tcp::acceptor &acc = impl_->acceptor;
  acc.open(endpoint.protocol(), ec);
  if (!ec) acc.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acc.bind(endpoint, ec);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  user_check(!ec) << "cannot listen on " << host << ":" << port << ": " << ec.message();
  impl_->port = acc.local_endpoint().port();
}

Listener::~Listener() {
  stop();
  impl_->reap(true);
}

uint16_t Listener::port() const { return impl_->port; }
const std::string &Listener::host() const { return impl_->host; }

bool Listener::stopping() const {
  std::lock_guard<std::mutex> lk(impl_->mu);
  return impl_->stopping;
}

void Listener::run(const Handler &handler) {
  Impl &s = *impl_;
  while (!stopping()) {
    s.reap(false);
    auto channel_impl = std::make_unique<TcpChannel::Impl>();
    error_code ec;
    bool accepted = false;
    s.acceptor.async_accept(channel_impl->socket, [&](const error_code &e) {
      ec = e;
      accepted = true;
    });
    s.io.restart();
    while (!accepted) {
      if (s.io.run_one() == 0) break;
    }
    if (!accepted || ec == asio::error::operation_aborted) break;  // stop() closed the acceptor
    if (ec) {
      rpc_log("accept failed: " + ec.message());
      continue;
    }
    error_code ignored;
    tcp::endpoint remote = channel_impl->socket.remote_endpoint(ignored);
    channel_impl->peer = remote.address().to_string() + ":" + std::to_string(remote.port());
    std::lock_guard<std::mutex> lk(s.mu);
    if (s.stopping) break;
    s.connections.emplace_back();
    Impl::Connection *c = &s.connections.back();
    c->channel = std::make_unique<TcpChannel>(std::move(channel_impl));
    c->thread = std::thread([&s, c, &handler] {
      try {
        handler(*c->channel);
      } catch (const std::exception &e) {
        rpc_log("connection " + c->channel->peer() + " ended: " + e.what());
      }
      std::unique_ptr<TcpChannel> closing;
      {
        std::lock_guard<std::mutex> lk2(s.mu);
        closing = std::move(c->channel);
        c->done = true;
      }
      closing.reset();  // close the socket now, not when the thread is joined
    });
  }
  stop();
  s.reap(true);
}

void Listener::stop() {
  std::lock_guard<std::mutex> lk(impl_->mu);
  if (!impl_->stopping) {
    impl_->stopping = true;
    Impl *s = impl_.get();
    asio::post(s->io, [s] {
      error_code ignored;
      s->acceptor.close(ignored);
    });
  }
  for (Impl::Connection &c : impl_->connections) {
    if (c.channel) c.channel->interrupt();
  }
}

}  // namespace autotune::measure

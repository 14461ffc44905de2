// The TCP accept loop of autotune-rpc: one session at a time, each with a fresh Worker.
#include "measure/worker/TcpServer.h"

#include <unistd.h>

#include <iostream>
#include <mutex>

#include "ir/support/Error.h"
#include "measure/worker/detail/TcpChannelImpl.h"

namespace autotune::measure {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

struct TcpServer::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::string host;
  uint16_t port = 0;
  WorkerOptions opt;
  std::mutex mu;
  bool stopping = false;
  TcpChannel *current = nullptr;  ///< the session in progress, for stop()
};

namespace {

void log_line(const std::string &msg) {
  std::cerr << "autotune-rpc[" << getpid() << "]: " << msg << std::endl;
}

}  // namespace

TcpServer::TcpServer(const std::string &host, uint16_t port, WorkerOptions opt)
    : impl_(std::make_unique<Impl>()) {
  impl_->host = host;
  impl_->opt = std::move(opt);
  error_code ec;
  tcp::resolver resolver(impl_->io);
  auto endpoints = resolver.resolve(host, std::to_string(port), ec);
  user_check(!ec && !endpoints.empty())
      << "cannot resolve the listen address '" << host << "': " << ec.message();
  tcp::endpoint endpoint = endpoints.begin()->endpoint();
  user_check(endpoint.address().is_loopback() || !impl_->opt.token.empty())
      << "listening on '" << host << "' (not a loopback address) requires a token (--token or "
      << "AUTOTUNE_RPC_TOKEN): a measurement server runs whatever code it is sent";
  tcp::acceptor &acc = impl_->acceptor;
  acc.open(endpoint.protocol(), ec);
  if (!ec) acc.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acc.bind(endpoint, ec);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  user_check(!ec) << "cannot listen on " << host << ":" << port << ": " << ec.message();
  impl_->port = acc.local_endpoint().port();
}

TcpServer::~TcpServer() = default;

uint16_t TcpServer::port() const { return impl_->port; }
const std::string &TcpServer::host() const { return impl_->host; }

void TcpServer::run() {
  Impl &s = *impl_;
  while (true) {
    {
      std::lock_guard<std::mutex> lk(s.mu);
      if (s.stopping) return;
    }
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
    if (!accepted || ec == asio::error::operation_aborted) return;  // stop() closed the acceptor
    if (ec) {
      log_line("accept failed: " + ec.message());
      continue;
    }
    error_code ignored;
    tcp::endpoint remote = channel_impl->socket.remote_endpoint(ignored);
    channel_impl->peer = remote.address().to_string() + ":" + std::to_string(remote.port());
    TcpChannel channel(std::move(channel_impl));
    {
      std::lock_guard<std::mutex> lk(s.mu);
      if (s.stopping) return;
      s.current = &channel;
    }
    bool stop_server = false;
    try {
      Worker worker(s.opt);
      stop_server = worker.serve(channel);
    } catch (const std::exception &e) {
      log_line(std::string("session with ") + channel.peer() + " failed: " + e.what());
    }
    {
      std::lock_guard<std::mutex> lk(s.mu);
      s.current = nullptr;
    }
    if (stop_server) return;
  }
}

void TcpServer::stop() {
  std::lock_guard<std::mutex> lk(impl_->mu);
  impl_->stopping = true;
  if (impl_->current) impl_->current->interrupt();
  Impl *s = impl_.get();
  asio::post(s->io, [s] {
    error_code ignored;
    s->acceptor.close(ignored);
  });
}

}  // namespace autotune::measure

// TCP frame channel over Boost.Asio with per-operation deadlines.
#include "measure/worker/TcpChannel.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "measure/worker/detail/TcpChannelImpl.h"

namespace autotune::measure {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

/// Runs `io` until `done` or `deadline`; on the deadline cancels `socket`'s operations, lets
/// their handlers run, and returns false.
bool run_until(asio::io_context &io, tcp::socket &socket, const bool &done, Deadline deadline) {
  io.restart();
  while (!done) {
    if (deadline == no_deadline()) {
      if (io.run_one() == 0 && !done) io.restart();
      continue;
    }
    if (Clock::now() >= deadline) {
      error_code ignored;
      socket.cancel(ignored);
      io.restart();
      while (!done) {
        if (io.run_one() == 0) break;
      }
      return false;
    }
    if (io.run_one_until(deadline) == 0 && !done) io.restart();
  }
  return true;
}

ChannelError to_channel_error(const error_code &ec, const std::string &peer, bool interrupted,
                              const char *what) {
  if (interrupted) return ChannelError(ChannelError::Kind::Closed, peer + ": interrupted");
  if (ec == asio::error::eof || ec == asio::error::connection_reset ||
      ec == asio::error::broken_pipe || ec == asio::error::operation_aborted ||
      ec == asio::error::bad_descriptor) {
    return ChannelError(ChannelError::Kind::Closed, peer + " closed the connection");
  }
  return ChannelError(ChannelError::Kind::Io,
                      std::string(what) + " " + peer + " failed: " + ec.message());
}

}  // namespace

TcpChannel::TcpChannel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
  error_code ignored;
  impl_->socket.set_option(tcp::no_delay(true), ignored);
  // A peer that vanishes without closing (a board losing power, a client machine dying) must
  // not hold a server session or a tracker lease forever: TCP keepalive probes an idle
  // connection after 30 s and reports it dead after 3 unanswered probes 10 s apart.
  impl_->socket.set_option(asio::socket_base::keep_alive(true), ignored);
  int fd = impl_->socket.native_handle();
  int idle = 30, interval = 10, count = 3;
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
}

TcpChannel::~TcpChannel() {
  error_code ignored;
  impl_->socket.close(ignored);
}

std::unique_ptr<TcpChannel> TcpChannel::connect(const std::string &host, uint16_t port,
                                                double timeout_s) {
  auto impl = std::make_unique<Impl>();
  impl->peer = host + ":" + std::to_string(port);
  error_code ec;
  tcp::resolver resolver(impl->io);
  auto endpoints = resolver.resolve(host, std::to_string(port), ec);
  if (ec) {
    throw ChannelError(ChannelError::Kind::Io, "cannot resolve '" + host + "': " + ec.message());
  }
  bool done = false;
  asio::async_connect(impl->socket, endpoints, [&](const error_code &e, const tcp::endpoint &) {
    ec = e;
    done = true;
  });
  if (!run_until(impl->io, impl->socket, done, deadline_after(timeout_s))) {
    throw ChannelError(
        ChannelError::Kind::Timeout,
        "connecting to " + impl->peer + " timed out after " + std::to_string(timeout_s) + " s");
  }
  if (ec) {
    throw ChannelError(ChannelError::Kind::Io,
                       "cannot connect to " + impl->peer + ": " + ec.message());
  }
  return std::make_unique<TcpChannel>(std::move(impl));
}

std::string TcpChannel::peer() const { return impl_->peer; }

std::string TcpChannel::local_address() const {
  boost::system::error_code ec;
  auto endpoint = impl_->socket.local_endpoint(ec);
  return ec ? std::string() : endpoint.address().to_string();
}

void TcpChannel::interrupt() {
  impl_->interrupted = true;
  Impl *impl = impl_.get();
  asio::post(impl->io, [impl] {
    error_code ignored;
    impl->socket.close(ignored);
  });
}

size_t TcpChannel::read_some(void *buf, size_t n, Deadline deadline) {
  if (impl_->interrupted) throw to_channel_error({}, impl_->peer, true, "reading from");
  error_code ec;
  size_t got = 0;
  bool done = false;
  impl_->socket.async_read_some(asio::buffer(buf, n), [&](const error_code &e, size_t k) {
    ec = e;
    got = k;
    done = true;
  });
  if (!run_until(impl_->io, impl_->socket, done, deadline)) {
    throw ChannelError(ChannelError::Kind::Timeout, "timed out waiting for " + impl_->peer);
  }
  if (got > 0) return got;
  if (ec == asio::error::eof && !impl_->interrupted) return 0;
  if (ec || impl_->interrupted)
    throw to_channel_error(ec, impl_->peer, impl_->interrupted, "reading from");
  return 0;
}

void TcpChannel::write_all(const void *buf, size_t n, Deadline deadline) {
  if (impl_->interrupted) throw to_channel_error({}, impl_->peer, true, "writing to");
  error_code ec;
  bool done = false;
  asio::async_write(impl_->socket, asio::buffer(buf, n), [&](const error_code &e, size_t) {
    ec = e;
    done = true;
  });
  if (!run_until(impl_->io, impl_->socket, done, deadline)) {
    throw ChannelError(ChannelError::Kind::Timeout, "timed out writing to " + impl_->peer);
  }
  if (ec || impl_->interrupted)
    throw to_channel_error(ec, impl_->peer, impl_->interrupted, "writing to");
}

}  // namespace autotune::measure

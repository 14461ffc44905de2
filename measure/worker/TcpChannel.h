// Frames over TCP (Boost.Asio): the client side of a connection to `autotune-rpc server --port`,
// and the server side that TcpServer hands to a Worker. Asio stays inside the .cpp files.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "measure/worker/Channel.h"

namespace autotune::measure {

class TcpChannel final : public Channel {
 public:
  /// Connects to `host` (a name or an address) at `port` within `timeout_s` seconds;
  /// ChannelError (Timeout, or Io with the system's message) naming the address on failure.
  static std::unique_ptr<TcpChannel> connect(const std::string &host, uint16_t port,
                                             double timeout_s);
  ~TcpChannel() override;
  TcpChannel(const TcpChannel &) = delete;
  TcpChannel &operator=(const TcpChannel &) = delete;

  std::string peer() const override;
  /// This end's IP address ("127.0.0.1"); empty when the socket is closed.
  std::string local_address() const;
  /// Thread-safe: aborts the operation in progress and every later one (ChannelError::Closed).
  /// The socket is closed by the thread that uses the channel, at its next I/O call.
  void interrupt();

  struct Impl;  ///< defined in measure/worker/detail/TcpChannelImpl.h
  explicit TcpChannel(std::unique_ptr<Impl> impl);

 protected:
  size_t read_some(void *buf, size_t n, Deadline deadline) override;
  void write_all(const void *buf, size_t n, Deadline deadline) override;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace autotune::measure

// A frame channel: sends and receives protocol frames over a byte stream with deadlines. The
// pipe/socket flavour lives here; TcpChannel.h adds TCP through Boost.Asio.
#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

#include "measure/worker/Protocol.h"

namespace autotune::measure {

using Clock = std::chrono::steady_clock;
/// A point in time after which an I/O call gives up; Deadline::max() waits forever.
using Deadline = Clock::time_point;
inline Deadline no_deadline() { return Deadline::max(); }
/// now + seconds (no_deadline() for infinite or absurdly large values).
Deadline deadline_after(double seconds);

/// The byte stream failed: the peer closed it (Closed), a deadline passed (Timeout), or the OS
/// reported an error (Io). The channel is unusable afterwards.
class ChannelError : public std::runtime_error {
 public:
  enum class Kind { Closed, Timeout, Io };
  ChannelError(Kind kind, const std::string &msg) : std::runtime_error(msg), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

/// Sends and receives whole frames. Not thread-safe. After any exception from send or receive
/// the stream is out of sync: close the channel.
class Channel {
 public:
  virtual ~Channel() = default;
  /// Writes `f` completely before `deadline`; ChannelError on failure, ProtocolError when the
  /// frame is over the size limits (nothing is written then).
  void send(const Frame &f, Deadline deadline = no_deadline());
  /// The next frame, or nullopt when the peer closed the stream cleanly between two frames.
  /// ProtocolError for a malformed header (checked before any allocation); ChannelError when
  /// the stream ends inside a frame, the deadline passes, or the OS fails.
  std::optional<Frame> receive(Deadline deadline = no_deadline());
  /// A name for messages ("pipe to pid 123", "127.0.0.1:9190").
  virtual std::string peer() const = 0;

 protected:
  /// Reads between 1 and n bytes, or returns 0 at the end of the stream.
  virtual size_t read_some(void *buf, size_t n, Deadline deadline) = 0;
  virtual void write_all(const void *buf, size_t n, Deadline deadline) = 0;

 private:
  /// Fills buf[0, n); returns the bytes read before the stream ended (n when complete).
  size_t read_exact(void *buf, size_t n, Deadline deadline);
};

/// Frames over file descriptors: a pipe pair (stdio worker) or one connected socket for both
/// directions. The descriptors are switched to non-blocking mode so deadlines hold; writing to
/// a closed pipe raises no SIGPIPE in this process (it becomes ChannelError::Closed).
class FdChannel final : public Channel {
 public:
  /// Takes ownership of the descriptors when `owns` (closed on destruction).
  FdChannel(int read_fd, int write_fd, bool owns, std::string peer);
  ~FdChannel() override;
  FdChannel(const FdChannel &) = delete;
  FdChannel &operator=(const FdChannel &) = delete;
  std::string peer() const override { return peer_; }
  /// Closes the descriptors (when owned); later calls fail with ChannelError::Closed.
  void close();

 protected:
  size_t read_some(void *buf, size_t n, Deadline deadline) override;
  void write_all(const void *buf, size_t n, Deadline deadline) override;

 private:
  int read_fd_, write_fd_;
  bool owns_;
  std::string peer_;
};

}  // namespace autotune::measure

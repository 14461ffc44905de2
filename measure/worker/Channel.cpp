// Frame I/O over byte streams, and the file-descriptor stream (pipes, sockets) with poll()-based
// deadlines.
#include "measure/worker/Channel.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace autotune::measure {
namespace {

/// The data part of a frame grows by at most this much per read, so memory follows the bytes
/// that actually arrived, not the length that the header claims.
constexpr size_t kDataChunkBytes = 1 << 20;

/// Milliseconds until `deadline` for poll(): -1 for none, 0 when it has passed.
int poll_timeout_ms(Deadline deadline) {
  if (deadline == no_deadline()) return -1;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (left.count() <= 0) return 0;
  // Round up so that a wait never ends just before the deadline and spins.
  return static_cast<int>(std::min<int64_t>(left.count() + 1, 1 << 30));
}

/// Waits until `fd` is ready for `events`; ChannelError::Timeout when the deadline passes.
void wait_ready(int fd, short events, Deadline deadline, const std::string &peer) {
  while (true) {
    pollfd p{fd, events, 0};
    int rc = poll(&p, 1, poll_timeout_ms(deadline));
    if (rc > 0) return;  // ready, or an error/hang-up that the next read/write reports
    if (rc == 0) {
      throw ChannelError(ChannelError::Kind::Timeout, "timed out waiting for " + peer);
    }
    if (errno != EINTR) {
      throw ChannelError(ChannelError::Kind::Io,
                         "poll on " + peer + " failed: " + std::strerror(errno));
    }
  }
}

void set_nonblocking(int fd) {
  int flags = fcntl(fd, F_GETFL);
  if (flags >= 0) fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

bool is_socket(int fd) {
  struct stat st;
  return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

/// write() that turns SIGPIPE into EPIPE for this call only: SIGPIPE is blocked in this thread,
/// and one raised by the write is consumed before the old mask returns (the process-wide
/// disposition is left alone, since this is library code).
ssize_t write_no_sigpipe(int fd, const void *buf, size_t n) {
  sigset_t pipe_set, old_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
  sigset_t pending;
  sigpending(&pending);
  bool was_pending = sigismember(&pending, SIGPIPE);
  ssize_t rc = write(fd, buf, n);
  int saved = errno;
  if (rc < 0 && saved == EPIPE && !was_pending) {
    timespec zero{0, 0};
    while (sigtimedwait(&pipe_set, nullptr, &zero) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
  errno = saved;
  return rc;
}

}  // namespace

Deadline deadline_after(double seconds) {
  if (!(seconds < 1e9)) return no_deadline();
  if (seconds < 0) seconds = 0;
  return Clock::now() +
         std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

// ---- Channel ------------------------------------------------------------------------------------

void Channel::send(const Frame &f, Deadline deadline) {
  std::string bytes = encode_frame(f);
  write_all(bytes.data(), bytes.size(), deadline);
}

size_t Channel::read_exact(void *buf, size_t n, Deadline deadline) {
  auto *p = static_cast<char *>(buf);
  size_t got = 0;
  while (got < n) {
    size_t k = read_some(p + got, n - got, deadline);
    if (k == 0) break;
    got += k;
  }
  return got;
}

std::optional<Frame> Channel::receive(Deadline deadline) {
  unsigned char header[kFrameHeaderBytes];
  size_t got = read_exact(header, sizeof(header), deadline);
  if (got == 0) return std::nullopt;
  if (got < sizeof(header)) {
    throw ChannelError(ChannelError::Kind::Closed,
                       peer() + " closed the stream inside a frame header");
  }
  FrameHeader h = decode_frame_header(header);
  Frame f;
  f.type = h.type;
  f.meta.resize(h.meta_bytes);
  if (read_exact(&f.meta[0], h.meta_bytes, deadline) < h.meta_bytes) {
    throw ChannelError(ChannelError::Kind::Closed, peer() + " closed the stream inside a " +
                                                       message_type_name(h.type) + " frame");
  }
  size_t done = 0;
  while (done < h.data_bytes) {
    size_t chunk = std::min<size_t>(kDataChunkBytes, h.data_bytes - done);
    f.data.resize(done + chunk);
    if (read_exact(&f.data[done], chunk, deadline) < chunk) {
      throw ChannelError(ChannelError::Kind::Closed, peer() + " closed the stream inside a " +
                                                         message_type_name(h.type) + " frame");
    }
    done += chunk;
  }
  return f;
}

// ---- FdChannel ----------------------------------------------------------------------------------

FdChannel::FdChannel(int read_fd, int write_fd, bool owns, std::string peer)
    : read_fd_(read_fd), write_fd_(write_fd), owns_(owns), peer_(std::move(peer)) {
  set_nonblocking(read_fd_);
  if (write_fd_ != read_fd_) set_nonblocking(write_fd_);
}

FdChannel::~FdChannel() { close(); }

void FdChannel::close() {
  if (owns_) {
    if (read_fd_ >= 0) ::close(read_fd_);
    if (write_fd_ >= 0 && write_fd_ != read_fd_) ::close(write_fd_);
  }
  read_fd_ = write_fd_ = -1;
}

size_t FdChannel::read_some(void *buf, size_t n, Deadline deadline) {
  if (read_fd_ < 0) throw ChannelError(ChannelError::Kind::Closed, peer_ + " is closed");
  while (true) {
    ssize_t k = ::read(read_fd_, buf, n);
    if (k >= 0) return static_cast<size_t>(k);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      wait_ready(read_fd_, POLLIN, deadline, peer_);
      continue;
    }
    if (errno == ECONNRESET) {
      throw ChannelError(ChannelError::Kind::Closed, peer_ + " reset the connection");
    }
    throw ChannelError(ChannelError::Kind::Io,
                       "reading from " + peer_ + " failed: " + std::strerror(errno));
  }
}

void FdChannel::write_all(const void *buf, size_t n, Deadline deadline) {
  if (write_fd_ < 0) throw ChannelError(ChannelError::Kind::Closed, peer_ + " is closed");
  const bool socket = is_socket(write_fd_);
  const char *p = static_cast<const char *>(buf);
  while (n > 0) {
    ssize_t k = socket ? ::send(write_fd_, p, n, MSG_NOSIGNAL) : write_no_sigpipe(write_fd_, p, n);
    if (k > 0) {
      p += k;
      n -= static_cast<size_t>(k);
      continue;
    }
    if (k < 0 && errno == EINTR) continue;
    if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      wait_ready(write_fd_, POLLOUT, deadline, peer_);
      continue;
    }
    if (k < 0 && (errno == EPIPE || errno == ECONNRESET)) {
      throw ChannelError(ChannelError::Kind::Closed, peer_ + " closed the stream");
    }
    throw ChannelError(ChannelError::Kind::Io,
                       "writing to " + peer_ + " failed: " + std::strerror(errno));
  }
}

}  // namespace autotune::measure

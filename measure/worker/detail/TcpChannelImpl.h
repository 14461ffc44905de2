// The Asio state behind a TcpChannel; shared by TcpChannel.cpp and TcpServer.cpp only.
#pragma once

#include <atomic>
#include <boost/asio.hpp>
#include <string>

#include "measure/worker/TcpChannel.h"

namespace autotune::measure {

/// Each channel owns its io_context, run only by the thread that uses the channel: an operation
/// starts asynchronously and the caller runs the context until it completes or the deadline
/// passes (then the socket is cancelled and the operation reported as timed out).
struct TcpChannel::Impl {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket{io};
  std::string peer;
  std::atomic<bool> interrupted{false};
};

}  // namespace autotune::measure

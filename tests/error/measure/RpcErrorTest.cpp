// Hostile and broken peers of the server and the tracker: garbage bytes, a foreign protocol
// version, an oversized frame, a wrong token, silence. Each is rejected with a logged reason
// (and told so when the connection still works), while a good client's session goes on.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include "measure/worker/TcpChannel.h"
#include "measure/worker/TcpServer.h"
#include "measure/worker/Tracker.h"
#include "measure/worker/TrackerClient.h"
#include "tests/correctness/measure/MeasureTestKernels.h"

namespace autotune::measure {
namespace {

constexpr const char *kToken = "s3cret";

/// Sends raw bytes to 127.0.0.1:port and returns everything the peer sends back until it
/// closes the connection (or 10 s pass).
std::string raw_exchange(uint16_t port, const std::string &bytes) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_GE(fd, 0);
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0);
  EXPECT_EQ(send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL), static_cast<ssize_t>(bytes.size()));
  std::string reply;
  char buf[4096];
  while (true) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    reply.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return reply;
}

/// The message of the Error frame at the start of `reply` ("" when there is none).
std::string error_message(const std::string &reply) {
  if (reply.size() < kFrameHeaderBytes) return "";
  FrameHeader h = decode_frame_header(reinterpret_cast<const unsigned char *>(reply.data()));
  if (h.type != MessageType::Error || reply.size() < kFrameHeaderBytes + h.meta_bytes) return "";
  Frame f;
  f.type = h.type;
  f.meta = reply.substr(kFrameHeaderBytes, h.meta_bytes);
  return from_frame<ErrorMessage>(f).message;
}

std::string hello_frame(const std::string &token, uint16_t version = kProtocolVersion) {
  std::string bytes = encode_frame(to_frame(HelloMessage{"raw test client", token}));
  bytes[4] = static_cast<char>(version & 0xff);
  bytes[5] = static_cast<char>(version >> 8);
  return bytes;
}

/// A header announcing 2 GiB of data, followed by nothing.
std::string oversized_frame() {
  std::string bytes = hello_frame(kToken).substr(0, kFrameHeaderBytes);
  uint32_t huge = 0x80000000u;
  std::memcpy(&bytes[12], &huge, 4);  // data_bytes (little-endian hosts)
  return bytes;
}

struct BadPeer {
  const char *what;
  std::string bytes;
  const char *reason;  ///< in the logged line and in the Error frame sent back
};

std::vector<BadPeer> bad_peers() {
  return {
      {"garbage", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", "bad frame magic"},
      {"wrong version", hello_frame(kToken, 7), "protocol version 7"},
      {"oversized frame", oversized_frame(), "exceeds the limit"},
      {"wrong token", hello_frame("guess"), "wrong token"},
      {"no hello", encode_frame(to_frame(RemoveMessage{{"x"}})), "expected Hello"},
  };
}

/// Sends each bad peer, checks the Error reply and the log line.
void expect_rejections(uint16_t port) {
  for (const BadPeer &p : bad_peers()) {
    testing::internal::CaptureStderr();
    std::string reply = raw_exchange(port, p.bytes);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::string log = testing::internal::GetCapturedStderr();
    EXPECT_NE(error_message(reply).find(p.reason), std::string::npos)
        << p.what << ": the peer was told '" << error_message(reply) << "'";
    EXPECT_NE(log.find("rejected"), std::string::npos) << p.what << ": log: " << log;
    EXPECT_NE(log.find(p.reason), std::string::npos) << p.what << ": log: " << log;
  }
}

TEST(RpcErrorTest, ServerRejectsBadPeersWhileServingAGoodSession) {
  ServerOptions opt;
  opt.worker.token = kToken;
  opt.child_command = {test::rpc_bin()};
  TcpServer server("127.0.0.1", 0, opt);
  std::thread serving([&] { server.run(); });

  // A good session is open (and holds the server) while the bad peers arrive.
  auto good = TcpChannel::connect("127.0.0.1", server.port(), 5);
  good->send(to_frame(HelloMessage{"good client", kToken}));
  std::optional<Frame> info = good->receive(deadline_after(10));
  ASSERT_TRUE(info && info->type == MessageType::Info);

  expect_rejections(server.port());

  // The good session still works, and so does a new one afterwards.
  good->send(to_frame(UploadMessage{"m.so", "not really a library"}));
  std::optional<Frame> up = good->receive(deadline_after(30));
  ASSERT_TRUE(up);
  EXPECT_EQ(up->type, MessageType::Uploaded);
  good->send(to_frame(RemoveMessage{{"m.so"}}));
  std::optional<Frame> rm = good->receive(deadline_after(30));
  ASSERT_TRUE(rm);
  EXPECT_EQ(from_frame<RemovedMessage>(*rm).removed, 1);
  good->send(to_frame(ShutdownMessage{}));
  good.reset();

  auto next = TcpChannel::connect("127.0.0.1", server.port(), 5);
  next->send(to_frame(HelloMessage{"next client", kToken}));
  std::optional<Frame> info2 = next->receive(deadline_after(10));
  ASSERT_TRUE(info2);
  EXPECT_EQ(info2->type, MessageType::Info);
  next.reset();

  server.stop();
  serving.join();
}

TEST(RpcErrorTest, TrackerRejectsBadPeersAndKeepsItsServers) {
  TrackerOptions topt;
  topt.token = kToken;
  Tracker tracker("127.0.0.1", 0, topt);
  std::thread tracking([&] { tracker.run(); });

  ServerOptions sopt;
  sopt.worker.token = kToken;
  sopt.child_command = {test::rpc_bin()};
  sopt.tracker_host = "127.0.0.1";
  sopt.tracker_port = tracker.port();
  sopt.key = "board";
  TcpServer server("127.0.0.1", 0, sopt);
  std::thread serving([&] { server.run(); });
  for (int i = 0; i < 200 && tracker.summary().servers.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(tracker.summary().servers.size(), 1u);

  expect_rejections(tracker.port());

  // A malformed message after a good handshake ends only that connection.
  {
    auto c = TcpChannel::connect("127.0.0.1", tracker.port(), 5);
    c->send(to_frame(HelloMessage{"confused", kToken}));
    ASSERT_EQ(c->receive(deadline_after(10))->type, MessageType::Info);
    Frame bad = to_frame(RequestMessage{"board", 0, 1, 0});
    bad.meta = R"({"key": "board", "priority": 0, "max_servers": -3, "wait_s": 0})";
    testing::internal::CaptureStderr();
    c->send(bad);
    std::optional<Frame> reply = c->receive(deadline_after(10));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::string log = testing::internal::GetCapturedStderr();
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->type, MessageType::Error);
    EXPECT_NE(from_frame<ErrorMessage>(*reply).message.find("max_servers"), std::string::npos);
    EXPECT_NE(log.find("max_servers"), std::string::npos) << log;
  }

  // The registered server is still there and can be leased by a good client.
  TrackerClient client("127.0.0.1", tracker.port(), kToken, "good client");
  EXPECT_EQ(client.request("board", 1, 5).size(), 1u);
  EXPECT_THROW(TrackerClient("127.0.0.1", tracker.port(), "wrong", "bad client"), UserError);

  server.stop();
  serving.join();
  tracker.stop();
  tracking.join();
}

TEST(RpcErrorTest, ASilentPeerIsDroppedAfterTheHandshakeDeadline) {
  ServerOptions opt;
  opt.handshake_s = 0.5;
  opt.child_command = {test::rpc_bin()};
  TcpServer server("127.0.0.1", 0, opt);
  std::thread serving([&] { server.run(); });
  testing::internal::CaptureStderr();
  std::string reply = raw_exchange(server.port(), "");  // connects and says nothing
  std::string log = testing::internal::GetCapturedStderr();
  EXPECT_NE(error_message(reply).find("no Hello"), std::string::npos) << error_message(reply);
  EXPECT_NE(log.find("no Hello"), std::string::npos) << log;
  server.stop();
  serving.join();
}

TEST(RpcErrorTest, NonLoopbackListenersNeedAToken) {
  EXPECT_THROW(Tracker("0.0.0.0", 0), UserError);
  ServerOptions opt;
  EXPECT_THROW(TcpServer("0.0.0.0", 0, opt), UserError);
}

}  // namespace
}  // namespace autotune::measure

// The autotune-rpc wire protocol: frames and messages round-trip, and malformed input (bad magic,
// foreign version, unknown type, oversized or truncated frames, bad JSON) is rejected cleanly.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <thread>

#include "measure/worker/Channel.h"
#include "measure/worker/Protocol.h"
#include "tests/common/TestUtil.h"

namespace autotune::measure {
namespace {

#define EXPECT_PROTOCOL_ERROR(stmt, substring) EXPECT_ERROR_WITH(ProtocolError, stmt, substring)

/// Both ends of two pipes: a channel to write into and one to read from.
struct PipePair {
  int fds[2];
  std::unique_ptr<FdChannel> reader, writer;
  PipePair() {
    EXPECT_EQ(pipe2(fds, O_CLOEXEC), 0);
    reader = std::make_unique<FdChannel>(fds[0], -1, false, "test reader");
    writer = std::make_unique<FdChannel>(-1, fds[1], false, "test writer");
  }
  ~PipePair() {
    close_write();
    ::close(fds[0]);
  }
  void write_raw(const std::string &bytes) {
    ASSERT_EQ(::write(fds[1], bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }
  void close_write() {
    if (fds[1] >= 0) ::close(fds[1]);
    fds[1] = -1;
  }
};

std::string header_bytes(const char *magic, uint16_t version, uint16_t type, uint32_t meta,
                         uint32_t data) {
  std::string h(kFrameHeaderBytes, '\0');
  std::memcpy(&h[0], magic, 4);
  h[4] = static_cast<char>(version & 0xff);
  h[5] = static_cast<char>(version >> 8);
  h[6] = static_cast<char>(type & 0xff);
  h[7] = static_cast<char>(type >> 8);
  for (int i = 0; i < 4; ++i) h[8 + i] = static_cast<char>(meta >> (8 * i));
  for (int i = 0; i < 4; ++i) h[12 + i] = static_cast<char>(data >> (8 * i));
  return h;
}

TEST(Protocol, FrameLayoutIsLittleEndianWithMagic) {
  Frame f;
  f.type = MessageType::Run;
  f.meta = "{}";
  f.data = "xyz";
  std::string bytes = encode_frame(f);
  ASSERT_EQ(bytes.size(), kFrameHeaderBytes + 2 + 3);
  EXPECT_EQ(bytes.substr(0, 4), "ATRP");
  EXPECT_EQ(bytes[4], 1);   // version, low byte first
  EXPECT_EQ(bytes[6], 5);   // MessageType::Run
  EXPECT_EQ(bytes[8], 2);   // meta bytes
  EXPECT_EQ(bytes[12], 3);  // data bytes
  FrameHeader h = decode_frame_header(reinterpret_cast<const unsigned char *>(bytes.data()));
  EXPECT_EQ(h.type, MessageType::Run);
  EXPECT_EQ(h.meta_bytes, 2u);
  EXPECT_EQ(h.data_bytes, 3u);
}

TEST(Protocol, MessagesRoundTrip) {
  RunRequest req;
  req.module = "3-cand.so";
  req.kernel = "candidate";
  req.reference_module = "0-ref.so";
  req.reference_kernel = "reference";
  req.args = {{{1, 4, 14, 14, 16}, "float32", false}, {{7}, "int64", true}};
  req.timing.number = 3;
  req.timing.repeat = 5;
  req.timing.min_repeat_ms = 2.5;
  req.timing.flush_cache = true;
  req.timing.timeout_s = 7;
  req.rtol = 1e-2;
  req.atol = 1e-5;
  req.seed = 0xfedcba9876543210ull;
  RunRequest back = from_frame<RunRequest>(to_frame(req));
  EXPECT_EQ(back.module, req.module);
  EXPECT_EQ(back.kernel, req.kernel);
  EXPECT_EQ(back.reference_module, req.reference_module);
  EXPECT_EQ(back.reference_kernel, req.reference_kernel);
  ASSERT_EQ(back.args.size(), 2u);
  EXPECT_EQ(back.args[0].shape, req.args[0].shape);
  EXPECT_EQ(back.args[1].dtype, "int64");
  EXPECT_TRUE(back.args[1].is_output);
  EXPECT_EQ(back.timing.number, 3);
  EXPECT_EQ(back.timing.repeat, 5);
  EXPECT_DOUBLE_EQ(back.timing.min_repeat_ms, 2.5);
  EXPECT_TRUE(back.timing.flush_cache);
  EXPECT_DOUBLE_EQ(back.timing.timeout_s, 7);
  EXPECT_DOUBLE_EQ(back.rtol, 1e-2);
  EXPECT_EQ(back.seed, req.seed);

  RunResult r;
  r.status = MeasureStatus::WrongAnswer;
  r.error = "max |a-b| = 1";
  r.costs_s = {1e-3, 2e-3, NAN};
  r.mean_s = 1.5e-3;
  r.median_s = 1.5e-3;
  r.run_s = 0.25;
  RunResult rb = from_frame<RunResult>(to_frame(r));
  EXPECT_EQ(rb.status, MeasureStatus::WrongAnswer);
  EXPECT_EQ(rb.error, r.error);
  ASSERT_EQ(rb.costs_s.size(), 3u);
  EXPECT_DOUBLE_EQ(rb.costs_s[1], 2e-3);
  EXPECT_TRUE(std::isnan(rb.costs_s[2]));  // non-finite values travel as null
  EXPECT_DOUBLE_EQ(rb.run_s, 0.25);

  InfoMessage info{"0.1.0", kProtocolVersion, "aarch64-linux-gnu", "Cortex-A72", 6, 1234};
  InfoMessage ib = from_frame<InfoMessage>(to_frame(info));
  EXPECT_EQ(ib.triple, info.triple);
  EXPECT_EQ(ib.cpu, info.cpu);
  EXPECT_EQ(ib.num_threads, 6);
  EXPECT_EQ(ib.pid, 1234);

  std::string blob(
      "\x7f"
      "ELF\0\1\2",
      7);
  UploadMessage up = from_frame<UploadMessage>(to_frame(UploadMessage{"m.so", blob}));
  EXPECT_EQ(up.name, "m.so");
  EXPECT_EQ(up.bytes, blob);

  HelloMessage hello = from_frame<HelloMessage>(to_frame(HelloMessage{"test", "s3cret"}));
  EXPECT_EQ(hello.token, "s3cret");
  EXPECT_EQ(from_frame<RemoveMessage>(to_frame(RemoveMessage{{"a.so", "b.so"}})).names.size(), 2u);
  EXPECT_TRUE(from_frame<ShutdownMessage>(to_frame(ShutdownMessage{true})).stop_server);
  EXPECT_EQ(from_frame<ErrorMessage>(to_frame(ErrorMessage{"boom"})).message, "boom");
}

TEST(Protocol, StatusNamesRoundTrip) {
  for (int s = 0; s <= static_cast<int>(MeasureStatus::Unknown); ++s) {
    auto status = static_cast<MeasureStatus>(s);
    EXPECT_EQ(status_from_name(status_name(status)), status);
  }
  EXPECT_STREQ(status_name(MeasureStatus::RuntimeDevice), "runtime_device");
}

TEST(Protocol, FramesCrossAPipe) {
  PipePair p;
  UploadMessage up{"lib.so", std::string(3 << 20, 'x')};  // spans several data chunks
  std::thread writer([&] { p.writer->send(to_frame(up)); });
  std::optional<Frame> f = p.reader->receive(deadline_after(10));
  writer.join();
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(from_frame<UploadMessage>(*f).bytes.size(), up.bytes.size());
  p.close_write();
  EXPECT_FALSE(p.reader->receive(deadline_after(10)).has_value());  // clean end of stream
}

TEST(Protocol, RejectsBadMagic) {
  PipePair p;
  p.write_raw("GET / HTTP/1.1\r\n\r\n");
  EXPECT_PROTOCOL_ERROR(p.reader->receive(deadline_after(10)), "bad frame magic");
}

TEST(Protocol, RejectsForeignVersion) {
  std::string h = header_bytes("ATRP", 2, 1, 2, 0);
  EXPECT_PROTOCOL_ERROR(decode_frame_header(reinterpret_cast<const unsigned char *>(h.data())),
                        "protocol version 2");
  // Error frames stay readable across versions, so that "wrong version" answers get through.
  std::string e = header_bytes("ATRP", 2, 10, 2, 0);
  EXPECT_EQ(decode_frame_header(reinterpret_cast<const unsigned char *>(e.data())).type,
            MessageType::Error);
}

TEST(Protocol, RejectsUnknownType) {
  std::string h = header_bytes("ATRP", 1, 77, 2, 0);
  EXPECT_PROTOCOL_ERROR(decode_frame_header(reinterpret_cast<const unsigned char *>(h.data())),
                        "unknown message type 77");
}

TEST(Protocol, RejectsOversizedFramesBeforeAllocating) {
  PipePair p;
  p.write_raw(header_bytes("ATRP", 1, 3, 2, 0xffffffffu));
  EXPECT_PROTOCOL_ERROR(p.reader->receive(deadline_after(10)), "exceeds the limit");
  std::string h = header_bytes("ATRP", 1, 5, kMaxMetaBytes + 1, 0);
  EXPECT_PROTOCOL_ERROR(decode_frame_header(reinterpret_cast<const unsigned char *>(h.data())),
                        "metadata of");
  Frame big;
  big.type = MessageType::Upload;
  big.data.assign(size_t(kMaxDataBytes) + 1, '\0');
  EXPECT_PROTOCOL_ERROR(encode_frame(big), "exceeds the limit");
}

TEST(Protocol, LyingLengthEndsAsClosedStream) {
  // The header promises 100 MB of data; 10 bytes come, then the writer goes away.
  PipePair p;
  p.write_raw(header_bytes("ATRP", 1, 3, 2, 100u << 20) + "{}" + std::string(10, 'x'));
  p.close_write();
  try {
    p.reader->receive(deadline_after(10));
    FAIL() << "expected ChannelError";
  } catch (const ChannelError &e) {
    EXPECT_EQ(e.kind(), ChannelError::Kind::Closed);
    EXPECT_NE(std::string(e.what()).find("inside a Upload frame"), std::string::npos) << e.what();
  }
}

TEST(Protocol, TruncatedHeaderIsClosedStream) {
  PipePair p;
  p.write_raw("ATRP\1");
  p.close_write();
  EXPECT_ERROR_WITH(ChannelError, p.reader->receive(deadline_after(10)), "inside a frame header");
}

TEST(Protocol, ReceiveTimesOut) {
  PipePair p;
  auto start = Clock::now();
  try {
    p.reader->receive(deadline_after(0.2));
    FAIL() << "expected a timeout";
  } catch (const ChannelError &e) {
    EXPECT_EQ(e.kind(), ChannelError::Kind::Timeout);
  }
  EXPECT_GE(std::chrono::duration<double>(Clock::now() - start).count(), 0.19);
}

TEST(Protocol, WriteToClosedPipeIsClosedNotSigpipe) {
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  ::close(fds[0]);
  FdChannel writer(-1, fds[1], true, "dead reader");
  try {
    writer.send(to_frame(ErrorMessage{"x"}), deadline_after(5));
    FAIL() << "expected ChannelError";
  } catch (const ChannelError &e) {
    EXPECT_EQ(e.kind(), ChannelError::Kind::Closed);
  }
}

TEST(Protocol, MalformedMessages) {
  Frame f;
  f.type = MessageType::Run;
  f.meta = "{not json";
  EXPECT_PROTOCOL_ERROR(from_frame<RunRequest>(f), "not a JSON object");
  f.meta = R"({"module":"a.so"})";
  EXPECT_PROTOCOL_ERROR(from_frame<RunRequest>(f), "field 'kernel' is missing");
  f.meta = R"({"module":"../etc/passwd","kernel":"k"})";
  EXPECT_PROTOCOL_ERROR(from_frame<RunRequest>(f), "not a valid module name");
  RunRequest ok;
  ok.module = "m.so";
  ok.kernel = "k";
  ok.args = {{{-3}, "float32", false}};
  EXPECT_PROTOCOL_ERROR(from_frame<RunRequest>(to_frame(ok)), "non-negative");
  ok.args = {};
  ok.timing.repeat = 0;
  EXPECT_PROTOCOL_ERROR(from_frame<RunRequest>(to_frame(ok)), "'repeat' must be in [1");
  EXPECT_PROTOCOL_ERROR(from_frame<InfoMessage>(to_frame(ErrorMessage{"x"})),
                        "expected a message of type Info, got Error");
  EXPECT_FALSE(is_valid_module_name(".hidden"));
  EXPECT_FALSE(is_valid_module_name("a/b.so"));
  EXPECT_TRUE(is_valid_module_name("12-cand-3.so"));
}

}  // namespace
}  // namespace autotune::measure

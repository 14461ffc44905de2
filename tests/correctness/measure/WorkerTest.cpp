// The measurement worker (autotune-rpc) in both transports: a stdio child process and a TCP
// server on loopback, plus its buffers (deterministic inputs, output comparison).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>
#include <thread>

#include "codegen/Compile.h"
#include "measure/worker/Client.h"
#include "measure/worker/KernelBuffers.h"
#include "measure/worker/ScratchDir.h"
#include "measure/worker/TcpChannel.h"
#include "measure/worker/TcpServer.h"
#include "measure/worker/WorkerProcess.h"
#include "tests/common/TestUtil.h"
#include "tests/correctness/measure/MeasureTestKernels.h"

namespace autotune::measure {
namespace {

using test::VaddFlavor;

constexpr int64_t kN = 1000;

std::string read_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

/// Shared objects of the vadd flavors, built once for the whole file.
class WorkerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    auto build = [](const std::string &name, VaddFlavor flavor) {
      std::string path = dir_->path() + "/" + name + ".so";
      codegen::build_shared_library({test::vadd_kernel(name, kN, flavor)}, codegen::Target::host(),
                                    path);
      return read_file(path);
    };
    ref_ = new std::string(build("ref", VaddFlavor::Correct));
    good_ = new std::string(build("good", VaddFlavor::Correct));
    wrong_ = new std::string(build("wrong", VaddFlavor::Wrong));
  }
  static void TearDownTestSuite() {
    delete ref_;
    delete good_;
    delete wrong_;
    delete dir_;
  }

  static RunRequest request(const std::string &module, const std::string &kernel) {
    RunRequest req;
    req.module = module;
    req.kernel = kernel;
    req.reference_module = "ref.so";
    req.reference_kernel = "ref";
    for (const ArgSpec &a : test::vadd_args(kN)) req.args.push_back(to_buffer_spec(a));
    req.timing.min_repeat_ms = 1;
    req.timing.repeat = 2;
    return req;
  }

  /// Hello, uploads, a good run, a wrong run and a refused run over `client`.
  static void exercise_session(WorkerClient &client) {
    InfoMessage info = client.hello({"WorkerTest", ""}, deadline_after(30));
    EXPECT_EQ(info.protocol, kProtocolVersion);
    EXPECT_EQ(info.version, kWorkerVersion);
    EXPECT_FALSE(info.triple.empty());
    EXPECT_GE(info.num_threads, 1);
    EXPECT_EQ(client.upload({"ref.so", *ref_}, deadline_after(30)).bytes, ref_->size());
    client.upload({"good.so", *good_}, deadline_after(30));
    client.upload({"wrong.so", *wrong_}, deadline_after(30));

    RunResult ok = client.run(request("good.so", "good"), deadline_after(30));
    EXPECT_EQ(ok.status, MeasureStatus::Ok) << ok.error;
    EXPECT_EQ(ok.costs_s.size(), 2u);
    EXPECT_GT(ok.mean_s, 0);
    EXPECT_GT(ok.run_s, 0);

    RunResult bad = client.run(request("wrong.so", "wrong"), deadline_after(30));
    EXPECT_EQ(bad.status, MeasureStatus::WrongAnswer);
    EXPECT_NE(bad.error.find("max |a-b| = "), std::string::npos) << bad.error;
    EXPECT_TRUE(bad.costs_s.empty());

    RunResult missing_symbol = client.run(request("good.so", "nope"), deadline_after(30));
    EXPECT_EQ(missing_symbol.status, MeasureStatus::RuntimeDevice);
    EXPECT_NE(missing_symbol.error.find("'nope' not found"), std::string::npos);

    EXPECT_ERROR_WITH(RemoteError, client.run(request("never.so", "k"), deadline_after(30)),
                      "module 'never.so' was not uploaded");
    EXPECT_EQ(client.remove({{"wrong.so", "unknown.so"}}, deadline_after(30)).removed, 1);
    EXPECT_ERROR_WITH(RemoteError, client.run(request("wrong.so", "wrong"), deadline_after(30)),
                      "was not uploaded");
  }

  static test::TempDir *dir_;
  static std::string *ref_, *good_, *wrong_;
};

test::TempDir *WorkerTest::dir_ = nullptr;
std::string *WorkerTest::ref_ = nullptr;
std::string *WorkerTest::good_ = nullptr;
std::string *WorkerTest::wrong_ = nullptr;

TEST_F(WorkerTest, StdioSession) {
  WorkerProcess proc({test::rpc_bin(), "server", "--stdio"});
  WorkerClient client(proc.channel());
  exercise_session(client);
  client.shutdown({}, deadline_after(5));
  EXPECT_EQ(proc.reap(10), "worker exited with status 0");
}

TEST_F(WorkerTest, StdioRefusesRequestsBeforeHello) {
  WorkerProcess proc({test::rpc_bin(), "server", "--stdio"});
  proc.channel().send(to_frame(RemoveMessage{{"x.so"}}), deadline_after(5));
  std::optional<Frame> reply = proc.channel().receive(deadline_after(10));
  ASSERT_TRUE(reply.has_value());
  ASSERT_EQ(reply->type, MessageType::Error);
  EXPECT_NE(from_frame<ErrorMessage>(*reply).message.find("expected Hello"), std::string::npos);
  EXPECT_FALSE(proc.channel().receive(deadline_after(10)).has_value());  // session closed
  EXPECT_EQ(proc.reap(10), "worker exited with status 0");
}

TEST_F(WorkerTest, TcpServerSessionsAndTokens) {
  WorkerOptions opt;
  opt.token = "s3cret";
  TcpServer server("127.0.0.1", 0, opt);
  ASSERT_GT(server.port(), 0);
  std::thread serving([&] { server.run(); });

  {  // A wrong token is refused, and the server goes on serving.
    auto channel = TcpChannel::connect("127.0.0.1", server.port(), 10);
    WorkerClient client(*channel);
    EXPECT_ERROR_WITH(RemoteError, client.hello({"WorkerTest", "guess"}, deadline_after(10)),
                      "wrong token");
  }
  {  // Garbage bytes get an Error frame naming the problem.
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(server.port());
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)), 0);
    const char garbage[] = "GET / HTTP/1.1\r\n\r\n";
    ASSERT_GT(write(fd, garbage, sizeof(garbage) - 1), 0);
    FdChannel raw(fd, fd, /*owns=*/true, "raw socket");
    std::optional<Frame> reply = raw.receive(deadline_after(10));
    ASSERT_TRUE(reply.has_value());
    ASSERT_EQ(reply->type, MessageType::Error);
    EXPECT_NE(from_frame<ErrorMessage>(*reply).message.find("bad frame magic"), std::string::npos);
  }
  {  // A proper client.
    auto channel = TcpChannel::connect("127.0.0.1", server.port(), 10);
    WorkerClient client(*channel);
    EXPECT_EQ(client.hello({"WorkerTest", "s3cret"}, deadline_after(10)).protocol,
              kProtocolVersion);
    client.upload({"ref.so", *ref_}, deadline_after(30));
    RunResult r = client.run(request("ref.so", "ref"), deadline_after(30));
    EXPECT_EQ(r.status, MeasureStatus::Ok) << r.error;
  }
  server.stop();
  serving.join();
}

TEST_F(WorkerTest, TcpServerStopsDuringAnIdleSession) {
  TcpServer server("127.0.0.1", 0, WorkerOptions{});
  std::thread serving([&] { server.run(); });
  auto channel = TcpChannel::connect("127.0.0.1", server.port(), 10);
  WorkerClient client(*channel);
  client.hello({"WorkerTest", ""}, deadline_after(10));
  server.stop();  // the session is waiting for our next request
  serving.join();
  EXPECT_FALSE(channel->receive(deadline_after(10)).has_value());
}

TEST_F(WorkerTest, ExecutableServesTcpOnAnEphemeralPort) {
  std::string cmd = test::rpc_bin() + " server --host 127.0.0.1 --port 0 --threads 2";
  FILE *out = popen(cmd.c_str(), "r");
  ASSERT_NE(out, nullptr);
  char line[256] = {0};
  ASSERT_NE(fgets(line, sizeof(line), out), nullptr);
  std::string text(line);
  const std::string prefix = "autotune-rpc: listening on 127.0.0.1:";
  ASSERT_EQ(text.rfind(prefix, 0), 0u) << text;
  int port = std::stoi(text.substr(prefix.size()));
  {
    auto channel = TcpChannel::connect("127.0.0.1", static_cast<uint16_t>(port), 10);
    WorkerClient client(*channel);
    exercise_session(client);
    client.shutdown({/*stop_server=*/true}, deadline_after(5));
  }
  int status = pclose(out);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

TEST(WorkerProgram, HelpAndBadUsage) {
  std::string bin = test::rpc_bin();
  FILE *out = popen((bin + " --help").c_str(), "r");
  ASSERT_NE(out, nullptr);
  std::string text;
  char buf[512];
  while (fgets(buf, sizeof(buf), out)) text += buf;
  EXPECT_EQ(pclose(out), 0);
  EXPECT_NE(text.find("autotune-rpc server --stdio"), std::string::npos) << text;
  int status = std::system((bin + " server --port 99999 2>/dev/null").c_str());
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2);
  status = std::system((bin + " server --host 0.0.0.0 --port 0 2>/dev/null").c_str());
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2) << "non-loopback needs a token";
}

// ---- Buffers ------------------------------------------------------------------------------------

TEST(KernelBuffers, RandomInputsAreDeterministicAndInRange) {
  ElemType f32 = parse_elem_type("float32");
  AlignedBuffer a(4000), b(4000), c(4000);
  fill_random(a, f32, 7, 0);
  fill_random(b, f32, 7, 0);
  fill_random(c, f32, 7, 1);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a.data()) % 64, 0u);
  const float *x = static_cast<const float *>(a.data());
  const float *y = static_cast<const float *>(b.data());
  const float *z = static_cast<const float *>(c.data());
  bool differs = false;
  double sum = 0;
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(x[i], y[i]);
    EXPECT_GE(x[i], -1.0f);
    EXPECT_LT(x[i], 1.0f);
    differs |= x[i] != z[i];
    sum += x[i];
  }
  EXPECT_TRUE(differs) << "arguments must get different values";
  EXPECT_LT(std::fabs(sum / 1000), 0.1);
  AlignedBuffer ints(64 * 4);
  fill_random(ints, parse_elem_type("int32"), 7, 2);
  for (int i = 0; i < 64; ++i) {
    int v = static_cast<const int32_t *>(ints.data())[i];
    EXPECT_TRUE(v >= 0 && v < 4) << v;
  }
}

TEST(KernelBuffers, ComparisonToleranceAndNaN) {
  ElemType f32 = parse_elem_type("float32");
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> want{1.0f, 2.0f, nan, 4.0f};
  std::vector<float> close{1.0005f, 2.0f, nan, 4.0f};
  EXPECT_TRUE(compare_buffers(close.data(), want.data(), 4, f32, 1e-3, 1e-4).ok);
  std::vector<float> far{1.0f, 2.5f, nan, 4.0f};
  Comparison c = compare_buffers(far.data(), want.data(), 4, f32, 1e-3, 1e-4);
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.first_bad, 1);
  EXPECT_DOUBLE_EQ(c.max_abs_error, 0.5);
  std::vector<float> nan_where_number{1.0f, 2.0f, nan, nan};
  c = compare_buffers(nan_where_number.data(), want.data(), 4, f32, 1e-3, 1e-4);
  EXPECT_FALSE(c.ok) << "a NaN where the reference has a number is a mismatch";
  EXPECT_EQ(c.first_bad, 3);
  EXPECT_TRUE(std::isnan(c.max_abs_error));
  std::vector<int64_t> i1{1, 2, 3}, i2{1, 2, 4};
  EXPECT_FALSE(compare_buffers(i1.data(), i2.data(), 3, parse_elem_type("int64"), 1, 1).ok);
}

TEST(KernelBuffers, BufferSizes) {
  EXPECT_EQ(buffer_bytes({{2, 3, 4}, "float64", false}), 192);
  EXPECT_EQ(buffer_bytes({{0, 5}, "bool", false}), 0);
  EXPECT_EQ(buffer_bytes({{}, "int8", false}), 1);
}

TEST(ScratchDir, SweepsDirectoriesOfDeadProcesses) {
  test::TempDir parent;
  pid_t dead = fork();
  if (dead == 0) _exit(0);
  waitpid(dead, nullptr, 0);
  namespace fs = std::filesystem;
  std::string stale = parent.path() + "/autotune-sweep-" + std::to_string(dead) + "-abc123";
  std::string alive = parent.path() + "/autotune-sweep-" + std::to_string(getppid()) + "-def456";
  std::string other = parent.path() + "/autotune-sweep-notapid";
  for (const std::string &d : {stale, alive, other}) fs::create_directories(d + "/sub");
  std::string made = make_scratch_dir(parent.path(), "autotune-sweep");
  EXPECT_EQ(made.rfind(parent.path() + "/autotune-sweep-" + std::to_string(getpid()) + "-", 0), 0u)
      << made;
  EXPECT_TRUE(fs::is_directory(made));
  EXPECT_FALSE(fs::exists(stale)) << "left by a dead process";
  EXPECT_TRUE(fs::exists(alive));
  EXPECT_TRUE(fs::exists(other));
}

TEST(WorkerProcessStatus, DescribesSignals) {
  EXPECT_EQ(describe_wait_status(11), "died with signal 11 (SIGSEGV)");  // raw status: signal 11
  EXPECT_EQ(describe_wait_status(3 << 8), "exited with status 3");
}

}  // namespace
}  // namespace autotune::measure

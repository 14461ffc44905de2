// Whole models on a remote server: a small network built into a module for this machine runs on
// an `autotune-rpc server` process (directly and through a tracker lease) and gives the same
// outputs as the module loaded here and as naive reference loops; wrong inputs, a module for
// another architecture, missing uploads and unreachable servers fail with messages naming the
// problem; a session keeps a loaded model until one of its files is replaced.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>

#include "codegen/BuildGraph.h"
#include "codegen/EvaluateNode.h"
#include "codegen/SaveModel.h"
#include "codegen/runtime/DeployedModel.h"
#include "ir/graph/GraphPipeline.h"
#include "measure/RemoteModel.h"
#include "measure/worker/Client.h"
#include "measure/worker/TcpChannel.h"
#include "measure/worker/Worker.h"
#include "tests/common/GraphBuilder.h"
#include "tests/common/Reference.h"
#include "tests/common/TestUtil.h"
#include "tests/correctness/measure/MeasureTestKernels.h"

namespace autotune::measure {
namespace {

using autotune::test::attrs;
using autotune::test::ref::HostTensor;

const char *kAarch64 = "llvm -mtriple=aarch64-linux-gnu -mcpu=cortex-a72 -mattr=+neon";
const char *kKey = "remote-run-test";

/// A program started with its stdout on a pipe; killed (SIGTERM, then SIGKILL) on destruction.
class Spawned {
 public:
  explicit Spawned(const std::vector<std::string> &argv) {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], 1);
      close(fds[0]);
      close(fds[1]);
      std::vector<char *> args;
      for (const std::string &a : argv) args.push_back(const_cast<char *>(a.c_str()));
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
    close(fds[1]);
    out_ = fdopen(fds[0], "r");
  }
  ~Spawned() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      for (int i = 0; i < 100 && waitpid(pid_, nullptr, WNOHANG) == 0; ++i) usleep(50000);
      if (kill(pid_, 0) == 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
      }
    }
    if (out_) fclose(out_);
  }
  /// The port of the first stdout line "... listening on HOST:PORT"; 0 when there is none.
  uint16_t read_port() {
    char line[512] = {0};
    if (!out_ || !fgets(line, sizeof(line), out_)) return 0;
    std::string text(line);
    size_t colon = text.rfind(':');
    if (text.find("listening on") == std::string::npos || colon == std::string::npos) return 0;
    return static_cast<uint16_t>(std::stoi(text.substr(colon + 1)));
  }

 private:
  pid_t pid_ = -1;
  FILE *out_ = nullptr;
};

/// x [1,4,8,8] -> conv3x3+bias -> relu = r -> global average -> flatten -> gemm -> (+ z) = y.
struct Net {
  graph::Graph graph;
  HostTensor x, z;
  HostTensor y, r;  ///< the naive reference outputs
};

Net make_net() {
  autotune::test::GraphBuilder b(13);
  Net net;
  net.x = autotune::test::ref::random_tensor({1, 4, 8, 8}, 11);
  net.z = autotune::test::ref::random_tensor({1, 5}, 12);
  HostTensor w = autotune::test::ref::random_tensor({6, 4, 3, 3}, 13, -0.4f, 0.4f);
  HostTensor bias = autotune::test::ref::random_tensor({6}, 14);
  HostTensor fc = autotune::test::ref::random_tensor({5, 6}, 15, -0.5f, 0.5f);
  HostTensor fcb = autotune::test::ref::random_tensor({5}, 16);
  b.add_input("x", {1, 4, 8, 8});
  b.add_input("z", {1, 5});
  b.add_constant("w", graph::TensorData::from_floats(w.shape, w.data));
  b.add_constant("b", graph::TensorData::from_floats(bias.shape, bias.data));
  b.add_constant("fc", graph::TensorData::from_floats(fc.shape, fc.data));
  b.add_constant("fcb", graph::TensorData::from_floats(fcb.shape, fcb.data));
  b.add_node("Conv", {"x", "w", "b"}, {"c"},
             attrs({{"pads", std::vector<int64_t>{1, 1, 1, 1}},
                    {"kernel_shape", std::vector<int64_t>{3, 3}}}));
  b.add_node("Relu", {"c"}, {"r"});
  b.add_node("GlobalAveragePool", {"r"}, {"g"});
  b.add_node("Flatten", {"g"}, {"f"}, attrs({{"axis", int64_t{1}}}));
  b.add_node("Gemm", {"f", "fc", "fcb"}, {"d"}, attrs({{"transB", int64_t{1}}}));
  b.add_node("Add", {"d", "z"}, {"y"});
  b.add_outputs({"y", "r"});
  net.graph = b.build();

  namespace ref = autotune::test::ref;
  HostTensor conv = ref::conv2d_nchw(net.x, w, {1, 1}, ref::Pads{1, 1, 1, 1}, {1, 1}, 1);
  conv = ref::broadcast_binary(conv, HostTensor({1, 6, 1, 1}, bias.data),
                               [](float p, float q) { return p + q; });
  net.r = ref::unary(conv, [](float v) { return v > 0 ? v : 0.0f; });
  HostTensor flat = ref::reshape(ref::global_avg_pool2d(net.r), {1, 6});
  net.y = ref::broadcast_binary(ref::dense(flat, fc, &fcb), net.z,
                                [](float p, float q) { return p + q; });
  return net;
}

void save_for(const Net &net, const std::string &target, const std::string &dir) {
  graph::Graph optimized = graph::optimize_graph(net.graph, codegen::evaluate_node);
  codegen::BuildOptions opt;
  opt.target = target.empty() ? codegen::Target::host() : codegen::Target::parse(target);
  codegen::save_model(codegen::plan_model(optimized, opt), dir);
}

ModelTensor float_tensor(const std::string &name, const HostTensor &t) {
  ModelTensor m;
  m.name = name;
  m.dtype = "float32";
  m.shape = t.shape;
  m.bytes.assign(reinterpret_cast<const char *>(t.data.data()), t.data.size() * sizeof(float));
  return m;
}

std::vector<float> floats(const ModelTensor &t) {
  std::vector<float> v(t.bytes.size() / sizeof(float));
  std::memcpy(v.data(), t.bytes.data(), t.bytes.size());
  return v;
}

std::string read_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

/// The modules (host and aarch64), a tracker and one server registered with it, for all tests.
class RemoteRunTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    net_ = new Net(make_net());
    dir_ = new autotune::test::TempDir();
    save_for(*net_, "", host_module());
    save_for(*net_, kAarch64, arm_module());
    tracker_ = new Spawned({test::rpc_bin(), "tracker", "--host", "127.0.0.1", "--port", "0"});
    tracker_port_ = tracker_->read_port();
    ASSERT_GT(tracker_port_, 0) << "the tracker did not start";
    server_ =
        new Spawned({test::rpc_bin(), "server", "--host", "127.0.0.1", "--port", "0", "--tracker",
                     "127.0.0.1:" + std::to_string(tracker_port_), "--key", kKey});
    server_port_ = server_->read_port();
    ASSERT_GT(server_port_, 0) << "the server did not start";
  }
  static void TearDownTestSuite() {
    delete server_;
    delete tracker_;
    delete dir_;
    delete net_;
  }
  static std::string host_module() { return dir_->path() + "/host"; }
  static std::string arm_module() { return dir_->path() + "/arm"; }
  static std::vector<ModelTensor> inputs() {
    return {float_tensor("z", net_->z), float_tensor("x", net_->x)};  // any order
  }
  static RemoteRunOptions options() {
    RemoteRunOptions opt;
    opt.client_name = "RemoteRunTest";
    opt.timeout_s = 60;
    return opt;
  }
  /// A raw session with the server, after Hello.
  struct Session {
    std::unique_ptr<TcpChannel> channel;
    std::unique_ptr<WorkerClient> client;
  };
  static Session connect() {
    Session s;
    s.channel = TcpChannel::connect("127.0.0.1", server_port_, 10);
    s.client = std::make_unique<WorkerClient>(*s.channel);
    s.client->hello({"RemoteRunTest", ""}, deadline_after(30));
    return s;
  }
  static void upload_module(WorkerClient &client, const std::string &dir) {
    client.upload({"m.json", read_file(dir + "/model.json")}, deadline_after(30));
    client.upload({"k.so", read_file(dir + "/kernels.so")}, deadline_after(30));
    client.upload({"c.bin", read_file(dir + "/constants.bin")}, deadline_after(30));
  }
  static RunModelRequest request() {
    RunModelRequest req;
    req.model_json = "m.json";
    req.kernels = "k.so";
    req.constants = "c.bin";
    req.inputs = inputs();
    return req;
  }

  static Net *net_;
  static autotune::test::TempDir *dir_;
  static Spawned *tracker_, *server_;
  static uint16_t tracker_port_, server_port_;
};

Net *RemoteRunTest::net_ = nullptr;
autotune::test::TempDir *RemoteRunTest::dir_ = nullptr;
Spawned *RemoteRunTest::tracker_ = nullptr;
Spawned *RemoteRunTest::server_ = nullptr;
uint16_t RemoteRunTest::tracker_port_ = 0;
uint16_t RemoteRunTest::server_port_ = 0;

TEST_F(RemoteRunTest, OutputsMatchTheLocalModuleAndTheReference) {
  RemoteRunOptions opt = options();
  opt.warmup = 1;
  opt.repeat = 3;
  opt.threads = 2;
  RemoteRunResult r = run_module_remote("127.0.0.1", server_port_, host_module(), inputs(), opt);
  EXPECT_EQ(r.address, "127.0.0.1:" + std::to_string(server_port_));
  EXPECT_EQ(r.server.triple, describe_host(1).triple);
  EXPECT_EQ(r.reply.times_s.size(), 3u);
  for (double t : r.reply.times_s) EXPECT_GT(t, 0);
  EXPECT_GT(r.reply.load_s, 0);
  EXPECT_FALSE(r.reply.cached);
  EXPECT_EQ(r.reply.threads, 2);
  ASSERT_EQ(r.reply.outputs.size(), 2u);
  EXPECT_EQ(r.reply.outputs[0].name, "y");
  EXPECT_EQ(r.reply.outputs[0].shape, (std::vector<int64_t>{1, 5}));
  EXPECT_EQ(r.reply.outputs[1].name, "r");
  EXPECT_EQ(r.reply.outputs[1].shape, (std::vector<int64_t>{1, 6, 8, 8}));

  // The same module loaded in this process: the same code on the same inputs, the same bits.
  auto local = runtime::DeployedModel::load(host_module());
  std::vector<float> y(5, -1.0f), rr(6 * 64, -1.0f);
  local->run({net_->x.data.data(), net_->z.data.data()}, {y.data(), rr.data()});
  EXPECT_EQ(floats(r.reply.outputs[0]), y);
  EXPECT_EQ(floats(r.reply.outputs[1]), rr);
  // And the naive loops.
  EXPECT_TRUE(autotune::test::all_close(floats(r.reply.outputs[0]), net_->y.data, 1e-4f, 1e-4f));
  EXPECT_TRUE(autotune::test::all_close(floats(r.reply.outputs[1]), net_->r.data, 1e-4f, 1e-4f));
}

TEST_F(RemoteRunTest, RunsOnAServerLeasedFromTheTracker) {
  TrackerLeaseOptions lease;
  lease.key = kKey;
  lease.wait_s = 60;  // the server registers shortly after it starts listening
  RemoteRunResult r =
      run_module_on_tracker("127.0.0.1", tracker_port_, lease, host_module(), inputs(), options());
  EXPECT_EQ(r.address, "127.0.0.1:" + std::to_string(server_port_));
  ASSERT_EQ(r.reply.outputs.size(), 2u);
  EXPECT_TRUE(autotune::test::all_close(floats(r.reply.outputs[0]), net_->y.data, 1e-4f, 1e-4f));
  EXPECT_EQ(r.reply.times_s.size(), 1u);  // repeat 0: one run
  // The lease was released: the server can be leased again at once.
  r = run_module_on_tracker("127.0.0.1", tracker_port_, lease, host_module(), inputs(), options());
  EXPECT_EQ(r.reply.outputs.size(), 2u);
}

TEST_F(RemoteRunTest, WaitingForAKeyWithoutServersTimesOut) {
  TrackerLeaseOptions lease;
  lease.key = "no-such-board";
  lease.wait_s = 1.5;
  lease.notice_s = 0.5;
  std::vector<std::string> notices;
  lease.notify = [&](const std::string &line) { notices.push_back(line); };
  EXPECT_USER_ERROR(
      run_module_on_tracker("127.0.0.1", tracker_port_, lease, host_module(), inputs(), options()),
      "no 'no-such-board' server of the tracker at 127.0.0.1:" + std::to_string(tracker_port_) +
          " became free within 1.5 s (0 free, 0 busy)");
  ASSERT_GE(notices.size(), 2u);
  EXPECT_EQ(notices[0], "waiting for a free 'no-such-board' server at 127.0.0.1:" +
                            std::to_string(tracker_port_) + " (0 free, 0 busy)");
}

TEST_F(RemoteRunTest, WrongInputsAreNamed) {
  std::vector<ModelTensor> in = inputs();
  in[1].shape = {1, 4, 8, 4};
  in[1].bytes.resize(4 * 4 * 8 * 4);
  EXPECT_USER_ERROR(run_module_remote("127.0.0.1", server_port_, host_module(), in, options()),
                    "input 'x' has shape [1, 4, 8, 4], the module expects [1, 4, 8, 8]");
  in = inputs();
  in[0].dtype = "int32";
  EXPECT_USER_ERROR(run_module_remote("127.0.0.1", server_port_, host_module(), in, options()),
                    "input 'z' has dtype int32, the module expects float32");
  in = inputs();
  in.pop_back();
  EXPECT_USER_ERROR(run_module_remote("127.0.0.1", server_port_, host_module(), in, options()),
                    "the module needs input 'x' (float32 [1, 4, 8, 8]), the request has none");
  in = inputs();
  in.push_back(float_tensor("extra", net_->z));
  EXPECT_USER_ERROR(run_module_remote("127.0.0.1", server_port_, host_module(), in, options()),
                    "the module has no input named 'extra' (its inputs: 'x', 'z')");
  in = inputs();
  in.push_back(in[0]);
  EXPECT_USER_ERROR(run_module_remote("127.0.0.1", server_port_, host_module(), in, options()),
                    "input 'z' is given twice");
  // The server goes on serving.
  RemoteRunResult r =
      run_module_remote("127.0.0.1", server_port_, host_module(), inputs(), options());
  EXPECT_EQ(r.reply.outputs.size(), 2u);
}

TEST_F(RemoteRunTest, ModuleForAnotherArchitectureOrDamagedIsRefused) {
  // The client sees it from model.json before uploading anything.
  EXPECT_USER_ERROR(run_module_remote("127.0.0.1", server_port_, arm_module(), inputs(), options()),
                    "module '" + arm_module() + "' holds aarch64 code (target '" + kAarch64 +
                        "'), but the "
                        "server at 127.0.0.1:" +
                        std::to_string(server_port_));
  // The server checks kernels.so itself too, naming the module's files, not its private paths.
  Session s = connect();
  upload_module(*s.client, arm_module());
  try {
    s.client->run_model(request(), deadline_after(60));
    ADD_FAILURE() << "an aarch64 module ran here";
  } catch (const RemoteError &e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("cannot load the module on this server: 'kernels.so' holds aarch64 code"),
              std::string::npos)
        << msg;
    EXPECT_EQ(msg.find("autotune-rpc-"), std::string::npos) << msg;  // no server paths
  }
  // So is a damaged module.
  upload_module(*s.client, host_module());
  s.client->upload({"c.bin", "short"}, deadline_after(30));
  EXPECT_ERROR_WITH(RemoteError, s.client->run_model(request(), deadline_after(60)),
                    "cannot load the module on this server: 'constants.bin' is 5 bytes, but "
                    "'model.json' expects");
}

TEST_F(RemoteRunTest, SessionCachesTheLoadedModelUntilAFileIsReplaced) {
  Session s = connect();
  upload_module(*s.client, host_module());
  RunModelReply first = s.client->run_model(request(), deadline_after(60));
  EXPECT_FALSE(first.cached);
  RunModelReply second = s.client->run_model(request(), deadline_after(60));
  EXPECT_TRUE(second.cached);
  EXPECT_EQ(second.load_s, 0);
  EXPECT_EQ(floats(second.outputs[0]), floats(first.outputs[0]));
  // Replacing constants.bin (here: with the same bytes) forgets the model.
  s.client->upload({"c.bin", read_file(host_module() + "/constants.bin")}, deadline_after(30));
  RunModelReply third = s.client->run_model(request(), deadline_after(60));
  EXPECT_FALSE(third.cached);
  EXPECT_EQ(floats(third.outputs[0]), floats(first.outputs[0]));
  // A removed upload can no longer be run.
  EXPECT_EQ(s.client->remove({{"k.so"}}, deadline_after(30)).removed, 1);
  EXPECT_ERROR_WITH(RemoteError, s.client->run_model(request(), deadline_after(60)),
                    "'k.so' (the module's kernels.so) was not uploaded");
  s.client->shutdown({}, deadline_after(5));
}

TEST_F(RemoteRunTest, UnreachableServerAndDamagedModule) {
  // A port nobody listens on: the ephemeral port of a server that has just been stopped.
  uint16_t closed_port = 0;
  {
    Spawned probe({test::rpc_bin(), "server", "--host", "127.0.0.1", "--port", "0"});
    closed_port = probe.read_port();
  }
  ASSERT_GT(closed_port, 0);
  EXPECT_USER_ERROR(
      run_module_remote("127.0.0.1", closed_port, host_module(), inputs(), options()),
      "cannot connect to the autotune-rpc server at 127.0.0.1:" + std::to_string(closed_port));
  EXPECT_USER_ERROR(
      run_module_remote("127.0.0.1", server_port_, dir_->path() + "/nothing", inputs(), options()),
      "not a directory");
  autotune::test::TempDir broken;
  broken.write("model.json", "{\"format\": \"autotune-module\"");
  EXPECT_USER_ERROR(
      run_module_remote("127.0.0.1", server_port_, broken.path(), inputs(), options()),
      "model.json' is not valid JSON");
}

TEST(RemoteModel, TargetArchitecture) {
  EXPECT_EQ(target_arch(kAarch64), "aarch64");
  EXPECT_EQ(target_arch("llvm -mcpu=znver3 -mtriple=x86_64-unknown-linux-gnu"), "x86_64");
  EXPECT_EQ(target_arch("llvm -mtriple=arm64-apple-darwin"), "aarch64");
  EXPECT_EQ(target_arch("llvm -mcpu=native"), "");
}

}  // namespace
}  // namespace autotune::measure

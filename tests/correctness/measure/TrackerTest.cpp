// The tracker, server registration and the tracker runner, on loopback: leases by priority,
// leases ending with their client, servers coming back to a restarted tracker, crash-isolating
// sessions, and batches spread over servers with a dead one among them.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "measure/TrackerRunner.h"
#include "measure/worker/TcpChannel.h"
#include "measure/worker/TcpServer.h"
#include "measure/worker/Tracker.h"
#include "measure/worker/TrackerClient.h"
#include "tests/correctness/measure/VaddKernelSuite.h"

namespace autotune::measure {
namespace {

using namespace std::chrono_literals;

/// A tracker on a free loopback port, served by a thread.
class RunningTracker {
 public:
  explicit RunningTracker(uint16_t port = 0) : tracker_("127.0.0.1", port) {
    thread_ = std::thread([this] { tracker_.run(); });
  }
  ~RunningTracker() {
    tracker_.stop();
    thread_.join();
  }
  uint16_t port() const { return tracker_.port(); }
  Tracker &get() { return tracker_; }

 private:
  Tracker tracker_;
  std::thread thread_;
};

/// A measurement server registered with a tracker under `key`; sessions run in child
/// processes of the real autotune-rpc program.
class RunningServer {
 public:
  RunningServer(uint16_t tracker_port, const std::string &key) {
    ServerOptions opt;
    opt.child_command = {test::rpc_bin()};
    opt.tracker_host = "127.0.0.1";
    opt.tracker_port = tracker_port;
    opt.key = key;
    server_ = std::make_unique<TcpServer>("127.0.0.1", 0, opt);
    thread_ = std::thread([this] { server_->run(); });
  }
  ~RunningServer() { stop(); }
  void stop() {
    if (!server_) return;
    server_->stop();
    thread_.join();
    sessions_ = server_->sessions();
    server_.reset();
  }
  uint16_t port() const { return server_->port(); }
  int64_t sessions() const { return server_ ? server_->sessions() : sessions_; }

 private:
  std::unique_ptr<TcpServer> server_;
  std::thread thread_;
  int64_t sessions_ = 0;
};

/// Polls the tracker until `key` has `servers` registered servers (free or busy).
bool wait_for_servers(Tracker &tracker, const std::string &key, int servers,
                      std::chrono::seconds limit = 20s) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    for (const KeyState &k : tracker.summary().keys) {
      if (k.key == key && k.free + k.busy == servers) return true;
    }
    if (servers == 0 && tracker.summary().servers.empty()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

TEST(TrackerTest, LeasesGoByPriorityAndEndWithTheirClient) {
  RunningTracker tracker;
  RunningServer server(tracker.port(), "board");
  ASSERT_TRUE(wait_for_servers(tracker.get(), "board", 1));

  auto a = std::make_unique<TrackerClient>("127.0.0.1", tracker.port(), "", "client a");
  KeyState st;
  std::vector<ServerRecord> got = a->request("board", 4, 0, 0, &st);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].port, server.port());
  EXPECT_EQ(got[0].key, "board");
  EXPECT_EQ(st.free, 0);
  EXPECT_EQ(st.busy, 1);

  // Nothing free: an immediate answer is empty; waiting requests queue up.
  TrackerClient b("127.0.0.1", tracker.port(), "", "client b");
  EXPECT_TRUE(b.request("board", 1, 0).empty());
  TrackerClient low("127.0.0.1", tracker.port(), "", "low");
  TrackerClient high("127.0.0.1", tracker.port(), "", "high");
  auto low_got = std::async(std::launch::async, [&] { return low.request("board", 1, 30, 0); });
  std::this_thread::sleep_for(200ms);  // `low` asks first...
  auto high_got =
      std::async(std::launch::async, [&] { return high.request("board", 1, 30, 5); });
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(tracker.get().summary().keys.at(0).queued, 2);

  a->release({got[0].id});  // ...but `high` outranks it
  ASSERT_EQ(high_got.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(high_got.get().size(), 1u);
  EXPECT_EQ(low_got.wait_for(300ms), std::future_status::timeout);

  // A client that goes away gives its leases back.
  a.reset();
  SummaryReplyMessage s = tracker.get().summary();
  ASSERT_EQ(s.servers.size(), 1u);
  EXPECT_TRUE(s.servers[0].leased);
  EXPECT_NE(s.servers[0].leased_to.find("high"), std::string::npos) << s.servers[0].leased_to;
  high.release({s.servers[0].server.id});
  ASSERT_EQ(low_got.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(low_got.get().size(), 1u);
}

TEST(TrackerTest, ALongWaitForAServerKeepsTheConnection) {
  // The reply to a request that waited longer than the tracker's 10 s send deadline must still
  // go out, and the connection must stay usable.
  RunningTracker tracker;
  TrackerClient c("127.0.0.1", tracker.port(), "", "patient");
  auto got = std::async(std::launch::async, [&] { return c.request("board", 1, 30); });
  std::this_thread::sleep_for(11s);
  RunningServer late(tracker.port(), "board");
  ASSERT_EQ(got.wait_for(20s), std::future_status::ready);
  EXPECT_EQ(got.get().size(), 1u);
  EXPECT_EQ(c.summary().servers.size(), 1u);
}

TEST(TrackerTest, ServersLeaveAndComeBackToARestartedTracker) {
  uint16_t port;
  auto tracker = std::make_unique<RunningTracker>();
  port = tracker->port();
  RunningServer s1(port, "board"), s2(port, "board");
  ASSERT_TRUE(wait_for_servers(tracker->get(), "board", 2));

  s2.stop();  // unregisters
  EXPECT_TRUE(wait_for_servers(tracker->get(), "board", 1));

  tracker.reset();  // the tracker dies; the server keeps trying to reach it
  std::this_thread::sleep_for(300ms);
  tracker = std::make_unique<RunningTracker>(port);
  EXPECT_TRUE(wait_for_servers(tracker->get(), "board", 1, 30s))
      << "the server did not register again with the restarted tracker";
  TrackerClient c("127.0.0.1", port, "", "after restart");
  std::vector<ServerRecord> got = c.request("board", 1, 5);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].port, s1.port());
}

TEST(TrackerTest, StatusOfAnUnknownKeyIsEmptyAndBadKeysAreRefused) {
  RunningTracker tracker;
  TrackerClient c("127.0.0.1", tracker.port(), "", "status");
  KeyState st;
  EXPECT_TRUE(c.request("nobody-here", 1, 0, 0, &st).empty());
  EXPECT_EQ(st.free + st.busy + st.queued, 0);
  EXPECT_TRUE(c.summary().servers.empty());
  EXPECT_THROW(c.request("bad key/..", 1, 0), std::exception);
}

class TrackerRunnerTest : public test::VaddKernelSuite {
 protected:
  static TrackerRunnerOptions options(uint16_t port, std::vector<std::string> *log) {
    TrackerRunnerOptions opt;
    opt.tracker_port = port;
    opt.key = "board";
    opt.log = [log](const std::string &m) { log->push_back(m); };
    return opt;
  }
};

/// Registers a "server" at a port where nothing listens: a board that died after its last
/// heartbeat. Keeps the registration open while it lives.
class DeadServerRegistration {
 public:
  explicit DeadServerRegistration(uint16_t tracker_port,
                                  const std::string &triple = "x86_64-linux-gnu") {
    uint16_t dead_port;
    {
      TcpServer probe("127.0.0.1", 0, WorkerOptions{});
      dead_port = probe.port();
    }  // closed: connections to dead_port are refused from now on
    channel_ = TcpChannel::connect("127.0.0.1", tracker_port, 5);
    channel_->send(to_frame(HelloMessage{"test", ""}));
    EXPECT_EQ(channel_->receive()->type, MessageType::Info);
    RegisterMessage reg;
    reg.key = "board";
    reg.host = "127.0.0.1";
    reg.port = dead_port;
    reg.info.version = "test";
    reg.info.triple = triple;
    channel_->send(to_frame(reg));
    EXPECT_EQ(channel_->receive()->type, MessageType::Registered);
  }

 private:
  std::unique_ptr<TcpChannel> channel_;
};

TEST_F(TrackerRunnerTest, BatchesSpreadOverServersAndSurviveADeadOne) {
  RunningTracker tracker;
  RunningServer s1(tracker.port(), "board"), s2(tracker.port(), "board");
  DeadServerRegistration dead(tracker.port());
  ASSERT_TRUE(wait_for_servers(tracker.get(), "board", 3));

  std::vector<std::string> log;
  {
    TrackerRunner runner(options(tracker.port(), &log));
    std::vector<RunInput> batch;
    for (int i = 0; i < 8; ++i) batch.push_back(input(kGood));
    batch.push_back(input(kSegfault));
    batch.push_back(input(kWrong));
    std::vector<RunResult> r = runner.run(batch);
    ASSERT_EQ(r.size(), batch.size());
    for (int i = 0; i < 8; ++i) EXPECT_EQ(r[i].status, MeasureStatus::Ok) << i << ": " << r[i].error;
    // The crash is the candidate's: reported by the server's relay, not retried elsewhere.
    EXPECT_EQ(r[8].status, MeasureStatus::RuntimeDevice);
    EXPECT_NE(r[8].error.find("signal 11"), std::string::npos) << r[8].error;
    EXPECT_EQ(r[9].status, MeasureStatus::WrongAnswer) << r[9].error;
    EXPECT_GE(runner.retries(), 1) << "the dead server's trial was not retried";
    EXPECT_EQ(runner.servers(), 2);
    ASSERT_FALSE(log.empty());
    EXPECT_NE(log[0].find("failed"), std::string::npos) << log[0];

    // The session outlives the crash: the same servers measure the next batch.
    std::vector<RunResult> again = runner.run({input(kGood), input(kGood)});
    EXPECT_EQ(again[0].status, MeasureStatus::Ok) << again[0].error;
    EXPECT_EQ(again[1].status, MeasureStatus::Ok) << again[1].error;
  }
  // Both live servers took part.
  s1.stop();
  s2.stop();
  EXPECT_EQ(s1.sessions(), 1);
  EXPECT_EQ(s2.sessions(), 1);
}

TEST_F(TrackerRunnerTest, ServersOfAnotherArchitectureAreNotUsed) {
  RunningTracker tracker;
  DeadServerRegistration foreign(tracker.port(), "riscv64-linux-gnu");
  RunningServer s1(tracker.port(), "board");
  ASSERT_TRUE(wait_for_servers(tracker.get(), "board", 2));
  std::vector<std::string> log;
  TrackerRunnerOptions opt = options(tracker.port(), &log);
  opt.arch = "x86_64";
  TrackerRunner runner(opt);
  std::vector<RunResult> r = runner.run({input(kGood), input(kGood), input(kGood)});
  for (const RunResult &x : r) EXPECT_EQ(x.status, MeasureStatus::Ok) << x.error;
  EXPECT_EQ(runner.servers(), 1);
  EXPECT_EQ(runner.retries(), 0);
  ASSERT_FALSE(log.empty());
  EXPECT_NE(log[0].find("runs riscv64-linux-gnu"), std::string::npos) << log[0];
  // The foreign server went back to the tracker: free for a client that can use it.
  bool foreign_free = false;
  for (const ServerStatus &st : tracker.get().summary().servers) {
    if (st.server.info.triple == "riscv64-linux-gnu") foreign_free = !st.leased;
  }
  EXPECT_TRUE(foreign_free);
}

TEST_F(TrackerRunnerTest, AHangingKernelTimesOutOnTheServer) {
  RunningTracker tracker;
  RunningServer s1(tracker.port(), "board");
  ASSERT_TRUE(wait_for_servers(tracker.get(), "board", 1));
  std::vector<std::string> log;
  TrackerRunner runner(options(tracker.port(), &log));
  std::vector<RunResult> r = runner.run({input(kHang, 1.0), input(kGood)});
  EXPECT_EQ(r[0].status, MeasureStatus::RunTimeout) << r[0].error;
  EXPECT_NE(r[0].error.find("on the server"), std::string::npos) << r[0].error;
  EXPECT_EQ(r[1].status, MeasureStatus::Ok) << r[1].error;
  EXPECT_EQ(runner.retries(), 0);
}

TEST_F(TrackerRunnerTest, WaitsForAServerThenMeasures) {
  RunningTracker tracker;
  std::vector<std::string> log;
  TrackerRunnerOptions opt = options(tracker.port(), &log);
  opt.report_every_s = 0.5;
  TrackerRunner runner(opt);
  auto result = std::async(std::launch::async, [&] { return runner.run({input(kGood)}); });
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(result.wait_for(0s), std::future_status::timeout);
  RunningServer late(tracker.port(), "board");
  ASSERT_EQ(result.wait_for(60s), std::future_status::ready);
  std::vector<RunResult> r = result.get();
  EXPECT_EQ(r[0].status, MeasureStatus::Ok) << r[0].error;
  ASSERT_FALSE(log.empty());
  EXPECT_NE(log[0].find("waiting for a 'board' server"), std::string::npos) << log[0];
}

TEST_F(TrackerRunnerTest, GivesUpAfterMaxWaitWithAClearMessage) {
  std::vector<std::string> log;
  uint16_t port;
  {
    RunningTracker t;
    port = t.port();
  }  // no tracker listens here any more
  TrackerRunnerOptions opt = options(port, &log);
  opt.max_wait_s = 1;
  TrackerRunner runner(opt);
  try {
    runner.run({input(kGood)});
    FAIL() << "expected a UserError";
  } catch (const UserError &e) {
    EXPECT_NE(std::string(e.what()).find("'board' server"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("tracker"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace autotune::measure

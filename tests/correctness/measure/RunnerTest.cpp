// Runners with fault injection: candidates that segfault, never return, or compute the wrong
// answer get their statuses, and the next candidate runs on a fresh worker. Kernels are
// ordinary IR (tests/correctness/measure/MeasureTestKernels.h); production code has no hooks.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "measure/Builder.h"
#include "measure/Runner.h"
#include "measure/worker/TcpServer.h"
#include "tests/correctness/measure/VaddKernelSuite.h"

namespace autotune::measure {
namespace {

using RunnerTest = test::VaddKernelSuite;

LocalRunnerOptions local_options() {
  LocalRunnerOptions opt;
  opt.rpc_bin = test::rpc_bin();
  return opt;
}

TEST_F(RunnerTest, FaultInjection) {
  LocalRunner runner(local_options());
  std::vector<RunResult> r = runner.run({input(kGood), input(kWrong), input(kSegfault),
                                         input(kGood), input(kHang, 1.0), input(kGood)});
  ASSERT_EQ(r.size(), 6u);
  EXPECT_EQ(r[0].status, MeasureStatus::Ok) << r[0].error;
  EXPECT_EQ(r[0].costs_s.size(), 3u);
  EXPECT_GT(r[0].median_s, 0);

  EXPECT_EQ(r[1].status, MeasureStatus::WrongAnswer);
  EXPECT_NE(r[1].error.find("max |a-b| = "), std::string::npos) << r[1].error;

  EXPECT_EQ(r[2].status, MeasureStatus::RuntimeDevice);
  EXPECT_NE(r[2].error.find("worker died with signal 11 (SIGSEGV)"), std::string::npos)
      << r[2].error;

  EXPECT_EQ(r[3].status, MeasureStatus::Ok) << "respawned worker: " << r[3].error;

  EXPECT_EQ(r[4].status, MeasureStatus::RunTimeout);
  EXPECT_NE(r[4].error.find("timeout of 1 s"), std::string::npos) << r[4].error;
  EXPECT_GE(r[4].run_s, 1.0);
  EXPECT_LT(r[4].run_s, 5.0);

  EXPECT_EQ(r[5].status, MeasureStatus::Ok) << "respawned worker: " << r[5].error;
  EXPECT_EQ(runner.workers_started(), 3);
  for (const RunResult &x : r) {
    std::printf("%-15s %8.1f ms  %s\n", status_name(x.status), x.run_s * 1e3, x.error.c_str());
  }
}

TEST_F(RunnerTest, WorkerKilledBetweenRunsIsReplacedSilently) {
  LocalRunner runner(local_options());
  InfoMessage info = runner.device_info();
  EXPECT_EQ(info.num_threads, 1);
  EXPECT_EQ(info.pid, runner.worker_pid());
  ASSERT_GT(runner.worker_pid(), 0);
  kill(runner.worker_pid(), SIGKILL);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::vector<RunResult> r = runner.run({input(kGood)});
  EXPECT_EQ(r[0].status, MeasureStatus::Ok) << "not the candidate's fault: " << r[0].error;
  EXPECT_EQ(runner.workers_started(), 2);
}

/// The process state letter of `pid` from /proc ('Z' for a zombie), or 0 when it is gone.
char process_state(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return 0;
  size_t paren = line.rfind(')');
  return paren + 2 < line.size() ? line[paren + 2] : 0;
}

TEST_F(RunnerTest, WorkerStuckInAKernelDiesWithItsKilledParent) {
  // A child process plays the tuner: it starts a hanging run with a long timeout, reports its
  // worker's pid, and is killed with SIGKILL. The worker's watchdog must end it too.
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t tuner = fork();
  ASSERT_GE(tuner, 0);
  if (tuner == 0) {
    close(fds[0]);
    LocalRunner runner(local_options());
    runner.device_info();
    int pid = runner.worker_pid();
    if (write(fds[1], &pid, sizeof(pid)) != sizeof(pid)) _exit(1);
    runner.run({input(kHang, 100)});
    _exit(0);
  }
  close(fds[1]);
  int worker = 0;
  ASSERT_EQ(read(fds[0], &worker, sizeof(worker)), static_cast<ssize_t>(sizeof(worker)));
  close(fds[0]);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the kernel is spinning now
  ASSERT_EQ(kill(tuner, SIGKILL), 0);
  waitpid(tuner, nullptr, 0);
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  char state = process_state(worker);
  while (state != 0 && state != 'Z' && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    state = process_state(worker);
  }
  EXPECT_TRUE(state == 0 || state == 'Z')
      << "worker " << worker << " still runs (state " << state << ")";
  if (state != 0 && state != 'Z') kill(worker, SIGKILL);
}

TEST_F(RunnerTest, NoReferenceMeansNoCheck) {
  LocalRunner runner(local_options());
  RunInput in = input(kWrong);
  in.reference_so.clear();
  in.reference_kernel.clear();
  EXPECT_EQ(runner.run({in})[0].status, MeasureStatus::Ok);
}

TEST_F(RunnerTest, MissingLibraryIsUnknownAndTheWorkerStays) {
  LocalRunner runner(local_options());
  RunInput in = input(kGood);
  in.so_path = dir().path() + "/does-not-exist.so";
  std::vector<RunResult> r = runner.run({in, input(kGood)});
  EXPECT_EQ(r[0].status, MeasureStatus::Unknown);
  EXPECT_NE(r[0].error.find("does-not-exist.so"), std::string::npos) << r[0].error;
  EXPECT_EQ(r[1].status, MeasureStatus::Ok) << r[1].error;
  EXPECT_EQ(runner.workers_started(), 1);
}

TEST_F(RunnerTest, RpcRunnerOverLoopback) {
  TcpServer server("127.0.0.1", 0, WorkerOptions{});
  std::thread serving([&] { server.run(); });
  {
    RpcRunner runner("127.0.0.1", server.port());
    EXPECT_FALSE(runner.device_info().triple.empty());
    std::vector<RunResult> r = runner.run({input(kGood), input(kWrong)});
    EXPECT_EQ(r[0].status, MeasureStatus::Ok) << r[0].error;
    EXPECT_EQ(r[1].status, MeasureStatus::WrongAnswer) << r[1].error;
  }
  server.stop();
  serving.join();
}

}  // namespace
}  // namespace autotune::measure

// The stdio flavour of the worker: private pipe descriptors, no core dumps, parent watchdog.
#include "measure/worker/StdioServer.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <thread>

namespace autotune::measure {
namespace {

/// Exits when the parent process goes away (its pid changes to a reaper's): a worker stuck in a
/// kernel that never returns must not outlive a killed tuner.
void start_parent_watchdog() {
  pid_t parent = getppid();
  std::thread([parent] {
    while (true) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      if (getppid() != parent) _exit(3);
    }
  }).detach();
}

}  // namespace

int serve_stdio(const WorkerOptions &opt) {
  int in = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
  int out = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
  if (in < 0 || out < 0) {
    std::cerr << "autotune-rpc: cannot duplicate stdin/stdout\n";
    return 1;
  }
  dup2(STDERR_FILENO, STDOUT_FILENO);
  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd >= 0) {
    dup2(null_fd, STDIN_FILENO);
    close(null_fd);
  }
  rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  start_parent_watchdog();

  Worker worker(opt);
  FdChannel channel(in, out, /*owns=*/true, "the stdio client");
  worker.serve(channel);
  return 0;
}

}  // namespace autotune::measure

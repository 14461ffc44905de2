// A worker child process (`autotune-rpc server --stdio`) connected by two pipes: how the local
// runner isolates candidates that crash or hang, and how a board's server will (issue 6).
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "measure/worker/Channel.h"

namespace autotune::measure {

/// "exited with status 1", "died with signal 11 (SIGSEGV)" for a waitpid() status.
std::string describe_wait_status(int status);

class WorkerProcess {
 public:
  /// Starts `argv` (argv[0] is the program's path) with its stdin and stdout on pipes to this
  /// process; stderr is inherited. UserError when the program cannot be started. posix_spawn,
  /// not fork: the parent is multi-threaded (builder threads, LLVM) and may be large.
  explicit WorkerProcess(const std::vector<std::string> &argv);
  /// Kills (SIGKILL) and reaps the process if it still runs.
  ~WorkerProcess();
  WorkerProcess(const WorkerProcess &) = delete;
  WorkerProcess &operator=(const WorkerProcess &) = delete;

  Channel &channel() { return *channel_; }
  pid_t pid() const { return pid_; }

  /// True while the process has not exited (reaps it, without blocking, if it has).
  bool running();
  /// SIGKILLs the process if it runs, and reaps it.
  void kill();
  /// After the pipe closed: waits up to `wait_s` for the process to end and describes how it
  /// did ("worker died with signal 11 (SIGSEGV)"); if it still runs then, kills it and says so.
  std::string reap(double wait_s);

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
  std::unique_ptr<FdChannel> channel_;
};

}  // namespace autotune::measure

// Spawning, watching and killing a worker child process.
#include "measure/worker/WorkerProcess.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "ir/support/Error.h"

extern char **environ;

namespace autotune::measure {
namespace {

const char *signal_abbrev(int sig) {
  switch (sig) {
    case SIGSEGV:
      return "SIGSEGV";
    case SIGBUS:
      return "SIGBUS";
    case SIGILL:
      return "SIGILL";
    case SIGFPE:
      return "SIGFPE";
    case SIGABRT:
      return "SIGABRT";
    case SIGKILL:
      return "SIGKILL";
    case SIGTERM:
      return "SIGTERM";
    case SIGINT:
      return "SIGINT";
    case SIGPIPE:
      return "SIGPIPE";
    case SIGTRAP:
      return "SIGTRAP";
    case SIGSYS:
      return "SIGSYS";
    case SIGXCPU:
      return "SIGXCPU";
    default:
      return nullptr;
  }
}

}  // namespace

std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    const char *name = signal_abbrev(sig);
    return "died with signal " + std::to_string(sig) + (name ? std::string(" (") + name + ")" : "");
  }
  return "ended with wait status " + std::to_string(status);
}

WorkerProcess::WorkerProcess(const std::vector<std::string> &argv) {
  user_check(!argv.empty()) << "no worker program given";
  int to_child[2], from_child[2];
  user_check(pipe2(to_child, O_CLOEXEC) == 0) << "cannot create a pipe: " << std::strerror(errno);
  if (pipe2(from_child, O_CLOEXEC) != 0) {
    int e = errno;
    close(to_child[0]);
    close(to_child[1]);
    user_error << "cannot create a pipe: " << std::strerror(e);
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, to_child[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, from_child[1], STDOUT_FILENO);
  std::vector<char *> args;
  for (const std::string &a : argv) args.push_back(const_cast<char *>(a.c_str()));
  args.push_back(nullptr);
  // posix_spawnp: a launcher word such as "qemu-aarch64" is looked up on PATH.
  int rc = posix_spawnp(&pid_, argv[0].c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(to_child[0]);
  close(from_child[1]);
  if (rc != 0) {
    close(to_child[1]);
    close(from_child[0]);
    user_error << "cannot start the measurement worker '" << argv[0] << "': " << std::strerror(rc);
  }
  channel_ = std::make_unique<FdChannel>(from_child[0], to_child[1], /*owns=*/true,
                                         "worker pid " + std::to_string(pid_));
}

WorkerProcess::~WorkerProcess() {
  channel_.reset();  // closing its stdin ends an idle worker by itself
  kill();
}

bool WorkerProcess::running() {
  if (reaped_) return false;
  pid_t r = waitpid(pid_, &status_, WNOHANG);
  if (r == pid_) reaped_ = true;
  return !reaped_;
}

void WorkerProcess::kill() {
  if (reaped_ || pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  while (waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
}

std::string WorkerProcess::reap(double wait_s) {
  auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(wait_s);
  while (running() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (!reaped_) {
    kill();
    return "worker closed its pipe but kept running, and was killed";
  }
  return "worker " + describe_wait_status(status_);
}

}  // namespace autotune::measure

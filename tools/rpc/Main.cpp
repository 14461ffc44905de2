// `autotune-rpc`: the measurement worker and RPC server. Links the runtime and never LLVM, so it
// runs on boards (and beside PoCL). The local runner spawns `autotune-rpc server --stdio`.
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "ir/support/Error.h"
#include "measure/worker/StdioServer.h"
#include "measure/worker/TcpServer.h"
#include "measure/worker/Tracker.h"
#include "measure/worker/TrackerClient.h"

using namespace autotune;

namespace {

constexpr const char *kUsage = R"(autotune-rpc: the measurement worker and RPC server of autotune

Usage:
  autotune-rpc server --stdio [--threads N] [--work-dir DIR]
  autotune-rpc server [--host ADDR] [--port N] [--tracker HOST:PORT --key K] [--advertise ADDR]
                      [--threads N] [--token T] [--work-dir DIR] [--child-launcher "CMD ARGS"]
  autotune-rpc tracker [--host ADDR] [--port N] [--token T]
  autotune-rpc status --tracker HOST:PORT [--key K] [--token T]
  autotune-rpc --help | --version

A server receives compiled kernels (shared objects) and whole models, runs them on random or
given inputs, checks them against a reference kernel and times them; each client session runs
in a child process, so a crashing kernel kills the child, not the server. A tracker keeps the
servers of each key ("rk3399") and leases them to tuning clients (protocol version 1).

Options of `server`:
  --stdio          serve one session on stdin/stdout (how autotune's local runner uses it)
  --host ADDR      address to listen on (default 127.0.0.1); anything but loopback needs a token
  --port N         TCP port (default 9090; 0 picks a free port); the chosen address is printed
                   on stdout as "autotune-rpc: listening on ADDR:PORT"
  --tracker H:P    register with this tracker and send heartbeats; re-register when it restarts
  --key K          the tracker key of this device (e.g. rk3399); required with --tracker
  --advertise ADDR the address clients should connect to (default: --host, or for a wildcard
                   host the address this machine uses to reach the tracker)
  --threads N      threads for the kernels' parallel loops (default 1)
  --token T        shared secret that clients must present (default: $AUTOTUNE_RPC_TOKEN)
  --work-dir DIR   where the private module directories are made (default: $TMPDIR or /tmp)
  --child-launcher "CMD ARGS"
                   words put before this program when starting a session's child process,
                   e.g. "qemu-aarch64 -L /usr/aarch64-linux-gnu" where the kernel cannot run
                   this program's architecture by itself (default: $AUTOTUNE_RPC_CHILD_LAUNCHER)

Options of `tracker`:
  --host ADDR      address to listen on (default 127.0.0.1); anything but loopback needs a token
  --port N         TCP port (default 9190; 0 picks a free port); printed on stdout as
                   "autotune-rpc: tracker listening on ADDR:PORT"
  --token T        shared secret that servers and clients must present

`status` prints one line per key ("key K free F busy B queued Q") and one per server.
)";

/// The value after option `name` at argv[i]; UserError when it is missing.
std::string option_value(const std::vector<std::string> &args, size_t &i) {
  user_check(i + 1 < args.size()) << "option " << args[i] << " needs a value";
  return args[++i];
}

long parse_int(const std::string &option, const std::string &value, long lo, long hi) {
  char *end = nullptr;
  errno = 0;
  long v = std::strtol(value.c_str(), &end, 10);
  user_check(!value.empty() && *end == '\0' && errno == 0 && v >= lo && v <= hi)
      << "option " << option << " expects an integer in [" << lo << ", " << hi << "], got '"
      << value << "'";
  return v;
}

/// Splits a launcher command on spaces ("qemu-aarch64 -L /usr/aarch64-linux-gnu").
std::vector<std::string> split_words(const std::string &s) {
  std::vector<std::string> words;
  std::istringstream in(s);
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

/// This program's path, for starting session children.
std::string self_program() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  user_check(n > 0) << "cannot find this program's path (/proc/self/exe): " << std::strerror(errno);
  return std::string(buf, static_cast<size_t>(n));
}

/// Blocks SIGINT/SIGTERM in every thread and calls `stop` from a watcher thread when one
/// arrives, so that servers unregister and trackers close their sockets on Ctrl-C or kill.
void stop_on_signals(std::function<void()> stop) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set, stop = std::move(stop)] {
    int sig = 0;
    sigwait(&set, &sig);
    stop();
  }).detach();
}

std::string env_or(const char *name, const std::string &fallback) {
  const char *v = std::getenv(name);
  return v && *v ? v : fallback;
}

int run_tracker(const std::vector<std::string> &args) {
  std::string host = "127.0.0.1";
  long port = 9190;
  measure::TrackerOptions opt;
  opt.token = env_or("AUTOTUNE_RPC_TOKEN", "");
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string &a = args[i];
    if (a == "--host") {
      host = option_value(args, i);
    } else if (a == "--port") {
      port = parse_int(a, option_value(args, i), 0, 65535);
    } else if (a == "--token") {
      opt.token = option_value(args, i);
    } else if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    } else {
      user_error << "unknown option '" << a << "' of `autotune-rpc tracker` (see --help)";
    }
  }
  measure::Tracker tracker(host, static_cast<uint16_t>(port), opt);
  stop_on_signals([&tracker] { tracker.stop(); });
  std::cout << "autotune-rpc: tracker listening on " << host << ":" << tracker.port() << std::endl;
  tracker.run();
  return 0;
}

int run_status(const std::vector<std::string> &args) {
  std::string tracker, key, token = env_or("AUTOTUNE_RPC_TOKEN", "");
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string &a = args[i];
    if (a == "--tracker") {
      tracker = option_value(args, i);
    } else if (a == "--key") {
      key = option_value(args, i);
    } else if (a == "--token") {
      token = option_value(args, i);
    } else {
      user_error << "unknown option '" << a << "' of `autotune-rpc status` (see --help)";
    }
  }
  tracker = tracker.empty() ? env_or("AUTOTUNE_TRACKER", "") : tracker;
  user_check(!tracker.empty()) << "give the tracker: --tracker HOST:PORT (or AUTOTUNE_TRACKER)";
  std::string host;
  uint16_t port = 0;
  measure::parse_host_port(tracker, "--tracker", &host, &port);
  measure::TrackerClient client(host, port, token, "autotune-rpc status", 5);
  measure::SummaryReplyMessage s = client.summary();
  bool any = false;
  for (const measure::KeyState &k : s.keys) {
    if (!key.empty() && k.key != key) continue;
    any = true;
    std::printf("key %s free %d busy %d queued %d\n", k.key.c_str(), k.free, k.busy, k.queued);
  }
  if (!any && !key.empty()) std::printf("key %s free 0 busy 0 queued 0\n", key.c_str());
  for (const measure::ServerStatus &st : s.servers) {
    if (!key.empty() && st.server.key != key) continue;
    std::string state = st.leased ? "leased to " + st.leased_to : st.busy ? "busy" : "free";
    std::printf("server #%lld key %s %s:%u %s %s cpu '%s' threads %d sessions %lld "
                "heartbeat %.1f s ago\n",
                static_cast<long long>(st.server.id), st.server.key.c_str(),
                st.server.host.c_str(), st.server.port, st.server.info.triple.c_str(),
                state.c_str(), st.server.info.cpu.c_str(), st.server.info.num_threads,
                static_cast<long long>(st.sessions), st.since_heartbeat_s);
  }
  return 0;
}

int run_server(const std::vector<std::string> &args) {
  bool stdio = false;
  std::string host = "127.0.0.1", tracker;
  std::string launcher = env_or("AUTOTUNE_RPC_CHILD_LAUNCHER", "");
  long port = 9090;
  measure::ServerOptions sopt;
  measure::WorkerOptions &opt = sopt.worker;
  if (const char *token = std::getenv("AUTOTUNE_RPC_TOKEN")) opt.token = token;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string &a = args[i];
    if (a == "--stdio") {
      stdio = true;
    } else if (a == "--host") {
      host = option_value(args, i);
    } else if (a == "--port") {
      port = parse_int(a, option_value(args, i), 0, 65535);
    } else if (a == "--threads") {
      opt.num_threads = static_cast<int>(parse_int(a, option_value(args, i), 1, 4096));
    } else if (a == "--token") {
      opt.token = option_value(args, i);
    } else if (a == "--work-dir") {
      opt.work_dir = option_value(args, i);
    } else if (a == "--tracker") {
      tracker = option_value(args, i);
    } else if (a == "--key") {
      sopt.key = option_value(args, i);
    } else if (a == "--advertise") {
      sopt.advertise_host = option_value(args, i);
    } else if (a == "--child-launcher") {
      launcher = option_value(args, i);
    } else if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    } else {
      user_error << "unknown option '" << a << "' of `autotune-rpc server` (see --help)";
    }
  }
  if (stdio) return measure::serve_stdio(opt);
  if (!tracker.empty()) {
    measure::parse_host_port(tracker, "--tracker", &sopt.tracker_host, &sopt.tracker_port);
    user_check(!sopt.key.empty()) << "--tracker needs --key K: the device key clients ask for";
  }
  user_check(sopt.key.empty() || measure::is_valid_key(sopt.key))
      << "--key '" << sopt.key << "' is not a valid key (letters, digits, '.', '_', '-')";
  user_check(sopt.key.empty() || !tracker.empty()) << "--key needs --tracker HOST:PORT";
  sopt.child_command = split_words(launcher);
  sopt.child_command.push_back(self_program());
  measure::TcpServer server(host, static_cast<uint16_t>(port), sopt);
  stop_on_signals([&server] { server.stop(); });
  std::cout << "autotune-rpc: listening on " << host << ":" << server.port() << std::endl;
  server.run();
  return 0;
}

}  // namespace

int main(int argc, char **argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    std::cout << "autotune-rpc " << measure::kWorkerVersion << " (protocol "
              << measure::kProtocolVersion << ")\n";
    return 0;
  }
  try {
    if (args[0] == "server") return run_server(args);
    if (args[0] == "tracker") return run_tracker(args);
    if (args[0] == "status") return run_status(args);
    user_error << "unknown command '" << args[0]
               << "' (expected `server`, `tracker` or `status`; see --help)";
  } catch (const UserError &e) {
    std::cerr << "autotune-rpc: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception &e) {
    std::cerr << "autotune-rpc: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

// `autotune-rpc`: the measurement worker and RPC server. Links the runtime and never LLVM, so it
// runs on boards (and beside PoCL). The local runner spawns `autotune-rpc server --stdio`.
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "ir/support/Error.h"
#include "measure/worker/StdioServer.h"
#include "measure/worker/TcpServer.h"

using namespace autotune;

namespace {

constexpr const char *kUsage = R"(autotune-rpc: the measurement worker and RPC server of autotune

Usage:
  autotune-rpc server --stdio [--threads N] [--work-dir DIR]
  autotune-rpc server [--host ADDR] [--port N] [--threads N] [--token T] [--work-dir DIR]
  autotune-rpc --help | --version

A server receives compiled kernels (shared objects), runs them on random inputs, checks them
against a reference kernel and times them (autotune-rpc protocol version 1).

Options of `server`:
  --stdio          serve one session on stdin/stdout (how autotune's local runner uses it)
  --host ADDR      address to listen on (default 127.0.0.1); anything but loopback needs a token
  --port N         TCP port (default 9090; 0 picks a free port); the chosen address is printed
                   on stdout as "autotune-rpc: listening on ADDR:PORT"
  --threads N      threads for the kernels' parallel loops (default 1)
  --token T        shared secret that clients must present (default: $AUTOTUNE_RPC_TOKEN)
  --work-dir DIR   where the private module directory is made (default: $TMPDIR or /tmp)
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

int run_server(const std::vector<std::string> &args) {
  bool stdio = false;
  std::string host = "127.0.0.1";
  long port = 9090;
  measure::WorkerOptions opt;
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
    } else if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    } else {
      user_error << "unknown option '" << a << "' of `autotune-rpc server` (see --help)";
    }
  }
  if (stdio) return measure::serve_stdio(opt);
  measure::TcpServer server(host, static_cast<uint16_t>(port), opt);
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
    user_error << "unknown command '" << args[0] << "' (expected `server`; see --help)";
  } catch (const UserError &e) {
    std::cerr << "autotune-rpc: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception &e) {
    std::cerr << "autotune-rpc: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

// Crash isolation for a measurement server: each client session is served by a child worker
// process (`autotune-rpc server --stdio`) that the server relays frames to. A kernel that
// crashes or hangs kills the child, not the server: the client gets the trial's status
// (RuntimeDevice with the signal, RunTimeout), and the next request gets a fresh child with the
// session's uploads replayed, so the session goes on.
#pragma once

#include <string>
#include <vector>

#include "measure/worker/Channel.h"

namespace autotune::measure {

struct RelayOptions {
  /// How to start a child: launcher words (e.g. "qemu-aarch64 -L /usr/aarch64-linux-gnu" where
  /// binfmt_misc is not set up), then the autotune-rpc program; the relay appends
  /// `server --stdio --threads N --work-dir DIR`.
  std::vector<std::string> child_command;
  int num_threads = 1;
  std::string work_dir;  ///< parent of the session's scratch directory; empty: $TMPDIR or /tmp
  /// Extra seconds a child may take beyond a request's own timeout_s before it is killed.
  double grace_s = 5;
};

/// Relays one session after its handshake (the client's Hello was already answered) until the
/// client sends Shutdown or disconnects. Returns true when the client's Shutdown asked the whole
/// server to stop. Malformed client frames end the session with a logged reason.
bool relay_session(Channel &client, const RelayOptions &opt);

}  // namespace autotune::measure

// `autotune-rpc server --stdio`: one session over the process's stdin/stdout, as spawned by
// LocalRunner (WorkerProcess.h).
#pragma once

#include "measure/worker/Worker.h"

namespace autotune::measure {

/// Serves one session on stdin/stdout and returns the exit status (0 after Shutdown or end of
/// input). Before serving it moves the protocol to private descriptors, points stdout at stderr
/// (so that stray prints cannot corrupt frames) and stdin at /dev/null, turns core dumps off
/// (crashing candidates are expected), and starts a watchdog that ends the process when its
/// parent dies, even while a kernel never returns.
int serve_stdio(const WorkerOptions &opt);

}  // namespace autotune::measure

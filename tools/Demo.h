// `autotune demo`: compiles a hand-scheduled kernel and runs it against the default schedule.
#pragma once

namespace autotune::tools {

/// Runs the demo for an n x n x n matmul with `threads` threads; returns the process exit code.
int run_demo(int n, int threads);

}  // namespace autotune::tools

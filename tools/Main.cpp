// The `autotune` command line. Subcommands are added as the stages they drive land.
#include <CLI/CLI.hpp>

#include <iostream>

#include "ir/support/Error.h"
#include "tools/Demo.h"

int main(int argc, char **argv) {
  CLI::App app{"autotune: a deep-learning compiler that tunes itself for its target"};
  app.require_subcommand(1);
  int n = 512, threads = 1;
  CLI::App *demo = app.add_subcommand(
      "demo", "compile a matmul with the default and a hand-tuned schedule, check and time both");
  demo->add_option("--size", n, "matrix size n (n x n x n)")->check(CLI::Range(1, 8192));
  demo->add_option("--threads", threads, "worker threads")->check(CLI::Range(1, 256));
  CLI11_PARSE(app, argc, argv);
  try {
    if (*demo) return autotune::tools::run_demo(n, threads);
  } catch (const autotune::UserError &e) {
    std::cerr << "autotune: error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception &e) {
    std::cerr << "autotune: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

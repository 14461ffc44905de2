// Command-line entry of bench_peers: picks the mode (peak, sgemm, conv) and parses its sizes.
// Run it through run.sh, which sets the single-thread environment for OpenBLAS and OpenMP.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "Modes.h"

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: bench_peers peak\n"
               "       bench_peers sgemm M N K\n"
               "       bench_peers conv N C H W K R S stride pad\n");
  return 2;
}

// Parses argv[first..] as exactly `count` non-negative integers; callers reject zero sizes.
bool parse_ints(int argc, char **argv, int first, int count, std::vector<int> &out) {
  if (argc != first + count) return false;
  for (int i = first; i < argc; ++i) {
    char *end = nullptr;
    long v = std::strtol(argv[i], &end, 10);
    if (*end != '\0' || v < 0 || v > (1 << 20)) return false;
    out.push_back(static_cast<int>(v));
  }
  return true;
}

}  // namespace

int main(int argc, char **argv) {
  if (argc < 2) return usage();
  std::string mode = argv[1];
  std::vector<int> v;
  if (mode == "peak" && argc == 2) return run_peak_fma();
  if (mode == "sgemm" && parse_ints(argc, argv, 2, 3, v) && v[0] && v[1] && v[2])
    return run_sgemm_openblas(v[0], v[1], v[2]);
  if (mode == "conv" && parse_ints(argc, argv, 2, 9, v) && v[0] && v[1] && v[2] && v[3] && v[4] &&
      v[5] && v[6] && v[7])
    return run_conv_onednn(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]);
  return usage();
}

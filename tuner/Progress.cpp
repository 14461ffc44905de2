// Progress lines: carriage-return redraws on a TTY, one line per batch elsewhere.
#include "tuner/Progress.h"

#include <unistd.h>

namespace autotune::tuner {

ProgressDisplay::ProgressDisplay(FILE *out) : out_(out), live_(isatty(fileno(out)) != 0) {}

void ProgressDisplay::begin_task(int index, int count, const std::string &name) {
  char buf[512];
  std::snprintf(buf, sizeof buf, "[%d/%d] %s", index + 1, count, name.c_str());
  prefix_ = buf;
  std::fprintf(out_, live_ ? "%s: starting\r" : "%s: starting\n", prefix_.c_str());
  std::fflush(out_);
}

void ProgressDisplay::update(int64_t done, int64_t total, double best_gflops, double elapsed_s) {
  double eta = done > 0 ? elapsed_s / static_cast<double>(done) * static_cast<double>(total - done)
                        : 0;
  std::fprintf(out_, "%s%s: %ld/%ld trials, best %.1f GFLOP/s, %.0fs elapsed, ETA %.0fs%s",
               live_ ? "\r\033[K" : "", prefix_.c_str(), static_cast<long>(done),
               static_cast<long>(total), best_gflops, elapsed_s, eta, live_ ? "" : "\n");
  std::fflush(out_);
}

void ProgressDisplay::end_task(const std::string &summary) {
  std::fprintf(out_, "%s%s: %s\n", live_ ? "\r\033[K" : "", prefix_.c_str(), summary.c_str());
  std::fflush(out_);
}

}  // namespace autotune::tuner

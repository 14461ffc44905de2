// Wall-clock timing shared by the bench_peers modes: one warm-up call, then repeats until both a
// minimum count and a minimum total time are reached; reports the best and the median.
#pragma once

#include <algorithm>
#include <chrono>
#include <vector>

/// Best and median wall time of the timed repeats, in milliseconds.
struct TimingStats {
  double best_ms = 0;
  double median_ms = 0;
  int repeats = 0;
};

/// Calls `fn` once untimed, then at least `min_repeats` times and for at least `min_total_s`.
template <typename Fn>
TimingStats time_repeats(Fn &&fn, int min_repeats = 10, double min_total_s = 1.0) {
  using Clock = std::chrono::steady_clock;
  fn();
  std::vector<double> times_ms;
  double total_s = 0;
  while (static_cast<int>(times_ms.size()) < min_repeats || total_s < min_total_s) {
    auto start = Clock::now();
    fn();
    double s = std::chrono::duration<double>(Clock::now() - start).count();
    times_ms.push_back(s * 1e3);
    total_s += s;
  }
  std::sort(times_ms.begin(), times_ms.end());
  TimingStats stats;
  stats.best_ms = times_ms.front();
  stats.median_ms = times_ms[times_ms.size() / 2];
  stats.repeats = static_cast<int>(times_ms.size());
  return stats;
}

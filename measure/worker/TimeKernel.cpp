// Calibrated repeat timing of one kernel: the protocol documented in TimeKernel.h.
#include "measure/worker/TimeKernel.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <mutex>

#include "codegen/runtime/ThreadPool.h"

namespace autotune::measure {
namespace {

constexpr int64_t kFlushBytes = int64_t(64) << 20;

/// Seconds taken by `number` calls; stops at the first failing call and stores its code.
double time_calls(const std::function<int32_t()> &call, int64_t number, int32_t *failed) {
  auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < number; ++i) {
    int32_t rc = call();
    if (rc != 0) {
      *failed = rc;
      break;
    }
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

void flush_caches() {
  static std::once_flag once;
  static volatile unsigned char *buffer = nullptr;
  static unsigned char round = 0;
  std::call_once(once, [] { buffer = static_cast<unsigned char *>(autotune_alloc(kFlushBytes)); });
  if (!buffer) return;
  ++round;
  // Through a volatile pointer, so that the stores are not removed as dead.
  std::memset(const_cast<unsigned char *>(buffer), round, static_cast<size_t>(kFlushBytes));
  (void)buffer[kFlushBytes - 1];
}

KernelTiming time_kernel(const std::function<int32_t()> &call, const TimingOptions &opt) {
  KernelTiming t;
  const double min_repeat_s = std::max(0.0, opt.min_repeat_ms) / 1000.0;
  int64_t number = std::clamp<int64_t>(opt.number, 1, kMaxNumber);

  // 1. Calibrate.
  while (true) {
    double elapsed = time_calls(call, number, &t.failed_code);
    if (t.failed_code != 0) return t;
    if (elapsed >= min_repeat_s || number >= kMaxNumber) {
      if (!opt.flush_cache) t.costs_s.push_back(elapsed / static_cast<double>(number));
      break;
    }
    double factor = elapsed > 0 ? 1.2 * min_repeat_s / elapsed : 10000.0;
    factor = std::clamp(factor, 2.0, 10000.0);
    number = std::min<int64_t>(kMaxNumber, static_cast<int64_t>(std::ceil(number * factor)));
  }
  t.number = number;

  // 2. Repeats.
  while (t.costs_s.size() < static_cast<size_t>(std::max(1, opt.repeat))) {
    if (opt.flush_cache) flush_caches();
    double elapsed = time_calls(call, number, &t.failed_code);
    if (t.failed_code != 0) return t;
    t.costs_s.push_back(elapsed / static_cast<double>(number));
  }

  // 3. Statistics.
  double sum = 0;
  for (double c : t.costs_s) sum += c;
  t.mean_s = sum / static_cast<double>(t.costs_s.size());
  std::vector<double> sorted = t.costs_s;
  std::sort(sorted.begin(), sorted.end());
  size_t m = sorted.size() / 2;
  t.median_s = sorted.size() % 2 ? sorted[m] : 0.5 * (sorted[m - 1] + sorted[m]);
  return t;
}

}  // namespace autotune::measure

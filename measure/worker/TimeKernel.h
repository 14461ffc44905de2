// The timing protocol that every measurement follows (local worker and remote boards alike).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "measure/worker/RunTypes.h"

namespace autotune::measure {

/// What time_kernel measured.
struct KernelTiming {
  int64_t number = 0;           ///< calls per repeat, after calibration
  std::vector<double> costs_s;  ///< seconds per call, one entry per repeat
  double mean_s = 0, median_s = 0;
  int32_t failed_code = 0;  ///< first non-zero return of the kernel; timing stopped there
};

/// Most calls per repeat; a kernel too fast to fill min_repeat_ms with this many calls is timed
/// with fewer.
inline constexpr int64_t kMaxNumber = int64_t(1) << 26;

/// Times `call` (one kernel invocation returning its status) under `opt`.
///
/// Algorithm:
///  1. Calibrate: number = opt.number; time `number` calls; while that took less than
///     opt.min_repeat_ms, grow number to the count predicted to take 1.2 x min_repeat_ms (at
///     least doubling, at most x10000, capped by kMaxNumber) and time again. The round that
///     reaches min_repeat_ms is a valid repeat and counts as the first one, unless
///     opt.flush_cache asks for every repeat to start from flushed caches.
///  2. Repeat until there are opt.repeat repeats: flush the caches first if opt.flush_cache,
///     time `number` calls, record elapsed / number.
///  3. Report the mean and median of the repeats.
/// There is no warm-up call here: the worker's checked run before it plays that role.
/// Example: a 3 ms kernel, number 1, repeat 3, min_repeat_ms 10: 1 call (3 ms, too short) ->
/// number 4 (12 ms: repeat 1) -> repeats 2 and 3 of 4 calls each.
KernelTiming time_kernel(const std::function<int32_t()> &call, const TimingOptions &opt);

/// Evicts the data caches by writing a 64 MiB buffer (allocated once, kept for the process).
void flush_caches();

}  // namespace autotune::measure

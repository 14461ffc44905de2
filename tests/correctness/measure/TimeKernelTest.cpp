// The timing protocol: calibration grows `number` until one repeat lasts min_repeat_ms, then
// `repeat` repeats give per-call costs with their mean and median.
#include <gtest/gtest.h>

#include <chrono>

#include "measure/worker/TimeKernel.h"

namespace autotune::measure {
namespace {

/// A stand-in kernel that busy-waits `us` microseconds and counts its calls.
struct BusyKernel {
  double us;
  int64_t calls = 0;
  int32_t operator()() {
    ++calls;
    auto until = std::chrono::steady_clock::now() + std::chrono::duration<double, std::micro>(us);
    while (std::chrono::steady_clock::now() < until) {
    }
    return 0;
  }
};

TEST(TimeKernel, NumberGrowsUntilARepeatReachesMinRepeatMs) {
  BusyKernel k{500};  // 0.5 ms per call
  TimingOptions opt;
  opt.number = 1;
  opt.repeat = 3;
  opt.min_repeat_ms = 10;
  KernelTiming t = time_kernel([&] { return k(); }, opt);
  EXPECT_EQ(t.failed_code, 0);
  // 20 calls fill 10 ms; the prediction adds 20% margin, and a slow first call can only raise it.
  EXPECT_GE(t.number, 20);
  EXPECT_LE(t.number, 200);
  ASSERT_EQ(t.costs_s.size(), 3u);
  for (double c : t.costs_s) {
    EXPECT_GE(c * t.number, 10e-3) << "a repeat must last at least min_repeat_ms";
    EXPECT_GE(c, 0.5e-3);
    EXPECT_LT(c, 5e-3);
  }
  EXPECT_GE(t.median_s, 0.5e-3);
  EXPECT_NEAR(t.mean_s, (t.costs_s[0] + t.costs_s[1] + t.costs_s[2]) / 3, 1e-12);
  std::printf("number=%lld calls=%lld mean=%.3f ms\n", static_cast<long long>(t.number),
              static_cast<long long>(k.calls), t.mean_s * 1e3);
}

TEST(TimeKernel, SlowKernelKeepsTheGivenNumber) {
  BusyKernel k{3000};  // 3 ms per call, number 4 already fills 10 ms
  TimingOptions opt;
  opt.number = 4;
  opt.repeat = 2;
  opt.min_repeat_ms = 10;
  KernelTiming t = time_kernel([&] { return k(); }, opt);
  EXPECT_EQ(t.number, 4);
  EXPECT_EQ(k.calls, 2 * 4);  // the calibration round that fills 10 ms is the first repeat
  EXPECT_EQ(t.costs_s.size(), 2u);
}

TEST(TimeKernel, FlushedRepeatsDoNotReuseTheCalibrationRound) {
  BusyKernel k{3000};
  TimingOptions opt;
  opt.number = 4;
  opt.repeat = 2;
  opt.min_repeat_ms = 10;
  opt.flush_cache = true;
  KernelTiming t = time_kernel([&] { return k(); }, opt);
  EXPECT_EQ(k.calls, 4 + 2 * 4);
  EXPECT_EQ(t.costs_s.size(), 2u);
}

TEST(TimeKernel, ZeroMinRepeatMeansNoCalibrationGrowth) {
  BusyKernel k{10};
  TimingOptions opt;
  opt.number = 2;
  opt.repeat = 5;
  opt.min_repeat_ms = 0;
  opt.flush_cache = true;
  KernelTiming t = time_kernel([&] { return k(); }, opt);
  EXPECT_EQ(t.number, 2);
  EXPECT_EQ(t.costs_s.size(), 5u);
  EXPECT_GT(t.median_s, 0);
}

TEST(TimeKernel, StopsAtAFailingCall) {
  int calls = 0;
  TimingOptions opt;
  opt.min_repeat_ms = 1000;
  KernelTiming t = time_kernel([&] { return ++calls == 3 ? 7 : 0; }, opt);
  EXPECT_EQ(t.failed_code, 7);
  EXPECT_EQ(calls, 3);
  EXPECT_TRUE(t.costs_s.empty());
}

}  // namespace
}  // namespace autotune::measure

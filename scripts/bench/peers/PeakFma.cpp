// Peak FP32 FMA throughput of one core: 12 independent _mm256_fmadd_ps chains, enough to cover
// FMA latency (4-5 cycles) times throughput (2 per cycle) on current x86 cores.
#include <immintrin.h>

#include <cstdio>

#include "Modes.h"
#include "Timing.h"

namespace {

constexpr int kChains = 12;
constexpr long kIters = 50'000'000;  // 12 * 8 * 2 * 5e7 = 9.6 GFLOP per call, ~0.1 s at peak

// The accumulators are written back through `out`, so the loop has an observable result; the empty
// asm with "+x" keeps the compiler from hoisting or folding the multiplier out of the loop.
__attribute__((noinline)) void fma_chains(long iters, float *out) {
  __m256 mul = _mm256_set1_ps(0.999999f), add = _mm256_set1_ps(1e-6f);
  __m256 acc[kChains];
  for (int j = 0; j < kChains; ++j) acc[j] = _mm256_set1_ps(1.0f + j);
  for (long i = 0; i < iters; ++i) {
    asm volatile("" : "+x"(mul));
    for (int j = 0; j < kChains; ++j) acc[j] = _mm256_fmadd_ps(acc[j], mul, add);
  }
  __m256 sum = acc[0];
  for (int j = 1; j < kChains; ++j) sum = _mm256_add_ps(sum, acc[j]);
  _mm256_storeu_ps(out, sum);
}

}  // namespace

int run_peak_fma() {
  alignas(32) float out[8];
  TimingStats t = time_repeats([&] { fma_chains(kIters, out); }, 10, 1.0);
  double flops = 2.0 * 8 * kChains * static_cast<double>(kIters);
  std::printf("peak_gflops=%.1f best_ms=%.2f median_gflops=%.1f checksum=%g\n",
              flops / (t.best_ms * 1e6), t.best_ms, flops / (t.median_ms * 1e6), out[0]);
  return 0;
}

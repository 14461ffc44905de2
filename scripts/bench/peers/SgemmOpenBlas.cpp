// OpenBLAS single-precision GEMM on one thread: the peer for tuned dense/matmul kernels.
#include <cblas.h>

#include <cstdio>
#include <random>
#include <vector>

#include "Modes.h"
#include "Timing.h"

int run_sgemm_openblas(int m, int n, int k) {
  openblas_set_num_threads(1);
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> a(static_cast<size_t>(m) * k), b(static_cast<size_t>(k) * n);
  std::vector<float> c(static_cast<size_t>(m) * n, 0.0f);
  for (float &x : a) x = dist(rng);
  for (float &x : b) x = dist(rng);

  TimingStats t = time_repeats([&] {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a.data(), k, b.data(), n,
                0.0f, c.data(), n);
  });
  double flops = 2.0 * m * n * k;
  std::printf("sgemm_gflops=%.1f ms=%.3f best_gflops=%.1f best_ms=%.3f repeats=%d threads=%d core=%s\n",
              flops / (t.median_ms * 1e6), t.median_ms, flops / (t.best_ms * 1e6), t.best_ms,
              t.repeats, openblas_get_num_threads(), openblas_get_corename());
  return 0;
}

// The quick-start demo: the same matmul lowered twice, once with the default schedule and once
// with the hand-written packed, register-tiled schedule, both JIT-compiled, checked and timed.
#include "tools/Demo.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <vector>

#include "codegen/Compile.h"
#include "codegen/runtime/ThreadPool.h"
#include "ir/lower/Lower.h"
#include "ir/ops/Dense.h"
#include "searchspace/CpuTemplates.h"

namespace autotune::tools {

namespace {

double time_ms(runtime::KernelFunction fn, void **args, int repeats) {
  fn(args);
  std::vector<double> t;
  for (int r = 0; r < repeats; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    fn(args);
    t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                    .count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

}  // namespace

int run_demo(int n, int threads) {
  autotune_set_num_threads(threads);
  // Default schedule: the plain triple loop of ops::matmul.
  te::Tensor A = te::placeholder({n, n}, ir::Float(32), "A");
  te::Tensor B = te::placeholder({n, n}, ir::Float(32), "B");
  te::Tensor C = ops::matmul(A, B);
  te::Schedule naive = te::create_schedule({C});
  // Hand-written schedule: B packed in 16-wide panels, 4x16 register tiles, AVX/NEON vectors.
  searchspace::MatmulParams p;
  p.parallel = threads > 1;
  auto tuned = searchspace::matmul_packed_schedule(n, n, n, p);

  codegen::JitModule jit({lower::lower(naive, {A, B, C}, "matmul_default"),
                          lower::lower(tuned.schedule, tuned.args, "matmul_tuned")});
  std::vector<float> a(size_t(n) * n), b(size_t(n) * n), c0(size_t(n) * n), c1(size_t(n) * n);
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> d(-1, 1);
  for (float &x : a) x = d(rng);
  for (float &x : b) x = d(rng);
  void *args0[] = {a.data(), b.data(), c0.data()};
  void *args1[] = {a.data(), b.data(), c1.data()};
  double ms0 = time_ms(jit.get_function("matmul_default"), args0, 3);
  double ms1 = time_ms(jit.get_function("matmul_tuned"), args1, 10);
  float max_err = 0;
  for (size_t i = 0; i < c0.size(); ++i) max_err = std::max(max_err, std::abs(c0[i] - c1[i]));
  double gflop = 2.0 * n * n * n / 1e9;
  std::printf("autotune demo: matmul %dx%dx%d on %d thread(s), target %s\n", n, n, n, threads,
              codegen::Target::host().str().c_str());
  std::printf("  default schedule:      %9.3f ms  %7.2f GFLOP/s\n", ms0, gflop / ms0 * 1e3);
  std::printf("  hand-tuned schedule:   %9.3f ms  %7.2f GFLOP/s  (%.1fx faster)\n", ms1,
              gflop / ms1 * 1e3, ms0 / ms1);
  std::printf("  max |difference|:      %g\n", max_err);
  if (max_err > 1e-3f * n) {
    std::fprintf(stderr, "autotune demo: results differ\n");
    return 1;
  }
  return 0;
}

}  // namespace autotune::tools

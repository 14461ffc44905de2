// Measures autotune's hand-scheduled kernels (packed matmul, blocked conv2d) on the host,
// single-threaded by default, after checking their results against naive loops.
// Used by scripts/bench/kernels.sh, which runs the peers (OpenBLAS, oneDNN) in the same run.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "codegen/Compile.h"
#include "codegen/runtime/ThreadPool.h"
#include "ir/lower/Lower.h"
#include "searchspace/CpuTemplates.h"

using namespace autotune;

namespace {

struct Buffer {
  explicit Buffer(size_t n) : size(n), data(static_cast<float *>(autotune_alloc(n * 4 + 64))) {}
  ~Buffer() { autotune_free(data); }
  Buffer(const Buffer &) = delete;
  size_t size;
  float *data;
};

void fill_random(Buffer &b, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-1, 1);
  for (size_t i = 0; i < b.size; ++i) b.data[i] = d(rng);
}

/// Median milliseconds of `fn` over repeats lasting at least `min_total_s`.
template <typename F>
double median_ms(F fn, double min_total_s = 1.5, int min_repeats = 10) {
  fn();  // warm-up
  std::vector<double> times;
  auto start = std::chrono::steady_clock::now();
  while (static_cast<int>(times.size()) < min_repeats ||
         std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() <
             min_total_s) {
    auto t0 = std::chrono::steady_clock::now();
    fn();
    times.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

int64_t arg_int(int argc, char **argv, const char *name, int64_t def) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return std::atoll(argv[i + 1]);
  }
  return def;
}

bool close(float got, double want) { return std::abs(got - want) <= 1e-3 + 1e-3 * std::abs(want); }

int bench_matmul(int argc, char **argv) {
  int64_t M = arg_int(argc, argv, "--m", 1024), N = arg_int(argc, argv, "--n", 1024),
          K = arg_int(argc, argv, "--k", 1024);
  searchspace::MatmulParams p;
  p.bn = arg_int(argc, argv, "--bn", p.bn);
  p.mr = arg_int(argc, argv, "--mr", p.mr);
  p.mc = arg_int(argc, argv, "--mc", p.mc);
  p.parallel = arg_int(argc, argv, "--threads", 1) > 1;
  auto kernel = searchspace::matmul_packed_schedule(M, N, K, p);
  codegen::JitModule jit({lower::lower(kernel.schedule, kernel.args, "matmul")});
  auto fn = jit.get_function("matmul");
  Buffer a(M * K), b(K * N), c(M * N);
  fill_random(a, 1);
  fill_random(b, 2);
  void *args[] = {a.data, b.data, c.data};
  double ms = median_ms([&] { fn(args); });
  // Check a sample of entries against a naive dot product.
  std::mt19937 rng(3);
  int bad = 0;
  for (int s = 0; s < 2000; ++s) {
    int64_t i = rng() % M, j = rng() % N;
    double want = 0;
    for (int64_t k = 0; k < K; ++k) want += double(a.data[i * K + k]) * b.data[k * N + j];
    bad += !close(c.data[i * N + j], want);
  }
  double gflops = 2.0 * M * N * K / (ms * 1e6);
  std::printf("matmul_gflops=%.2f ms=%.3f M=%ld N=%ld K=%ld bn=%ld mr=%ld mc=%ld wrong=%d\n",
              gflops, ms, M, N, K, p.bn, p.mr, p.mc, bad);
  return bad == 0 ? 0 : 1;
}

int bench_conv(int argc, char **argv) {
  int64_t N = 1, C = arg_int(argc, argv, "--c", 64), H = arg_int(argc, argv, "--h", 56),
          W = arg_int(argc, argv, "--w", 56), K = arg_int(argc, argv, "--k", 64),
          R = arg_int(argc, argv, "--r", 3), S = R, stride = arg_int(argc, argv, "--stride", 1),
          pad = arg_int(argc, argv, "--pad", 1);
  searchspace::Conv2dNchwcParams p;
  p.ic_bn = arg_int(argc, argv, "--ic_bn", p.ic_bn);
  p.oc_bn = arg_int(argc, argv, "--oc_bn", p.oc_bn);
  p.reg_n = arg_int(argc, argv, "--reg_n", p.reg_n);
  p.unroll_kw = arg_int(argc, argv, "--unroll_kw", 0) != 0;
  p.parallel = arg_int(argc, argv, "--threads", 1) > 1;
  auto kernel = searchspace::conv2d_nchwc_schedule(N, C, H, W, K, R, S, stride, pad, p);
  auto c0 = std::chrono::steady_clock::now();
  codegen::JitModule jit({lower::lower(kernel.schedule, kernel.args, "conv")});
  double compile_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - c0).count();
  auto fn = jit.get_function("conv");
  int64_t OH = (H + 2 * pad - R) / stride + 1, OW = (W + 2 * pad - S) / stride + 1;
  Buffer x(N * C * H * W), w(K * C * R * S), y(N * K * OH * OW);
  fill_random(x, 4);
  fill_random(w, 5);
  void *args[] = {x.data, w.data, y.data};
  double ms = median_ms([&] { fn(args); });
  // Blocked layouts: x[c/icb][h][w][c%icb], w[k/ocb][c/icb][r][s][c%icb][k%ocb].
  auto X = [&](int64_t c, int64_t h, int64_t ww) {
    return x.data[((c / p.ic_bn * H + h) * W + ww) * p.ic_bn + c % p.ic_bn];
  };
  auto Wt = [&](int64_t k, int64_t c, int64_t r, int64_t s) {
    return w.data[((((k / p.oc_bn) * (C / p.ic_bn) + c / p.ic_bn) * R + r) * S + s) * p.ic_bn *
                      p.oc_bn +
                  (c % p.ic_bn) * p.oc_bn + k % p.oc_bn];
  };
  std::mt19937 rng(6);
  int bad = 0;
  for (int t = 0; t < 500; ++t) {
    int64_t k = rng() % K, oh = rng() % OH, ow = rng() % OW;
    double want = 0;
    for (int64_t c = 0; c < C; ++c)
      for (int64_t r = 0; r < R; ++r)
        for (int64_t s = 0; s < S; ++s) {
          int64_t ih = oh * stride + r - pad, iw = ow * stride + s - pad;
          if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
          want += double(X(c, ih, iw)) * Wt(k, c, r, s);
        }
    float got = y.data[((k / p.oc_bn * OH + oh) * OW + ow) * p.oc_bn + k % p.oc_bn];
    bad += !close(got, want);
  }
  double gflops = 2.0 * N * K * OH * OW * C * R * S / (ms * 1e6);
  std::printf("conv_gflops=%.2f ms=%.3f C=%ld H=%ld W=%ld K=%ld R=%ld ic_bn=%ld oc_bn=%ld "
              "reg_n=%ld wrong=%d compile_ms=%.0f\n",
              gflops, ms, C, H, W, K, R, p.ic_bn, p.oc_bn, p.reg_n, bad, compile_ms);
  return bad == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char **argv) {
  if (argc < 2 || (std::strcmp(argv[1], "matmul") != 0 && std::strcmp(argv[1], "conv") != 0)) {
    std::fprintf(stderr,
                 "usage: autotune-bench-kernels matmul [--m M --n N --k K --bn B --mr R --mc C]\n"
                 "       autotune-bench-kernels conv [--c C --h H --w W --k K --r R --stride S "
                 "--pad P --ic_bn B --oc_bn B --reg_n N --unroll_kw 0|1]\n"
                 "       (both take --threads T, default 1)\n");
    return 2;
  }
  autotune_set_num_threads(static_cast<int>(arg_int(argc, argv, "--threads", 1)));
  try {
    return std::strcmp(argv[1], "matmul") == 0 ? bench_matmul(argc, argv) : bench_conv(argc, argv);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "autotune-bench-kernels: error: %s\n", e.what());
    return 1;
  }
}

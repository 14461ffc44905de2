// Throughput smoke test of the whole measurement path (Builder -> LocalRunner -> autotune-rpc):
// 20 small matmul candidates, then a ResNet-50-sized blocked conv (3x3, 256->256, 14x14). Prints
// per-trial build and run times; asserts only that every candidate measures Ok.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "ir/lower/Lower.h"
#include "measure/Builder.h"
#include "measure/Runner.h"
#include "searchspace/CpuTemplates.h"
#include "tests/correctness/measure/MeasureTestKernels.h"

namespace autotune::measure {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

std::vector<ArgSpec> specs_of(const searchspace::ScheduledKernel &k) {
  std::vector<ArgSpec> specs;
  for (size_t i = 0; i < k.args.size(); ++i) {
    specs.push_back({k.args[i].shape(), k.args[i].dtype(), i + 1 == k.args.size()});
  }
  return specs;
}

/// Builds and runs `candidates` (plus the reference) in batches of 8 as the tuner does, and
/// prints the per-trial costs. Returns the run results.
std::vector<RunResult> measure_all(const char *title,
                                   const std::function<searchspace::ScheduledKernel(int)> &make,
                                   int num_candidates, double flops) {
  test::TempDir dir;
  Builder builder(2, 60, dir.path());
  LocalRunnerOptions opt;
  opt.rpc_bin = test::rpc_bin();
  LocalRunner runner(opt);
  auto kernel = [&make](int k, const std::string &name) {
    return test::build_input([make, k, name] {
      searchspace::ScheduledKernel sk = make(k);
      return lower::lower(sk.schedule, sk.args, name);
    });
  };
  BuildResult ref = builder.build({kernel(-1, "reference")})[0];
  EXPECT_EQ(ref.status, MeasureStatus::Ok) << ref.error;
  std::vector<ArgSpec> specs = specs_of(make(-1));

  auto start = std::chrono::steady_clock::now();
  double build_wall = 0, run_wall = 0;
  std::vector<double> build_s, run_s, cost_s;
  std::vector<RunResult> all;
  for (int first = 0; first < num_candidates; first += 8) {
    std::vector<BuildInput> inputs;
    for (int k = first; k < std::min(num_candidates, first + 8); ++k) {
      inputs.push_back(kernel(k, "candidate"));
    }
    auto t0 = std::chrono::steady_clock::now();
    std::vector<BuildResult> built = builder.build(inputs);
    build_wall += seconds_since(t0);
    std::vector<RunInput> runs;
    for (const BuildResult &b : built) {
      EXPECT_EQ(b.status, MeasureStatus::Ok) << b.error;
      build_s.push_back(b.build_s);
      RunInput in;
      in.so_path = b.so_path;
      in.kernel_name = b.kernel_name;
      in.reference_so = ref.so_path;
      in.reference_kernel = ref.kernel_name;
      in.args = specs;
      runs.push_back(in);
    }
    t0 = std::chrono::steady_clock::now();
    std::vector<RunResult> ran = runner.run(runs);
    run_wall += seconds_since(t0);
    for (const RunResult &r : ran) {
      EXPECT_EQ(r.status, MeasureStatus::Ok) << r.error;
      run_s.push_back(r.run_s);
      if (r.status == MeasureStatus::Ok) cost_s.push_back(r.mean_s);
      all.push_back(r);
    }
    builder.cleanup(built);
  }
  double total = seconds_since(start);
  double best = cost_s.empty() ? 0 : *std::min_element(cost_s.begin(), cost_s.end());
  std::printf(
      "%s: %d trials in %.2f s = %.1f trials/s | build: median %.0f ms per candidate, %.0f ms "
      "wall per trial (2 threads) | run: median %.0f ms per trial | best kernel %.3f ms "
      "(%.1f GFLOP/s)\n",
      title, num_candidates, total, num_candidates / total, median(build_s) * 1e3,
      build_wall / num_candidates * 1e3, median(run_s) * 1e3, best * 1e3,
      best > 0 ? flops / best / 1e9 : 0.0);
  return all;
}

TEST(MeasureThroughput, TwentySmallMatmulCandidates) {
  auto make = [](int k) {
    searchspace::MatmulParams p;
    if (k >= 0) {
      const int64_t bn[] = {8, 16, 32, 64}, mr[] = {1, 2, 4, 8, 16};
      p.bn = bn[k % 4];
      p.mr = mr[(k / 4) % 5];
      p.mc = 64;
    }
    return searchspace::matmul_packed_schedule(64, 64, 64, p);
  };
  measure_all("matmul 64^3", make, 20, 2.0 * 64 * 64 * 64);
}

TEST(MeasureThroughput, ResNet50Conv3x3) {
  // 3x3, 256 -> 256 channels, 14x14, stride 1, pad 1 (ResNet-50 stage 4), in NCHW16c.
  auto make = [](int k) {
    searchspace::Conv2dNchwcParams p;
    p.ic_bn = 16;
    p.oc_bn = 16;
    p.reg_n = 7;
    if (k >= 0) {
      const int64_t reg_n[] = {1, 2, 7, 14};
      p.reg_n = reg_n[k % 4];
      p.unroll_kw = k / 4 % 2 == 1;
    }
    return searchspace::conv2d_nchwc_schedule(1, 256, 14, 14, 256, 3, 3, 1, 1, p);
  };
  measure_all("conv2d 3x3 256->256 14x14", make, 8, 2.0 * 14 * 14 * 256 * 256 * 9);
}

}  // namespace
}  // namespace autotune::measure

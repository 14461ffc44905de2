// The Builder: parallel builds in input order, one status per failure kind, timeouts that
// abandon a build without stalling the others, and ownership of the shared objects it makes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "measure/Builder.h"
#include "tests/correctness/measure/MeasureTestKernels.h"

namespace autotune::measure {
namespace {

namespace fs = std::filesystem;
using test::build_input;
using test::vadd_kernel;

TEST(Builder, BuildsInParallelInInputOrder) {
  test::TempDir dir;
  Builder builder(2, 60, dir.path() + "/so");
  std::vector<BuildInput> inputs;
  for (int k = 0; k < 6; ++k) {
    inputs.push_back(build_input([k] { return vadd_kernel("vadd" + std::to_string(k), 64 + k); }));
  }
  auto start = std::chrono::steady_clock::now();
  std::vector<BuildResult> results = builder.build(inputs);
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(results.size(), 6u);
  double sum = 0;
  for (int k = 0; k < 6; ++k) {
    const BuildResult &r = results[k];
    ASSERT_EQ(r.status, MeasureStatus::Ok) << r.error;
    EXPECT_EQ(r.kernel_name, "vadd" + std::to_string(k));
    EXPECT_TRUE(fs::exists(r.so_path)) << r.so_path;
    EXPECT_EQ(fs::path(r.so_path).parent_path(), fs::path(builder.work_dir()));
    ASSERT_EQ(r.args.size(), 3u);
    EXPECT_EQ(r.args[0].shape, std::vector<int64_t>{64 + k});
    EXPECT_FALSE(r.args[0].is_output);
    EXPECT_FALSE(r.args[1].is_output);
    EXPECT_TRUE(r.args[2].is_output) << "the stored-to argument is the output";
    EXPECT_GT(r.build_s, 0);
    sum += r.build_s;
  }
  std::printf("6 builds: %.1f ms wall, %.1f ms of build time (%.1f ms per build)\n", wall * 1e3,
              sum * 1e3, sum / 6 * 1e3);
  builder.cleanup({results[0], results[1]});
  EXPECT_FALSE(fs::exists(results[0].so_path));
  EXPECT_TRUE(fs::exists(results[2].so_path));
  builder.cleanup();
  EXPECT_FALSE(fs::exists(results[2].so_path));
}

TEST(Builder, ErrorCodes) {
  test::TempDir dir;
  Builder builder(2, 60, dir.path());
  std::vector<BuildInput> inputs;
  inputs.push_back(build_input([]() -> ir::LoweredFunc {
    user_error << "split of axis 'i' in 'C': factor must be positive, got 0";
    return {};
  }));
  inputs.push_back(build_input(
      []() -> ir::LoweredFunc { throw std::runtime_error("bound inference exploded"); }));
  inputs.push_back(build_input([]() -> ir::LoweredFunc {
    internal_error << "a pass saw a non-constant unroll extent";
    return {};
  }));
  BuildInput bad_target = build_input([] { return vadd_kernel("v", 8); });
  bad_target.target = "llvm -mcpu=no-such-cpu-anywhere";
  inputs.push_back(bad_target);
  std::vector<BuildResult> r = builder.build(inputs);
  EXPECT_EQ(r[0].status, MeasureStatus::InvalidConfig);
  EXPECT_NE(r[0].error.find("factor must be positive"), std::string::npos) << r[0].error;
  EXPECT_EQ(r[1].status, MeasureStatus::CompileHost);
  EXPECT_NE(r[1].error.find("bound inference exploded"), std::string::npos) << r[1].error;
  EXPECT_EQ(r[2].status, MeasureStatus::CompileHost);
  EXPECT_NE(r[2].error.find("compiler bug"), std::string::npos) << r[2].error;
  EXPECT_EQ(r[3].status, MeasureStatus::CompileHost);
  EXPECT_NE(r[3].error.find("no-such-cpu-anywhere"), std::string::npos) << r[3].error;
  for (const BuildResult &x : r) EXPECT_TRUE(x.so_path.empty());
}

TEST(Builder, LinkFailureIsCompileDevice) {
  // /proc/self is a directory no one can create files in, root included: the object is emitted
  // (in the builder's private directory) and the link into work_dir fails.
  Builder builder(1, 60, "/proc/self");
  std::vector<BuildResult> r = builder.build({build_input([] { return vadd_kernel("v", 16); })});
  EXPECT_EQ(r[0].status, MeasureStatus::CompileDevice);
  EXPECT_NE(r[0].error.find("linking failed"), std::string::npos) << r[0].error;
}

TEST(Builder, TimeoutAbandonsTheBuildAndKeepsThePoolGoing) {
  test::TempDir dir;
  std::string late_so;
  {
    Builder builder(1, 0.3, dir.path());
    std::vector<BuildInput> inputs;
    inputs.push_back(build_input([] {
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
      return vadd_kernel("slow", 8);
    }));
    inputs.push_back(build_input([] { return vadd_kernel("fast", 8); }));
    auto start = std::chrono::steady_clock::now();
    std::vector<BuildResult> r = builder.build(inputs);
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(r[0].status, MeasureStatus::BuildTimeout);
    EXPECT_NE(r[0].error.find("timeout of 0.3"), std::string::npos) << r[0].error;
    EXPECT_GE(r[0].build_s, 0.3);
    // With one thread the fast build ran on the replacement thread, not after the slow one.
    EXPECT_EQ(r[1].status, MeasureStatus::Ok) << r[1].error;
    EXPECT_LT(wall, 1.4);
  }  // the destructor waits for the abandoned build and deletes what it made
  for (const auto &entry : fs::directory_iterator(dir.path())) {
    ADD_FAILURE() << "left behind: " << entry.path();
  }
}

TEST(Builder, DestructorDeletesItsFiles) {
  test::TempDir dir;
  std::string so;
  {
    Builder builder(1, 60, dir.path());
    so = builder.build({build_input([] { return vadd_kernel("v", 16); })})[0].so_path;
    EXPECT_TRUE(fs::exists(so));
  }
  EXPECT_FALSE(fs::exists(so));
}

}  // namespace
}  // namespace autotune::measure

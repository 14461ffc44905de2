// A test fixture for runners: the vadd kernels of MeasureTestKernels.h (a reference and a good,
// a wrong, a segfaulting and a hanging candidate) built once per test suite, and run inputs that
// compare a candidate with the reference.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "measure/Builder.h"
#include "tests/correctness/measure/MeasureTestKernels.h"

namespace autotune::measure::test {

class VaddKernelSuite : public ::testing::Test {
 protected:
  static constexpr int64_t kN = 4096;
  enum { kReference = 0, kGood = 1, kWrong = 2, kSegfault = 3, kHang = 4 };

  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    builder_ = std::make_unique<Builder>(2, 60, dir_->path());
    std::vector<BuildInput> inputs;
    const std::pair<const char *, VaddFlavor> kernels[] = {{"reference", VaddFlavor::Correct},
                                                           {"good", VaddFlavor::Correct},
                                                           {"wrong", VaddFlavor::Wrong},
                                                           {"segfault", VaddFlavor::Segfault},
                                                           {"hang", VaddFlavor::Hang}};
    for (const auto &[name, flavor] : kernels) {
      std::string n = name;
      VaddFlavor f = flavor;
      inputs.push_back(build_input([n, f] { return vadd_kernel(n, kN, f); }));
    }
    built_ = builder_->build(inputs);
    for (const BuildResult &r : built_) ASSERT_EQ(r.status, MeasureStatus::Ok) << r.error;
  }
  static void TearDownTestSuite() {
    built_.clear();
    builder_.reset();
    dir_.reset();
  }

  /// A run of built kernel `k` (one of the enum above) against the reference.
  static RunInput input(size_t k, double timeout_s = 10) {
    const BuildResult &ref = built_[kReference], &cand = built_[k];
    RunInput in;
    in.so_path = cand.so_path;
    in.kernel_name = cand.kernel_name;
    in.reference_so = ref.so_path;
    in.reference_kernel = ref.kernel_name;
    in.args = vadd_args(kN);
    in.timing.min_repeat_ms = 1;
    in.timing.timeout_s = timeout_s;
    return in;
  }

  static const TempDir &dir() { return *dir_; }

 private:
  static inline std::unique_ptr<TempDir> dir_;
  static inline std::unique_ptr<Builder> builder_;
  static inline std::vector<BuildResult> built_;
};

}  // namespace autotune::measure::test

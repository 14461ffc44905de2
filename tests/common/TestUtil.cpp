// Random data and tolerant comparison for tests.
#include "tests/common/TestUtil.h"

namespace autotune::test {

std::vector<float> random_floats(size_t n, uint32_t seed, float lo, float hi) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float &x : v) x = dist(rng);
  return v;
}

::testing::AssertionResult all_close(const std::vector<float> &actual,
                                     const std::vector<float> &expected, float rtol, float atol) {
  if (actual.size() != expected.size()) {
    return ::testing::AssertionFailure()
           << "size " << actual.size() << " != expected size " << expected.size();
  }
  for (size_t i = 0; i < actual.size(); ++i) {
    float a = actual[i], e = expected[i];
    bool both_nan = std::isnan(a) && std::isnan(e);
    bool same_inf = std::isinf(a) && std::isinf(e) && (a > 0) == (e > 0);
    if (both_nan || same_inf) continue;
    if (!(std::fabs(a - e) <= atol + rtol * std::fabs(e))) {
      return ::testing::AssertionFailure()
             << "element " << i << ": got " << a << ", expected " << e << " (of "
             << actual.size() << ")";
    }
  }
  return ::testing::AssertionSuccess();
}

}  // namespace autotune::test

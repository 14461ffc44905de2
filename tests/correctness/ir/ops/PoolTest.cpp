// Pooling (ir/ops/Pool.h) against the naive reference: asymmetric padding, dilation, ceil_mode
// with the dropped-last-window rule, count_include_pad, and global pooling.
#include <gtest/gtest.h>

#include "ir/ops/Pool.h"
#include "tests/correctness/ir/ops/OpTestUtil.h"

namespace autotune::test {
namespace {

using ops::PoolAttrs;
using ref::HostTensor;

struct PoolCase {
  std::vector<int64_t> shape;
  ref::Pair kernel, strides;
  ref::Pads pads;
  ref::Pair dilation;
  bool ceil_mode;
};

const PoolCase kCases[] = {
    {{1, 2, 9, 8}, {3, 3}, {2, 2}, {1, 1, 1, 1}, {1, 1}, false},
    {{2, 3, 8, 8}, {3, 3}, {2, 2}, {0, 0, 0, 0}, {1, 1}, true},
    {{1, 2, 7, 6}, {2, 3}, {2, 2}, {1, 0, 0, 1}, {1, 1}, true},
    {{1, 1, 10, 9}, {3, 2}, {1, 2}, {2, 1, 2, 0}, {2, 3}, false},
    {{1, 2, 5, 5}, {2, 2}, {2, 2}, {1, 1, 1, 1}, {1, 1}, true},  // last window dropped
    {{1, 2, 11, 10}, {3, 3}, {3, 2}, {1, 0, 1, 0}, {2, 1}, true},
    {{2, 2, 6, 7}, {1, 1}, {1, 1}, {0, 0, 0, 0}, {1, 1}, false},
};

PoolAttrs attrs_of(const PoolCase &t) {
  PoolAttrs a;
  a.kernel = t.kernel;
  a.strides = t.strides;
  a.padding = t.pads;
  a.dilation = t.dilation;
  a.ceil_mode = t.ceil_mode;
  return a;
}

TEST(PoolTest, OutputExtentCeilModeDropsWindowStartingInPadding) {
  EXPECT_EQ(ops::pool_output_extent(5, 2, 2, 1, 1, 1, true), 3);
  EXPECT_EQ(ops::pool_output_extent(5, 2, 2, 1, 1, 1, false), 3);
  EXPECT_EQ(ops::pool_output_extent(8, 3, 2, 0, 0, 1, true), 4);
  EXPECT_EQ(ops::pool_output_extent(8, 3, 2, 0, 0, 1, false), 3);
  EXPECT_EQ(ops::pool_output_extent(112, 3, 2, 1, 1, 1, false), 56);
}

TEST(PoolTest, MaxPoolMatchesReference) {
  uint32_t seed = 1;
  for (const PoolCase &t : kCases) {
    HostTensor x = ref::random_tensor(t.shape, seed++);
    te::Tensor X = placeholder_like(x, "x");
    te::Tensor out = ops::max_pool2d(X, attrs_of(t));
    EXPECT_EQ(out->tag, "pool");
    expect_matches({X}, {x}, out,
                   ref::max_pool2d(x, t.kernel, t.strides, t.pads, t.dilation, t.ceil_mode));
  }
}

TEST(PoolTest, AvgPoolMatchesReference) {
  uint32_t seed = 50;
  for (bool include_pad : {false, true}) {
    for (const PoolCase &t : kCases) {
      SCOPED_TRACE(include_pad ? "count_include_pad" : "exclude pad");
      HostTensor x = ref::random_tensor(t.shape, seed++);
      te::Tensor X = placeholder_like(x, "x");
      PoolAttrs a = attrs_of(t);
      a.count_include_pad = include_pad;
      te::Tensor out = ops::avg_pool2d(X, a);
      EXPECT_EQ(out->tag, "pool_avg");
      expect_matches(
          {X}, {x}, out,
          ref::avg_pool2d(x, t.kernel, t.strides, t.pads, t.dilation, t.ceil_mode, include_pad));
    }
  }
}

TEST(PoolTest, GlobalPools) {
  HostTensor x = ref::random_tensor({2, 3, 7, 5}, 99);
  te::Tensor X = placeholder_like(x, "x");
  te::Tensor avg = ops::global_avg_pool2d(X), mx = ops::global_max_pool2d(X);
  EXPECT_EQ(avg->tag, "global_pool");
  expect_matches({X}, {x}, avg, ref::global_avg_pool2d(x));
  expect_matches({X}, {x}, mx, ref::global_max_pool2d(x));
}

}  // namespace
}  // namespace autotune::test

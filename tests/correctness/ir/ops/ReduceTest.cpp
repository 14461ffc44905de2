// Reductions (ir/ops/Reduce.h) against the naive reference: every kind over single, multiple,
// negative and all axes, with and without keepdims.
#include <gtest/gtest.h>

#include "ir/ops/Reduce.h"
#include "tests/correctness/ir/ops/OpTestUtil.h"

namespace autotune::test {
namespace {

using ops::ReduceOp;
using ref::HostTensor;

ref::ReduceKind reference_kind(ReduceOp op) {
  switch (op) {
    case ReduceOp::Sum: return ref::ReduceKind::Sum;
    case ReduceOp::Mean: return ref::ReduceKind::Mean;
    case ReduceOp::Max: return ref::ReduceKind::Max;
    case ReduceOp::Min: return ref::ReduceKind::Min;
    case ReduceOp::Prod: return ref::ReduceKind::Prod;
  }
  return ref::ReduceKind::Sum;
}

TEST(ReduceTest, MatchesReference) {
  struct Case {
    std::vector<int64_t> axes;      ///< as given to ops::reduce
    std::vector<int64_t> ref_axes;  ///< normalized
  };
  const std::vector<int64_t> shape = {3, 4, 5};
  const Case cases[] = {
      {{1}, {1}}, {{0, 2}, {0, 2}}, {{-1}, {2}}, {{}, {}}, {{2, 0, 1}, {0, 1, 2}}};
  uint32_t seed = 1;
  for (ReduceOp op :
       {ReduceOp::Sum, ReduceOp::Mean, ReduceOp::Max, ReduceOp::Min, ReduceOp::Prod}) {
    for (const Case &c : cases) {
      for (bool keepdims : {true, false}) {
        SCOPED_TRACE(std::string(ops::reduce_op_name(op)) + (keepdims ? " keepdims" : ""));
        // Values near 1 keep products of up to 60 elements in range.
        HostTensor x = op == ReduceOp::Prod ? ref::random_tensor(shape, seed++, 0.8f, 1.2f)
                                            : ref::random_tensor(shape, seed++);
        te::Tensor X = placeholder_like(x, "x");
        te::Tensor out = ops::reduce(X, c.axes, keepdims, op);
        EXPECT_EQ(out->tag, "reduce");
        expect_matches({X}, {x}, out, ref::reduce(x, c.ref_axes, keepdims, reference_kind(op)));
      }
    }
  }
}

}  // namespace
}  // namespace autotune::test

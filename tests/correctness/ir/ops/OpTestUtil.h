// Shared by the operator tests: placeholders shaped like reference tensors, and running an
// operator with the default schedule against its naive reference.
#pragma once

#include <string>
#include <vector>

#include "ir/te/Tensor.h"
#include "tests/common/KernelRunner.h"
#include "tests/common/Reference.h"
#include "tests/common/TestUtil.h"

namespace autotune::test {

/// A float32 placeholder with h's shape.
inline te::Tensor placeholder_like(const ref::HostTensor &h, const std::string &name) {
  return te::placeholder(h.shape, ir::Float(32), name);
}

/// Runs `out` (default schedule) on `data` bound to `inputs` and compares it with `expected`:
/// the shapes must be equal and the values close.
inline void expect_matches(const std::vector<te::Tensor> &inputs,
                           const std::vector<ref::HostTensor> &data, const te::Tensor &out,
                           const ref::HostTensor &expected, float rtol = 1e-4f,
                           float atol = 1e-4f) {
  ASSERT_EQ(out.shape(), expected.shape) << "output '" << out.name() << "' has the wrong shape";
  std::vector<std::vector<float>> input_data;
  for (const ref::HostTensor &h : data) input_data.push_back(h.data);
  std::vector<std::vector<float>> got = run_default(inputs, {out}, input_data);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(all_close(got[0], expected.data, rtol, atol)) << "output '" << out.name() << "'";
}

}  // namespace autotune::test

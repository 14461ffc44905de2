// The anatomy of a fused kernel as schedules see it: the anchor (its compute-heavy reduction),
// the computed inputs the anchor reads (padding, transposes), and the element-wise stages
// around it that are inlined. Shared by the default schedule and the templates.
#pragma once

#include <vector>

#include "ir/te/Schedule.h"

namespace autotune::searchspace {

struct KernelAnchor {
  /// The last compute-heavy reduction (tag containing "conv", "dense" or "matmul") in
  /// topological order; undefined when the kernel has none.
  te::Tensor anchor;
  /// Compute tensors read by any heavy reduction: computed once at root, never inlined.
  std::vector<te::Tensor> computed_inputs;
  /// Reductions of the kernel other than the anchor (a template needs none).
  int other_reductions = 0;
};

/// True for a reduction whose tag names a convolution, dense or matrix product.
bool is_heavy_reduction(const te::Tensor &t);

/// The anchor of the kernel computing `outputs`.
KernelAnchor find_anchor(const std::vector<te::Tensor> &outputs);

/// Inlines every stage of `sch` that is not an output, not a reduction and not one of
/// `anchor.computed_inputs` (element-wise epilogues, broadcasts, reshapes).
void inline_around_anchor(te::Schedule &sch, const KernelAnchor &anchor);

/// For each reduction axis of `t` (in order), the dimension of `input` that the axis' variable
/// indexes in t's body (the first read of `input` using it), or -1.
std::vector<int> reduce_axis_dims(const te::Tensor &t, const te::Tensor &input);

/// Floating-point operations of one call of the kernel computing `outputs`: 2 x the anchor's
/// output elements x the product of its reduction extents (0 without an anchor).
double anchor_flops(const std::vector<te::Tensor> &outputs);

}  // namespace autotune::searchspace

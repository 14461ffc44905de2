// Lowering step: multi-dimensional tensors become flat buffers. Realize -> Allocate,
// Provide -> Store, TensorRead -> Load, with row-major indices relative to each region.
#pragma once

#include <vector>

#include "ir/core/IR.h"
#include "ir/te/Tensor.h"

namespace autotune::lower {

/// Flattens `s`. `args` are the kernel arguments (inputs and outputs), which become the
/// returned KernelArgs; every other tensor must be realized inside `s`.
/// Post: no Realize, Provide or TensorRead remain.
ir::Stmt flatten_storage(const ir::Stmt &s, const std::vector<te::Tensor> &args,
                         std::vector<ir::KernelArg> *kernel_args);

}  // namespace autotune::lower

// The lowering pipeline: Schedule -> flat loop nest (LoweredFunc) ready for code generation.
#pragma once

#include <string>
#include <vector>

#include "ir/core/IR.h"
#include "ir/te/Schedule.h"

namespace autotune::lower {

/// Lowers `sch` into a kernel named `name` whose arguments are `args` in order (every
/// placeholder read and every output must be among them). User error on schedule misuse.
ir::LoweredFunc lower(const te::Schedule &sch, const std::vector<te::Tensor> &args,
                      const std::string &name);

}  // namespace autotune::lower

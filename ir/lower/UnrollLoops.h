// Lowering step: loops marked unrolled become straight-line copies of their body.
#pragma once

#include "ir/core/IR.h"

namespace autotune::lower {

/// Replaces every For of kind Unrolled (constant extent) by `extent` copies of its body with
/// the loop variable replaced by min + i. Pre: extents are constants (after simplify).
ir::Stmt unroll_loops(const ir::Stmt &s);

}  // namespace autotune::lower

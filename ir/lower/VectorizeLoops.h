// Lowering step: loops marked vectorized become explicit vector operations (Ramp, Broadcast,
// vector Load/Store), which code generation maps to SIMD instructions.
#pragma once

#include "ir/core/IR.h"

namespace autotune::lower {

/// Rewrites every For of kind Vectorized with constant extent L into vector code of L lanes.
/// Guards on the loop variable become store/load predicates. A body that cannot be
/// vectorized (allocation or a loop under a lane-dependent condition, a store of a vector to
/// a scalar address) stays a serial loop and a warning says why.
ir::Stmt vectorize_loops(const ir::Stmt &s);

}  // namespace autotune::lower

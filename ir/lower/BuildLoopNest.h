// Lowering step 1: turns a Schedule into a tensor-level loop nest (Realize / Provide /
// TensorRead) with every stage placed where its schedule says, bounds inferred, and guards
// for non-divisible splits. The result still indexes tensors with multi-dimensional indices.
#pragma once

#include "ir/core/IR.h"
#include "ir/te/Schedule.h"

namespace autotune::lower {

/// Builds the loop nest of all stages of `sch`.
/// Pre: every stage is root, inline or compute_at a stage that reads it.
/// Post: no Reduce nodes; inlined stages are gone; each non-output stage has a Realize whose
/// bounds cover every read of it (constant extents, possibly symbolic mins).
ir::Stmt build_loop_nest(const te::Schedule &sch);

}  // namespace autotune::lower

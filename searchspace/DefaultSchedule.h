// The untuned CPU schedule of any kernel the graph compiler builds: the operator's template
// with default knobs for compute-heavy anchors, vectorized and parallel loops elsewhere.
#pragma once

#include <set>
#include <vector>

#include "ir/te/Schedule.h"

namespace autotune::searchspace {

struct CpuOptions {
  int float_lanes = 8;  ///< float32 lanes of one vector register (8 for AVX2, 4 for NEON)
  bool parallel = true; ///< annotate the outer loops parallel
};

/// Schedules the computation of `outputs` (the kernel's results; every other compute stage is
/// internal). Element-wise and injective stages are inlined into their readers, except inputs
/// of compute-heavy reductions (padding, packing), which are computed once at root.
te::Schedule default_schedule(const std::vector<te::Tensor> &outputs, const CpuOptions &opt);

/// The last step of default_schedule, for templates that schedule only the anchor: every root,
/// non-local stage of `sch` not in `skip` gets parallel outer and vector inner loops (outputs
/// that reduce get a vector accumulator instead).
void schedule_generic_stages(te::Schedule &sch, const std::set<const te::StageNode *> &skip,
                             const CpuOptions &opt);

}  // namespace autotune::searchspace

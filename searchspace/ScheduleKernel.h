// The schedule a build gives one fused kernel: its template applied to a tuned config when
// there is one, else the default schedule. codegen/BuildGraph and the tuner's reference use it.
#pragma once

#include <string>

#include "ir/graph/LowerFused.h"
#include "ir/te/Schedule.h"

namespace autotune::searchspace {

/// Schedules `fc`. With an empty `config_json` this is default_schedule(fc.outputs,
/// {float_lanes, parallel}). Otherwise the config (Config::to_json of a config of the kernel's
/// space) is parsed against the space of the kernel's template and applied. UserError naming
/// the kernel when it has no template, or when the JSON is malformed, belongs to another space
/// (unknown or missing knob, value not among the choices) or is invalid for the kernel.
te::Schedule schedule_kernel(const graph::FusedCompute &fc, const std::string &config_json,
                             int float_lanes, bool parallel);

}  // namespace autotune::searchspace

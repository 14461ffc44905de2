// Runs a scheduled kernel on the host: lower, JIT-compile, execute on caller-provided data.
#pragma once

#include <string>
#include <vector>

#include "ir/te/Schedule.h"

namespace autotune::test {

/// Lowers `sch` with kernel arguments `args`, JIT-compiles it for the host and runs it with
/// `num_threads` threads. `data` holds one float vector per argument, in `args` order: inputs
/// are read, outputs are overwritten (they must already have the right size).
void run_on_host(const te::Schedule &sch, const std::vector<te::Tensor> &args,
                 std::vector<std::vector<float>> &data, int num_threads = 1);

/// Convenience: default schedule (all stages root, nothing annotated) of `outputs`; `inputs`
/// are the placeholders. Returns the outputs' contents.
std::vector<std::vector<float>> run_default(const std::vector<te::Tensor> &inputs,
                                            const std::vector<te::Tensor> &outputs,
                                            const std::vector<std::vector<float>> &input_data);

}  // namespace autotune::test

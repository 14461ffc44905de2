// Runs a scheduled kernel on the host with buffers of any element type (int64 shapes, bool masks,
// several outputs): the byte-level sibling of KernelRunner.h.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/te/Schedule.h"

namespace autotune::test {

/// Lowers `sch` with kernel arguments `args`, JIT-compiles it for the host and runs it on one
/// thread. `data` holds one byte vector per argument, in `args` order, of args[i].size() *
/// dtype.bytes() bytes (bool is one byte per element): inputs are read, outputs overwritten.
void run_on_host_typed(const te::Schedule &sch, const std::vector<te::Tensor> &args,
                       std::vector<std::vector<uint8_t>> &data);

/// Default schedule (all stages root) of `outputs`, with the placeholders `inputs` bound to
/// `input_data`; returns the outputs' bytes.
std::vector<std::vector<uint8_t>> run_default_typed(
    const std::vector<te::Tensor> &inputs, const std::vector<te::Tensor> &outputs,
    const std::vector<std::vector<uint8_t>> &input_data);

/// The placeholders that `outputs` read, directly or through other stages (each once, in the
/// order first found from the outputs).
std::vector<te::Tensor> placeholders_read(const std::vector<te::Tensor> &outputs);

}  // namespace autotune::test

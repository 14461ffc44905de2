// Reductions over chosen axes of a tensor (ONNX ReduceSum/Mean/Max/Min/Prod) as one stage.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/te/Tensor.h"

namespace autotune::ops {

/// How reduce() combines the elements.
enum class ReduceOp : uint8_t { Sum, Mean, Max, Min, Prod };
/// "sum", "mean", "max", "min", "prod".
const char *reduce_op_name(ReduceOp op);

/// Combines x over `axes` (negative counts from the back; empty means every axis; no
/// duplicates). With `keepdims` the reduced axes stay with extent 1, otherwise they are removed;
/// removing every axis gives a rank-0 tensor. Mean scales each element by 1/count before
/// summing. One stage tagged "reduce".
te::Tensor reduce(const te::Tensor &x, const std::vector<int64_t> &axes, bool keepdims,
                  ReduceOp op);

}  // namespace autotune::ops

// Hand-parameterized CPU schedules for the compute-heavy operators. Each template takes its
// knob values in a params struct; the search space (a later stage) enumerates those values.
#pragma once

#include <vector>

#include "ir/te/Schedule.h"

namespace autotune::searchspace {

/// A scheduled kernel: its schedule and its arguments in calling order (inputs, then output).
struct ScheduledKernel {
  te::Schedule schedule;
  std::vector<te::Tensor> args;
};

/// Knobs of the packed matmul schedule.
struct MatmulParams {
  int64_t bn = 16;       ///< columns per register tile and packed panel (a multiple of the lanes)
  int64_t mr = 4;        ///< rows per register tile (unrolled)
  int64_t mc = 64;       ///< rows per cache block (A block reused across all panels)
  bool parallel = false; ///< run the cache blocks on the thread pool
};

/// C[M, N] = A[M, K] * B[K, N] with B packed into panels and a register-tiled inner kernel.
ScheduledKernel matmul_packed_schedule(int64_t M, int64_t N, int64_t K, const MatmulParams &p);

/// Schedules a matmul `c` that reads its right operand as packed panels [N/bn, K, bn]
/// (ops::matmul_packed, or a pre-packed constant weight), reaching kernel output `out` through
/// inlined element-wise stages (or out == c).
void schedule_matmul_packed(te::Schedule &sch, const te::Tensor &c, const te::Tensor &out,
                            const MatmulParams &p);

/// Knobs of the blocked (NCHW[x]c) convolution schedule.
struct Conv2dNchwcParams {
  int64_t ic_bn = 16;    ///< input channel block (innermost dim of data)
  int64_t oc_bn = 16;    ///< output channel block (vectorized)
  int64_t reg_n = 4;     ///< output columns per register tile (unrolled)
  bool unroll_kw = false;
  bool parallel = false;
};

/// Schedules the blocked convolution `conv` (conv2d_nchwc or depthwise_conv2d_nchwc, output
/// [N, C/bn, OH, OW, bn]) inside `sch`. `out` is the kernel output that `conv` reaches through
/// element-wise stages (the fused epilogue, inlined here), or `conv` itself. Uses p.reg_n,
/// p.unroll_kw and p.parallel; the channel blocks come from the tensors.
void schedule_conv2d_nchwc(te::Schedule &sch, const te::Tensor &conv, const te::Tensor &out,
                           const Conv2dNchwcParams &p);

/// Output columns per register tile for a blocked conv: the largest divisor of `out_width`
/// whose accumulators (reg_n x oc_bn / lanes vectors) fit in 14 registers.
int64_t default_reg_n(int64_t out_width, int64_t oc_bn, int lanes);

/// Conv2d in NCHW[ic_bn]c -> NCHW[oc_bn]c for input [N, C, H, W] and weight [K, C, R, S].
/// Arguments: data [N, C/ic_bn, H, W, ic_bn], weight [K/oc_bn, C/ic_bn, R, S, ic_bn, oc_bn],
/// output [N, K/oc_bn, OH, OW, oc_bn].
ScheduledKernel conv2d_nchwc_schedule(int64_t N, int64_t C, int64_t H, int64_t W, int64_t K,
                                      int64_t R, int64_t S, int64_t stride, int64_t pad,
                                      const Conv2dNchwcParams &p);

}  // namespace autotune::searchspace

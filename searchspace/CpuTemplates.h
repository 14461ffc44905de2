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

/// Knobs of the blocked (NCHW[x]c) convolution schedule. The defaults (with reg_n from
/// default_reg_n) are the untuned schedule.
struct Conv2dNchwcParams {
  int64_t ic_bn = 16;    ///< input channel block (innermost dim of data)
  int64_t oc_bn = 16;    ///< output channel block (vectorized)
  int64_t reg_n = 4;     ///< output columns per register tile (unrolled; a guard covers the rest)
  int64_t reg_h = 1;     ///< output rows per register tile (unrolled when > 1)
  /// Unroll the reduction loop over kernel columns (rx), wherever reduce_order puts it.
  bool unroll_kw = false;
  /// Order of the accumulator's reduction loops, outermost first, as positions into the conv's
  /// reduce_axis() (ic_outer, ry, rx, ic_inner; depthwise: ry, rx). Empty: definition order.
  std::vector<int> reduce_order;
  /// Where the accumulator is computed: false at the register-tile loop (one tile of reg_h x
  /// reg_n x oc_bn accumulators), true at the row loop (a reg_h x OW x oc_bn buffer filled
  /// tile by tile, then written out by the output stage in one pass per row).
  bool acc_at_row = false;
  /// How many of the outer output loops (batch, channel chunk, row tile) are fused into the
  /// parallel loop: 1 to 3; more are fused when these give fewer than 8 iterations to share.
  int parallel_fuse = 3;
  bool parallel = false;
};

/// Schedules the blocked convolution `conv` (conv2d_nchwc or depthwise_conv2d_nchwc, output
/// [N, C/bn, OH, OW, bn]) inside `sch`. `out` is the kernel output that `conv` reaches through
/// element-wise stages (the fused epilogue, inlined here), or `conv` itself. The channel blocks
/// come from the tensors (p.ic_bn and p.oc_bn are not used); computed inputs of the conv
/// (padding) are computed at root with vector inner and parallel outer loops.
///
///   out:  n, c_chunk, oh.outer, ow.outer, oh.inner (unrolled), ow.inner (unrolled), c (vector)
///   acc:  at ow.outer (or at oh.outer for acc_at_row, with its own ow split outermost):
///         reductions in reduce_order, then oh.inner, ow.inner (unrolled), c (vector)
void schedule_conv2d_nchwc(te::Schedule &sch, const te::Tensor &conv, const te::Tensor &out,
                           const Conv2dNchwcParams &p);

/// Knobs of the register-tiled dense/matmul schedule (output [M, N], one reduction over K).
struct DenseParams {
  int64_t tile_m = 1;      ///< rows per register tile (unrolled)
  int64_t tile_n = 8;      ///< columns per register tile (vectorized)
  int64_t tile_k = 1;      ///< inner reduction factor: the reduction is split K/tile_k x tile_k
  bool unroll_k = false;   ///< unroll the inner reduction loop
  bool n_outer = false;    ///< column tiles outside row tiles (else rows outside columns)
  bool parallel = false;   ///< the fused tile loop runs on the thread pool
};

/// The untuned schedule of a matrix product with `n` columns: one row at a time, one vector of
/// columns, the reduction in order. The dense template's default config is this schedule.
DenseParams default_dense_params(int64_t n, int lanes, bool parallel);

/// Schedules the matrix product `mm` (a 2-D reduction over one axis: dense or matmul) reaching
/// kernel output `out` through inlined element-wise stages (or out == mm):
///
///   out:  tiles (m.outer, n.outer fused, parallel), m.inner (unrolled), n.inner (vector)
///   acc:  at the fused tile loop: k.outer, k.inner (unrolled or not), m.inner, n.inner
void schedule_dense(te::Schedule &sch, const te::Tensor &mm, const te::Tensor &out,
                    const DenseParams &p);

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

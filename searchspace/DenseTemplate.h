// The schedule template of matrix products with one reduction (dense: data [M, K] x weight
// [N, K], the lowering of Gemm with transB = 1; matmul: a [M, K] x b [K, N], the lowering of
// Gemm with transB = 0 and of 2-D MatMul), with their element-wise epilogues.
//
// Knobs, in index order (the first varies fastest):
//   tile_m      split [M/t, t] of the rows: rows per register tile (unrolled), t in {1, 2, 4, 8}.
//   tile_n      split [N/t, t] of the columns: columns per register tile (vectorized), t a
//               multiple of the vector width up to 4 vectors (N itself when N is narrower).
//   tile_k      split [K/t, t] of the reduction, t a divisor of K up to 16.
//   unroll_k    0/1: unroll the inner reduction loop (only with tile_k > 1).
//   tile_order  0: row tiles outside column tiles; 1: column tiles outside row tiles (only
//               when there are several row tiles).
//
// Validity: tile_m * ceil(tile_n / lanes) accumulator vectors <= 16; unroll_k needs tile_k > 1.
// Packing the weight into column panels would need a layout change of the constant (a graph
// rewrite) or a re-layout primitive in TE (compute_at only reaches direct consumers), so it is
// not a knob yet. The default config (1 x lanes tiles, no split of K) is default_schedule's
// vector-accumulator schedule of a matrix product without an epilogue.
#pragma once

#include "searchspace/Task.h"

namespace autotune::searchspace {

/// The template of kernels whose anchor is ops::dense.
const ScheduleTemplate &dense_template();
/// The template of kernels whose anchor is ops::matmul.
const ScheduleTemplate &matmul_template();

}  // namespace autotune::searchspace

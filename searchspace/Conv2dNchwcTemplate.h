// The schedule template of blocked convolutions (conv2d_nchwc and depthwise_conv2d_nchwc,
// output [N, C/bn, OH, OW, bn]): its knobs come from the conv's spatial and reduction axes.
//
// Knobs, in index order (the first varies fastest):
//   tile_ow        split [OW/t, t] of the output width: the register tile's columns. t is any
//                  divisor of OW up to 16, or 3..8 (a guard covers the last partial tile).
//   tile_oh        split [OH/t, t] of the output height: rows per register tile, t in {1, 2}
//                  (2 only when OH >= 2).
//   reorder_inner  order of the accumulator's reduction loops, as positions into the conv's
//                  reduction axes (ic_outer, ry, rx, ic_inner; depthwise: ry, rx). Candidates:
//                  definition order, kernel column inside the channel block, kernel taps
//                  outermost, kernel row outermost, channel block outside the taps; orders that
//                  differ only in extent-1 loops are listed once. The register tile
//                  (rows, columns, channel block) stays innermost.
//   unroll_kw      0/1: unroll the kernel-column loop (only 0 for 1-wide kernels).
//   compute_at     0: accumulate one register tile at the ow-tile loop; 1: accumulate whole
//                  output rows at the oh-tile loop, tile by tile, then write them out.
//   parallel_fuse  1..3: how many of (batch, channel chunk, row tile) form the parallel loop.
//
// Validity: tile_oh * tile_ow * ceil(bn / lanes) accumulator vectors <= 16; compute_at 1 only
// when a row holds more than one tile (else it repeats compute_at 0) and its row buffer fits
// in 64 KiB. The default config is default_schedule's: tile_ow = default_reg_n, one row,
// definition order, no unroll, compute_at 0, parallel_fuse 3.
#pragma once

#include "searchspace/Task.h"

namespace autotune::searchspace {

/// The template of kernels whose anchor is a conv2d_nchwc.
const ScheduleTemplate &conv2d_nchwc_template();
/// The template of kernels whose anchor is a depthwise_conv2d_nchwc.
const ScheduleTemplate &depthwise_conv2d_nchwc_template();

}  // namespace autotune::searchspace

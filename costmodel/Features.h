// Feature extraction for the cost model: a fixed-length vector describing a candidate's loop
// nest (loops, buffer accesses, arithmetic), computed from the flattened loop nest before
// unrolling and vectorization, plus optional knob-value features.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "ir/core/IR.h"
#include "ir/te/Schedule.h"
#include "searchspace/ConfigSpace.h"

namespace autotune::costmodel {

/// Sizes of the fixed-length summary. Every loop nest gives feature_length(opt) values, so all
/// configs of a task (and of all tasks) share one layout.
struct FeatureOptions {
  int loops = 8;    ///< innermost loops of the main statement described, innermost first
  int buffers = 6;  ///< buffers of the main statement described, most bytes touched first
};

/// Layout (every count is log2(1 + x) unless marked raw; "exec" = times executed):
///
/// Global (kGlobalFeatures values):
///   float add/sub, float mul, fma-able (add of a mul), float div, float min/max/compare/select,
///   math calls, integer ops, loaded elements, stored elements, bytes loaded + stored,
///   arithmetic intensity (float ops per byte), loops (raw), max depth (raw), parallel /
///   vectorized / unrolled / GPU-bound loops (raw counts), outer parallel extent, main statement
///   vector lanes (raw), unrolled copies around the main statement, local allocation bytes,
///   global allocation bytes, statement groups (raw), guarded or predicated stores (exec),
///   main statement exec, main statement depth (raw), lowering failed (raw 0/1).
///   All op counts are over the whole kernel, weighted by exec and vector lanes.
///
/// Loops (kLoopFeatures values for each of opt.loops loops, innermost first, zero-padded):
///   present (0/1), extent, depth from the outermost loop (raw), kind one-hot (serial, parallel,
///   vectorized, unrolled, GPU-bound; raw 0/1), product of the extents of enclosing loops,
///   product of the extents of this loop and those inside it, bytes touched by one full run of
///   this loop over all main-statement buffers (the "curve"), buffers whose address does not
///   change with this loop (raw: reuse carried here), sum over buffers of |stride| in elements.
///
/// Buffers (kBufferFeatures values for each of opt.buffers buffers, zero-padded):
///   present, loaded (0/1), stored (0/1), element bytes (raw), accesses per exec of the main
///   statement (raw), |stride| w.r.t. the innermost dimension (vector lanes, else the innermost
///   loop; elements), unit stride (0/1), unique bytes touched by the whole nest, accesses (exec
///   x lanes), reuse ratio (accesses per unique element), reuse distance (iterations between
///   reuses, inside the innermost loop that does not move the address), reuse count (extent
///   of that loop), then the bytes touched by one run of each described loop (opt.loops values,
///   innermost first: the buffer's own curve).
///
/// The "main statement" is the group of stores with the largest exec x (ops + accesses): the
/// update of a reduction, or the body of an injective kernel.
constexpr size_t kGlobalFeatures = 28;
constexpr size_t kLoopFeatures = 14;
constexpr size_t kBufferFeaturesFixed = 13;

/// Number of loop-nest features.
size_t feature_length(const FeatureOptions &opt);
/// Short names of the loop-nest features in layout order ("g.float_add", "loop0.extent",
/// "buf2.stride"), for dumps and debugging.
std::vector<std::string> feature_names(const FeatureOptions &opt);

/// Writes feature_length(opt) values describing `body` to `out`. `body` is a flattened loop
/// nest (Store/Load on buffers; For loops of any kind, before or after unrolling and
/// vectorization). Never throws: parts that cannot be evaluated (symbolic extents, opaque
/// indices) count as extent 1 / unknown stride.
void extract_features(const ir::Stmt &body, const FeatureOptions &opt, float *out);
std::vector<float> extract_features(const ir::Stmt &body, const FeatureOptions &opt = {});

/// Fills `out` (feature_length(opt) values) for a candidate that could not be lowered: zeros,
/// with the "lowering failed" flag set.
void failed_features(const FeatureOptions &opt, float *out);

/// The loop nest features are computed from: the schedule's loop nest with flat buffers,
/// simplified, but neither unrolled nor vectorized (loop kinds are still visible, and it is
/// several times cheaper than lower::lower). UserError on schedule misuse, like lower().
ir::Stmt lower_for_features(const te::Schedule &sch, const std::vector<te::Tensor> &args);

/// Number of knob-value features of configs of `space`: per Split knob one value per level,
/// per Annotate knob one per loop, one for every other knob.
size_t knob_feature_length(const searchspace::ConfigSpace &space);
/// Writes the knob values of `cfg` (knob_feature_length of its space): log2 of split factors,
/// annotation codes, the chosen position of a Reorder knob, the raw value of other knobs.
void knob_features(const searchspace::Config &cfg, float *out);

}  // namespace autotune::costmodel

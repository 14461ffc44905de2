// CPU schedule templates: register tiles of vector accumulators (cache_write + compute_at),
// unrolled row loops, vectorized channel/column loops, cache blocking.
#include "searchspace/CpuTemplates.h"

#include "ir/ops/Conv2d.h"
#include "ir/ops/MatmulPacked.h"
#include "searchspace/KernelAnchor.h"

#include <algorithm>

namespace autotune::searchspace {

using namespace ir;
using te::Schedule;
using te::Stage;
using te::Tensor;

ScheduledKernel matmul_packed_schedule(int64_t M, int64_t N, int64_t K, const MatmulParams &p) {
  Tensor A = te::placeholder({M, K}, Float(32), "A");
  Tensor B = te::placeholder({K, N}, Float(32), "B");
  ops::PackedMatmul mm = ops::matmul_packed(A, B, p.bn);
  Tensor C = mm.c;
  Schedule sch = te::create_schedule({C});

  // Packing: one panel after another, each row of a panel one vector load.
  Stage pack = sch[mm.packed_b];
  pack.vectorize(mm.packed_b.axis()[2]);
  if (p.parallel) pack.parallel(mm.packed_b.axis()[0]);

  schedule_matmul_packed(sch, C, C, p);
  return {sch, {A, B, C}};
}

ScheduledKernel conv2d_nchwc_schedule(int64_t N, int64_t C, int64_t H, int64_t W, int64_t K,
                                      int64_t R, int64_t S, int64_t stride, int64_t pad,
                                      const Conv2dNchwcParams &p) {
  user_check(C % p.ic_bn == 0 && K % p.oc_bn == 0)
      << "conv2d_nchwc_schedule: channel blocks " << p.ic_bn << "/" << p.oc_bn
      << " must divide the channels " << C << "/" << K;
  Tensor data = te::placeholder({N, C / p.ic_bn, H, W, p.ic_bn}, Float(32), "data");
  Tensor weight =
      te::placeholder({K / p.oc_bn, C / p.ic_bn, R, S, p.ic_bn, p.oc_bn}, Float(32), "weight");
  ops::Conv2dAttrs attrs;
  attrs.strides = {stride, stride};
  attrs.padding = {pad, pad, pad, pad};
  Tensor out = ops::conv2d_nchwc(data, weight, attrs);
  Schedule sch = te::create_schedule({out});

  schedule_conv2d_nchwc(sch, out, out, p);
  return {sch, {data, weight, out}};
}

void schedule_matmul_packed(Schedule &sch, const Tensor &C, const Tensor &out,
                            const MatmulParams &p) {
  internal_check(C.ndim() == 2 && out.shape() == C.shape())
      << "packed matmul schedule needs a matrix output of the matmul's shape";
  Tensor CL = C;
  if (out.same_as(C)) {
    CL = sch.cache_write(C, "local");
  } else {
    sch[C].set_scope("local");
  }
  // Output: cache block of mc rows, then panels, then register tiles of mr x bn.
  Stage sc = sch[out];
  auto [ic, irest] = sc.split(out.axis()[0], p.mc);
  auto [io, ii] = sc.split(irest, p.mr);
  auto [jo, ji] = sc.split(out.axis()[1], p.bn);
  sc.reorder({ic, jo, io, ii, ji});
  sc.unroll(ii);
  sc.vectorize(ji);
  if (p.parallel) sc.parallel(ic);
  // The register tile: accumulate over k with the rows unrolled and the columns vectorized.
  Stage sl = sch[CL];
  sl.compute_at(sc, io);
  sl.reorder({CL.reduce_axis()[0], CL.axis()[0], CL.axis()[1]});
  sl.unroll(CL.axis()[0]);
  sl.vectorize(CL.axis()[1]);
}

int64_t default_reg_n(int64_t out_width, int64_t oc_bn, int lanes) {
  // Measured on AVX2 (scripts/bench, 16-channel blocks): 4 columns (8 accumulators) run at
  // ~98 GFLOP/s, 7 columns (14 accumulators, one spill) at ~66, 2 columns at ~50, 1 at ~24.
  // So: the widest divisor of the width keeping at most 12 accumulator registers, unless that
  // is narrower than 4 columns, where 7 (for widths divisible by 7) or 4 (with a guard) win.
  int64_t vectors_per_column = std::max<int64_t>(1, oc_bn / lanes);
  int64_t best = 1;
  for (int64_t r = 1; r <= out_width; ++r) {
    if (out_width % r == 0 && r * vectors_per_column <= 12) best = r;
  }
  if (best >= 4 || out_width <= best) return best;
  if (out_width % 7 == 0 && 7 * vectors_per_column <= 14) return 7;
  return std::min<int64_t>(4, out_width);
}

void schedule_conv2d_nchwc(Schedule &sch, const Tensor &conv, const Tensor &out,
                           const Conv2dNchwcParams &p) {
  internal_check(conv.ndim() == 5 && out.shape() == conv.shape())
      << "blocked conv schedule needs a 5-D conv and an output of the same shape";
  user_check(p.reg_n >= 1 && p.reg_h >= 1)
      << "blocked conv schedule of '" << conv.name() << "': register tile " << p.reg_h << "x"
      << p.reg_n << " must be positive";
  user_check(p.parallel_fuse >= 1 && p.parallel_fuse <= 3)
      << "blocked conv schedule of '" << conv.name() << "': parallel_fuse must be 1, 2 or 3, got "
      << p.parallel_fuse;
  // The padded input, when there is one, is computed once per kernel call.
  for (const Tensor &in : te::input_tensors(conv)) {
    if (in.is_placeholder()) continue;
    Stage ps = sch[in];
    ps.vectorize(in.axis()[4]);
    if (p.parallel) ps.parallel(ps.fuse(in.axis()[0], in.axis()[1]));
  }
  // Accumulate a register tile of reg_h rows x reg_n columns x one channel block in a local
  // buffer; the output stage (the conv's copy-out or the fused epilogue) writes it back.
  Tensor acc = conv;
  if (out.same_as(conv)) {
    acc = sch.cache_write(conv, "local");
  } else {
    // The epilogue between the conv and the output must already be inlined by the caller.
    sch[conv].set_scope("local");
  }
  Stage so = sch[out];
  const auto &ax = out.axis();
  int64_t reg_n = std::min(p.reg_n, out.dim(3));
  int64_t reg_h = std::min(p.reg_h, out.dim(2));
  // Rows are split only for multi-row tiles, so that one-row tiles keep the plain nest.
  IterVar oho = ax[2], ohi;
  if (reg_h > 1) {
    Stage::SplitResult rows = so.split(ax[2], reg_h);
    oho = rows.outer;
    ohi = rows.inner;
  }
  auto [owo, owi] = so.split(ax[3], reg_n);
  if (reg_h > 1) {
    so.reorder({ax[0], ax[1], oho, owo, ohi, owi, ax[4]});
    so.unroll(ohi);
  } else {
    so.reorder({ax[0], ax[1], ax[2], owo, owi, ax[4]});
  }
  if (reg_n > 1) so.unroll(owi);
  so.vectorize(ax[4]);
  IterVar row_loop = oho;
  if (p.parallel) {
    // Fuse at least as many outer loops as it takes to have kMinParallelIterations to share:
    // a config tuned single-threaded (where parallel_fuse changes nothing) must not leave a
    // multi-threaded deployment with one parallel iteration (batch 1, parallel_fuse 1).
    constexpr int64_t kMinParallelIterations = 8;
    const int64_t extents[3] = {conv.dim(0), conv.dim(1), *as_const_int(oho.dom().extent)};
    int fuse = p.parallel_fuse;
    int64_t iterations = 1;
    for (int i = 0; i < fuse; ++i) iterations *= extents[i];
    while (fuse < 3 && iterations < kMinParallelIterations) iterations *= extents[fuse++];
    IterVar fused = ax[0];
    if (fuse >= 2) fused = so.fuse(fused, ax[1]);
    if (fuse >= 3) row_loop = fused = so.fuse(fused, oho);
    so.parallel(fused);
  }

  Stage sl = sch[acc];
  const auto &lx = acc.axis();
  const auto &raxes = acc.reduce_axis();
  std::vector<IterVar> reductions(raxes.begin(), raxes.end());
  if (!p.reduce_order.empty()) {
    user_check(p.reduce_order.size() == raxes.size())
        << "blocked conv schedule of '" << conv.name() << "': reduce_order names "
        << p.reduce_order.size() << " loops, the conv has " << raxes.size();
    for (size_t i = 0; i < raxes.size(); ++i) {
      int r = p.reduce_order[i];
      user_check(r >= 0 && r < static_cast<int>(raxes.size()))
          << "blocked conv schedule of '" << conv.name() << "': reduce_order position " << r
          << " is out of range";
      reductions[i] = raxes[r];
    }
  }
  std::vector<IterVar> order;
  IterVar col;  // the accumulator's unrolled column loop
  if (p.acc_at_row) {
    sl.compute_at(so, row_loop);
    auto [aowo, aowi] = sl.split(lx[3], reg_n);
    col = aowi;
    order.push_back(aowo);
  } else {
    sl.compute_at(so, owo);
    col = lx[3];
  }
  order.insert(order.end(), reductions.begin(), reductions.end());
  if (reg_h > 1) order.push_back(lx[2]);
  order.push_back(col);
  order.push_back(lx[4]);
  sl.reorder(order);
  // The kernel-column loop is the reduction that indexes the data's width (dimension 3).
  if (p.unroll_kw) {
    std::vector<int> dims = reduce_axis_dims(acc, te::input_tensors(acc).at(0));
    for (size_t r = 0; r < raxes.size(); ++r) {
      if (dims[r] == 3 && *as_const_int(raxes[r].dom().extent) > 1) sl.unroll(raxes[r]);
    }
  }
  if (reg_h > 1) sl.unroll(lx[2]);
  if (reg_n > 1) sl.unroll(col);
  sl.vectorize(lx[4]);
}

DenseParams default_dense_params(int64_t n, int lanes, bool parallel) {
  DenseParams p;
  p.tile_m = 1;
  p.tile_n = std::min<int64_t>(n, lanes);
  p.tile_k = 1;
  p.unroll_k = false;
  p.n_outer = false;
  p.parallel = parallel;
  return p;
}

void schedule_dense(Schedule &sch, const Tensor &mm, const Tensor &out, const DenseParams &p) {
  internal_check(mm.ndim() == 2 && mm.reduce_axis().size() == 1 && out.shape() == mm.shape())
      << "dense schedule needs a matrix product with one reduction and an output of its shape";
  user_check(p.tile_m >= 1 && p.tile_n >= 1 && p.tile_k >= 1)
      << "dense schedule of '" << mm.name() << "': tiles " << p.tile_m << "x" << p.tile_n << "x"
      << p.tile_k << " must be positive";
  Tensor acc = mm;
  if (out.same_as(mm)) {
    acc = sch.cache_write(mm, "local");
  } else {
    sch[mm].set_scope("local");
  }
  Stage so = sch[out];
  const auto &ax = out.axis();
  int64_t tile_m = std::min(p.tile_m, out.dim(0)), tile_n = std::min(p.tile_n, out.dim(1));
  auto [mo, mi] = so.split(ax[0], tile_m);
  auto [no, ni] = so.split(ax[1], tile_n);
  IterVar tiles;
  if (p.n_outer) {
    so.reorder({no, mo, mi, ni});
    tiles = so.fuse(no, mo);
  } else {
    so.reorder({mo, no, mi, ni});
    tiles = so.fuse(mo, no);
  }
  if (tile_m > 1) so.unroll(mi);
  so.vectorize(ni);
  if (p.parallel) so.parallel(tiles);

  Stage sl = sch[acc];
  sl.compute_at(so, tiles);
  const auto &lx = acc.axis();
  IterVar k = acc.reduce_axis()[0];
  int64_t tile_k = std::min(p.tile_k, *as_const_int(k.dom().extent));
  std::vector<IterVar> order;
  IterVar ki;
  if (tile_k > 1) {
    auto [ko, kin] = sl.split(k, tile_k);
    ki = kin;
    order = {ko, ki};
  } else {
    order = {k};
  }
  order.push_back(lx[0]);
  order.push_back(lx[1]);
  sl.reorder(order);
  if (p.unroll_k && ki.defined()) sl.unroll(ki);
  if (tile_m > 1) sl.unroll(lx[0]);
  sl.vectorize(lx[1]);
}

}  // namespace autotune::searchspace

// CPU schedule templates: register tiles of vector accumulators (cache_write + compute_at),
// unrolled row loops, vectorized channel/column loops, cache blocking.
#include "searchspace/CpuTemplates.h"

#include "ir/ops/Conv2d.h"
#include "ir/ops/MatmulPacked.h"

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

  // C: cache block of mc rows, then panels, then register tiles of mr x bn.
  Tensor CL = sch.cache_write(C, "local");
  Stage sc = sch[C];
  auto [ic, irest] = sc.split(C.axis()[0], p.mc);
  auto [io, ii] = sc.split(irest, p.mr);
  auto [jo, ji] = sc.split(C.axis()[1], p.bn);
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

  // The padded input, when there is one, is computed once per kernel call.
  for (const Tensor &in : te::input_tensors(out)) {
    if (in.is_placeholder()) continue;
    Stage ps = sch[in];
    ps.vectorize(in.axis()[4]);
    if (p.parallel) ps.parallel(ps.fuse(in.axis()[0], in.axis()[1]));
  }

  Tensor OL = sch.cache_write(out, "local");
  Stage so = sch[out];
  const auto &ax = out.axis();
  auto [owo, owi] = so.split(ax[3], p.reg_n);
  so.reorder({ax[0], ax[1], ax[2], owo, owi, ax[4]});
  so.unroll(owi);
  so.vectorize(ax[4]);
  if (p.parallel) so.parallel(so.fuse(so.fuse(ax[0], ax[1]), ax[2]));

  Stage sl = sch[OL];
  sl.compute_at(so, owo);
  const auto &lx = OL.axis();
  const auto &rx = OL.reduce_axis();  // ic_outer, ry, rx, ic_inner
  sl.reorder({rx[0], rx[1], rx[2], rx[3], lx[3], lx[4]});
  if (p.unroll_kw) sl.unroll(rx[2]);
  sl.unroll(lx[3]);
  sl.vectorize(lx[4]);
  return {sch, {data, weight, out}};
}

}  // namespace autotune::searchspace

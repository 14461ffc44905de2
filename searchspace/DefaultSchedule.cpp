// Default schedules: pick the anchor of a kernel, inline its element-wise neighbours, apply the
// anchor's template, and give every remaining stage parallel outer and vector inner loops.
#include "searchspace/DefaultSchedule.h"

#include <algorithm>
#include <set>

#include "searchspace/CpuTemplates.h"
#include "searchspace/KernelAnchor.h"

namespace autotune::searchspace {

using namespace ir;
using te::Schedule;
using te::Stage;
using te::Tensor;

namespace {

bool is_reduction(const te::StageNode *s) { return s->body.as<Reduce>() != nullptr; }

/// Parallel outer loops and a vectorized innermost loop for a root stage without a template.
void schedule_simple(Schedule &sch, const Tensor &t, const CpuOptions &opt) {
  Stage s = sch[t];
  const auto &axes = s->axis;
  if (axes.empty()) return;
  int64_t last = *as_const_int(axes.back().dom().extent);
  bool vec = last >= opt.float_lanes && !is_reduction(s.get());
  std::vector<IterVar> outer_axes(axes.begin(), axes.end() - 1);
  if (vec) {
    auto [lo, li] = s.split(axes.back(), opt.float_lanes);
    s.vectorize(li);
    outer_axes.push_back(lo);
  } else if (!is_reduction(s.get())) {
    // A short innermost axis (the 3 channels of an image's blocked layout) is unrolled, so
    // that the loop around it does the counting.
    if (last > 1 && last <= 4) s.unroll(axes.back());
    outer_axes.push_back(axes.back());
  }
  // Reduction axes stay innermost. For a parallel loop, fuse leading spatial axes until there
  // are enough iterations to share; fusing more (or fusing without threads) only costs a
  // division and a modulo per iteration to recover the indices.
  if (outer_axes.empty() || !opt.parallel) return;
  IterVar fused = outer_axes[0];
  int64_t iterations = *as_const_int(fused.dom().extent);
  for (size_t i = 1; i < outer_axes.size() && iterations < 64; ++i) {
    if (!vec && !is_reduction(s.get()) && i + 1 == outer_axes.size() && last <= 4) break;
    iterations *= *as_const_int(outer_axes[i].dom().extent);
    fused = s.fuse(fused, outer_axes[i]);
  }
  s.parallel(fused);
}

/// A reduction output: accumulate `lanes` adjacent outputs in a local vector.
void schedule_reduction_output(Schedule &sch, const Tensor &t, const CpuOptions &opt) {
  Stage s = sch[t];
  int64_t last = t.dim(t.ndim() - 1);
  if (t.ndim() == 0 || last < opt.float_lanes || last % opt.float_lanes != 0) {
    schedule_simple(sch, t, opt);
    return;
  }
  Tensor local = sch.cache_write(t, "local");
  const auto &axes = t.axis();
  auto [lo, li] = s.split(axes.back(), opt.float_lanes);
  s.vectorize(li);
  IterVar fused = lo;
  if (axes.size() > 1) {
    fused = axes[0];
    for (size_t i = 1; i + 1 < axes.size(); ++i) fused = s.fuse(fused, axes[i]);
    fused = s.fuse(fused, lo);
  }
  if (opt.parallel) s.parallel(fused);
  Stage sl = sch[local];
  sl.compute_at(s, fused);
  std::vector<IterVar> order(local.reduce_axis().begin(), local.reduce_axis().end());
  order.push_back(local.axis().back());
  sl.reorder(order);
  sl.vectorize(local.axis().back());
}

}  // namespace

void schedule_generic_stages(Schedule &sch, const std::set<const te::StageNode *> &skip,
                             const CpuOptions &opt) {
  // A copy: scheduling a reduction output adds its cache stage to the list.
  std::vector<Stage> stages = sch.stages();
  for (const Stage &s : stages) {
    if (skip.count(s.get()) || s->attach != te::AttachKind::Root) continue;
    if (s->scope == MemoryScope::Local) continue;
    if (s->is_output && is_reduction(s.get())) {
      schedule_reduction_output(sch, s->tensor, opt);
    } else {
      schedule_simple(sch, s->tensor, opt);
    }
  }
}

Schedule default_schedule(const std::vector<Tensor> &outputs, const CpuOptions &opt) {
  Schedule sch = te::create_schedule(outputs);
  // 1. The anchor, and the stages that feed compute-heavy reductions (kept at root).
  KernelAnchor a = find_anchor(outputs);
  // 2. Inline element-wise and injective internals.
  inline_around_anchor(sch, a);
  // 3. The anchor's template, when the kernel has one output of the anchor's shape.
  std::set<const te::StageNode *> done;
  if (a.anchor.defined() && outputs.size() == 1 && outputs[0].shape() == a.anchor.shape()) {
    const std::string &tag = a.anchor->tag;
    Tensor conv = a.anchor, out = outputs[0];
    if ((tag == "conv2d_nchwc" || tag == "depthwise_conv2d_nchwc") && conv.ndim() == 5) {
      Conv2dNchwcParams p;
      p.reg_n = default_reg_n(conv.dim(3), conv.dim(4), opt.float_lanes);
      p.parallel = opt.parallel;
      schedule_conv2d_nchwc(sch, conv, out, p);
      done = {sch[conv].get(), sch[out].get()};
      for (const Tensor &f : a.computed_inputs) done.insert(sch[f].get());
    } else if ((tag == "dense" || tag == "matmul") && conv.ndim() == 2) {
      schedule_dense(sch, conv, out,
                     default_dense_params(conv.dim(1), opt.float_lanes, opt.parallel));
      done = {sch[conv].get(), sch[out].get()};
      for (const Tensor &f : a.computed_inputs) done.insert(sch[f].get());
    } else if (tag == "matmul_packed" || tag == "dense_packed") {
      MatmulParams p;
      p.bn = std::min<int64_t>(16, conv.dim(1));
      p.mr = conv.dim(0) % 4 == 0 ? 4 : 1;
      p.mc = std::max<int64_t>(p.mr, 64 - 64 % p.mr);
      p.parallel = opt.parallel;
      schedule_matmul_packed(sch, conv, out, p);
      done = {sch[conv].get(), sch[out].get()};
      for (const Tensor &f : a.computed_inputs) done.insert(sch[f].get());
    }
  }
  // 4. Everything else at root: outputs that reduce get a vector accumulator; the rest get
  //    parallel outer and vector inner loops.
  schedule_generic_stages(sch, done, opt);
  return sch;
}

}  // namespace autotune::searchspace

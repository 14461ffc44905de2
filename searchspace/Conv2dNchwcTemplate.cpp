// Blocked convolution template: reads the conv's structure (which reduction axis walks which
// dimension of the data), defines the knobs over it, and maps a config onto
// schedule_conv2d_nchwc.
#include "searchspace/Conv2dNchwcTemplate.h"

#include <algorithm>
#include <optional>
#include <set>
#include <sstream>

#include "ir/core/IRVisitor.h"
#include "ir/core/Substitute.h"
#include "ir/lower/Simplify.h"
#include "searchspace/CpuTemplates.h"
#include "searchspace/DefaultSchedule.h"
#include "searchspace/KernelAnchor.h"

namespace autotune::searchspace {

using namespace ir;
using te::Tensor;

namespace {

/// Roles of the reduction axes: the dimension of the blocked data [N, C/bn, H, W, bn] each
/// one walks.
constexpr int kChannelOuter = 1, kKernelRow = 2, kKernelCol = 3, kChannelInner = 4;

/// Accumulator vectors a register tile may hold (AVX2 and NEON have 16 vector registers).
constexpr int64_t kMaxAccumulators = 16;
/// The row buffer of compute_at 1 must stay on the stack (codegen's limit for local buffers).
constexpr int64_t kMaxRowBufferBytes = 64 * 1024;

/// What the template reads off a kernel: the conv, the output it reaches, the extents and the
/// role of each reduction axis.
struct ConvAnatomy {
  KernelAnchor anchor;
  Tensor conv, out, data;  ///< data: the tensor the conv reads its input from (padded or not)
  int64_t batch = 0, chunks = 0, oh = 0, ow = 0, bn = 0;
  std::vector<int64_t> reduce_extent;
  std::vector<int> reduce_role;  ///< kChannelOuter.. per reduction axis, -1 when unknown
};

std::optional<ConvAnatomy> analyze(const graph::FusedCompute &fc, const std::string &tag) {
  if (fc.outputs.size() != 1) return std::nullopt;
  ConvAnatomy a;
  a.anchor = find_anchor(fc.outputs);
  a.conv = a.anchor.anchor;
  a.out = fc.outputs[0];
  if (!a.conv.defined() || a.conv->tag != tag || a.conv.ndim() != 5) return std::nullopt;
  if (a.anchor.other_reductions != 0 || a.out.shape() != a.conv.shape()) return std::nullopt;
  for (const Tensor &in : a.anchor.computed_inputs) {
    if (in.ndim() != 5) return std::nullopt;  // the schedule vectorizes their channel block
  }
  a.data = te::input_tensors(a.conv).at(0);
  if (a.data.ndim() != 5) return std::nullopt;
  a.batch = a.conv.dim(0);
  a.chunks = a.conv.dim(1);
  a.oh = a.conv.dim(2);
  a.ow = a.conv.dim(3);
  a.bn = a.conv.dim(4);
  a.reduce_role = reduce_axis_dims(a.conv, a.data);
  for (const IterVar &r : a.conv.reduce_axis()) {
    const int64_t *e = as_const_int(r.dom().extent);
    if (!e) return std::nullopt;
    a.reduce_extent.push_back(*e);
  }
  return a;
}

int64_t extent_of_role(const ConvAnatomy &a, int role) {
  for (size_t r = 0; r < a.reduce_role.size(); ++r) {
    if (a.reduce_role[r] == role) return a.reduce_extent[r];
  }
  return 1;
}

/// How far the data index of `dim` moves per step of the conv's output axis `axis`: the
/// stride of that dimension (all other variables at 0).
int64_t stride_of(const ConvAnatomy &a, int dim, int axis) {
  struct FirstRead final : IRVisitor {
    const DataProducerNode *p;
    const TensorRead *found = nullptr;
    using IRVisitor::visit;
    void visit(const TensorRead *op) override {
      if (!found && op->producer.get() == p) found = op;
      IRVisitor::visit(op);
    }
  } reads;
  reads.p = a.data.get();
  reads(a.conv->body);
  if (!reads.found) return 1;
  std::unordered_map<const Variable *, Expr> at0, at1;
  for (const IterVar &iv : a.conv.axis()) at0[iv.var().get()] = Expr(0);
  for (const IterVar &iv : a.conv.reduce_axis()) at0[iv.var().get()] = Expr(0);
  at1 = at0;
  at1[a.conv.axis()[axis].var().get()] = Expr(1);
  const Expr &idx = reads.found->indices.at(dim);
  Expr e0 = simplify(substitute(idx, at0)), e1 = simplify(substitute(idx, at1));
  const int64_t *x0 = as_const_int(e0), *x1 = as_const_int(e1);
  return x0 && x1 ? *x1 - *x0 : 1;
}

std::vector<int64_t> divisors_up_to(int64_t n, int64_t limit) {
  std::vector<int64_t> out;
  for (int64_t d = 1; d <= std::min(n, limit); ++d) {
    if (n % d == 0) out.push_back(d);
  }
  return out;
}

/// Candidate orders of the reduction loops, as positions into the conv's reduction axes; the
/// first is the definition order. Orders that agree once extent-1 loops are dropped are
/// listed once.
std::vector<std::vector<int64_t>> reduce_orders(const ConvAnatomy &a) {
  size_t n = a.reduce_role.size();
  std::vector<int64_t> identity;
  for (size_t r = 0; r < n; ++r) identity.push_back(static_cast<int64_t>(r));
  std::set<int> roles(a.reduce_role.begin(), a.reduce_role.end());
  if (roles.size() != n || roles.count(-1)) return {identity};  // unknown structure
  static const std::vector<std::vector<int>> kRoleOrders = {
      {kChannelOuter, kKernelRow, kKernelCol, kChannelInner},  // definition order
      {kChannelOuter, kKernelRow, kChannelInner, kKernelCol},  // column inside the block
      {kKernelRow, kKernelCol, kChannelOuter, kChannelInner},  // taps outermost
      {kKernelRow, kChannelOuter, kKernelCol, kChannelInner},  // kernel row outermost
      {kChannelOuter, kChannelInner, kKernelRow, kKernelCol},  // block outside the taps
  };
  std::vector<std::vector<int64_t>> orders;
  std::set<std::vector<int64_t>> seen;  // orders without extent-1 loops
  for (const std::vector<int> &role_order : kRoleOrders) {
    std::vector<int64_t> order, effective;
    for (int role : role_order) {
      for (size_t r = 0; r < n; ++r) {
        if (a.reduce_role[r] != role) continue;
        order.push_back(static_cast<int64_t>(r));
        if (a.reduce_extent[r] > 1) effective.push_back(static_cast<int64_t>(r));
      }
    }
    if (order.size() != n || !seen.insert(effective).second) continue;
    orders.push_back(order);
  }
  if (orders.empty() || orders.front() != identity) orders.insert(orders.begin(), identity);
  return orders;
}

/// What validity depends on: plain numbers, so that a space's filter holds no tensors.
struct TileLimits {
  int64_t ow = 0, bn = 0, elem_bytes = 4;
};

TileLimits limits_of(const ConvAnatomy &a) { return {a.ow, a.bn, a.conv.dtype().bytes()}; }

/// Why `cfg` cannot schedule the conv (empty when it can).
std::string invalid_reason(const TileLimits &a, const Config &cfg, int lanes) {
  int64_t tile_ow = cfg.get("tile_ow").back(), tile_oh = cfg.get("tile_oh").back();
  int64_t vectors = (a.bn + lanes - 1) / lanes;
  int64_t accumulators = tile_oh * tile_ow * vectors;
  std::ostringstream why;
  if (accumulators > kMaxAccumulators) {
    why << "a " << tile_oh << "x" << tile_ow << " register tile of " << a.bn
        << "-channel blocks needs " << accumulators << " accumulator vectors, more than "
        << kMaxAccumulators;
  } else if (cfg.value("compute_at") == 1 && cfg.get("tile_ow").front() == 1) {
    why << "compute_at 1 (whole rows) with a tile as wide as the row repeats compute_at 0";
  } else if (cfg.value("compute_at") == 1 &&
             tile_oh * a.ow * a.bn * a.elem_bytes > kMaxRowBufferBytes) {
    why << "the row buffer of compute_at 1 (" << tile_oh << "x" << a.ow << "x" << a.bn
        << ") exceeds " << kMaxRowBufferBytes << " bytes";
  }
  return why.str();
}

class Conv2dNchwcTemplate final : public ScheduleTemplate {
 public:
  explicit Conv2dNchwcTemplate(const char *tag) : tag_(tag) {}
  using ScheduleTemplate::apply;

  const char *op_kind() const override { return tag_; }

  bool matches(const graph::FusedCompute &fc) const override {
    return analyze(fc, tag_).has_value();
  }

  ConfigSpace space(const graph::FusedCompute &fc, int lanes) const override {
    ConvAnatomy a = checked(fc);
    ConfigSpace s;
    // Register tile columns: the divisors of the width up to 16, and 3..8 with a guard.
    std::vector<int64_t> cols = divisors_up_to(a.ow, 16);
    for (int64_t c = 3; c <= 8; ++c) cols.push_back(c);
    s.define_split("tile_ow", a.ow, 2, SplitPolicy::Candidates, cols);
    s.define_split("tile_oh", a.oh, 2, SplitPolicy::Candidates, {1, 2});
    s.define_reorder("reorder_inner", reduce_orders(a));
    s.define_knob("unroll_kw", extent_of_role(a, kKernelCol) > 1 ? std::vector<int64_t>{0, 1}
                                                                 : std::vector<int64_t>{0});
    s.define_knob("compute_at", {0, 1});
    s.define_knob("parallel_fuse", {1, 2, 3});
    s.set_validity([limits = limits_of(a), lanes](const Config &c) {
      return invalid_reason(limits, c, lanes).empty();
    });
    return s;
  }

  te::Schedule apply(const graph::FusedCompute &fc, const Config &cfg, int lanes,
                     bool parallel) const override {
    ConvAnatomy a = checked(fc);
    ConfigSpace s = space(fc, lanes);
    user_check(cfg.knobs() == s.knobs())
        << "config " << cfg.index() << " (" << cfg.str() << ") is not a config of the " << tag_
        << " kernel " << describe(fc) << " at " << lanes << " float lanes";
    std::string why = invalid_reason(limits_of(a), cfg, lanes);
    user_check(why.empty()) << "config " << cfg.index() << " (" << cfg.str()
                            << ") is invalid for the " << tag_ << " kernel " << describe(fc) << ": "
                            << why;
    Conv2dNchwcParams p;
    p.reg_n = cfg.get("tile_ow").back();
    p.reg_h = cfg.get("tile_oh").back();
    for (int64_t r : cfg.get("reorder_inner")) p.reduce_order.push_back(static_cast<int>(r));
    p.unroll_kw = cfg.value("unroll_kw") != 0;
    p.acc_at_row = cfg.value("compute_at") == 1;
    p.parallel_fuse = static_cast<int>(cfg.value("parallel_fuse"));
    p.parallel = parallel;
    return schedule(fc, a, p, lanes);
  }

  Config default_config(const ConfigSpace &space, const graph::FusedCompute &fc,
                        int lanes) const override {
    ConvAnatomy a = checked(fc);
    int64_t reg_n = default_reg_n(a.ow, a.bn, lanes);
    std::vector<int64_t> identity;
    for (size_t r = 0; r < a.reduce_role.size(); ++r) identity.push_back(static_cast<int64_t>(r));
    return space.from_values(
        {{(a.ow + reg_n - 1) / reg_n, reg_n}, {a.oh, 1}, identity, {0}, {0}, {3}});
  }

  std::string describe(const graph::FusedCompute &fc) const override {
    ConvAnatomy a = checked(fc);
    // The unpadded input: follow the data's first input back to a placeholder.
    Tensor in = a.data;
    while (!in.is_placeholder()) in = te::input_tensors(in).at(0);
    std::ostringstream os;
    os << in.dim(0) << "x" << in.dim(1) * in.dim(4) << "x" << in.dim(2) << "x" << in.dim(3);
    if (std::string(tag_) == "conv2d_nchwc") os << " k" << a.chunks * a.bn;
    os << " " << extent_of_role(a, kKernelRow) << "x" << extent_of_role(a, kKernelCol);
    int64_t sh = stride_of(a, 2, 2), sw = stride_of(a, 3, 3);
    os << " s" << sh;
    if (sw != sh) os << "x" << sw;
    return os.str();
  }

 private:
  ConvAnatomy checked(const graph::FusedCompute &fc) const {
    std::optional<ConvAnatomy> a = analyze(fc, tag_);
    user_check(a.has_value()) << "the " << tag_ << " template does not apply to this kernel "
                              << "(it needs one " << tag_
                              << " reaching a single output through element-wise stages)";
    return *a;
  }

  te::Schedule schedule(const graph::FusedCompute &fc, const ConvAnatomy &a,
                        const Conv2dNchwcParams &p, int lanes) const {
    te::Schedule sch = te::create_schedule(fc.outputs);
    inline_around_anchor(sch, a.anchor);
    schedule_conv2d_nchwc(sch, a.conv, a.out, p);
    // Nothing else is left at root for a conv kernel; this mirrors default_schedule anyway.
    std::set<const te::StageNode *> done = {sch[a.conv].get(), sch[a.out].get()};
    for (const Tensor &t : a.anchor.computed_inputs) done.insert(sch[t].get());
    schedule_generic_stages(sch, done, CpuOptions{lanes, p.parallel});
    return sch;
  }

  const char *tag_;
};

}  // namespace

const ScheduleTemplate &conv2d_nchwc_template() {
  static const Conv2dNchwcTemplate t("conv2d_nchwc");
  return t;
}

const ScheduleTemplate &depthwise_conv2d_nchwc_template() {
  static const Conv2dNchwcTemplate t("depthwise_conv2d_nchwc");
  return t;
}

}  // namespace autotune::searchspace

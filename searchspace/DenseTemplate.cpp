// Matrix product template: reads M, N, K off the product's axes, defines the register-tile
// knobs and maps a config onto schedule_dense.
#include "searchspace/DenseTemplate.h"

#include <optional>
#include <set>
#include <sstream>

#include "searchspace/CpuTemplates.h"
#include "searchspace/DefaultSchedule.h"
#include "searchspace/KernelAnchor.h"

namespace autotune::searchspace {

using namespace ir;
using te::Tensor;

namespace {

constexpr int64_t kMaxAccumulators = 16;

struct DenseAnatomy {
  KernelAnchor anchor;
  Tensor mm, out;
  int64_t m = 0, n = 0, k = 0;
};

std::optional<DenseAnatomy> analyze(const graph::FusedCompute &fc, const std::string &tag) {
  if (fc.outputs.size() != 1) return std::nullopt;
  DenseAnatomy a;
  a.anchor = find_anchor(fc.outputs);
  a.mm = a.anchor.anchor;
  a.out = fc.outputs[0];
  if (!a.mm.defined() || a.mm->tag != tag || a.mm.ndim() != 2) return std::nullopt;
  if (a.mm.reduce_axis().size() != 1 || a.anchor.other_reductions != 0) return std::nullopt;
  if (a.out.shape() != a.mm.shape()) return std::nullopt;
  const int64_t *k = as_const_int(a.mm.reduce_axis()[0].dom().extent);
  if (!k) return std::nullopt;
  a.m = a.mm.dim(0);
  a.n = a.mm.dim(1);
  a.k = *k;
  return a;
}

/// Why `cfg` cannot schedule the product (empty when it can).
std::string invalid_reason(const Config &cfg, int lanes) {
  int64_t tile_m = cfg.get("tile_m").back(), tile_n = cfg.get("tile_n").back();
  int64_t accumulators = tile_m * ((tile_n + lanes - 1) / lanes);
  std::ostringstream why;
  if (accumulators > kMaxAccumulators) {
    why << "a " << tile_m << "x" << tile_n << " register tile needs " << accumulators
        << " accumulator vectors, more than " << kMaxAccumulators;
  } else if (cfg.value("unroll_k") != 0 && cfg.get("tile_k").back() == 1) {
    why << "unroll_k needs an inner reduction loop (tile_k > 1)";
  }
  return why.str();
}

class DenseTemplate final : public ScheduleTemplate {
 public:
  explicit DenseTemplate(const char *tag) : tag_(tag) {}
  using ScheduleTemplate::apply;

  const char *op_kind() const override { return tag_; }

  bool matches(const graph::FusedCompute &fc) const override {
    return analyze(fc, tag_).has_value();
  }

  ConfigSpace space(const graph::FusedCompute &fc, int lanes) const override {
    DenseAnatomy a = checked(fc);
    ConfigSpace s;
    s.define_split("tile_m", a.m, 2, SplitPolicy::Candidates, {1, 2, 4, 8});
    std::vector<int64_t> cols;
    for (int64_t v = 1; v <= 4; ++v) cols.push_back(v * lanes);
    if (a.n < lanes) cols = {a.n};
    s.define_split("tile_n", a.n, 2, SplitPolicy::Candidates, cols);
    s.define_split("tile_k", a.k, 2, SplitPolicy::AllDivisors, {}, 16);
    s.define_knob("unroll_k", {0, 1});
    s.define_knob("tile_order", a.m > 1 ? std::vector<int64_t>{0, 1} : std::vector<int64_t>{0});
    s.set_validity([lanes](const Config &c) { return invalid_reason(c, lanes).empty(); });
    return s;
  }

  te::Schedule apply(const graph::FusedCompute &fc, const Config &cfg, int lanes,
                     bool parallel) const override {
    DenseAnatomy a = checked(fc);
    ConfigSpace s = space(fc, lanes);
    user_check(cfg.knobs() == s.knobs())
        << "config " << cfg.index() << " (" << cfg.str() << ") is not a config of the " << tag_
        << " kernel " << describe(fc) << " at " << lanes << " float lanes";
    std::string why = invalid_reason(cfg, lanes);
    user_check(why.empty()) << "config " << cfg.index() << " (" << cfg.str()
                            << ") is invalid for the " << tag_ << " kernel " << describe(fc) << ": "
                            << why;
    DenseParams p;
    p.tile_m = cfg.get("tile_m").back();
    p.tile_n = cfg.get("tile_n").back();
    p.tile_k = cfg.get("tile_k").back();
    p.unroll_k = cfg.value("unroll_k") != 0;
    p.n_outer = cfg.value("tile_order") == 1;
    p.parallel = parallel;

    te::Schedule sch = te::create_schedule(fc.outputs);
    inline_around_anchor(sch, a.anchor);
    schedule_dense(sch, a.mm, a.out, p);
    // Computed inputs of the product (a transposed operand) keep their default schedule.
    std::set<const te::StageNode *> done = {sch[a.mm].get(), sch[a.out].get()};
    schedule_generic_stages(sch, done, CpuOptions{lanes, parallel});
    return sch;
  }

  Config default_config(const ConfigSpace &space, const graph::FusedCompute &fc,
                        int lanes) const override {
    DenseAnatomy a = checked(fc);
    DenseParams p = default_dense_params(a.n, lanes, false);
    return space.from_values({{a.m / p.tile_m, p.tile_m},
                              {(a.n + p.tile_n - 1) / p.tile_n, p.tile_n},
                              {a.k / p.tile_k, p.tile_k},
                              {p.unroll_k ? 1 : 0},
                              {p.n_outer ? 1 : 0}});
  }

  std::string describe(const graph::FusedCompute &fc) const override {
    DenseAnatomy a = checked(fc);
    std::ostringstream os;
    os << a.m << "x" << a.k << " n" << a.n;
    return os.str();
  }

 private:
  DenseAnatomy checked(const graph::FusedCompute &fc) const {
    std::optional<DenseAnatomy> a = analyze(fc, tag_);
    user_check(a.has_value()) << "the " << tag_ << " template does not apply to this kernel "
                              << "(it needs one 2-D " << tag_
                              << " reaching a single output through element-wise stages)";
    return *a;
  }

  const char *tag_;
};

}  // namespace

const ScheduleTemplate &dense_template() {
  static const DenseTemplate t("dense");
  return t;
}

const ScheduleTemplate &matmul_template() {
  static const DenseTemplate t("matmul");
  return t;
}

}  // namespace autotune::searchspace

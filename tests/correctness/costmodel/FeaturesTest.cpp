// Loop-nest features on hand-built nests with known extents, strides and reuse.
#include "costmodel/Features.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "ir/core/IROperators.h"
#include "ir/te/Schedule.h"
#include "ir/te/Tensor.h"

namespace autotune::costmodel {
namespace {

using namespace ir;

/// Features by name.
class Named {
 public:
  explicit Named(const Stmt &body, FeatureOptions opt = {})
      : values_(extract_features(body, opt)) {
    std::vector<std::string> names = feature_names(opt);
    EXPECT_EQ(names.size(), values_.size());
    for (size_t i = 0; i < names.size(); ++i) index_[names[i]] = i;
  }
  float operator[](const std::string &name) const {
    auto it = index_.find(name);
    EXPECT_NE(it, index_.end()) << "no feature " << name;
    return it == index_.end() ? -1.0f : values_[it->second];
  }
  const std::vector<float> &values() const { return values_; }

 private:
  std::vector<float> values_;
  std::map<std::string, size_t> index_;
};

float lg(double x) { return static_cast<float>(std::log2(1.0 + x)); }

// for (i, 0, 64) { for (k, 0, 32) { C[i] = C[i] + A[i*32 + k] * B[k] } }
Stmt matvec() {
  Var a("A", Handle()), b("B", Handle()), c("C", Handle()), i("i"), k("k");
  Expr update = Load::make(Float(32), c, i) +
                Load::make(Float(32), a, i * Expr(32) + k) * Load::make(Float(32), b, k);
  return For::make(i, Expr(0), Expr(64), ForKind::Serial,
                   For::make(k, Expr(0), Expr(32), ForKind::Serial, Store::make(c, update, i)));
}

TEST(Features, LengthMatchesNamesAndOptions) {
  FeatureOptions opt;
  EXPECT_EQ(extract_features(matvec(), opt).size(), feature_length(opt));
  opt.loops = 3;
  opt.buffers = 2;
  EXPECT_EQ(extract_features(matvec(), opt).size(), feature_length(opt));
  EXPECT_EQ(feature_names(opt).size(), feature_length(opt));
}

TEST(Features, LoopExtentsDepthsAndProducts) {
  Named f(matvec());
  EXPECT_EQ(f["loop0.present"], 1);
  EXPECT_FLOAT_EQ(f["loop0.extent"], lg(32));  // innermost first
  EXPECT_FLOAT_EQ(f["loop1.extent"], lg(64));
  EXPECT_EQ(f["loop2.present"], 0);
  EXPECT_EQ(f["loop0.depth"], 1);
  EXPECT_EQ(f["loop1.depth"], 0);
  EXPECT_FLOAT_EQ(f["loop0.above"], lg(64));
  EXPECT_FLOAT_EQ(f["loop0.below"], lg(32));
  EXPECT_FLOAT_EQ(f["loop1.above"], lg(1));
  EXPECT_FLOAT_EQ(f["loop1.below"], lg(64 * 32));
  EXPECT_EQ(f["loop0.serial"], 1);
  EXPECT_EQ(f["g.loops"], 2);
  EXPECT_EQ(f["g.max_depth"], 2);
  EXPECT_FLOAT_EQ(f["g.main_exec"], lg(2048));
  // C[i] does not move with k: the reduction loop carries the output's reuse.
  EXPECT_EQ(f["loop0.store_reuse"], 1);
  EXPECT_EQ(f["loop1.store_reuse"], 0);
  EXPECT_EQ(f["loop0.reuse_bufs"], 1);  // C
  EXPECT_EQ(f["loop1.reuse_bufs"], 1);  // B
}

TEST(Features, ArithmeticCounts) {
  Named f(matvec());
  EXPECT_FLOAT_EQ(f["g.float_add"], lg(2048));
  EXPECT_FLOAT_EQ(f["g.float_mul"], lg(2048));
  EXPECT_FLOAT_EQ(f["g.fma"], lg(2048));
  EXPECT_FLOAT_EQ(f["g.loads"], lg(3 * 2048));
  EXPECT_FLOAT_EQ(f["g.stores"], lg(2048));
  EXPECT_FLOAT_EQ(f["g.bytes"], lg(4 * 4 * 2048));
  EXPECT_FLOAT_EQ(f["g.int_ops"], lg(2 * 2048));  // i*32 + k
}

TEST(Features, BufferStridesBytesAndReuse) {
  Named f(matvec());
  // Ordered by unique bytes: A (2048 floats), C (64), B (32).
  EXPECT_FLOAT_EQ(f["buf0.unique_bytes"], lg(2048 * 4));
  EXPECT_EQ(f["buf0.loaded"], 1);
  EXPECT_EQ(f["buf0.stored"], 0);
  EXPECT_FLOAT_EQ(f["buf0.stride"], lg(1));
  EXPECT_EQ(f["buf0.unit_stride"], 1);
  EXPECT_FLOAT_EQ(f["buf0.reuse_ratio"], lg(1));
  EXPECT_FLOAT_EQ(f["buf0.reuse_distance"], 0);  // no loop reuses A

  EXPECT_FLOAT_EQ(f["buf1.unique_bytes"], lg(64 * 4));  // C
  EXPECT_EQ(f["buf1.loaded"], 1);
  EXPECT_EQ(f["buf1.stored"], 1);
  EXPECT_EQ(f["buf1.count"], 2);
  EXPECT_FLOAT_EQ(f["buf1.stride"], 0);
  EXPECT_FLOAT_EQ(f["buf1.reuse_distance"], lg(1));  // reused by the innermost loop
  EXPECT_FLOAT_EQ(f["buf1.reuse_count"], lg(32));

  EXPECT_FLOAT_EQ(f["buf2.unique_bytes"], lg(32 * 4));  // B
  EXPECT_FLOAT_EQ(f["buf2.accesses"], lg(2048));
  EXPECT_FLOAT_EQ(f["buf2.reuse_ratio"], lg(64));
  EXPECT_FLOAT_EQ(f["buf2.reuse_distance"], lg(32));  // reused across i, 32 iterations apart
  EXPECT_FLOAT_EQ(f["buf2.reuse_count"], lg(64));
  // The curve: one run of k touches 32 floats of A, 1 of C, 32 of B.
  EXPECT_FLOAT_EQ(f["buf0.bytes_loop0"], lg(32 * 4));
  EXPECT_FLOAT_EQ(f["buf0.bytes_loop1"], lg(2048 * 4));
  EXPECT_FLOAT_EQ(f["loop0.footprint"], lg((32 + 1 + 32) * 4));
}

TEST(Features, VectorIndicesGiveLaneStrides) {
  // for (i, 0, 16) { C[ramp(i*8, 1, 8)] = A[ramp(i*8, 1, 8)] + B[ramp(i*16, 2, 8)] }
  Var a("A", Handle()), b("B", Handle()), c("C", Handle()), i("i");
  Expr ra = Ramp::make(i * Expr(8), Expr(1), 8), rb = Ramp::make(i * Expr(16), Expr(2), 8);
  Stmt s = For::make(i, Expr(0), Expr(16), ForKind::Serial,
                     Store::make(c, Load::make(Float(32), a, ra) + Load::make(Float(32), b, rb), ra));
  Named f(s);
  EXPECT_EQ(f["g.lanes"], 8);
  EXPECT_FLOAT_EQ(f["g.float_add"], lg(16 * 8));
  EXPECT_FLOAT_EQ(f["g.loads"], lg(2 * 16 * 8));
  // Each buffer touches 128 floats (B every other one of 256); ties keep first-access order.
  EXPECT_FLOAT_EQ(f["buf0.stride"], lg(1));  // A
  EXPECT_EQ(f["buf0.unit_stride"], 1);
  EXPECT_FLOAT_EQ(f["buf1.stride"], lg(2));  // B
  EXPECT_EQ(f["buf1.unit_stride"], 0);
  EXPECT_FLOAT_EQ(f["buf1.unique_bytes"], lg(128 * 4));
  EXPECT_EQ(f["buf2.stored"], 1);  // C
  EXPECT_FLOAT_EQ(f["buf2.bytes_loop0"], lg(128 * 4));
}

TEST(Features, AnnotationsOneHot) {
  // parallel i (4) { unrolled j (2) { vectorized v (8) { C[i*16 + j*8 + v] = 1 } } }
  Var c("C", Handle()), i("i"), j("j"), v("v");
  Stmt s = For::make(
      i, Expr(0), Expr(4), ForKind::Parallel,
      For::make(j, Expr(0), Expr(2), ForKind::Unrolled,
                For::make(v, Expr(0), Expr(8), ForKind::Vectorized,
                          Store::make(c, Expr(1.0f), i * Expr(16) + j * Expr(8) + v))));
  Named f(s);
  EXPECT_EQ(f["loop0.vectorized"], 1);
  EXPECT_EQ(f["loop0.serial"], 0);
  EXPECT_EQ(f["loop1.unrolled"], 1);
  EXPECT_EQ(f["loop2.parallel"], 1);
  EXPECT_EQ(f["g.parallel"], 1);
  EXPECT_EQ(f["g.vectorized"], 1);
  EXPECT_EQ(f["g.unrolled"], 1);
  EXPECT_FLOAT_EQ(f["g.parallel_extent"], lg(4));
  EXPECT_FLOAT_EQ(f["g.unroll_copies"], lg(2));
  EXPECT_EQ(f["g.lanes"], 8);
  EXPECT_FLOAT_EQ(f["buf0.stride"], lg(1));
  EXPECT_FLOAT_EQ(f["loop1.stride_sum"], lg(8));
  EXPECT_FLOAT_EQ(f["loop2.stride_sum"], lg(16));
}

TEST(Features, DivModIndicesAndLocalAllocations) {
  // T is a local tile; A is read through i/4 and i%4.
  Var a("A", Handle()), t("T", Handle()), i("i");
  Stmt s = Allocate::make(
      t, Float(32), 16, MemoryScope::Local,
      For::make(i, Expr(0), Expr(16), ForKind::Serial,
                Store::make(t, Load::make(Float(32), a, (i / Expr(4)) * Expr(100) + i % Expr(4)),
                            i)));
  Named f(s);
  EXPECT_FLOAT_EQ(f["g.local_bytes"], lg(64));
  EXPECT_FLOAT_EQ(f["g.global_bytes"], 0);
  // Both buffers move by one element per i at the base point.
  EXPECT_FLOAT_EQ(f["buf0.stride"], lg(1));
  EXPECT_FLOAT_EQ(f["buf1.stride"], lg(1));
}

TEST(Features, MainStatementIsTheHottestGroup) {
  // An init loop of 64 stores, then the 2048-iteration update.
  Var c("C", Handle()), i("i");
  Stmt init = For::make(i, Expr(0), Expr(64), ForKind::Serial, Store::make(c, Expr(0.0f), i));
  Named f(Block::make({init, matvec()}));
  EXPECT_EQ(f["g.groups"], 2);
  EXPECT_FLOAT_EQ(f["g.main_exec"], lg(2048));
  EXPECT_EQ(f["g.main_depth"], 2);
  EXPECT_FLOAT_EQ(f["g.stores"], lg(2048 + 64));
  EXPECT_GT(f["g.main_share"], 0.9f);
  EXPECT_LT(f["g.main_share"], 1.0f);
}

TEST(Features, GuardsAndSymbolicExtentsNeverThrow) {
  Var c("C", Handle()), i("i"), n("n");
  Stmt s = For::make(i, Expr(0), n, ForKind::Serial,
                     IfThenElse::make(i < Expr(5), Store::make(c, Expr(1.0f), i + n)));
  std::vector<float> f;
  EXPECT_NO_THROW(f = extract_features(s));
  Named named(s);
  EXPECT_FLOAT_EQ(named["loop0.extent"], lg(1));  // unknown extent counts as 1
  EXPECT_GT(named["g.guarded_exec"], 0);
  EXPECT_EQ(named["g.failed"], 0);
  EXPECT_NO_THROW(extract_features(Stmt()));
  std::vector<float> failed(feature_length({}));
  failed_features({}, failed.data());
  EXPECT_EQ(failed[26], 1);
}

TEST(Features, LowerForFeaturesKeepsLoopKinds) {
  te::Tensor A = te::placeholder({64, 32}, Float(32), "A");
  te::Tensor B = te::placeholder({32}, Float(32), "B");
  IterVar k = te::reduce_axis(32, "k");
  te::Tensor C = te::compute({64}, [&](Var i) { return te::sum(A(i, k) * B(k), {k}); }, "C");
  te::Schedule sch = te::create_schedule({C});
  auto split = sch[C].split(sch[C].axis()[0], 8);
  sch[C].parallel(split.outer);
  Stmt s = lower_for_features(sch, {A, B, C});
  Named f(s);
  EXPECT_EQ(f["g.parallel"], 1);
  EXPECT_FLOAT_EQ(f["g.parallel_extent"], lg(8));
  EXPECT_FLOAT_EQ(f["g.main_exec"], lg(64 * 32));
  EXPECT_EQ(f["loop0.store_reuse"], 1);  // k
}

TEST(Features, KnobValues) {
  searchspace::ConfigSpace space;
  space.define_split("tile", 64, 2, searchspace::SplitPolicy::AllDivisors);
  space.define_knob("unroll", {0, 16});
  space.define_reorder("order", {{0, 1}, {1, 0}});
  EXPECT_EQ(knob_feature_length(space), 4u);
  searchspace::Config cfg = space.from_values({{8, 8}, {16}, {1, 0}});
  std::vector<float> f(4);
  knob_features(cfg, f.data());
  EXPECT_EQ(f, (std::vector<float>{3, 3, 16, 1}));
}

}  // namespace
}  // namespace autotune::costmodel

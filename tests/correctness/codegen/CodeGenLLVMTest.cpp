// LLVM code generation from hand-built lowered IR: JIT-run kernels against C++ references, and
// check the emitted IR/assembly for the vector code we expect.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "codegen/Compile.h"
#include "codegen/runtime/ThreadPool.h"
#include "ir/core/IROperators.h"
#include "tests/common/TestUtil.h"

namespace autotune::codegen {
namespace {

using namespace autotune::ir;  // NOLINT: IR factories read better unqualified in tests

Expr load_f32(const Var &buf, Expr index, Expr pred = Expr()) {
  return Load::make(Float(32), buf, std::move(index), std::move(pred));
}

Expr ramp(Expr base, int lanes) { return Ramp::make(std::move(base), Expr(1), lanes); }

KernelArg arg(const Var &buf, DataType t, int64_t n) { return KernelArg{buf, t, {n}}; }

/// Runs one JIT-compiled kernel on the given buffers.
void run(const LoweredFunc &f, std::vector<void *> buffers) {
  JitModule jit({f});
  jit.get_function(f.name)(buffers.data());
}

/// Restores the pool size after a test changes it.
struct ThreadCount {
  int saved = autotune_get_num_threads();
  ~ThreadCount() { autotune_set_num_threads(saved); }
};

TEST(CodeGenLLVM, ScalarVectorAdd) {
  const int64_t n = 1003;
  Var a("A", Handle()), b("B", Handle()), c("C", Handle()), i("i");
  Stmt body =
      For::make(i, 0, n, ForKind::Serial, Store::make(c, load_f32(a, i) + load_f32(b, i), i));
  LoweredFunc f{"vadd", {arg(a, Float(32), n), arg(b, Float(32), n), arg(c, Float(32), n)}, body};

  auto av = test::random_floats(n, 1), bv = test::random_floats(n, 2);
  std::vector<float> cv(n), expected(n);
  for (int64_t k = 0; k < n; ++k) expected[k] = av[k] + bv[k];
  run(f, {av.data(), bv.data(), cv.data()});
  EXPECT_TRUE(test::all_close(cv, expected, 0, 0));
}

/// C[8i..8i+8) = A[8i..] * s + B[8i..], with s = S[0] broadcast: the 8-lane FMA kernel.
LoweredFunc vector_fma_kernel(int64_t n) {
  Var a("A", Handle()), b("B", Handle()), s("S", Handle()), c("C", Handle()), i("i");
  Expr idx = ramp(i * 8, 8);
  Expr scale = Broadcast::make(load_f32(s, 0), 8);
  Stmt body = For::make(i, 0, n / 8, ForKind::Serial,
                        Store::make(c, load_f32(a, idx) * scale + load_f32(b, idx), idx));
  return LoweredFunc{
      "vfma",
      {arg(a, Float(32), n), arg(b, Float(32), n), arg(s, Float(32), 1), arg(c, Float(32), n)},
      body};
}

TEST(CodeGenLLVM, VectorizedFmaRuns) {
  const int64_t n = 1024;
  auto av = test::random_floats(n, 3), bv = test::random_floats(n, 4);
  std::vector<float> s{1.5f}, cv(n), expected(n);
  for (int64_t k = 0; k < n; ++k) expected[k] = av[k] * s[0] + bv[k];
  run(vector_fma_kernel(n), {av.data(), bv.data(), s.data(), cv.data()});
  EXPECT_TRUE(test::all_close(cv, expected, 1e-6f, 1e-6f));
}

TEST(CodeGenLLVM, X86IrHasEightWideVectors) {
  Target x86 = Target::parse("llvm -mtriple=x86_64-linux-gnu -mcpu=haswell");
  std::string ir = emit_llvm_ir({vector_fma_kernel(1024)}, x86);
  EXPECT_NE(ir.find("<8 x float>"), std::string::npos) << ir;
  EXPECT_NE(ir.find("fmul contract <8 x float>"), std::string::npos) << ir;
  EXPECT_NE(ir.find("define i32 @vfma(ptr"), std::string::npos) << ir;
  std::string unoptimized = emit_llvm_ir({vector_fma_kernel(1024)}, x86, /*optimize=*/false);
  EXPECT_NE(unoptimized.find("noalias"), std::string::npos) << unoptimized;
  EXPECT_NE(unoptimized.find("llvm.loop.mustprogress"), std::string::npos) << unoptimized;
  std::string asm_text = emit_assembly({vector_fma_kernel(1024)}, x86);
  EXPECT_NE(asm_text.find("vfmadd"), std::string::npos) << asm_text;
}

TEST(CodeGenLLVM, Aarch64AssemblyHasFmla) {
  Target arm = Target::parse("llvm -mtriple=aarch64-linux-gnu -mcpu=cortex-a72 -mattr=+neon");
  const int64_t n = 1024;
  Var a("A", Handle()), b("B", Handle()), s("S", Handle()), c("C", Handle()), i("i");
  Expr idx = ramp(i * 4, 4);
  Stmt body = For::make(
      i, 0, n / 4, ForKind::Serial,
      Store::make(c, load_f32(a, idx) * Broadcast::make(load_f32(s, 0), 4) + load_f32(b, idx),
                  idx));
  LoweredFunc f{
      "vfma4",
      {arg(a, Float(32), n), arg(b, Float(32), n), arg(s, Float(32), 1), arg(c, Float(32), n)},
      body};
  std::string asm_text = emit_assembly({f}, arm);
  bool has_fma =
      asm_text.find("fmla") != std::string::npos || asm_text.find("fmul\tv") != std::string::npos;
  EXPECT_TRUE(has_fma) << asm_text;
  EXPECT_NE(asm_text.find(".4s"), std::string::npos) << asm_text;
}

/// C = A * B with A: m x k, B: k x n, row-major; the outer loop is parallel.
LoweredFunc naive_matmul(int64_t m, int64_t n, int64_t k) {
  Var a("A", Handle()), b("B", Handle()), c("C", Handle()), i("i"), j("j"), r("r");
  Expr ci = i * n + j;
  Stmt init = Store::make(c, Expr(0.0f), ci);
  Stmt update = For::make(
      r, 0, k, ForKind::Serial,
      Store::make(c, load_f32(c, ci) + load_f32(a, i * k + r) * load_f32(b, r * n + j), ci));
  Stmt body = For::make(i, 0, m, ForKind::Parallel,
                        For::make(j, 0, n, ForKind::Serial, Block::make({init, update})));
  return LoweredFunc{"matmul",
                     {arg(a, Float(32), m * k), arg(b, Float(32), k * n), arg(c, Float(32), m * n)},
                     body};
}

std::vector<float> reference_matmul(const std::vector<float> &a, const std::vector<float> &b,
                                    int64_t m, int64_t n, int64_t k) {
  std::vector<float> c(m * n, 0.0f);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t r = 0; r < k; ++r) {
      for (int64_t j = 0; j < n; ++j) c[i * n + j] += a[i * k + r] * b[r * n + j];
    }
  }
  return c;
}

TEST(CodeGenLLVM, ParallelMatmulWithOneAndTwoThreads) {
  ThreadCount restore;
  const int64_t m = 37, n = 29, k = 41;
  auto av = test::random_floats(m * k, 5), bv = test::random_floats(k * n, 6);
  auto expected = reference_matmul(av, bv, m, n, k);
  JitModule jit({naive_matmul(m, n, k)});
  auto fn = jit.get_function("matmul");
  for (int threads : {1, 2, 3}) {
    autotune_set_num_threads(threads);
    std::vector<float> cv(m * n, -1.0f);
    void *args[] = {av.data(), bv.data(), cv.data()};
    EXPECT_EQ(fn(args), 0);
    EXPECT_TRUE(test::all_close(cv, expected, 1e-4f, 1e-5f)) << threads << " threads";
  }
}

/// A register-tiled matmul: for each row i (parallel) and 8-column block, accumulate in a Local
/// buffer of 8 floats, then copy it out. The accumulator should become a vector register.
LoweredFunc tiled_matmul(int64_t m, int64_t n, int64_t k) {
  Var a("A", Handle()), b("B", Handle()), c("C", Handle()), acc("acc", Handle());
  Var i("i"), jo("jo"), r("r");
  Expr lanes = ramp(Expr(0), 8);
  Stmt zero = Store::make(acc, Broadcast::make(Expr(0.0f), 8), lanes);
  Stmt update =
      For::make(r, 0, k, ForKind::Serial,
                Store::make(acc,
                            load_f32(acc, lanes) + Broadcast::make(load_f32(a, i * k + r), 8) *
                                                       load_f32(b, ramp(r * n + jo * 8, 8)),
                            lanes));
  Stmt out = Store::make(c, load_f32(acc, lanes), ramp(i * n + jo * 8, 8));
  Stmt tile =
      Allocate::make(acc, Float(32), 8, MemoryScope::Local, Block::make({zero, update, out}));
  Stmt body = For::make(i, 0, m, ForKind::Parallel, For::make(jo, 0, n / 8, ForKind::Serial, tile));
  return LoweredFunc{"tiled_matmul",
                     {arg(a, Float(32), m * k), arg(b, Float(32), k * n), arg(c, Float(32), m * n)},
                     body};
}

TEST(CodeGenLLVM, TiledMatmulWithLocalAccumulator) {
  ThreadCount restore;
  const int64_t m = 19, n = 64, k = 33;
  auto av = test::random_floats(m * k, 7), bv = test::random_floats(k * n, 8);
  auto expected = reference_matmul(av, bv, m, n, k);
  JitModule jit({tiled_matmul(m, n, k)});
  auto fn = jit.get_function("tiled_matmul");
  for (int threads : {1, 2}) {
    autotune_set_num_threads(threads);
    std::vector<float> cv(m * n, -1.0f);
    void *args[] = {av.data(), bv.data(), cv.data()};
    fn(args);
    EXPECT_TRUE(test::all_close(cv, expected, 1e-4f, 1e-5f)) << threads << " threads";
  }
  // The accumulator is promoted out of memory: no stack buffer survives optimization.
  std::string ir = emit_llvm_ir({tiled_matmul(m, n, k)}, Target::host());
  EXPECT_EQ(ir.find("alloca [8 x float]"), std::string::npos) << ir;
}

TEST(CodeGenLLVM, FloorDivModOnNegativeNumbers) {
  const int64_t n = 41;
  Var in("in", Handle()), den("den", Handle()), out("out", Handle()), i("i");
  std::vector<int64_t> constants{3, 4, -3, 1, 7};
  // Columns: x / c and x % c for each constant, then x / d and x % d for a runtime divisor d.
  int64_t cols = 2 * static_cast<int64_t>(constants.size()) + 2;
  std::vector<Stmt> stores;
  Expr x = Load::make(Int(64), in, i);
  Expr d = Load::make(Int(64), den, i);
  for (size_t c = 0; c < constants.size(); ++c) {
    stores.push_back(Store::make(out, Div::make(x, Expr(constants[c])), i * cols + 2 * int(c)));
    stores.push_back(Store::make(out, Mod::make(x, Expr(constants[c])), i * cols + 2 * int(c) + 1));
  }
  stores.push_back(Store::make(out, Div::make(x, d), i * cols + cols - 2));
  stores.push_back(Store::make(out, Mod::make(x, d), i * cols + cols - 1));
  Stmt body = For::make(i, 0, n, ForKind::Serial, Block::make(stores));
  LoweredFunc f{
      "floordiv", {arg(in, Int(64), n), arg(den, Int(64), n), arg(out, Int(64), n * cols)}, body};

  std::vector<int64_t> xs(n), ds(n), result(n * cols);
  for (int64_t k = 0; k < n; ++k) {
    xs[k] = k - 20;
    ds[k] = (k % 2 ? 1 : -1) * (k % 5 + 1);
  }
  run(f, {xs.data(), ds.data(), result.data()});
  for (int64_t k = 0; k < n; ++k) {
    for (size_t c = 0; c < constants.size(); ++c) {
      EXPECT_EQ(result[k * cols + 2 * c], floor_div(xs[k], constants[c]))
          << xs[k] << " / " << constants[c];
      EXPECT_EQ(result[k * cols + 2 * c + 1], floor_mod(xs[k], constants[c]))
          << xs[k] << " % " << constants[c];
    }
    EXPECT_EQ(result[k * cols + cols - 2], floor_div(xs[k], ds[k])) << xs[k] << " / " << ds[k];
    EXPECT_EQ(result[k * cols + cols - 1], floor_mod(xs[k], ds[k])) << xs[k] << " % " << ds[k];
  }
}

TEST(CodeGenLLVM, VectorFloorDivModInt32) {
  // 8-lane int32 division by constants, including negative numerators.
  const int64_t n = 64;
  Var in("in", Handle()), q("q", Handle()), r("r", Handle()), i("i");
  Expr idx = ramp(i * 8, 8);
  Expr x = Load::make(Int(32), in, idx);
  Expr three = Broadcast::make(IntImm::make(Int(32), 3), 8);
  Expr eight = Broadcast::make(IntImm::make(Int(32), 8), 8);
  Stmt body =
      For::make(i, 0, n / 8, ForKind::Serial,
                Block::make({Store::make(q, Div::make(x, three) + Div::make(x, eight), idx),
                             Store::make(r, Mod::make(x, three) * Mod::make(x, eight), idx)}));
  LoweredFunc f{"vdiv", {arg(in, Int(32), n), arg(q, Int(32), n), arg(r, Int(32), n)}, body};
  std::vector<int32_t> xs(n), qs(n), rs(n);
  for (int64_t k = 0; k < n; ++k) xs[k] = static_cast<int32_t>(k * 7 - 230);
  run(f, {xs.data(), qs.data(), rs.data()});
  for (int64_t k = 0; k < n; ++k) {
    EXPECT_EQ(qs[k], floor_div(xs[k], 3) + floor_div(xs[k], 8)) << xs[k];
    EXPECT_EQ(rs[k], floor_mod(xs[k], 3) * floor_mod(xs[k], 8)) << xs[k];
  }
}

TEST(CodeGenLLVM, SelectMinMaxAndCasts) {
  const int64_t n = 64;
  Var a("A", Handle()), b("B", Handle()), o("O", Handle()), oi("OI", Handle()), i("i");
  Expr idx = ramp(i * 8, 8);
  Expr x = load_f32(a, idx), y = load_f32(b, idx);
  // select(x < y, min(x, y) * 2, max(x, y)) and int32(x * 10) + int32(y > 0) as an int32.
  Expr sel = Select::make(LT::make(x, y), Min::make(x, y) * Broadcast::make(Expr(2.0f), 8),
                          Max::make(x, y));
  Expr as_int = Cast::make(Int(32, 8), x * Broadcast::make(Expr(10.0f), 8)) +
                Cast::make(Int(32, 8), GT::make(y, Broadcast::make(Expr(0.0f), 8)));
  Stmt body = For::make(i, 0, n / 8, ForKind::Serial,
                        Block::make({Store::make(o, sel, idx), Store::make(oi, as_int, idx)}));
  LoweredFunc f{
      "selects",
      {arg(a, Float(32), n), arg(b, Float(32), n), arg(o, Float(32), n), arg(oi, Int(32), n)},
      body};
  auto av = test::random_floats(n, 9), bv = test::random_floats(n, 10);
  std::vector<float> ov(n), expected(n);
  std::vector<int32_t> iv(n);
  run(f, {av.data(), bv.data(), ov.data(), iv.data()});
  for (int64_t k = 0; k < n; ++k) {
    expected[k] = av[k] < bv[k] ? std::min(av[k], bv[k]) * 2 : std::max(av[k], bv[k]);
    EXPECT_EQ(iv[k], static_cast<int32_t>(av[k] * 10.0f) + (bv[k] > 0 ? 1 : 0)) << k;
  }
  EXPECT_TRUE(test::all_close(ov, expected, 0, 0));
}

TEST(CodeGenLLVM, IntrinsicsMatchStd) {
  const int64_t n = 64;
  Var in("in", Handle()), out("out", Handle()), i("i");
  Expr idx = ramp(i * 8, 8);
  Expr x = load_f32(in, idx);
  Expr pos = abs(x) + Broadcast::make(Expr(0.5f), 8);
  std::vector<Expr> results{exp(x),
                            log(pos),
                            tanh(x),
                            erf(x),
                            sigmoid(x),
                            pow(pos, x),
                            sqrt(pos),
                            floor(x * Broadcast::make(Expr(3.0f), 8)),
                            ceil(x * Broadcast::make(Expr(3.0f), 8)),
                            abs(x),
                            round(x * Broadcast::make(Expr(4.0f), 8))};
  const int64_t kinds = static_cast<int64_t>(results.size());
  std::vector<Stmt> stores;
  for (int64_t r = 0; r < kinds; ++r) {
    stores.push_back(Store::make(out, results[r], ramp(i * 8 + r * n, 8)));
  }
  // A scalar loop too: the same functions on scalars go through the scalar paths.
  Var j("j");
  Expr xs = load_f32(in, j);
  Stmt scalar = For::make(j, 0, n, ForKind::Serial,
                          Block::make({Store::make(out, tanh(xs), j + kinds * n),
                                       Store::make(out, sigmoid(xs), j + (kinds + 1) * n)}));
  LoweredFunc f{
      "math",
      {arg(in, Float(32), n), arg(out, Float(32), (kinds + 2) * n)},
      Block::make({For::make(i, 0, n / 8, ForKind::Serial, Block::make(stores)), scalar})};
  auto xv = test::random_floats(n, 11, -3.0f, 3.0f);
  std::vector<float> ov((kinds + 2) * n);
  run(f, {xv.data(), ov.data()});
  auto sig = [](float v) { return 1.0f / (1.0f + std::exp(-v)); };
  for (int64_t k = 0; k < n; ++k) {
    float v = xv[k], p = std::fabs(v) + 0.5f;
    std::vector<float> expected{
        std::exp(v),      std::log(p),    std::tanh(v),         std::erf(v),
        sig(v),           std::pow(p, v), std::sqrt(p),         std::floor(v * 3),
        std::ceil(v * 3), std::fabs(v),   std::nearbyint(v * 4)};
    for (int64_t r = 0; r < kinds; ++r) {
      float got = ov[r * n + k];
      EXPECT_NEAR(got, expected[r], 1e-5f * std::max(1.0f, std::fabs(expected[r])))
          << "function #" << r << " at x = " << v;
    }
    EXPECT_NEAR(ov[kinds * n + k], std::tanh(v), 1e-6f);
    EXPECT_NEAR(ov[(kinds + 1) * n + k], sig(v), 1e-6f);
  }
}

TEST(CodeGenLLVM, PredicatedLoadAndStoreHandleTail) {
  // n is not a multiple of 8: the last vector iteration masks lanes past the end.
  const int64_t n = 29;
  Var a("A", Handle()), c("C", Handle()), i("i");
  Expr idx = ramp(i * 8, 8);
  Expr in_bounds = LT::make(idx, Broadcast::make(Expr(n), 8));
  Stmt body = For::make(
      i, 0, (n + 7) / 8, ForKind::Serial,
      Store::make(c, load_f32(a, idx, in_bounds) + Broadcast::make(Expr(1.0f), 8), idx, in_bounds));
  LoweredFunc f{"tail", {arg(a, Float(32), n), arg(c, Float(32), n + 8)}, body};
  auto av = test::random_floats(n, 12);
  std::vector<float> cv(n + 8, -7.0f);
  run(f, {av.data(), cv.data()});
  for (int64_t k = 0; k < n; ++k) EXPECT_EQ(cv[k], av[k] + 1.0f) << k;
  for (int64_t k = n; k < n + 8; ++k) EXPECT_EQ(cv[k], -7.0f) << "masked lane " << k << " written";
}

TEST(CodeGenLLVM, GatherScatterAndReversedRamps) {
  // out[reverse] = in[stride 2] + in[broadcast 0]; out2[scatter 3i % 8] = in[i].
  const int64_t n = 16;
  Var in("in", Handle()), out("out", Handle()), out2("out2", Handle());
  Expr strided = Ramp::make(Expr(0), Expr(2), 8);
  Expr reversed = Ramp::make(Expr(7), Expr(-1), 8);
  Expr gathered = load_f32(in, strided) + load_f32(in, Broadcast::make(Expr(0), 8));
  Expr perm = Mod::make(Ramp::make(Expr(0), Expr(3), 8), Broadcast::make(Expr(8), 8));
  LoweredFunc f{"gather",
                {arg(in, Float(32), n), arg(out, Float(32), 8), arg(out2, Float(32), 8)},
                Block::make({Store::make(out, gathered, reversed),
                             Store::make(out2, load_f32(in, ramp(Expr(0), 8)), perm)})};
  auto iv = test::random_floats(n, 13);
  std::vector<float> ov(8), o2(8);
  run(f, {iv.data(), ov.data(), o2.data()});
  for (int l = 0; l < 8; ++l) {
    EXPECT_EQ(ov[7 - l], iv[2 * l] + iv[0]) << l;
    EXPECT_EQ(o2[(3 * l) % 8], iv[l]) << l;
  }
}

TEST(CodeGenLLVM, HeapAllocationAndLetBindings) {
  // A Global temporary of 20000 floats (heap): tmp[i] = in[i] * 2; out[i] = tmp[n-1-i] + let.
  const int64_t n = 20000;
  Var in("in", Handle()), out("out", Handle()), tmp("tmp", Handle()), i("i"), j("j"),
      t("t", Float(32)), u("u", Float(32));
  Stmt fill =
      For::make(i, 0, n, ForKind::Parallel, Store::make(tmp, load_f32(in, i) * Expr(2.0f), i));
  Stmt use = For::make(j, 0, n, ForKind::Serial,
                       LetStmt::make(t, load_f32(tmp, Expr(n - 1) - j),
                                     Store::make(out, Let::make(u, t, u + Expr(1.0f)), j)));
  LoweredFunc f{"heap",
                {arg(in, Float(32), n), arg(out, Float(32), n)},
                Allocate::make(tmp, Float(32), n, MemoryScope::Global, Block::make({fill, use}))};
  auto iv = test::random_floats(n, 14);
  std::vector<float> ov(n);
  run(f, {iv.data(), ov.data()});
  for (int64_t k = 0; k < n; ++k) ASSERT_EQ(ov[k], iv[n - 1 - k] * 2.0f + 1.0f) << k;
}

TEST(CodeGenLLVM, NestedParallelAndPerThreadLocals) {
  ThreadCount restore;
  autotune_set_num_threads(2);
  // for i (parallel): for j (parallel): allocate local tmp[4]; tmp[x] = i*100 + j + x;
  //   out[i, j] = sum(tmp). Inner parallel loops run serially inside the outer one.
  const int64_t m = 9, n = 7;
  Var out("out", Handle()), tmp("tmp", Handle()), i("i"), j("j"), x("x"), y("y");
  Expr base = Cast::make(Float(32), i * 100 + j);
  Stmt fill =
      For::make(x, 0, 4, ForKind::Unrolled, Store::make(tmp, base + Cast::make(Float(32), x), x));
  Stmt zero = Store::make(out, Expr(0.0f), i * n + j);
  Stmt sum = For::make(y, 0, 4, ForKind::Serial,
                       Store::make(out, load_f32(out, i * n + j) + load_f32(tmp, y), i * n + j));
  Stmt inner =
      Allocate::make(tmp, Float(32), 4, MemoryScope::Local, Block::make({fill, zero, sum}));
  LoweredFunc f{
      "nested",
      {arg(out, Float(32), m * n)},
      For::make(i, 0, m, ForKind::Parallel, For::make(j, 0, n, ForKind::Parallel, inner))};
  std::vector<float> ov(m * n);
  run(f, {ov.data()});
  for (int64_t a = 0; a < m; ++a) {
    for (int64_t b = 0; b < n; ++b) EXPECT_EQ(ov[a * n + b], 4.0f * (a * 100 + b) + 6.0f);
  }
}

TEST(CodeGenLLVM, IfThenElseAndBoolBuffers) {
  const int64_t n = 32;
  Var in("in", Handle()), flags("flags", Handle()), out("out", Handle()), i("i");
  Expr x = load_f32(in, i);
  Stmt body =
      For::make(i, 0, n, ForKind::Serial,
                Block::make({Store::make(flags, GT::make(x, Expr(0.0f)), i),
                             IfThenElse::make(Load::make(Bool(), flags, i), Store::make(out, x, i),
                                              Store::make(out, -x, i))}));
  LoweredFunc f{
      "ifs", {arg(in, Float(32), n), arg(flags, Bool(), n), arg(out, Float(32), n)}, body};
  auto iv = test::random_floats(n, 15);
  std::vector<uint8_t> fv(n, 7);
  std::vector<float> ov(n);
  run(f, {iv.data(), fv.data(), ov.data()});
  for (int64_t k = 0; k < n; ++k) {
    EXPECT_EQ(fv[k], iv[k] > 0 ? 1 : 0);
    EXPECT_EQ(ov[k], std::fabs(iv[k]));
  }
}

TEST(CodeGenLLVM, LeftoverVectorizedAndUnrolledLoopsRunSerially) {
  // Loops that lowering left as Vectorized/Unrolled (here with a runtime extent) run serially.
  const int64_t n = 13;
  Var a("A", Handle()), len("len", Handle()), c("C", Handle()), i("i"), j("j");
  Expr extent = Load::make(Int(64), len, 0);
  Stmt body = Block::make(
      {For::make(i, 0, extent, ForKind::Vectorized, Store::make(c, load_f32(a, i) * Expr(3.0f), i)),
       For::make(j, 0, extent, ForKind::Unrolled, Store::make(c, load_f32(c, j) + Expr(1.0f), j))});
  LoweredFunc f{
      "leftover", {arg(a, Float(32), n), arg(len, Int(64), 1), arg(c, Float(32), n)}, body};
  auto av = test::random_floats(n, 18);
  std::vector<int64_t> lv{n - 2};
  std::vector<float> cv(n, 5.0f);
  run(f, {av.data(), lv.data(), cv.data()});
  for (int64_t k = 0; k < n; ++k) EXPECT_EQ(cv[k], k < n - 2 ? av[k] * 3.0f + 1.0f : 5.0f) << k;
}

TEST(CodeGenLLVM, SharedLibraryLoadsAndRuns) {
  ThreadCount restore;
  autotune_set_num_threads(2);
  const int64_t m = 23, n = 32, k = 17;
  std::string so = ::testing::TempDir() + "autotune_matmul_" + std::to_string(getpid()) + ".so";
  build_shared_library({naive_matmul(m, n, k), tiled_matmul(m, n, k)}, Target::host(), so);
  runtime::LoadedModule lib(so);
  auto av = test::random_floats(m * k, 16), bv = test::random_floats(k * n, 17);
  auto expected = reference_matmul(av, bv, m, n, k);
  for (const char *name : {"matmul", "tiled_matmul"}) {
    std::vector<float> cv(m * n, -1.0f);
    void *args[] = {av.data(), bv.data(), cv.data()};
    EXPECT_EQ(lib.get_function(name)(args), 0);
    EXPECT_TRUE(test::all_close(cv, expected, 1e-4f, 1e-5f)) << name;
  }
  EXPECT_USER_ERROR(lib.get_function("no_such_kernel"), "no_such_kernel");
  std::remove(so.c_str());
}

TEST(CodeGenLLVM, TwoObjectsLinkIntoOneLibrary) {
  // Each object defines the (weak) runtime table; lld must merge them.
  std::string dir = ::testing::TempDir() + "autotune_two_" + std::to_string(getpid());
  std::string o1 = dir + "_1.o", o2 = dir + "_2.o", so = dir + ".so";
  emit_object({naive_matmul(4, 4, 4)}, Target::host(), o1);
  emit_object({vector_fma_kernel(64)}, Target::host(), o2);
  link_shared({o1, o2}, so);
  runtime::LoadedModule lib(so);
  EXPECT_TRUE(lib.has_function("matmul"));
  EXPECT_TRUE(lib.has_function("vfma"));
  EXPECT_TRUE(lib.has_function("autotune_runtime_table"));
  for (const std::string &p : {o1, o2, so}) std::remove(p.c_str());
}

}  // namespace
}  // namespace autotune::codegen

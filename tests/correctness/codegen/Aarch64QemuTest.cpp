// End to end on aarch64: emit a NEON matmul kernel, link it with ld.lld, run it through the
// cross-compiled loader (tests/aarch64) under qemu-aarch64 and compare with a C++ reference.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "codegen/Compile.h"
#include "ir/core/IROperators.h"
#include "tests/common/TestUtil.h"

namespace autotune::codegen {
namespace {

using namespace autotune::ir;  // NOLINT

/// The full path of `program` on $PATH, or "" when it is not there.
std::string find_on_path(const std::string &program) {
  const char *path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    std::string candidate = dir + "/" + program;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

/// The build tree: $AUTOTUNE_BUILD_DIR (set by ctest), else two levels above this executable.
std::string build_dir() {
  if (const char *dir = std::getenv("AUTOTUNE_BUILD_DIR")) return dir;
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n <= 0) return ".";
  std::string path(exe, static_cast<size_t>(n));
  path = path.substr(0, path.find_last_of('/'));  // build/tests
  return path.substr(0, path.find_last_of('/'));  // build
}

void write_buffers(const std::string &path, const std::vector<std::vector<float>> &buffers) {
  std::ofstream out(path, std::ios::binary);
  uint64_t count = buffers.size();
  out.write(reinterpret_cast<const char *>(&count), sizeof(count));
  for (const auto &b : buffers) {
    uint64_t bytes = b.size() * sizeof(float);
    out.write(reinterpret_cast<const char *>(&bytes), sizeof(bytes));
    out.write(reinterpret_cast<const char *>(b.data()), static_cast<std::streamsize>(bytes));
  }
}

std::vector<std::vector<float>> read_buffers(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  uint64_t count = 0;
  in.read(reinterpret_cast<char *>(&count), sizeof(count));
  std::vector<std::vector<float>> buffers;
  for (uint64_t i = 0; in && i < count; ++i) {
    uint64_t bytes = 0;
    in.read(reinterpret_cast<char *>(&bytes), sizeof(bytes));
    std::vector<float> b(bytes / sizeof(float));
    in.read(reinterpret_cast<char *>(b.data()), static_cast<std::streamsize>(bytes));
    buffers.push_back(std::move(b));
  }
  return buffers;
}

Expr load_f32(const Var &buf, Expr index) { return Load::make(Float(32), buf, std::move(index)); }
Expr ramp4(Expr base) { return Ramp::make(std::move(base), Expr(1), 4); }

/// C = sigmoid(A * B) with a parallel row loop, a 2 x 8 register tile (two float32x4 per row) in a
/// Local accumulator, and FMA-shaped updates. The sigmoid makes the library call expf.
LoweredFunc neon_matmul(int64_t m, int64_t n, int64_t k) {
  Var a("A", Handle()), b("B", Handle()), c("C", Handle()), acc("acc", Handle());
  Var io("io"), jo("jo"), r("r"), ii("ii"), jv("jv");
  auto tile_loops = [&](Stmt s) {
    return For::make(ii, 0, 2, ForKind::Unrolled, For::make(jv, 0, 2, ForKind::Unrolled, s));
  };
  Expr acc_idx = ramp4(ii * 8 + jv * 4);
  Expr row = io * 2 + ii;
  Expr col = jo * 8 + jv * 4;
  Stmt zero = tile_loops(Store::make(acc, Broadcast::make(Expr(0.0f), 4), acc_idx));
  Stmt update = For::make(
      r, 0, k, ForKind::Serial,
      tile_loops(Store::make(acc,
                             load_f32(acc, acc_idx) + Broadcast::make(load_f32(a, row * k + r), 4) *
                                                          load_f32(b, ramp4(r * n + col)),
                             acc_idx)));
  Stmt out = tile_loops(Store::make(c, sigmoid(load_f32(acc, acc_idx)), ramp4(row * n + col)));
  Stmt tile =
      Allocate::make(acc, Float(32), 16, MemoryScope::Local, Block::make({zero, update, out}));
  Stmt body =
      For::make(io, 0, m / 2, ForKind::Parallel, For::make(jo, 0, n / 8, ForKind::Serial, tile));
  return LoweredFunc{"neon_matmul",
                     {KernelArg{a, Float(32), {m, k}}, KernelArg{b, Float(32), {k, n}},
                      KernelArg{c, Float(32), {m, n}}},
                     body};
}

TEST(Aarch64Qemu, NeonMatmulMatchesReference) {
  std::string qemu = find_on_path("qemu-aarch64");
  if (qemu.empty()) GTEST_SKIP() << "qemu-aarch64 is not installed";
  std::string loader = build_dir() + "/tests/aarch64/autotune_loader";
  ASSERT_EQ(access(loader.c_str(), X_OK), 0)
      << "aarch64 loader '" << loader << "' is missing; build target autotune_loader_aarch64";

  const int64_t m = 14, n = 32, k = 27;
  Target arm = Target::parse("llvm -mtriple=aarch64-linux-gnu -mcpu=cortex-a72 -mattr=+neon");
  std::string dir = ::testing::TempDir() + "autotune_aarch64_" + std::to_string(getpid());
  std::string so = dir + "_kernel.so", in = dir + "_in.bin", out = dir + "_out.bin";
  build_shared_library({neon_matmul(m, n, k)}, arm, so);
  std::string assembly = emit_assembly({neon_matmul(m, n, k)}, arm);
  EXPECT_NE(assembly.find("fmla"), std::string::npos) << assembly;

  auto av = test::random_floats(m * k, 21), bv = test::random_floats(k * n, 22);
  std::vector<float> expected(m * n, 0.0f);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      float s = 0;
      for (int64_t r = 0; r < k; ++r) s += av[i * k + r] * bv[r * n + j];
      expected[i * n + j] = 1.0f / (1.0f + std::exp(-s));
    }
  }
  write_buffers(in, {av, bv, std::vector<float>(m * n, -1.0f)});
  for (int threads : {1, 2}) {
    std::string cmd = qemu + " -cpu cortex-a72 -L /usr/aarch64-linux-gnu " + loader + " " + so +
                      " neon_matmul " + in + " " + out + " " + std::to_string(threads) + " 2>&1";
    std::FILE *p = popen(cmd.c_str(), "r");
    ASSERT_NE(p, nullptr) << cmd;
    std::string output;
    char buf[512];
    while (size_t got = std::fread(buf, 1, sizeof(buf), p)) output.append(buf, got);
    int status = pclose(p);
    ASSERT_EQ(status, 0) << cmd << "\n" << output;
    auto result = read_buffers(out);
    ASSERT_EQ(result.size(), 3u);
    EXPECT_TRUE(test::all_close(result[2], expected, 1e-5f, 1e-6f)) << threads << " threads";
  }
  for (const std::string &f : {so, in, out}) std::remove(f.c_str());
}

}  // namespace
}  // namespace autotune::codegen

// Target strings: parsing, resolution of "native", vector widths, canonical spelling.
#include <gtest/gtest.h>

#include "codegen/Target.h"

namespace autotune::codegen {
namespace {

TEST(Target, ParsesX86) {
  Target t = Target::parse("llvm -mtriple=x86_64-linux-gnu -mcpu=haswell");
  EXPECT_EQ(t.triple, "x86_64-linux-gnu");
  EXPECT_EQ(t.cpu, "haswell");
  EXPECT_TRUE(t.attrs.empty());
  EXPECT_EQ(t.vector_bits, 256);
  EXPECT_EQ(t.float_lanes(), 8);
  EXPECT_EQ(t.str(), "llvm -mtriple=x86_64-linux-gnu -mcpu=haswell");
}

TEST(Target, VectorBitsFollowCpuAndAttrs) {
  EXPECT_EQ(Target::parse("llvm -mtriple=x86_64-linux-gnu -mcpu=skylake-avx512").vector_bits, 512);
  EXPECT_EQ(Target::parse("llvm -mtriple=x86_64-linux-gnu").vector_bits, 128);
  EXPECT_EQ(Target::parse("llvm -mtriple=x86_64-linux-gnu -mattr=+avx2,+fma").vector_bits, 256);
  EXPECT_EQ(Target::parse("llvm -mtriple=x86_64-linux-gnu -mcpu=skylake-avx512 -mattr=-avx512f")
                .vector_bits,
            256);
}

TEST(Target, ParsesAarch64) {
  Target t = Target::parse("llvm -mtriple=aarch64-linux-gnu -mcpu=cortex-a72 -mattr=+neon");
  EXPECT_EQ(t.triple, "aarch64-linux-gnu");
  EXPECT_EQ(t.cpu, "cortex-a72");
  ASSERT_EQ(t.attrs.size(), 1u);
  EXPECT_EQ(t.attrs[0], "+neon");
  EXPECT_EQ(t.vector_bits, 128);
  EXPECT_FALSE(t.is_host_arch());
  EXPECT_FALSE(t.is_host());
  EXPECT_EQ(Target::parse(t.str()), t);
}

TEST(Target, HostIsResolved) {
  Target h = Target::host();
  EXPECT_NE(h.cpu, "native");
  EXPECT_FALSE(h.triple.empty());
  EXPECT_TRUE(h.is_host());
  EXPECT_GE(h.vector_bits, 128);
  // Options in any order, and the triple defaults to the host's.
  Target n = Target::parse("llvm  -mcpu=native");
  EXPECT_EQ(n.cpu, h.cpu);
  EXPECT_EQ(n.vector_bits, h.vector_bits);
  // The canonical string names the resolved CPU and still describes a host target.
  EXPECT_TRUE(Target::parse(h.str()).is_host());
}

TEST(Target, ForeignCpuOfSameArchIsNotHostWhenItHasMoreFeatures) {
  Target h = Target::host();
  if (h.vector_bits == 512) GTEST_SKIP() << "host has AVX-512";
  Target t = Target::parse("llvm -mtriple=" + h.triple + " -mcpu=" + h.cpu + " -mattr=+avx512f");
  if (t.triple.rfind("x86_64", 0) != 0) GTEST_SKIP() << "x86 only";
  EXPECT_FALSE(t.is_host());
}

}  // namespace
}  // namespace autotune::codegen

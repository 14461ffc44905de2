// Bad target strings: each is a UserError that names the offending token.
#include <gtest/gtest.h>

#include "codegen/Target.h"
#include "tests/common/TestUtil.h"

namespace autotune::codegen {
namespace {

TEST(TargetError, UnknownKind) {
  EXPECT_USER_ERROR(Target::parse("opencl -device=mali"), "unknown target kind 'opencl'");
}

TEST(TargetError, EmptyString) { EXPECT_USER_ERROR(Target::parse("  "), "empty target string"); }

TEST(TargetError, UnknownOption) {
  EXPECT_USER_ERROR(Target::parse("llvm -mcpu=haswell -mfoo=1"), "unknown option '-mfoo=1'");
}

TEST(TargetError, OptionWithoutValue) {
  EXPECT_USER_ERROR(Target::parse("llvm -mcpu="), "option '-mcpu=' in target");
}

TEST(TargetError, RepeatedOption) {
  EXPECT_USER_ERROR(Target::parse("llvm -mcpu=haswell -mcpu=znver2"), "'-mcpu' given twice");
}

TEST(TargetError, UnknownTriple) {
  EXPECT_USER_ERROR(Target::parse("llvm -mtriple=potato-linux-gnu"),
                    "unknown triple 'potato-linux-gnu'");
}

TEST(TargetError, UnknownCpu) {
  EXPECT_USER_ERROR(Target::parse("llvm -mtriple=aarch64-linux-gnu -mcpu=pentium9"),
                    "unknown CPU 'pentium9'");
}

TEST(TargetError, UnknownFeature) {
  EXPECT_USER_ERROR(Target::parse("llvm -mtriple=aarch64-linux-gnu -mattr=+neon,+warp9"),
                    "unknown feature '+warp9'");
  EXPECT_USER_ERROR(Target::parse("llvm -mtriple=aarch64-linux-gnu -mattr=neon"),
                    "unknown feature 'neon'");
}

TEST(TargetError, NativeCpuForForeignTriple) {
  EXPECT_USER_ERROR(Target::parse("llvm -mtriple=aarch64-linux-gnu -mcpu=native"),
                    "'-mcpu=native'");
}

}  // namespace
}  // namespace autotune::codegen

// User errors of ConfigSpace: indices outside the space, foreign configs, bad knob definitions.
#include <gtest/gtest.h>

#include "searchspace/ConfigSpace.h"
#include "tests/common/TestUtil.h"

namespace autotune::searchspace {
namespace {

ConfigSpace eight_configs(const std::string &task) {
  ConfigSpace s;
  s.define_split("tile_x", 8, 2, SplitPolicy::AllDivisors);  // 4 choices
  s.define_knob("unroll", {0, 1});
  s.set_name(task);
  return s;
}

TEST(ConfigSpaceError, IndexOutsideTheSpace) {
  ConfigSpace s = eight_configs("conv2d_nchwc 1x64x56x56 k64 3x3 s1");
  EXPECT_USER_ERROR(s.get(12),
                    "config index 12 is outside the space of 8 configs of task "
                    "'conv2d_nchwc 1x64x56x56 k64 3x3 s1'");
}

TEST(ConfigSpaceError, NegativeIndex) {
  EXPECT_USER_ERROR(eight_configs("t").get(-1), "config index -1 is outside the space of 8");
}

TEST(ConfigSpaceError, JsonValueNotAChoice) {
  ConfigSpace s = eight_configs("t");
  EXPECT_USER_ERROR(s.from_json(R"({"tile_x": [3, 3], "unroll": [0]})"),
                    "value [3,3] of knob 'tile_x' is not one of its choices");
}

TEST(ConfigSpaceError, JsonUnknownKnob) {
  ConfigSpace s = eight_configs("t");
  EXPECT_USER_ERROR(s.from_json(R"({"tile_x": [8, 1], "unroll": [0], "tile_y": [1, 1]})"),
                    "names knob 'tile_y', which the space of task 't' does not have");
}

TEST(ConfigSpaceError, JsonMissingKnob) {
  EXPECT_USER_ERROR(eight_configs("t").from_json(R"({"tile_x": [8, 1]})"), "lacks knob 'unroll'");
}

TEST(ConfigSpaceError, MalformedJson) {
  EXPECT_USER_ERROR(eight_configs("t").from_json("{\"tile_x\": [8, "), "is not valid JSON");
}

TEST(ConfigSpaceError, JsonValueNotIntegers) {
  EXPECT_USER_ERROR(eight_configs("t").from_json(R"({"tile_x": "8x1", "unroll": [0]})"),
                    "value \"8x1\" of knob 'tile_x' of task 't' must be an array of integers");
}

TEST(ConfigSpaceError, ChoiceOutOfRange) {
  EXPECT_USER_ERROR(eight_configs("t").from_choices({4, 0}),
                    "choice 4 of knob 'tile_x' is outside its 4 choices");
}

TEST(ConfigSpaceError, UnknownKnobOfConfig) {
  EXPECT_USER_ERROR(eight_configs("t").get(0).get("tile_y"),
                    "config 0 has no knob 'tile_y' (its knobs: tile_x, unroll)");
}

TEST(ConfigSpaceError, SplitFactorZero) {
  ConfigSpace s;
  EXPECT_USER_ERROR(s.define_split("x", 8, 2, SplitPolicy::Candidates, {2, 0}),
                    "split knob 'x': split factor must be positive, got 0");
}

TEST(ConfigSpaceError, SplitWithoutChoices) {
  ConfigSpace s;
  EXPECT_USER_ERROR(s.define_split("x", 8, 2, SplitPolicy::Candidates, {16}),
                    "split knob 'x' of extent 8 has no choice under its policy");
}

TEST(ConfigSpaceError, KnobDefinedTwice) {
  ConfigSpace s;
  s.define_knob("unroll", {0, 1});
  EXPECT_USER_ERROR(s.define_knob("unroll", {2}), "knob 'unroll' is defined twice");
}

TEST(ConfigSpaceError, ReorderNotAPermutation) {
  ConfigSpace s;
  EXPECT_USER_ERROR(s.define_reorder("order", {{0, 1, 2}, {0, 0, 2}}),
                    "reorder knob 'order': [0,0,2] is not a permutation of 0..2");
}

TEST(ConfigSpaceError, UnknownAnnotation) {
  ConfigSpace s;
  EXPECT_USER_ERROR(s.define_annotate("ann", {{0, 7}}), "unknown annotation code 7");
}

}  // namespace
}  // namespace autotune::searchspace

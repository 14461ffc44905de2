// ConfigSpace: split policies, the mixed-radix index, JSON round trips and validity filtering.
#include <gtest/gtest.h>

#include "searchspace/ConfigSpace.h"
#include "tests/common/TestUtil.h"

namespace autotune::searchspace {
namespace {

using Choices = std::vector<std::vector<int64_t>>;

TEST(ConfigSpace, SplitAllDivisorsTwoLevels) {
  ConfigSpace s;
  s.define_split("x", 12, 2, SplitPolicy::AllDivisors);
  EXPECT_EQ(s.knobs()[0].choices, (Choices{{12, 1}, {6, 2}, {4, 3}, {3, 4}, {2, 6}, {1, 12}}));
  EXPECT_EQ(s.knobs()[0].kind, KnobKind::Split);
}

TEST(ConfigSpace, SplitAllDivisorsThreeLevelsMultiplyToExtent) {
  ConfigSpace s;
  s.define_split("x", 8, 3, SplitPolicy::AllDivisors);
  // Ordered by the innermost factor, then the middle one; outermost first in each choice.
  EXPECT_EQ(s.knobs()[0].choices, (Choices{{8, 1, 1},
                                           {4, 2, 1},
                                           {2, 4, 1},
                                           {1, 8, 1},
                                           {4, 1, 2},
                                           {2, 2, 2},
                                           {1, 4, 2},
                                           {2, 1, 4},
                                           {1, 2, 4},
                                           {1, 1, 8}}));
  for (const auto &c : s.knobs()[0].choices) EXPECT_EQ(c[0] * c[1] * c[2], 8);
}

TEST(ConfigSpace, SplitMaxInnermost) {
  ConfigSpace s;
  s.define_split("x", 16, 2, SplitPolicy::AllDivisors, {}, 4);
  EXPECT_EQ(s.knobs()[0].choices, (Choices{{16, 1}, {8, 2}, {4, 4}}));
}

TEST(ConfigSpace, SplitPowersOfTwoCoverTheExtent) {
  ConfigSpace s;
  s.define_split("x", 10, 2, SplitPolicy::PowersOfTwo);
  EXPECT_EQ(s.knobs()[0].choices, (Choices{{10, 1}, {5, 2}, {3, 4}, {2, 8}}));
  ConfigSpace t;
  t.define_split("y", 6, 3, SplitPolicy::PowersOfTwo);
  // Inner products stay within the extent; the outer level rounds up.
  EXPECT_EQ(t.knobs()[0].choices,
            (Choices{{6, 1, 1}, {3, 2, 1}, {2, 4, 1}, {3, 1, 2}, {2, 2, 2}, {2, 1, 4}}));
}

TEST(ConfigSpace, SplitCandidatesAllowGuards) {
  ConfigSpace s;
  s.define_split("x", 10, 2, SplitPolicy::Candidates, {4, 3, 20, 4});
  // Sorted, deduplicated, and candidates above the extent dropped.
  EXPECT_EQ(s.knobs()[0].choices, (Choices{{4, 3}, {3, 4}}));
}

/// A space with every kind of knob: 6 x 3 x 2 x 3 = 108 points.
ConfigSpace mixed_space() {
  ConfigSpace s;
  s.define_split("tile", 12, 2, SplitPolicy::AllDivisors);
  s.define_reorder("order", {{0, 1, 2}, {2, 1, 0}, {1, 0, 2}});
  s.define_annotate("ann", {{0, 2}, {1, 2}});
  s.define_knob("unroll", {0, 16, 64});
  return s;
}

TEST(ConfigSpace, MixedRadixFirstKnobFastest) {
  ConfigSpace s = mixed_space();
  ASSERT_EQ(s.size(), 108);
  EXPECT_EQ(s.get(0).choices(), (std::vector<int>{0, 0, 0, 0}));
  EXPECT_EQ(s.get(1).choices(), (std::vector<int>{1, 0, 0, 0}));
  EXPECT_EQ(s.get(6).choices(), (std::vector<int>{0, 1, 0, 0}));
  EXPECT_EQ(s.get(18).choices(), (std::vector<int>{0, 0, 1, 0}));
  EXPECT_EQ(s.get(107).choices(), (std::vector<int>{5, 2, 1, 2}));
  // index = c0 + 6 * (c1 + 3 * (c2 + 2 * c3))
  EXPECT_EQ(s.from_choices({3, 2, 1, 1}).index(), 3 + 6 * (2 + 3 * (1 + 2 * 1)));
  Config c = s.get(5 + 6 * (1 + 3 * (0 + 2 * 2)));
  EXPECT_EQ(c.get("tile"), (std::vector<int64_t>{1, 12}));
  EXPECT_EQ(c.get("order"), (std::vector<int64_t>{2, 1, 0}));
  EXPECT_EQ(c.get("ann"), (std::vector<int64_t>{0, 2}));
  EXPECT_EQ(c.value("unroll"), 64);
}

TEST(ConfigSpace, IndexChoicesIndexRoundTripOverWholeSpace) {
  ConfigSpace s = mixed_space();
  for (int64_t i = 0; i < s.size(); ++i) {
    Config c = s.get(i);
    ASSERT_EQ(c.index(), i);
    ASSERT_EQ(s.from_choices(c.choices()).index(), i);
    std::vector<std::vector<int64_t>> values;
    for (const Knob &k : s.knobs()) values.push_back(c.get(k.name));
    ASSERT_EQ(s.from_values(values).index(), i);
  }
}

TEST(ConfigSpace, JsonRoundTripOverWholeSpace) {
  ConfigSpace s = mixed_space();
  for (int64_t i = 0; i < s.size(); ++i) {
    std::string json = s.get(i).to_json();
    Config back = s.from_json(json);
    ASSERT_EQ(back.index(), i) << json;
    ASSERT_EQ(back.to_json(), json);
  }
}

TEST(ConfigSpace, JsonTextIsStable) {
  ConfigSpace s = mixed_space();
  EXPECT_EQ(s.get(0).to_json(), R"({"tile":[12,1],"order":[0,1,2],"ann":[0,2],"unroll":[0]})");
  EXPECT_EQ(s.get(0).str(), "tile=[12,1] order=[0,1,2] ann=[0,2] unroll=[0]");
  // Keys in any order and bare integers for single values are accepted.
  EXPECT_EQ(s.from_json(R"({"unroll": 16, "ann": [1,2], "order": [2,1,0], "tile": [2,6]})").index(),
            s.from_values({{2, 6}, {2, 1, 0}, {1, 2}, {16}}).index());
}

TEST(ConfigSpace, ValidityFilterCounts) {
  ConfigSpace s = mixed_space();
  EXPECT_EQ(s.count_valid(), 108);
  // Inner tile times unroll bounded: tile inner in {1,2,3,4,6,12}; unroll 0 always valid.
  s.set_validity([](const Config &c) { return c.get("tile")[1] * c.value("unroll") <= 64; });
  // unroll 0: 6 tiles; unroll 16: inner <= 4 -> 4 tiles; unroll 64: inner 1 -> 1 tile.
  EXPECT_EQ(s.count_valid(), (6 + 4 + 1) * 3 * 2);
  int64_t counted = 0;
  for (int64_t i = 0; i < s.size(); ++i) counted += s.is_valid(s.get(i));
  EXPECT_EQ(counted, s.count_valid());
  // next_valid skips invalid points.
  int64_t first_unroll64 = 2 * 36;  // c3 = 2 starts at index 2 * (6 * 3 * 2)
  std::optional<Config> next = s.next_valid(first_unroll64 + 1);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->get("tile")[1], 1);
  EXPECT_EQ(next->index(), first_unroll64 + 6);  // the next "order" row, tile [12, 1]
  EXPECT_FALSE(s.next_valid(s.size()).has_value());
}

TEST(ConfigSpace, ConfigsOutliveAndIgnoreLaterDefinitions) {
  Config c;
  {
    ConfigSpace s;
    s.define_knob("a", {1, 2});
    c = s.get(1);
    s.define_knob("b", {3, 4});
    EXPECT_EQ(s.size(), 4);
  }
  EXPECT_EQ(c.value("a"), 2);
  EXPECT_EQ(c.knobs().size(), 1u);
  EXPECT_EQ(c.to_json(), R"({"a":[2]})");
}

TEST(ConfigSpace, EmptySpaceHasOnePoint) {
  ConfigSpace s;
  EXPECT_EQ(s.size(), 1);
  EXPECT_EQ(s.get(0).to_json(), "{}");
  EXPECT_EQ(s.from_json("{}").index(), 0);
}

}  // namespace
}  // namespace autotune::searchspace

// User errors of applying configs: foreign or malformed config JSON for a kernel, invalid
// configs, configs of another kernel's space, configs for kernels without a template.
#include <gtest/gtest.h>

#include "searchspace/ScheduleKernel.h"
#include "searchspace/Task.h"
#include "tests/common/TestUtil.h"

namespace autotune::searchspace {
namespace {

using graph::Graph;
using graph::Node;
using graph::Value;
using graph::ValueId;

constexpr int kLanes = 8;

ValueId add_value(Graph &g, std::vector<int64_t> shape) {
  Value v;
  v.name = "v" + std::to_string(g.values.size());
  v.shape = std::move(shape);
  v.shape_known = true;
  return g.add_value(v);
}

/// Blocked 3x3 conv, pad 1: [1, C/16, H, H, 16] -> [1, K/16, H, H, 16].
graph::FusedCompute conv_kernel(int64_t C, int64_t K, int64_t H) {
  Graph g;
  ValueId x = add_value(g, {1, C / 16, H, H, 16});
  ValueId w = add_value(g, {K / 16, C / 16, 3, 3, 16, 16});
  g.inputs = {x, w};
  ValueId y = add_value(g, {1, K / 16, H, H, 16});
  Node conv;
  conv.op_type = "conv2d_nchwc";
  conv.domain = "autotune";
  conv.inputs = {x, w};
  conv.outputs = {y};
  conv.attrs.set("pads", std::vector<int64_t>{1, 1, 1, 1});
  g.add_node(conv);
  g.outputs = {y};
  return graph::lower_fused(g);
}

graph::FusedCompute relu_kernel() {
  Graph g;
  ValueId x = add_value(g, {4, 8});
  g.inputs = {x};
  ValueId y = add_value(g, {4, 8});
  Node relu;
  relu.op_type = "Relu";
  relu.inputs = {x};
  relu.outputs = {y};
  g.add_node(relu);
  g.outputs = {y};
  return graph::lower_fused(g);
}

const char *kValidJson =
    R"({"tile_ow":[2,4],"tile_oh":[8,1],"reorder_inner":[0,1,2,3],"unroll_kw":[0],)"
    R"("compute_at":[0],"parallel_fuse":[3]})";

TEST(ScheduleKernelError, ValidConfigApplies) {
  // The baseline for the tests below: this config is accepted.
  EXPECT_NO_THROW(schedule_kernel(conv_kernel(16, 16, 8), kValidJson, kLanes, true));
}

TEST(ScheduleKernelError, ForeignConfigNamesTheKernel) {
  const char *dense_config =
      R"({"tile_m":[1,1],"tile_n":[2,8],"tile_k":[16,1],"unroll_k":[0],"tile_order":[0]})";
  EXPECT_USER_ERROR(schedule_kernel(conv_kernel(16, 16, 8), dense_config, kLanes, true),
                    "tuned config of kernel 'conv2d_nchwc 1x16x8x8 k16 3x3 s1' does not apply: "
                    "config '");
}

TEST(ScheduleKernelError, ValueNotAChoiceOfTheKernel) {
  std::string json = kValidJson;
  json.replace(json.find("[2,4]"), 5, "[1,9]");
  EXPECT_USER_ERROR(schedule_kernel(conv_kernel(16, 16, 8), json, kLanes, true),
                    "value [1,9] of knob 'tile_ow' is not one of its choices of task "
                    "'conv2d_nchwc 1x16x8x8 k16 3x3 s1'");
}

TEST(ScheduleKernelError, MalformedJson) {
  EXPECT_USER_ERROR(schedule_kernel(conv_kernel(16, 16, 8), "{\"tile_ow\": [2", kLanes, true),
                    "is not valid JSON");
}

TEST(ScheduleKernelError, InvalidConfig) {
  // 2 rows x 8 columns x 2 vectors per 16-channel column = 32 accumulators.
  std::string json = kValidJson;
  json.replace(json.find("[2,4]"), 5, "[1,8]");
  json.replace(json.find("[8,1]"), 5, "[4,2]");
  EXPECT_USER_ERROR(schedule_kernel(conv_kernel(16, 16, 8), json, kLanes, true),
                    "is invalid for the conv2d_nchwc kernel 1x16x8x8 k16 3x3 s1: a 2x8 register "
                    "tile of 16-channel blocks needs 32 accumulator vectors, more than 16");
}

TEST(ScheduleKernelError, ConfigForAKernelWithoutTemplate) {
  EXPECT_USER_ERROR(schedule_kernel(relu_kernel(), kValidJson, kLanes, true),
                    "has no schedule template, so config");
}

TEST(ScheduleKernelError, ApplyConfigOfAnotherKernelsSpace) {
  graph::FusedCompute small = conv_kernel(16, 16, 8), big = conv_kernel(16, 16, 14);
  const ScheduleTemplate *t = find_template(small);
  ASSERT_NE(t, nullptr);
  Config other = t->space(big, kLanes).get(0);
  EXPECT_USER_ERROR(t->apply(small, other, kLanes, true),
                    "is not a config of the conv2d_nchwc kernel 1x16x8x8 k16 3x3 s1");
}

TEST(ScheduleKernelError, TemplateOnAForeignKernel) {
  graph::FusedCompute conv = conv_kernel(16, 16, 8);
  const ScheduleTemplate *t = find_template(conv);
  ASSERT_NE(t, nullptr);
  EXPECT_USER_ERROR(t->space(relu_kernel(), kLanes),
                    "the conv2d_nchwc template does not apply to this kernel");
}

}  // namespace
}  // namespace autotune::searchspace

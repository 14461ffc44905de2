// Schedule templates produce correct kernels for every valid config: for small conv,
// depthwise, dense and matmul kernels (with epilogues, strides and ragged tiles), sampled
// valid configs are compiled and run against the default schedule; default configs reproduce
// the default schedule exactly.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "codegen/EvaluateNode.h"
#include "codegen/Target.h"
#include "ir/core/IRPrinter.h"
#include "ir/graph/GraphPipeline.h"
#include "ir/lower/Lower.h"
#include "searchspace/DefaultSchedule.h"
#include "searchspace/ScheduleKernel.h"
#include "searchspace/Task.h"
#include "tests/common/GraphBuilder.h"
#include "tests/common/KernelRunner.h"
#include "tests/common/TestUtil.h"

namespace autotune::searchspace {
namespace {

using graph::TensorData;
using test::attrs;

int host_lanes() { return codegen::Target::host().float_lanes(); }

std::shared_ptr<TensorData> random_constant(std::vector<int64_t> shape, uint32_t seed) {
  return TensorData::from_floats(shape, test::random_floats(graph::shape_size(shape), seed));
}

/// Conv (+ bias + residual add + relu) on x [1, C, H, W] with K filters of R x R, fused.
graph::Graph conv_model(int64_t C, int64_t K, int64_t H, int64_t W, int64_t R, int64_t stride,
                        int64_t pad, bool depthwise, bool bias, bool residual, bool relu) {
  test::GraphBuilder b(13);
  b.add_input("x", {1, C, H, W});
  b.add_constant("w", random_constant({K, depthwise ? 1 : C, R, R}, 2));
  std::vector<std::string> ins = {"x", "w"};
  if (bias) {
    b.add_constant("b", random_constant({K}, 3));
    ins.push_back("b");
  }
  b.add_node("Conv", ins, {"c"},
             attrs({{"pads", std::vector<int64_t>{pad, pad, pad, pad}},
                    {"strides", std::vector<int64_t>{stride, stride}},
                    {"kernel_shape", std::vector<int64_t>{R, R}},
                    {"group", depthwise ? C : int64_t{1}}}));
  std::string y = "c";
  if (residual) {
    int64_t oh = (H + 2 * pad - R) / stride + 1, ow = (W + 2 * pad - R) / stride + 1;
    b.add_input("skip", {1, K, oh, ow});
    b.add_node("Add", {y, "skip"}, {"s"});
    y = "s";
  }
  if (relu) {
    b.add_node("Relu", {y}, {"r"});
    y = "r";
  }
  b.add_outputs({y});
  return graph::optimize_graph(b.build(), codegen::evaluate_node);
}

/// Gemm (transB = 1, with bias and relu) or MatMul with a constant right operand, fused.
graph::Graph matmul_model(int64_t M, int64_t K, int64_t N, bool gemm) {
  test::GraphBuilder b(13);
  b.add_input("x", {M, K});
  if (gemm) {
    b.add_constant("w", random_constant({N, K}, 4));
    b.add_constant("b", random_constant({N}, 5));
    b.add_node("Gemm", {"x", "w", "b"}, {"g"}, attrs({{"transB", int64_t{1}}}));
    b.add_node("Relu", {"g"}, {"y"});
  } else {
    b.add_constant("w", random_constant({K, N}, 4));
    b.add_node("MatMul", {"x", "w"}, {"y"});
  }
  b.add_outputs({"y"});
  return graph::optimize_graph(b.build(), codegen::evaluate_node);
}

std::vector<te::Tensor> kernel_args(const graph::FusedCompute &fc) {
  std::vector<te::Tensor> args;
  for (size_t u : fc.used_inputs) args.push_back(fc.inputs[u]);
  args.insert(args.end(), fc.outputs.begin(), fc.outputs.end());
  return args;
}

/// Runs `sch` of `fc` on fixed random inputs; returns the outputs.
std::vector<std::vector<float>> run(const graph::FusedCompute &fc, const te::Schedule &sch,
                                    int threads) {
  std::vector<te::Tensor> args = kernel_args(fc);
  std::vector<std::vector<float>> data;
  for (size_t i = 0; i < args.size(); ++i) {
    bool output = i >= fc.used_inputs.size();
    data.push_back(output ? std::vector<float>(args[i].size(), -777.0f)
                          : test::random_floats(args[i].size(), 100 + static_cast<uint32_t>(i)));
  }
  test::run_on_host(sch, args, data, threads);
  return std::vector<std::vector<float>>(data.begin() + fc.used_inputs.size(), data.end());
}

/// Valid config indices: all of them for small spaces, else `samples` drawn with a fixed seed,
/// plus the first and last valid ones.
std::vector<int64_t> configs_to_check(const ConfigSpace &space, int samples) {
  std::vector<int64_t> valid;
  for (int64_t i = 0; i < space.size(); ++i) {
    if (space.is_valid(space.get(i))) valid.push_back(i);
  }
  if (static_cast<int>(valid.size()) <= samples + 2) return valid;
  std::set<int64_t> picked = {valid.front(), valid.back()};
  std::mt19937 rng(7);
  while (static_cast<int>(picked.size()) < samples + 2) picked.insert(valid[rng() % valid.size()]);
  return std::vector<int64_t>(picked.begin(), picked.end());
}

struct SweepCase {
  const char *name;
  graph::Graph (*make)();
  const char *op_kind;
};

/// Every tunable kernel of the model: sampled valid configs against the default schedule.
void sweep(const graph::Graph &model, const std::string &op_kind, int samples) {
  int lanes = host_lanes();
  std::vector<Task> tasks = extract_tasks(model, "llvm", lanes);
  ASSERT_FALSE(tasks.empty());
  bool saw_kind = false;
  for (const Task &task : tasks) {
    saw_kind |= task.op_kind == op_kind;
    graph::FusedCompute fc = graph::lower_fused(*task.body);
    std::vector<std::vector<float>> expected = run(fc, schedule_kernel(fc, "", lanes, true), 1);
    std::vector<int64_t> indices = configs_to_check(task.space, samples);
    ASSERT_FALSE(indices.empty()) << task.name;
    for (int64_t index : indices) {
      Config cfg = task.space.get(index);
      SCOPED_TRACE(task.name + ": config " + std::to_string(index) + " " + cfg.str());
      // Two threads for every other config, so that parallel loops run split too.
      std::vector<std::vector<float>> got =
          run(fc, task.tmpl->apply(fc, cfg, lanes, true), index % 2 ? 2 : 1);
      ASSERT_EQ(got.size(), expected.size());
      for (size_t o = 0; o < got.size(); ++o) {
        ASSERT_TRUE(test::all_close(got[o], expected[o], 1e-4f, 1e-4f));
      }
    }
  }
  EXPECT_TRUE(saw_kind) << "no " << op_kind << " task";
}

constexpr int kSamples = 30;

TEST(ScheduleTemplate, Conv3x3BiasReluAllTileWidths) {
  // OW 10: divisor tiles 1, 2, 5, 10 and guarded tiles 3, 4, 6, 7, 8.
  sweep(conv_model(16, 32, 10, 10, 3, 1, 1, false, true, false, true), "conv2d_nchwc", kSamples);
}

TEST(ScheduleTemplate, Conv3x3Stride2OddRows) {
  // OH = OW = 5: two-row tiles leave a partial last row tile.
  sweep(conv_model(16, 16, 9, 9, 3, 2, 1, false, false, false, false), "conv2d_nchwc", kSamples);
}

TEST(ScheduleTemplate, Conv1x1ResidualAdd) {
  sweep(conv_model(32, 16, 7, 7, 1, 1, 0, false, true, true, true), "conv2d_nchwc", kSamples);
}

TEST(ScheduleTemplate, Conv8ChannelBlocks) {
  // Channels divisible by 8 only: 8-channel blocks (one vector per column on AVX2).
  sweep(conv_model(8, 24, 6, 12, 3, 1, 1, false, true, false, true), "conv2d_nchwc", kSamples);
}

TEST(ScheduleTemplate, StemConv7x7Stride2ThreeChannels) {
  // A 3-channel input is one 3-wide channel block: the channel-outer loop has extent 1.
  sweep(conv_model(3, 16, 15, 15, 7, 2, 3, false, true, false, true), "conv2d_nchwc", kSamples);
}

TEST(ScheduleTemplate, DepthwiseConv3x3Relu) {
  sweep(conv_model(16, 16, 11, 11, 3, 1, 1, true, true, false, true), "depthwise_conv2d_nchwc",
        kSamples);
}

TEST(ScheduleTemplate, DenseBiasRelu) {
  // M 3 (ragged row tiles), N 24, K 40 (tile_k 1, 2, 4, 5, 8, 10).
  sweep(matmul_model(3, 40, 24, true), "dense", kSamples);
}

TEST(ScheduleTemplate, MatmulRaggedColumns) {
  // N 20 is not a multiple of the vector width: guarded vector tiles.
  sweep(matmul_model(5, 16, 20, false), "matmul", kSamples);
}

/// The default config of a conv template lowers to exactly the default schedule's loop nest.
TEST(ScheduleTemplate, DefaultConfigIsTheDefaultSchedule) {
  int lanes = host_lanes();
  std::vector<graph::Graph> models = {
      conv_model(16, 32, 10, 10, 3, 1, 1, false, true, false, true),
      conv_model(32, 16, 7, 7, 1, 1, 0, false, true, true, true),
      conv_model(16, 16, 14, 14, 3, 2, 1, false, false, false, false),
      conv_model(16, 16, 11, 11, 3, 1, 1, true, true, false, true)};
  int checked = 0;
  for (const graph::Graph &model : models) {
    for (const Task &task : extract_tasks(model, "llvm", lanes)) {
      graph::FusedCompute fc = graph::lower_fused(*task.body);
      Config def = task.tmpl->default_config(task.space, fc, lanes);
      EXPECT_TRUE(task.space.is_valid(def)) << task.name;
      for (bool parallel : {true, false}) {
        std::vector<te::Tensor> args = kernel_args(fc);
        std::string want = ir::to_string(
            lower::lower(default_schedule(fc.outputs, {lanes, parallel}), args, "k").body);
        std::string got =
            ir::to_string(lower::lower(task.tmpl->apply(fc, def, lanes, parallel), args, "k").body);
        EXPECT_EQ(got, want) << task.name << " parallel=" << parallel;
        // And through the build hook, from the config's JSON.
        std::string hooked = ir::to_string(
            lower::lower(schedule_kernel(fc, def.to_json(), lanes, parallel), args, "k").body);
        EXPECT_EQ(hooked, want) << task.name;
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, 4);
}

}  // namespace
}  // namespace autotune::searchspace

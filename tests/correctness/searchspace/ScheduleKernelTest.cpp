// The build hook end to end: a small network built with a tuned config for every task (keys
// from extract_tasks, configs as JSON, looked up by codegen::build_model through
// schedule_kernel) computes what the untuned build computes.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "codegen/BuildGraph.h"
#include "codegen/EvaluateNode.h"
#include "codegen/runtime/ThreadPool.h"
#include "ir/graph/GraphPipeline.h"
#include "searchspace/ScheduleKernel.h"
#include "searchspace/Task.h"
#include "tests/common/GraphBuilder.h"
#include "tests/common/TestUtil.h"

namespace autotune::searchspace {
namespace {

using graph::TensorData;
using test::attrs;

std::shared_ptr<TensorData> random_constant(std::vector<int64_t> shape, uint32_t seed,
                                            float scale) {
  return TensorData::from_floats(
      shape, test::random_floats(graph::shape_size(shape), seed, -scale, scale));
}

/// x -> conv3x3+relu -> conv3x3+relu (same workload) -> + conv1x1(x) -> depthwise 3x3 + relu
///   -> global average pool -> flatten -> gemm.
graph::Graph make_net() {
  const int64_t C = 16;
  test::GraphBuilder b(13);
  b.add_input("x", {1, C, 10, 10});
  auto conv = [&](const std::string &in, const std::string &out, int64_t r, int64_t group,
                  uint32_t seed) {
    std::string w = out + "_w";
    b.add_constant(w, random_constant({C, C / group, r, r}, seed, 0.3f));
    b.add_constant(w + "b", random_constant({C}, seed + 1, 0.1f));
    int64_t p = r / 2;
    b.add_node("Conv", {in, w, w + "b"}, {out},
               attrs({{"pads", std::vector<int64_t>{p, p, p, p}},
                      {"kernel_shape", std::vector<int64_t>{r, r}},
                      {"group", group}}));
  };
  conv("x", "c1", 3, 1, 10);
  b.add_node("Relu", {"c1"}, {"r1"});
  conv("r1", "c2", 3, 1, 20);
  b.add_node("Relu", {"c2"}, {"r2"});
  conv("x", "c3", 1, 1, 30);
  b.add_node("Add", {"r2", "c3"}, {"s"});
  conv("s", "d", 3, C, 40);
  b.add_node("Relu", {"d"}, {"r3"});
  b.add_node("GlobalAveragePool", {"r3"}, {"g"});
  b.add_node("Flatten", {"g"}, {"f"}, attrs({{"axis", int64_t{1}}}));
  b.add_constant("fc", random_constant({10, C}, 50, 0.5f));
  b.add_constant("fcb", random_constant({10}, 51, 0.1f));
  b.add_node("Gemm", {"f", "fc", "fcb"}, {"y"}, attrs({{"transB", int64_t{1}}}));
  b.add_outputs({"y"});
  return graph::optimize_graph(b.build(), codegen::evaluate_node);
}

std::vector<float> run(const codegen::CompiledModel &m, const std::vector<float> &x) {
  std::vector<float> y(10, -1.0f);
  const_cast<codegen::CompiledModel &>(m).run({x.data()}, {y.data()});
  return y;
}

TEST(ScheduleKernel, TunedBuildsMatchTheDefaultBuild) {
  graph::Graph net = make_net();
  codegen::BuildOptions opt;
  std::vector<Task> tasks = extract_tasks(net, opt.target.str(), opt.target.float_lanes());
  std::map<std::string, int> kinds;
  int64_t calls = 0;
  for (const Task &t : tasks) {
    ++kinds[t.op_kind];
    calls += t.count;
  }
  EXPECT_EQ(kinds["conv2d_nchwc"], 2);  // the two 3x3 convs share one task
  EXPECT_EQ(kinds["depthwise_conv2d_nchwc"], 1);
  EXPECT_EQ(kinds["dense"], 1);

  std::vector<float> x = test::random_floats(16 * 10 * 10, 7);
  std::vector<float> expected = run(*codegen::build_model(net, opt), x);
  autotune_set_num_threads(2);
  for (uint32_t seed : {1u, 2u, 3u}) {
    std::mt19937_64 rng(seed);
    std::map<std::string, std::string> best;
    for (const Task &t : tasks) {
      int64_t index;
      do {
        index = static_cast<int64_t>(rng() % static_cast<uint64_t>(t.space.size()));
      } while (!t.space.is_valid(t.space.get(index)));
      best[t.key] = t.space.get(index).to_json();
    }
    codegen::BuildOptions tuned = opt;
    tuned.tuned_config = [&](const std::string &key) {
      auto it = best.find(key);
      return it == best.end() ? std::string() : it->second;
    };
    auto model = codegen::build_model(net, tuned);
    EXPECT_TRUE(model->untuned_kernels().empty());
    EXPECT_EQ(static_cast<int64_t>(model->num_tuned_kernels()), calls);
    EXPECT_TRUE(test::all_close(run(*model, x), expected, 1e-4f, 1e-4f)) << "seed " << seed;
  }
  autotune_set_num_threads(1);
}

TEST(ScheduleKernel, EmptyConfigIsTheDefaultSchedule) {
  graph::Graph net = make_net();
  for (const graph::Node &n : net.nodes) {
    graph::FusedCompute fc = graph::lower_fused(*n.body);
    // Kernels without a template (pooling, layout changes) take the default path too.
    te::Schedule sch = schedule_kernel(fc, "", 8, true);
    EXPECT_EQ(sch.outputs().size(), fc.outputs.size());
  }
}

}  // namespace
}  // namespace autotune::searchspace

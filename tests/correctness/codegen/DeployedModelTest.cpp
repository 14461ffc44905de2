// Deployable modules end to end: plan a small network, write it with save_model, load it back
// with runtime::DeployedModel and check its outputs against the JIT-compiled model (bit for bit)
// and naive reference loops, and the written files against the format in DeployedModel.h.
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "codegen/BuildGraph.h"
#include "codegen/EvaluateNode.h"
#include "codegen/SaveModel.h"
#include "codegen/runtime/DeployedModel.h"
#include "codegen/runtime/ThreadPool.h"
#include "ir/graph/GraphPipeline.h"
#include "tests/common/GraphBuilder.h"
#include "tests/common/Reference.h"
#include "tests/common/TempDir.h"
#include "tests/common/TestUtil.h"

namespace autotune {
namespace {

namespace fs = std::filesystem;
using test::attrs;
using test::ref::HostTensor;

struct Net {
  graph::Graph graph;
  HostTensor input, expected;
  HostTensor constant_output;
};

/// x -> conv3x3+bias -> relu -> conv1x1 -> (+ x) -> relu -> maxpool 2/2 -> global avg -> flatten
///   -> gemm = y. The graph returns y, x itself and a constant: the last two are output copies.
Net make_net() {
  test::GraphBuilder b(13);
  const int64_t C = 8;
  HostTensor x = test::ref::random_tensor({1, C, 10, 10}, 1);
  HostTensor w1 = test::ref::random_tensor({C, C, 3, 3}, 2, -0.3f, 0.3f);
  HostTensor b1 = test::ref::random_tensor({C}, 3);
  HostTensor w2 = test::ref::random_tensor({C, C, 1, 1}, 4, -0.5f, 0.5f);
  HostTensor fc = test::ref::random_tensor({5, C}, 5, -0.5f, 0.5f);
  HostTensor fcb = test::ref::random_tensor({5}, 6);
  HostTensor k = test::ref::random_tensor({3, 7}, 7);
  b.add_input("x", {1, C, 10, 10});
  for (auto [name, t] : std::vector<std::pair<std::string, HostTensor>>{
           {"w1", w1}, {"b1", b1}, {"w2", w2}, {"fc", fc}, {"fcb", fcb}, {"k", k}}) {
    b.add_constant(name, graph::TensorData::from_floats(t.shape, t.data));
  }
  auto conv_attrs = [](int64_t pad) {
    return attrs({{"pads", std::vector<int64_t>{pad, pad, pad, pad}},
                  {"strides", std::vector<int64_t>{1, 1}},
                  {"kernel_shape", std::vector<int64_t>{pad * 2 + 1, pad * 2 + 1}}});
  };
  b.add_node("Conv", {"x", "w1", "b1"}, {"c1"}, conv_attrs(1));
  b.add_node("Relu", {"c1"}, {"r1"});
  b.add_node("Conv", {"r1", "w2"}, {"c2"}, conv_attrs(0));
  b.add_node("Add", {"c2", "x"}, {"s"});
  b.add_node("Relu", {"s"}, {"r2"});
  b.add_node("MaxPool", {"r2"}, {"mp"},
             attrs({{"kernel_shape", std::vector<int64_t>{2, 2}},
                    {"strides", std::vector<int64_t>{2, 2}}}));
  b.add_node("GlobalAveragePool", {"mp"}, {"gp"});
  b.add_node("Flatten", {"gp"}, {"f"}, attrs({{"axis", int64_t{1}}}));
  b.add_node("Gemm", {"f", "fc", "fcb"}, {"y"}, attrs({{"transB", int64_t{1}}}));
  b.add_outputs({"y", "x", "k"});

  using test::ref::Pads;
  auto relu = [](const HostTensor &t) {
    return test::ref::unary(t, [](float v) { return v > 0 ? v : 0.0f; });
  };
  auto add = [](const HostTensor &a, const HostTensor &c) {
    return test::ref::broadcast_binary(a, c, [](float p, float q) { return p + q; });
  };
  HostTensor c1 = add(test::ref::conv2d_nchw(x, w1, {1, 1}, Pads{1, 1, 1, 1}, {1, 1}, 1),
                      HostTensor({1, C, 1, 1}, b1.data));
  HostTensor c2 = test::ref::conv2d_nchw(relu(c1), w2, {1, 1}, Pads{0, 0, 0, 0}, {1, 1}, 1);
  HostTensor mp =
      test::ref::max_pool2d(relu(add(c2, x)), {2, 2}, {2, 2}, Pads{0, 0, 0, 0}, {1, 1}, false);
  HostTensor flat = test::ref::reshape(test::ref::global_avg_pool2d(mp), {1, C});
  return {b.build(), x, test::ref::dense(flat, fc, &fcb), k};
}

codegen::ModelPlan plan_net(const Net &net) {
  graph::Graph optimized = graph::optimize_graph(net.graph, codegen::evaluate_node);
  return codegen::plan_model(optimized);
}

/// Runs `run` on the net's input; returns y, the copied input and the copied constant.
template <typename Model>
std::vector<std::vector<float>> run_net(Model &model, const Net &net) {
  std::vector<std::vector<float>> outs(3);
  outs[0].assign(5, -99.0f);
  outs[1].assign(net.input.data.size(), -99.0f);
  outs[2].assign(net.constant_output.data.size(), -99.0f);
  model.run({net.input.data.data()}, {outs[0].data(), outs[1].data(), outs[2].data()});
  return outs;
}

TEST(DeployedModel, SavedModuleMatchesJitAndReference) {
  Net net = make_net();
  codegen::ModelPlan plan = plan_net(net);
  test::TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  codegen::SavedModelSizes sizes = codegen::save_model(plan, dir.path());
  EXPECT_GT(sizes.kernels, 0);
  EXPECT_EQ(sizes.constants, static_cast<int64_t>(fs::file_size(dir.path() + "/constants.bin")));
  EXPECT_EQ(sizes.model_json, static_cast<int64_t>(fs::file_size(dir.path() + "/model.json")));

  auto jit = codegen::build_model(plan);
  auto deployed = runtime::DeployedModel::load(dir.path());

  ASSERT_EQ(deployed->inputs().size(), 1u);
  EXPECT_EQ(deployed->inputs()[0].name, "x");
  EXPECT_EQ(deployed->inputs()[0].dtype, "float32");
  EXPECT_EQ(deployed->inputs()[0].shape, (std::vector<int64_t>{1, 8, 10, 10}));
  EXPECT_EQ(deployed->inputs()[0].bytes, 800 * 4);
  ASSERT_EQ(deployed->outputs().size(), 3u);
  EXPECT_EQ(deployed->outputs()[0].name, "y");
  EXPECT_EQ(deployed->outputs()[0].shape, (std::vector<int64_t>{1, 5}));
  EXPECT_EQ(deployed->outputs()[2].shape, (std::vector<int64_t>{3, 7}));
  EXPECT_EQ(deployed->target(), codegen::Target::host().str());
  EXPECT_EQ(deployed->num_kernel_calls(), jit->num_kernel_calls());
  EXPECT_EQ(deployed->num_distinct_kernels(), jit->num_distinct_kernels());
  EXPECT_EQ(deployed->arena_bytes(), jit->arena_bytes());

  for (int threads : {1, 2}) {
    autotune_set_num_threads(threads);
    auto from_jit = run_net(*jit, net);
    auto from_module = run_net(*deployed, net);
    autotune_set_num_threads(1);
    // The same kernels from the same LLVM pipeline: bit-identical results.
    EXPECT_EQ(from_module, from_jit) << "threads=" << threads;
    EXPECT_TRUE(test::all_close(from_module[0], net.expected.data, 1e-4f, 1e-4f));
    EXPECT_EQ(from_module[1], net.input.data);
    EXPECT_EQ(from_module[2], net.constant_output.data);
  }
}

TEST(DeployedModel, FilesFollowTheFormat) {
  Net net = make_net();
  codegen::ModelPlan plan = plan_net(net);
  test::TempDir dir;
  codegen::save_model(plan, dir.path());
  std::ifstream in(dir.path() + "/model.json");
  nlohmann::json j = nlohmann::json::parse(in);
  EXPECT_EQ(j["format"], "autotune-module");
  EXPECT_EQ(j["version"], runtime::kModuleFormatVersion);
  EXPECT_EQ(j["target"], plan.target.str());
  EXPECT_EQ(j["inputs"][0]["name"], "x");
  EXPECT_EQ(j["outputs"][1]["name"], "x");
  EXPECT_EQ(j["calls"].size(), plan.calls.size());
  EXPECT_EQ(j["stats"]["distinct_kernels"], plan.kernels.size());
  // The outputs that are an input and a constant are copies, not kernel results.
  ASSERT_EQ(j["output_copies"].size(), 2u);
  EXPECT_EQ(j["output_copies"][0]["output"], 1);
  EXPECT_EQ(j["output_copies"][0]["from_input"], 0);
  EXPECT_EQ(j["output_copies"][1]["output"], 2);
  // Constants are 64-byte aligned blobs holding the graph's bytes.
  std::ifstream bin(dir.path() + "/constants.bin", std::ios::binary);
  std::string blob((std::istreambuf_iterator<char>(bin)), std::istreambuf_iterator<char>());
  EXPECT_EQ(static_cast<int64_t>(blob.size()), j["constants_bytes"].get<int64_t>());
  ASSERT_EQ(j["constants"].size(), plan.constants.size());
  for (size_t i = 0; i < plan.constants.size(); ++i) {
    int64_t offset = j["constants"][i]["offset"];
    EXPECT_EQ(offset % runtime::kConstantAlign, 0);
    const auto &bytes = plan.constants[i]->bytes;
    ASSERT_EQ(j["constants"][i]["bytes"].get<size_t>(), bytes.size());
    EXPECT_EQ(std::memcmp(blob.data() + offset, bytes.data(), bytes.size()), 0) << "constant " << i;
  }
  // Every symbol a call names is one of the plan's kernels.
  for (const auto &call : j["calls"]) {
    std::string name = call["kernel"];
    EXPECT_TRUE(std::any_of(plan.kernels.begin(), plan.kernels.end(),
                            [&](const ir::LoweredFunc &f) { return f.name == name; }))
        << name;
  }
}

TEST(DeployedModel, RebuildReplacesTheModule) {
  Net net = make_net();
  codegen::ModelPlan plan = plan_net(net);
  test::TempDir dir;
  codegen::save_model(plan, dir.path());
  codegen::save_model(plan, dir.path());
  auto deployed = runtime::DeployedModel::load(dir.path());
  auto outs = run_net(*deployed, net);
  EXPECT_TRUE(test::all_close(outs[0], net.expected.data, 1e-4f, 1e-4f));
  for (const auto &entry : fs::directory_iterator(dir.path())) {
    EXPECT_EQ(entry.path().extension().string().find("tmp"), std::string::npos) << entry.path();
  }
}

TEST(DeployedModel, DtypeBytes) {
  EXPECT_EQ(runtime::dtype_bytes("float32"), 4);
  EXPECT_EQ(runtime::dtype_bytes("int64"), 8);
  EXPECT_EQ(runtime::dtype_bytes("bool"), 1);
  EXPECT_EQ(runtime::dtype_bytes("float32x4"), 0);
}

}  // namespace
}  // namespace autotune

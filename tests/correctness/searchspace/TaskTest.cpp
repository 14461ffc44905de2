// Tasks: workload text and key stability, task extraction with occurrence counts and FLOPs,
// and the config spaces of real layers (ResNet-50 convolutions and classifier): index <-> knobs
// round trips over whole spaces, JSON round trips and validity filtering.
#include <gtest/gtest.h>

#include "codegen/EvaluateNode.h"
#include "ir/graph/GraphPipeline.h"
#include "searchspace/Conv2dNchwcTemplate.h"
#include "searchspace/Task.h"
#include "ir/core/IRVisitor.h"
#include "ir/lower/Lower.h"
#include "tests/common/FusedGraph.h"
#include "tests/common/GraphBuilder.h"
#include "tests/common/TestUtil.h"

namespace autotune::searchspace {
namespace {

using graph::Graph;
using graph::Node;
using graph::TensorData;
using graph::ValueId;
using test::add_value;
using test::attrs;
using test::fused_graph;

/// Float lanes the space tests assume (AVX2), independent of the machine running them.
constexpr int kLanes = 8;

/// A fused body by hand: blocked conv [1, C/bn, H, W, bn] x [K/bn, C/bn, R, R, bn, bn]
/// (depthwise: [C/bn, 1, R, R, 1, bn]) -> optional bias add and relu.
Graph conv_body(int64_t C, int64_t K, int64_t H, int64_t R, int64_t stride, int64_t pad,
                bool depthwise = false, bool epilogue = true, const std::string &prefix = "") {
  int64_t ic_bn = C % 16 == 0 ? 16 : C, oc_bn = 16;
  if (depthwise) ic_bn = oc_bn = 16;
  int64_t out = (H + 2 * pad - R) / stride + 1;
  Graph g;
  ValueId x = add_value(g, prefix + "x", {1, C / ic_bn, H, H, ic_bn});
  ValueId w = depthwise
                  ? add_value(g, prefix + "w", {C / 16, 1, R, R, 1, 16}, true)
                  : add_value(g, prefix + "w", {K / oc_bn, C / ic_bn, R, R, ic_bn, oc_bn}, true);
  g.inputs = {x, w};
  ValueId y = add_value(g, prefix + "conv", {1, K / oc_bn, out, out, oc_bn});
  Node conv;
  conv.name = prefix + "conv_node";
  conv.op_type = depthwise ? "depthwise_conv2d_nchwc" : "conv2d_nchwc";
  conv.domain = "autotune";
  conv.inputs = {x, w};
  conv.outputs = {y};
  conv.attrs = attrs({{"strides", std::vector<int64_t>{stride, stride}},
                      {"pads", std::vector<int64_t>{pad, pad, pad, pad}},
                      {"dilations", std::vector<int64_t>{1, 1}}});
  g.add_node(conv);
  if (epilogue) {
    ValueId b = add_value(g, prefix + "bias", {1, K / oc_bn, 1, 1, oc_bn}, true);
    g.inputs.push_back(b);
    ValueId s = add_value(g, prefix + "sum", {1, K / oc_bn, out, out, oc_bn});
    Node add;
    add.name = prefix + "add_node";
    add.op_type = "Add";
    add.inputs = {y, b};
    add.outputs = {s};
    g.add_node(add);
    ValueId r = add_value(g, prefix + "relu", {1, K / oc_bn, out, out, oc_bn});
    Node relu;
    relu.name = prefix + "relu_node";
    relu.op_type = "Relu";
    relu.inputs = {s};
    relu.outputs = {r};
    g.add_node(relu);
    y = r;
  }
  g.outputs = {y};
  g.verify();
  return g;
}

/// A fused body by hand: dense [M, K] x [N, K] + bias [N] (a Gemm with transB = 1).
Graph dense_body(int64_t M, int64_t K, int64_t N) {
  Graph g;
  ValueId a = add_value(g, "a", {M, K});
  ValueId w = add_value(g, "w", {N, K}, true);
  ValueId b = add_value(g, "b", {N}, true);
  g.inputs = {a, w, b};
  ValueId y = add_value(g, "y", {M, N});
  Node gemm;
  gemm.op_type = "Gemm";
  gemm.inputs = {a, w, b};
  gemm.outputs = {y};
  gemm.attrs = attrs({{"transB", int64_t{1}}});
  g.add_node(gemm);
  g.outputs = {y};
  g.verify();
  return g;
}

// ---- Workload text and keys ------------------------------------------------------------------

TEST(WorkloadKey, TinyBodyTextAndKeyArePinned) {
  Graph body = conv_body(16, 16, 8, 3, 1, 1);
  EXPECT_EQ(workload_text(body),
            "input %i0 float32[1,1,8,8,16]\n"
            "input %i1 const float32[1,1,3,3,16,16]\n"
            "input %i2 const float32[1,1,1,1,16]\n"
            "node autotune.conv2d_nchwc(%i0, %i1) -> %t0 float32[1,1,8,8,16] "
            "{dilations=[1,1], pads=[1,1,1,1], strides=[1,1]}\n"
            "node Add(%t0, %i2) -> %t1 float32[1,1,8,8,16] {}\n"
            "node Relu(%t1) -> %t2 float32[1,1,8,8,16] {}\n"
            "output %t2\n");
  // Changing the canonical text (or the hash) changes every key in every database: on purpose
  // only, with a database migration.
  EXPECT_EQ(workload_key(workload_text(body), "llvm -mtriple=x86_64-linux-gnu -mcpu=znver3"),
            "e5dd5dc15444e6bd");
}

TEST(WorkloadKey, FnvOfWorkloadBarTarget) {
  // FNV-1a 64 of the one-byte string "|" (offset basis 0xcbf29ce484222325, prime
  // 0x100000001b3), in 16 lowercase hex digits.
  EXPECT_EQ(workload_key("", ""), "af63f14c8602103b");
  EXPECT_EQ(workload_key("a", "b").size(), 16u);
  EXPECT_NE(workload_key("a", "b"), workload_key("b", "a"));
}

TEST(WorkloadKey, IgnoresNamesAndConstantValues) {
  Graph a = conv_body(16, 32, 8, 3, 1, 1, false, true, "block1/");
  Graph b = conv_body(16, 32, 8, 3, 1, 1, false, true, "layer4.2.");
  EXPECT_EQ(workload_key(workload_text(a), "llvm"), workload_key(workload_text(b), "llvm"));
  // Other weight values, same key.
  auto w = TensorData::make(ir::Float(32), b.value(b.inputs[1]).shape);
  w->mutable_data<float>()[0] = 42.0f;
  b.value(b.inputs[1]).constant = w;
  EXPECT_EQ(workload_text(a), workload_text(b));
}

TEST(WorkloadKey, DistinguishesAttributesShapesConstnessAndTarget) {
  std::string base = workload_key(workload_text(conv_body(16, 32, 8, 3, 1, 1)), "llvm");
  // Same shapes, other padding (the output extent is unchanged: 8 + 0 + 2 - 3 + 1).
  Graph other_pads = conv_body(16, 32, 8, 3, 1, 1);
  other_pads.nodes[0].attrs.set("pads", std::vector<int64_t>{0, 0, 2, 2});
  EXPECT_NE(workload_key(workload_text(other_pads), "llvm"), base);
  EXPECT_NE(workload_key(workload_text(conv_body(16, 48, 8, 3, 1, 1)), "llvm"), base);
  Graph runtime_weight = conv_body(16, 32, 8, 3, 1, 1);
  runtime_weight.value(runtime_weight.inputs[1]).constant = nullptr;
  EXPECT_NE(workload_key(workload_text(runtime_weight), "llvm"), base);
  EXPECT_NE(workload_key(workload_text(conv_body(16, 32, 8, 3, 1, 1, false, false)), "llvm"), base);
  EXPECT_NE(workload_key(workload_text(conv_body(16, 32, 8, 3, 1, 1)), "llvm -mcpu=znver3"), base);
}

TEST(WorkloadKey, SameModelBuiltTwiceGivesTheSameKeys) {
  auto build = [] {
    test::GraphBuilder b(13);
    b.add_input("x", {1, 16, 8, 8});
    b.add_constant("w",
                   TensorData::from_floats({16, 16, 3, 3}, test::random_floats(16 * 16 * 9, 1)));
    b.add_node("Conv", {"x", "w"}, {"c"},
               attrs({{"pads", std::vector<int64_t>{1, 1, 1, 1}},
                      {"kernel_shape", std::vector<int64_t>{3, 3}}}));
    b.add_node("Relu", {"c"}, {"y"});
    b.add_outputs({"y"});
    return graph::optimize_graph(b.build(), codegen::evaluate_node);
  };
  std::vector<Task> first = extract_tasks(build(), "llvm", kLanes);
  std::vector<Task> second = extract_tasks(build(), "llvm", kLanes);
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(first[0].key, second[0].key);
  EXPECT_EQ(first[0].workload, second[0].workload);
}

// ---- Task extraction -------------------------------------------------------------------------

TEST(ExtractTasks, CountsOccurrencesAndSkipsUntunableKernels) {
  test::GraphBuilder b(13);
  b.add_input("x", {1, 16, 8, 8});
  auto conv = [&](const std::string &in, const std::string &w, int64_t k, int64_t r,
                  const std::string &out) {
    int64_t c = 16;
    b.add_constant(w, TensorData::from_floats({k, c, r, r}, test::random_floats(k * c * r * r, 2)));
    int64_t p = r / 2;
    b.add_node("Conv", {in, w}, {out + "_c"},
               attrs({{"pads", std::vector<int64_t>{p, p, p, p}},
                      {"kernel_shape", std::vector<int64_t>{r, r}}}));
    b.add_node("Relu", {out + "_c"}, {out});
  };
  conv("x", "w1", 16, 3, "a");
  conv("a", "w2", 16, 3, "b");  // the same workload as the first conv
  conv("b", "w3", 32, 1, "c");
  b.add_node("GlobalAveragePool", {"c"}, {"g"});
  b.add_node("Flatten", {"g"}, {"f"}, attrs({{"axis", int64_t{1}}}));
  b.add_constant("fc", TensorData::from_floats({10, 32}, test::random_floats(320, 3)));
  b.add_constant("fcb", TensorData::from_floats({10}, test::random_floats(10, 4)));
  b.add_node("Gemm", {"f", "fc", "fcb"}, {"y"}, attrs({{"transB", int64_t{1}}}));
  b.add_outputs({"y"});
  Graph fused = graph::optimize_graph(b.build(), codegen::evaluate_node);

  std::vector<Task> tasks = extract_tasks(fused, "llvm", kLanes);
  ASSERT_EQ(tasks.size(), 3u);
  EXPECT_EQ(tasks[0].name, "conv2d_nchwc 1x16x8x8 k16 3x3 s1 +relu");
  EXPECT_EQ(tasks[0].count, 2);
  EXPECT_EQ(tasks[0].flops, 2.0 * 16 * 8 * 8 * 16 * 3 * 3);
  EXPECT_EQ(tasks[1].name, "conv2d_nchwc 1x16x8x8 k32 1x1 s1 +relu");
  EXPECT_EQ(tasks[1].count, 1);
  EXPECT_EQ(tasks[1].flops, 2.0 * 32 * 8 * 8 * 16);
  EXPECT_EQ(tasks[2].op_kind, "dense");
  EXPECT_EQ(tasks[2].name, "dense 1x32 n10");
  EXPECT_EQ(tasks[2].flops, 2.0 * 10 * 32);
  for (const Task &t : tasks) {
    EXPECT_EQ(t.key, workload_key(t.workload, "llvm"));
    EXPECT_EQ(t.space.name(), t.name);
    EXPECT_GT(t.space.count_valid(), 0);
    ASSERT_TRUE(t.body);
    EXPECT_EQ(find_template(graph::lower_fused(*t.body)), t.tmpl);
  }
}

TEST(ExtractTasks, DepthwiseAndStridedNames) {
  Graph fused = fused_graph({conv_body(64, 64, 56, 3, 2, 1, true), conv_body(3, 64, 224, 7, 2, 3)});
  std::vector<Task> tasks = extract_tasks(fused, "llvm", kLanes);
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[0].name, "depthwise_conv2d_nchwc 1x64x56x56 3x3 s2 +add+relu");
  EXPECT_EQ(tasks[0].flops, 2.0 * 64 * 28 * 28 * 9);
  EXPECT_EQ(tasks[1].name, "conv2d_nchwc 1x3x224x224 k64 7x7 s2 +add+relu");
  EXPECT_EQ(tasks[1].flops, 2.0 * 64 * 112 * 112 * 3 * 49);
}

// ---- Spaces of real layers -------------------------------------------------------------------

struct ConvShape {
  int64_t c, k, h, r, stride, pad;
};

/// The distinct convolutions of ResNet-50 (torchvision v1.5, 224x224 input).
const std::vector<ConvShape> kResNet50Convs = {
    {3, 64, 224, 7, 2, 3},                                                         // stem
    {64, 64, 56, 1, 1, 0},    {64, 64, 56, 3, 1, 1},     {64, 256, 56, 1, 1, 0},   // layer1
    {256, 64, 56, 1, 1, 0},   {256, 128, 56, 1, 1, 0},   {128, 128, 56, 3, 2, 1},  // layer2
    {128, 512, 28, 1, 1, 0},  {256, 512, 56, 1, 2, 0},   {512, 128, 28, 1, 1, 0},
    {128, 128, 28, 3, 1, 1},  {512, 256, 28, 1, 1, 0},   {256, 256, 28, 3, 2, 1},  // layer3
    {256, 1024, 14, 1, 1, 0}, {512, 1024, 28, 1, 2, 0},  {1024, 256, 14, 1, 1, 0},
    {256, 256, 14, 3, 1, 1},  {1024, 512, 14, 1, 1, 0},  {512, 512, 14, 3, 2, 1},  // layer4
    {512, 2048, 7, 1, 1, 0},  {1024, 2048, 14, 1, 2, 0}, {2048, 512, 7, 1, 1, 0},
    {512, 512, 7, 3, 1, 1}};

/// Every index maps to knob values that map back to it, directly and through JSON; the
/// default config is valid; the valid count matches a scan.
void check_whole_space(const Task &t) {
  SCOPED_TRACE(t.name);
  const ConfigSpace &s = t.space;
  ASSERT_GT(s.size(), 1);
  int64_t valid = 0;
  for (int64_t i = 0; i < s.size(); ++i) {
    Config c = s.get(i);
    ASSERT_EQ(c.index(), i);
    ASSERT_EQ(s.from_choices(c.choices()).index(), i);
    ASSERT_EQ(s.from_json(c.to_json()).index(), i);
    valid += s.is_valid(c);
  }
  EXPECT_EQ(valid, s.count_valid());
  EXPECT_GT(valid, 0);
  EXPECT_LT(valid, s.size()) << "some register tiles must be filtered out";
  graph::FusedCompute fc = graph::lower_fused(*t.body);
  EXPECT_TRUE(s.is_valid(t.tmpl->default_config(s, fc, kLanes)));
}

TEST(ResNet50Spaces, RoundTripOverWholeSpaces) {
  std::vector<Graph> bodies;
  for (const ConvShape &c : kResNet50Convs) {
    bodies.push_back(conv_body(c.c, c.k, c.h, c.r, c.stride, c.pad));
  }
  bodies.push_back(dense_body(1, 2048, 1000));
  std::vector<Task> tasks = extract_tasks(fused_graph(bodies), "llvm", kLanes);
  ASSERT_EQ(tasks.size(), kResNet50Convs.size() + 1);
  int64_t points = 0;
  for (const Task &t : tasks) {
    check_whole_space(t);
    points += t.space.size();
  }
  EXPECT_GT(points, 5000);
}

TEST(ResNet50Spaces, Conv3x3At14HasTheExpectedKnobsAndValidCount) {
  std::vector<Task> tasks =
      extract_tasks(fused_graph({conv_body(256, 256, 14, 3, 1, 1)}), "llvm", kLanes);
  ASSERT_EQ(tasks.size(), 1u);
  const ConfigSpace &s = tasks[0].space;
  std::vector<std::string> names;
  for (const Knob &k : s.knobs()) names.push_back(k.name);
  EXPECT_EQ(names, (std::vector<std::string>{"tile_ow", "tile_oh", "reorder_inner", "unroll_kw",
                                             "compute_at", "parallel_fuse"}));
  // Tile widths: divisors of 14 up to 16 (1, 2, 7, 14) and 3..8 with guards.
  std::vector<int64_t> widths;
  for (const auto &c : s.knobs()[0].choices) widths.push_back(c[1]);
  EXPECT_EQ(widths, (std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7, 8, 14}));
  EXPECT_EQ(s.knobs()[0].choices[8], (std::vector<int64_t>{1, 14}));
  EXPECT_EQ(s.knobs()[0].choices[3], (std::vector<int64_t>{4, 4}));  // ceil(14 / 4) tiles
  EXPECT_EQ(s.knobs()[2].choices,
            (std::vector<std::vector<int64_t>>{
                {0, 1, 2, 3}, {0, 1, 3, 2}, {1, 2, 0, 3}, {1, 0, 2, 3}, {0, 3, 1, 2}}));
  EXPECT_EQ(s.size(), 9 * 2 * 5 * 2 * 2 * 3);
  // 16-channel blocks are 2 vectors per column: rows x columns <= 8 -> 8 one-row widths
  // (1..8) and 4 two-row widths (1..4); every other knob is free.
  EXPECT_EQ(s.count_valid(), (8 + 4) * 5 * 2 * 2 * 3);
  // The default (default_reg_n: 7 columns, one row) and its JSON.
  graph::FusedCompute fc = graph::lower_fused(*tasks[0].body);
  Config def = tasks[0].tmpl->default_config(s, fc, kLanes);
  EXPECT_EQ(def.to_json(),
            R"({"tile_ow":[2,7],"tile_oh":[14,1],"reorder_inner":[0,1,2,3],"unroll_kw":[0],)"
            R"("compute_at":[0],"parallel_fuse":[3]})");
}

TEST(ResNet50Spaces, OneByOneConvsListEachReductionOrderOnce) {
  std::vector<Task> tasks =
      extract_tasks(fused_graph({conv_body(256, 64, 56, 1, 1, 0)}), "llvm", kLanes);
  ASSERT_EQ(tasks.size(), 1u);
  const ConfigSpace &s = tasks[0].space;
  // With 1x1 kernels the taps are extent-1 loops: one order of the two channel loops, and no
  // kernel-column unroll.
  EXPECT_EQ(s.knobs()[2].choices.size(), 1u);
  EXPECT_EQ(s.knobs()[3].choices.size(), 1u);
}

TEST(ResNet50Spaces, WholeRowAccumulationNeedsSeveralTilesPerRow) {
  std::vector<Task> tasks =
      extract_tasks(fused_graph({conv_body(512, 512, 7, 3, 1, 1)}), "llvm", kLanes);
  ASSERT_EQ(tasks.size(), 1u);
  const ConfigSpace &s = tasks[0].space;
  Config whole_row = s.from_values({{1, 7}, {7, 1}, {0, 1, 2, 3}, {0}, {1}, {3}});
  EXPECT_FALSE(s.is_valid(whole_row));
  Config two_tiles = s.from_values({{2, 4}, {7, 1}, {0, 1, 2, 3}, {0}, {1}, {3}});
  EXPECT_TRUE(s.is_valid(two_tiles));
  Config too_many = s.from_values({{2, 4}, {4, 2}, {0, 1, 2, 3}, {0}, {0}, {3}});
  EXPECT_TRUE(s.is_valid(too_many)) << "2 x 4 x 2 = 16 accumulators is the limit";
  Config over = s.from_values({{2, 5}, {4, 2}, {0, 1, 2, 3}, {0}, {0}, {3}});
  EXPECT_FALSE(s.is_valid(over));
}

TEST(ResNet50Spaces, DenseClassifierSpace) {
  std::vector<Task> tasks = extract_tasks(fused_graph({dense_body(1, 2048, 1000)}), "llvm", kLanes);
  ASSERT_EQ(tasks.size(), 1u);
  const ConfigSpace &s = tasks[0].space;
  EXPECT_EQ(tasks[0].name, "dense 1x2048 n1000");
  // tile_m {1}; tile_n {8, 16, 24, 32}; tile_k {1, 2, 4, 8, 16}; unroll_k {0, 1}; order {0}.
  EXPECT_EQ(s.size(), 1 * 4 * 5 * 2 * 1);
  EXPECT_EQ(s.count_valid(), 4 * (5 + 4));
  graph::FusedCompute fc = graph::lower_fused(*tasks[0].body);
  EXPECT_EQ(tasks[0].tmpl->default_config(s, fc, kLanes).to_json(),
            R"({"tile_m":[1,1],"tile_n":[125,8],"tile_k":[2048,1],"unroll_k":[0],)"
            R"("tile_order":[0]})");
}

/// Extents of the parallel loops of a lowered kernel.
std::vector<int64_t> parallel_extents(const ir::Stmt &body) {
  struct Finder : ir::IRVisitor {
    std::vector<int64_t> extents;
    using ir::IRVisitor::visit;
    void visit(const ir::For *op) override {
      if (op->kind == ir::ForKind::Parallel) extents.push_back(*ir::as_const_int(op->extent));
      ir::IRVisitor::visit(op);
    }
  } finder;
  finder(body);
  return finder.extents;
}

TEST(ResNet50Spaces, ParallelKernelsShareEnoughIterationsWhateverParallelFuseSays) {
  // Batch 1: parallel_fuse 1 alone would give one parallel iteration. Tuned single-threaded,
  // where the knob changes nothing, such a config must still use the threads when deployed.
  for (auto [k, expected] : std::vector<std::pair<int64_t, int64_t>>{{256, 16}, {64, 4 * 56}}) {
    std::vector<Task> tasks =
        extract_tasks(fused_graph({conv_body(64, k, 56, 3, 1, 1)}), "llvm", kLanes);
    ASSERT_EQ(tasks.size(), 1u);
    const Task &t = tasks[0];
    graph::FusedCompute fc = graph::lower_fused(*t.body);
    Config cfg = t.tmpl->default_config(t.space, fc, kLanes);
    std::string json = cfg.to_json();
    json.replace(json.find("\"parallel_fuse\":[3]"), 19, "\"parallel_fuse\":[1]");
    cfg = t.space.from_json(json);
    std::vector<te::Tensor> args;
    for (size_t u : fc.used_inputs) args.push_back(fc.inputs[u]);
    args.insert(args.end(), fc.outputs.begin(), fc.outputs.end());
    ir::LoweredFunc f = lower::lower(t.tmpl->apply(fc, cfg, kLanes, true), args, "k");
    // The padding stage has its own parallel loop; the conv's is the one after it.
    std::vector<int64_t> extents = parallel_extents(f.body);
    ASSERT_EQ(extents.size(), 2u) << k;
    EXPECT_EQ(extents[1], expected) << "output channels " << k;
  }
}

}  // namespace
}  // namespace autotune::searchspace

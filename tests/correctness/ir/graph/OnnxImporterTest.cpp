// The ONNX importer on small in-memory models: initializer storages, external data, constants,
// shared weights, opsets, shapes; and a sweep over the ONNX node test models (none may crash).
#include <chrono>
#include <cstring>
#include <filesystem>
#include <random>

#include "ir/graph/onnx/OnnxImporter.h"
#include "tests/common/OnnxTestModels.h"
#include "tests/common/TempDir.h"
#include "tests/common/TestUtil.h"

namespace autotune::graph {
namespace {

using test::OnnxStorage;

Graph import(const onnx::ModelProto &m, const ImportOptions &opt = {}) {
  return import_onnx_bytes(test::serialize(m), "", opt);
}

std::vector<float> floats_of(const TensorData &t) {
  EXPECT_EQ(t.dtype, ir::Float(32));
  return std::vector<float>(t.data<float>(), t.data<float>() + t.size());
}

const Node &node_named(const Graph &g, const std::string &name) {
  for (const Node &n : g.nodes) {
    if (n.name == name) return n;
  }
  throw std::runtime_error("no node " + name);
}

const Value &value_named(const Graph &g, const std::string &name) {
  std::optional<ValueId> id = g.find_value(name);
  if (!id) throw std::runtime_error("no value " + name);
  return g.value(*id);
}

/// Checks the structure of conv_relu_model and returns its weights.
std::vector<float> check_conv_relu(const Graph &g) {
  EXPECT_EQ(g.opset, 13);
  EXPECT_EQ(g.nodes.size(), 2u);
  EXPECT_EQ(g.inputs.size(), 1u);
  const Value &x = g.value(g.inputs.at(0));
  EXPECT_EQ(x.name, "x");
  EXPECT_EQ(x.shape, (std::vector<int64_t>{1, 2, 5, 5}));  // symbolic batch dim defaults to 1
  EXPECT_TRUE(x.shape_known);
  EXPECT_FALSE(x.constant);
  const Node &conv = g.nodes.at(0);
  EXPECT_EQ(conv.name, "conv1");
  EXPECT_EQ(conv.op_type, "Conv");
  EXPECT_EQ(conv.attrs.owner, "node 'conv1' (Conv)");
  EXPECT_EQ(conv.attrs.get_ints("pads"), (std::vector<int64_t>{1, 1, 1, 1}));
  EXPECT_EQ(conv.attrs.get_ints("kernel_shape"), (std::vector<int64_t>{3, 3}));
  EXPECT_EQ(conv.inputs.size(), 3u);
  EXPECT_EQ(conv.inputs.at(0), g.inputs.at(0));
  const Value &w = g.value(conv.inputs.at(1));
  EXPECT_EQ(w.name, "w");
  EXPECT_EQ(w.shape, (std::vector<int64_t>{3, 2, 3, 3}));
  EXPECT_TRUE(w.shape_known);
  EXPECT_EQ(w.producer, kNone);
  const Value &b = g.value(conv.inputs.at(2));
  EXPECT_EQ(floats_of(*b.constant), test::conv_relu_bias());
  const Node &relu = g.nodes.at(1);
  EXPECT_EQ(relu.op_type, "Relu");
  EXPECT_EQ(relu.inputs, conv.outputs);
  EXPECT_EQ(g.outputs, relu.outputs);
  const Value &y = g.value(g.outputs.at(0));
  EXPECT_EQ(y.name, "y");
  EXPECT_FALSE(y.shape_known);  // [N, 3, 5, 5] is not static: shape inference fills it
  EXPECT_EQ(y.producer, 1);
  return w.constant ? floats_of(*w.constant) : std::vector<float>{};
}

TEST(OnnxImporter, ConvReluFloatDataAndRawDataAgree) {
  Graph typed = import(test::conv_relu_model(OnnxStorage::FloatData));
  Graph raw = import(test::conv_relu_model(OnnxStorage::RawData));
  EXPECT_EQ(check_conv_relu(typed), test::conv_relu_weights());
  EXPECT_EQ(check_conv_relu(raw), test::conv_relu_weights());
}

TEST(OnnxImporter, ReadsFileAndExternalData) {
  onnx::ModelProto m = test::conv_relu_model();
  auto *w = m.mutable_graph()->mutable_initializer(0);
  ASSERT_EQ(w->name(), "w");
  w->clear_float_data();
  w->set_data_location(onnx::TensorProto::EXTERNAL);
  auto add_entry = [&](const std::string &k, const std::string &v) {
    auto *e = w->add_external_data();
    e->set_key(k);
    e->set_value(v);
  };
  const std::vector<float> weights = test::conv_relu_weights();
  const size_t n_bytes = weights.size() * sizeof(float);
  add_entry("location", "data/weights.bin");
  add_entry("offset", "16");
  add_entry("length", std::to_string(n_bytes));
  std::string blob(16, 'x');
  blob.append(reinterpret_cast<const char *>(weights.data()), n_bytes);
  blob.append("trailing bytes are fine");

  test::TempDir dir;
  std::filesystem::create_directory(dir.path() + "/data");
  dir.write("data/weights.bin", blob);
  std::string path = dir.write("model.onnx", test::serialize(m));
  EXPECT_EQ(check_conv_relu(import_onnx(path)), weights);
  // The bytes form finds the same file through model_dir.
  EXPECT_EQ(check_conv_relu(import_onnx_bytes(test::serialize(m), dir.path())), weights);
}

TEST(OnnxImporter, WeightsListedAsInputsAreConstants) {
  onnx::ModelProto m = test::conv_relu_model(OnnxStorage::FloatData, 8);
  test::add_onnx_input(m.mutable_graph(), "w", {3, 2, 3, 3});
  test::add_onnx_input(m.mutable_graph(), "b", {3});
  Graph g = import(m);
  ASSERT_EQ(g.inputs.size(), 1u);
  EXPECT_EQ(g.value(g.inputs[0]).name, "x");
  EXPECT_TRUE(value_named(g, "w").constant);
  EXPECT_EQ(g.opset, 8);
}

TEST(OnnxImporter, ConstantNodesBecomeConstantValues) {
  onnx::ModelProto m = test::make_onnx_model(13);
  auto *g = m.mutable_graph();
  test::add_onnx_input(g, "x", {2, 3});
  auto *c1 = test::add_onnx_node(g, "Constant", {}, {"shape"});
  test::set_attr(c1, "value", test::make_int64_tensor("", {2}, {3, 2}));
  auto *c2 = test::add_onnx_node(g, "Constant", {}, {"half"});
  test::set_attr(c2, "value_float", 0.5f);
  auto *c3 = test::add_onnx_node(g, "Constant", {}, {"axes"});
  test::set_attr(c3, "value_ints", std::vector<int64_t>{0, 1});
  auto *c4 = test::add_onnx_node(g, "Constant", {}, {"k"});
  test::set_attr(c4, "value_int", int64_t{7});
  auto *c5 = test::add_onnx_node(g, "Constant", {}, {"fs"});
  test::set_attr(c5, "value_floats", std::vector<float>{1.5f, -2.0f});
  test::add_onnx_node(g, "Reshape", {"x", "shape"}, {"r"});
  test::add_onnx_node(g, "Mul", {"r", "half"}, {"y"});
  test::add_onnx_output(g, "y", {3, 2});

  Graph graph = import(m);
  ASSERT_EQ(graph.nodes.size(), 2u);  // Constant nodes leave no node behind
  const Node &reshape = graph.nodes[0];
  EXPECT_EQ(reshape.name, "Reshape_5");  // unnamed: "<op_type>_<index in the file>"
  EXPECT_EQ(reshape.attrs.owner, "node 'Reshape_5' (Reshape)");
  const Value &shape = graph.value(reshape.inputs[1]);
  ASSERT_TRUE(shape.constant);
  EXPECT_EQ(shape.dtype, ir::Int(64));
  EXPECT_EQ(shape.constant->as_int64(0), 3);
  EXPECT_EQ(shape.constant->as_int64(1), 2);
  const Value &half = graph.value(graph.nodes[1].inputs[1]);
  ASSERT_TRUE(half.constant);
  EXPECT_TRUE(half.shape.empty());  // value_float is a scalar
  EXPECT_EQ(half.constant->as_double(0), 0.5);
  EXPECT_EQ(value_named(graph, "axes").constant->shape, (std::vector<int64_t>{2}));
  EXPECT_EQ(value_named(graph, "k").constant->as_int64(0), 7);
  EXPECT_EQ(floats_of(*value_named(graph, "fs").constant), (std::vector<float>{1.5f, -2.0f}));
  EXPECT_TRUE(value_named(graph, "y").shape_known);  // static graph-output type
}

TEST(OnnxImporter, IdentityOfConstantSharesTheValue) {
  onnx::ModelProto m = test::make_onnx_model(13);
  auto *g = m.mutable_graph();
  test::add_onnx_input(g, "x", {1, 4});
  *g->add_initializer() = test::make_float_tensor("w", {4, 4}, std::vector<float>(16, 1.0f));
  test::add_onnx_node(g, "Identity", {"w"}, {"w1"});
  test::add_onnx_node(g, "Identity", {"w1"}, {"w2"});  // a chain
  test::add_onnx_node(g, "MatMul", {"x", "w1"}, {"h"}, "mm1");
  test::add_onnx_node(g, "MatMul", {"h", "w2"}, {"h2"}, "mm2");
  test::add_onnx_node(g, "Identity", {"h2"}, {"y"}, "id_runtime");  // not a constant: kept
  test::add_onnx_node(g, "Identity", {"w"}, {"w_out"});             // a graph output keeps its name
  test::add_onnx_output(g, "y", {1, 4});
  test::add_onnx_output(g, "w_out", {4, 4});

  Graph graph = import(m);
  ASSERT_EQ(graph.nodes.size(), 3u);
  const ValueId w = node_named(graph, "mm1").inputs[1];
  EXPECT_EQ(graph.value(w).name, "w");
  EXPECT_EQ(node_named(graph, "mm2").inputs[1], w);
  EXPECT_EQ(node_named(graph, "id_runtime").op_type, "Identity");
  const Value &w_out = graph.value(graph.outputs.at(1));
  EXPECT_EQ(w_out.name, "w_out");
  EXPECT_EQ(w_out.constant, graph.value(w).constant);  // the same tensor, not a copy
}

TEST(OnnxImporter, Opsets13And18AndTheAiOnnxDomain) {
  EXPECT_EQ(import(test::conv_relu_model(OnnxStorage::RawData, 13)).opset, 13);
  EXPECT_EQ(import(test::conv_relu_model(OnnxStorage::RawData, 18)).opset, 18);
  EXPECT_EQ(import(test::conv_relu_model(OnnxStorage::RawData, 7)).opset, 7);
  onnx::ModelProto m = test::conv_relu_model();
  m.mutable_opset_import(0)->set_domain("ai.onnx");
  m.mutable_graph()->mutable_node(1)->set_domain("ai.onnx");
  auto *other = m.add_opset_import();  // importing another domain is fine while no node uses it
  other->set_domain("com.microsoft");
  other->set_version(1);
  Graph g = import(m);
  EXPECT_EQ(g.opset, 13);
  EXPECT_EQ(g.nodes.at(1).domain, "");
}

TEST(OnnxImporter, ValueInfoShapes) {
  onnx::ModelProto m = test::conv_relu_model();
  test::add_onnx_value_info(m.mutable_graph(), "c", {1, 3, 5, 5});
  Graph g = import(m);
  const Value &c = value_named(g, "c");
  EXPECT_TRUE(c.shape_known);
  EXPECT_EQ(c.shape, (std::vector<int64_t>{1, 3, 5, 5}));

  onnx::ModelProto m2 = test::conv_relu_model();
  test::add_onnx_value_info(m2.mutable_graph(), "c", {"N", 3, 5, 5}, onnx::TensorProto::DOUBLE);
  Graph g2 = import(m2);
  EXPECT_FALSE(value_named(g2, "c").shape_known);
  EXPECT_EQ(value_named(g2, "c").dtype, ir::Float(64));  // the dtype is still known
}

TEST(OnnxImporter, InputShapeOverrides) {
  ImportOptions opt;
  opt.input_shapes["x"] = {4, 2, 5, 5};
  Graph g = import(test::conv_relu_model(), opt);
  EXPECT_EQ(g.value(g.inputs[0]).shape, (std::vector<int64_t>{4, 2, 5, 5}));

  // Symbolic inner dims need an override; with it they import.
  onnx::ModelProto m = test::make_onnx_model(13);
  test::add_onnx_input(m.mutable_graph(), "img", {"N", 3, "H", "W"});
  test::add_onnx_node(m.mutable_graph(), "Relu", {"img"}, {"y"});
  test::add_onnx_output(m.mutable_graph(), "y", {"N", 3, "H", "W"});
  ImportOptions opt2;
  opt2.input_shapes["img"] = {2, 3, 32, 16};
  EXPECT_EQ(import(m, opt2).value(0).shape, (std::vector<int64_t>{2, 3, 32, 16}));
}

TEST(OnnxImporter, SortsNodesTopologically) {
  onnx::ModelProto m = test::make_onnx_model(13);
  auto *g = m.mutable_graph();
  test::add_onnx_input(g, "x", {2});
  test::add_onnx_node(g, "Neg", {"b"}, {"y"}, "last");
  test::add_onnx_node(g, "Relu", {"a"}, {"b"}, "middle");
  test::add_onnx_node(g, "Abs", {"x"}, {"a"}, "first");
  test::add_onnx_node(g, "Exp", {"x"}, {"z"}, "independent");
  test::add_onnx_output(g, "y", {2});
  test::add_onnx_output(g, "z", {2});
  Graph graph = import(m);
  std::vector<std::string> names;
  for (const Node &n : graph.nodes) names.push_back(n.name);
  EXPECT_EQ(names, (std::vector<std::string>{"first", "middle", "last", "independent"}));
  graph.verify();
}

TEST(OnnxImporter, TensorTypesAndStorages) {
  onnx::ModelProto m = test::make_onnx_model(13);
  auto *g = m.mutable_graph();
  auto add = [&](const std::string &name, int32_t type, std::vector<int64_t> dims) {
    onnx::TensorProto *t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(type);
    for (int64_t d : dims) t->add_dims(d);
    return t;
  };
  // float16 in int32_data: 1.0, -2.0, 0.5, smallest subnormal, +inf.
  auto *h = add("h", onnx::TensorProto::FLOAT16, {5});
  for (int bits : {0x3C00, 0xC000, 0x3800, 0x0001, 0x7C00}) h->add_int32_data(bits);
  // float16 in raw_data: 65504 (max), -0.25.
  auto *hr = add("hr", onnx::TensorProto::FLOAT16, {2});
  const uint16_t raw_half[] = {0x7BFF, 0xB400};
  hr->set_raw_data(std::string(reinterpret_cast<const char *>(raw_half), sizeof raw_half));
  auto *i8 = add("i8", onnx::TensorProto::INT8, {3});
  for (int v : {-128, 5, 127}) i8->add_int32_data(v);
  auto *u8 = add("u8", onnx::TensorProto::UINT8, {2});
  for (int v : {0, 255}) u8->add_int32_data(v);
  auto *bl = add("bl", onnx::TensorProto::BOOL, {3});
  for (int v : {1, 0, 1}) bl->add_int32_data(v);
  auto *i16 = add("i16", onnx::TensorProto::INT16, {1});
  i16->add_int32_data(-300);
  auto *i32 = add("i32", onnx::TensorProto::INT32, {2});
  const int32_t raw_i32[] = {-7, 1 << 30};
  i32->set_raw_data(std::string(reinterpret_cast<const char *>(raw_i32), sizeof raw_i32));
  auto *i64 = add("i64", onnx::TensorProto::INT64, {});  // a scalar
  i64->add_int64_data(int64_t{1} << 40);
  auto *f64 = add("f64", onnx::TensorProto::DOUBLE, {2});
  f64->add_double_data(0.1);
  f64->add_double_data(-3.0);
  auto *u64 = add("u64", onnx::TensorProto::UINT64, {1});
  u64->add_uint64_data(uint64_t{1} << 63);
  auto *empty = add("empty", onnx::TensorProto::FLOAT, {0, 3});
  (void)empty;
  test::add_onnx_output(g, "h", {5});

  Graph graph = import(m);
  auto c = [&](const std::string &name) { return value_named(graph, name).constant; };
  const std::vector<float> halves = floats_of(*c("h"));
  EXPECT_EQ(halves[0], 1.0f);
  EXPECT_EQ(halves[1], -2.0f);
  EXPECT_EQ(halves[2], 0.5f);
  EXPECT_EQ(halves[3], std::ldexp(1.0f, -24));
  EXPECT_TRUE(std::isinf(halves[4]) && halves[4] > 0);
  EXPECT_EQ(floats_of(*c("hr")), (std::vector<float>{65504.0f, -0.25f}));
  EXPECT_EQ(c("i8")->dtype, ir::Int(8));
  EXPECT_EQ(c("i8")->as_int64(0), -128);
  EXPECT_EQ(c("i8")->as_int64(2), 127);
  EXPECT_EQ(c("u8")->dtype, ir::UInt(8));
  EXPECT_EQ(c("u8")->as_int64(1), 255);
  EXPECT_EQ(c("bl")->dtype, ir::Bool());
  EXPECT_EQ(c("bl")->as_int64(0) + c("bl")->as_int64(1) + c("bl")->as_int64(2), 2);
  EXPECT_EQ(c("i16")->as_int64(0), -300);
  EXPECT_EQ(c("i32")->as_int64(0), -7);
  EXPECT_EQ(c("i32")->as_int64(1), 1 << 30);
  EXPECT_TRUE(c("i64")->shape.empty());
  EXPECT_EQ(c("i64")->as_int64(0), int64_t{1} << 40);
  EXPECT_EQ(c("f64")->dtype, ir::Float(64));
  EXPECT_EQ(c("f64")->as_double(0), 0.1);
  EXPECT_EQ(c("u64")->dtype, ir::UInt(64));
  EXPECT_EQ(c("u64")->data<uint64_t>()[0], uint64_t{1} << 63);
  EXPECT_EQ(c("empty")->size(), 0);
}

TEST(OnnxImporter, ConvertsAttributes) {
  onnx::ModelProto m = test::make_onnx_model(13);
  auto *g = m.mutable_graph();
  test::add_onnx_input(g, "x", {2});
  auto *n = test::add_onnx_node(g, "Custom", {"x", "", "x"}, {"y", "", "z", ""}, "n1");
  test::set_attr(n, "i", int64_t{-3});
  test::set_attr(n, "f", 0.25f);
  test::set_attr(n, "s", std::string("hello"));
  test::set_attr(n, "is", std::vector<int64_t>{1, 2});
  test::set_attr(n, "fs", std::vector<float>{0.5f});
  test::set_attr(n, "ss", std::vector<std::string>{"a", "b"});
  test::set_attr(n, "t", test::make_float_tensor("", {2}, {1.0f, 2.0f}, OnnxStorage::RawData));
  auto *graph_attr = n->add_attribute();  // If/Loop bodies have no graph-IR form: dropped
  graph_attr->set_name("body");
  graph_attr->set_type(onnx::AttributeProto::GRAPH);
  test::add_onnx_output(g, "z", {2});

  Graph graph = import(m);
  const Node &node = graph.nodes.at(0);
  EXPECT_EQ(node.attrs.get_int("i"), -3);
  EXPECT_EQ(node.attrs.get_float("f"), 0.25);
  EXPECT_EQ(node.attrs.get_string("s"), "hello");
  EXPECT_EQ(node.attrs.get_ints("is"), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(node.attrs.get_floats("fs"), (std::vector<double>{0.5}));
  EXPECT_EQ(node.attrs.get_strings("ss"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(floats_of(*node.attrs.get_tensor("t")), (std::vector<float>{1.0f, 2.0f}));
  EXPECT_FALSE(node.attrs.has("body"));
  // Absent optional input → kNone; omitted inner output → an unused value; trailing dropped.
  EXPECT_EQ(node.inputs, (std::vector<ValueId>{0, kNone, 0}));
  ASSERT_EQ(node.outputs.size(), 3u);
  EXPECT_EQ(graph.value(node.outputs[0]).name, "y");
  EXPECT_EQ(graph.value(node.outputs[2]).name, "z");
  EXPECT_EQ(graph.outputs, (std::vector<ValueId>{node.outputs[2]}));
}

TEST(OnnxImporter, CheckSupportedOpsAcceptsKnownOps) {
  Graph g = import(test::conv_relu_model());
  check_supported_ops(g, [](const std::string &op) { return op == "Conv" || op == "Relu"; });
}

// Random byte flips and cuts of a valid model: each import succeeds or throws a one-line
// UserError (a fixed seed keeps it deterministic).
TEST(OnnxImporter, MutatedModelsFailCleanly) {
  onnx::ModelProto m = test::conv_relu_model(OnnxStorage::RawData);
  test::add_onnx_value_info(m.mutable_graph(), "c", {1, 3, 5, 5});
  const std::string good = test::serialize(m);
  std::mt19937 rng(1234);
  int refused = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string bytes = good;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) bytes[rng() % bytes.size()] = static_cast<char>(rng());
    if (i % 3 == 0) bytes.resize(rng() % bytes.size());
    try {
      import_onnx_bytes(bytes, "/nonexistent").verify();
    } catch (const UserError &e) {
      ++refused;
      ASSERT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
    }
  }
  EXPECT_GT(refused, 1000);
}

// Every model of the ONNX node tests either imports or is refused with a UserError: no crash,
// no other exception, and each message is a single line.
TEST(OnnxImporter, NodeTestModelsImportOrFailCleanly) {
  const std::filesystem::path root = "/usr/share/libonnx-testdata/data/node";
  if (!std::filesystem::is_directory(root)) GTEST_SKIP() << root << " is not installed";
  int imported = 0, refused = 0;
  auto start = std::chrono::steady_clock::now();
  for (const auto &entry : std::filesystem::directory_iterator(root)) {
    const std::string path = (entry.path() / "model.onnx").string();
    if (!std::filesystem::exists(path)) continue;
    try {
      Graph g = import_onnx(path);
      g.verify();
      ++imported;
    } catch (const UserError &e) {
      ++refused;
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    } catch (const std::exception &e) {
      ADD_FAILURE() << path << ": unexpected exception: " << e.what();
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "node test models: " << imported << " imported, " << refused << " refused in "
            << seconds << " s\n";
  EXPECT_GT(imported, 500);
}

}  // namespace
}  // namespace autotune::graph

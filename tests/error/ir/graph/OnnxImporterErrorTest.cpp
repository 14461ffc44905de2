// Broken ONNX models and misuse of the importer: each is one UserError naming the file and the
// problem, on a single line.
#include <filesystem>

#include "ir/graph/onnx/OnnxImporter.h"
#include "tests/common/OnnxTestModels.h"
#include "tests/common/TempDir.h"
#include "tests/common/TestUtil.h"

namespace autotune::graph {
namespace {

using test::OnnxStorage;

/// Imports `m` from a file in a fresh temp dir, so that messages name "model.onnx".
Graph import_file(const onnx::ModelProto &m, const ImportOptions &opt = {}) {
  test::TempDir dir;
  return import_onnx(dir.write("model.onnx", test::serialize(m)), opt);
}

Graph import(const onnx::ModelProto &m, const ImportOptions &opt = {}) {
  return import_onnx_bytes(test::serialize(m), "", opt);
}

/// The UserError message of `f`, checked to be one line; "" when nothing was thrown.
template <typename F>
std::string message_of(F f) {
  try {
    f();
  } catch (const UserError &e) {
    std::string msg = e.what();
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    return msg;
  }
  return "";
}

TEST(OnnxImporterError, TruncatedFile) {
  test::TempDir dir;
  std::string bytes = test::serialize(test::conv_relu_model());
  std::string path = dir.write("half.onnx", bytes.substr(0, bytes.size() / 2));
  EXPECT_USER_ERROR(import_onnx(path), "failed to parse ONNX model '" + path +
                                           "': file is truncated or not an ONNX model");
}

TEST(OnnxImporterError, GarbageBytes) {
  test::TempDir dir;
  std::string path = dir.write("garbage.onnx", "this is certainly not a protobuf \xff\xfe\x01");
  EXPECT_USER_ERROR(import_onnx(path), "file is truncated or not an ONNX model");
  // Text that happens to parse as unknown protobuf fields is garbage too.
  std::string text = dir.write("text.onnx", "hello");
  EXPECT_USER_ERROR(import_onnx(text), "file is truncated or not an ONNX model");
  EXPECT_USER_ERROR(import_onnx_bytes(std::string(), ""), "data is truncated or not an ONNX model");
}

TEST(OnnxImporterError, MissingFile) {
  EXPECT_USER_ERROR(import_onnx("/nonexistent/dir/model.onnx"),
                    "cannot open ONNX model '/nonexistent/dir/model.onnx': No such file");
  test::TempDir dir;
  EXPECT_USER_ERROR(import_onnx(dir.path()), "it is a directory");
}

TEST(OnnxImporterError, MissingGraph) {
  onnx::ModelProto m = test::make_onnx_model(13);
  m.clear_graph();
  EXPECT_USER_ERROR(import_file(m), "model.onnx': the model has no graph");
}

TEST(OnnxImporterError, OpsetOutOfRange) {
  EXPECT_USER_ERROR(import_file(test::conv_relu_model(OnnxStorage::FloatData, 6)),
                    "opset 6 is not supported (supported: 7 to 18)");
  EXPECT_USER_ERROR(import(test::conv_relu_model(OnnxStorage::FloatData, 19)),
                    "opset 19 is not supported");
  onnx::ModelProto m = test::conv_relu_model();
  m.mutable_opset_import(0)->set_domain("com.example");
  EXPECT_USER_ERROR(import(m), "imports no opset of the default ONNX domain");
}

TEST(OnnxImporterError, UnknownDomain) {
  onnx::ModelProto m = test::conv_relu_model();
  m.mutable_graph()->mutable_node(0)->set_domain("com.microsoft");
  EXPECT_USER_ERROR(import_file(m),
                    "node 'conv1' (com.microsoft.Conv) uses operator domain "
                    "'com.microsoft', which is not supported");
}

TEST(OnnxImporterError, MissingInitializer) {
  onnx::ModelProto m = test::conv_relu_model();
  m.mutable_graph()->mutable_initializer()->DeleteSubrange(0, 1);  // drop "w"
  std::string msg = message_of([&] { import_file(m); });
  EXPECT_NE(msg.find("model.onnx': node 'conv1' (Conv) reads 'w', which no initializer, input or "
                     "node provides"),
            std::string::npos)
      << msg;
}

TEST(OnnxImporterError, GraphOutputNotProduced) {
  onnx::ModelProto m = test::conv_relu_model();
  test::add_onnx_output(m.mutable_graph(), "nowhere", {1});
  EXPECT_USER_ERROR(import(m), "graph output 'nowhere' is not produced by any node");
}

TEST(OnnxImporterError, ValueWrittenTwice) {
  onnx::ModelProto m = test::conv_relu_model();
  test::add_onnx_node(m.mutable_graph(), "Relu", {"x"}, {"c"}, "again");
  EXPECT_USER_ERROR(import(m), "node 'again' (Relu) writes 'c', which node 'conv1' (Conv) writes");
}

TEST(OnnxImporterError, Cycle) {
  onnx::ModelProto m = test::make_onnx_model(13);
  auto *g = m.mutable_graph();
  test::add_onnx_input(g, "x", {2});
  test::add_onnx_node(g, "Add", {"x", "b"}, {"a"}, "add");
  test::add_onnx_node(g, "Relu", {"a"}, {"b"}, "relu");
  test::add_onnx_output(g, "b", {2});
  EXPECT_USER_ERROR(import(m), "the graph has a cycle through node 'add' (Add)");
}

TEST(OnnxImporterError, RawDataSizeMismatch) {
  onnx::ModelProto m = test::conv_relu_model(OnnxStorage::RawData);
  auto *b = m.mutable_graph()->mutable_initializer(1);
  b->mutable_raw_data()->resize(10);
  EXPECT_USER_ERROR(import(m),
                    "initializer 'b': raw_data has 10 bytes, expected 12 (3 float32 "
                    "values, shape [3])");
  onnx::ModelProto m2 = test::conv_relu_model(OnnxStorage::FloatData);
  m2.mutable_graph()->mutable_initializer(1)->add_float_data(1.0f);
  EXPECT_USER_ERROR(import(m2), "initializer 'b': holds 4 values in float_data, expected 3");
}

TEST(OnnxImporterError, HugeDimensionsDoNotAllocate) {
  onnx::ModelProto m = test::conv_relu_model(OnnxStorage::RawData);
  auto *b = m.mutable_graph()->mutable_initializer(1);
  b->clear_dims();
  b->add_dims(int64_t{1} << 40);
  b->add_dims(int64_t{1} << 40);
  EXPECT_USER_ERROR(import(m),
                    "initializer 'b': shape [1099511627776, 1099511627776] is too large");
  b->clear_dims();
  b->add_dims(int64_t{1} << 36);  // representable, but raw_data is far too short
  EXPECT_USER_ERROR(import(m), "raw_data has 12 bytes, expected 274877906944");
  b->clear_dims();
  b->add_dims(-3);
  EXPECT_USER_ERROR(import(m), "initializer 'b': negative dimension in shape [-3]");
}

TEST(OnnxImporterError, UnsupportedTensorType) {
  onnx::ModelProto m = test::conv_relu_model();
  auto *s = m.mutable_graph()->add_initializer();
  s->set_name("labels");
  s->set_data_type(onnx::TensorProto::STRING);
  s->add_dims(1);
  s->add_string_data("cat");
  EXPECT_USER_ERROR(import(m), "initializer 'labels': data type string is not supported");
  onnx::ModelProto m2 = test::conv_relu_model();
  m2.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->set_elem_type(
      onnx::TensorProto::BFLOAT16);
  EXPECT_USER_ERROR(import(m2), "graph input 'x': data type bfloat16 is not supported");
}

/// conv_relu_model with "w" stored externally at `location`.
onnx::ModelProto with_external_weights(const std::string &location) {
  onnx::ModelProto m = test::conv_relu_model();
  auto *w = m.mutable_graph()->mutable_initializer(0);
  w->clear_float_data();
  w->set_data_location(onnx::TensorProto::EXTERNAL);
  auto *e = w->add_external_data();
  e->set_key("location");
  e->set_value(location);
  return m;
}

TEST(OnnxImporterError, ExternalDataFileMissing) {
  test::TempDir dir;
  std::string path = dir.write("model.onnx", test::serialize(with_external_weights("w.bin")));
  EXPECT_USER_ERROR(import_onnx(path),
                    "initializer 'w': external data file '" + dir.path() + "/w.bin' is missing");
}

TEST(OnnxImporterError, ExternalDataFileTooShort) {
  test::TempDir dir;
  dir.write("w.bin", std::string(20, '\0'));
  std::string path = dir.write("model.onnx", test::serialize(with_external_weights("w.bin")));
  EXPECT_USER_ERROR(import_onnx(path), "has 20 bytes, too few for 216 bytes at offset 0");
}

TEST(OnnxImporterError, ExternalDataOutsideModelDir) {
  test::TempDir dir;
  std::filesystem::create_directory(dir.path() + "/model");
  dir.write("secret.bin", std::string(216, '\0'));
  for (const char *location : {"../secret.bin", "sub/../../secret.bin", "/etc/passwd"}) {
    std::string path =
        dir.write("model/model.onnx", test::serialize(with_external_weights(location)));
    EXPECT_USER_ERROR(import_onnx(path), "is outside the model directory");
  }
  // A symbolic link out of the directory is refused too.
  std::filesystem::create_symlink(dir.path() + "/secret.bin", dir.path() + "/model/link.bin");
  std::string path =
      dir.write("model/model.onnx", test::serialize(with_external_weights("link.bin")));
  EXPECT_USER_ERROR(import_onnx(path), "external data file '" + dir.path() +
                                           "/model/link.bin' is outside the model directory");
}

TEST(OnnxImporterError, WrongInputShapeOverride) {
  ImportOptions rank;
  rank.input_shapes["x"] = {1, 2, 5};
  EXPECT_USER_ERROR(import_file(test::conv_relu_model(), rank),
                    "model.onnx': input shape for 'x' does not match the model: expected "
                    "[N, 2, 5, 5], given [1, 2, 5]");
  ImportOptions dim;
  dim.input_shapes["x"] = {1, 3, 5, 5};
  EXPECT_USER_ERROR(import(test::conv_relu_model(), dim),
                    "expected [N, 2, 5, 5], given [1, 3, 5, 5]");
  ImportOptions unknown;
  unknown.input_shapes["image"] = {1, 2, 5, 5};
  EXPECT_USER_ERROR(import(test::conv_relu_model(), unknown),
                    "input shape given for 'image', which is not a graph input (inputs: 'x')");
  ImportOptions weight;
  weight.input_shapes["w"] = {3, 2, 3, 3};
  EXPECT_USER_ERROR(import(test::conv_relu_model(), weight),
                    "input shape given for 'w', which is an initializer");
}

TEST(OnnxImporterError, SymbolicInnerDimension) {
  onnx::ModelProto m = test::make_onnx_model(13);
  test::add_onnx_input(m.mutable_graph(), "img", {"N", 3, "H", 8});
  test::add_onnx_node(m.mutable_graph(), "Relu", {"img"}, {"y"});
  test::add_onnx_output(m.mutable_graph(), "y", {"N", 3, "H", 8});
  EXPECT_USER_ERROR(import(m),
                    "graph input 'img' has symbolic dimension 2 ('H') in shape "
                    "[N, 3, H, 8]");
}

TEST(OnnxImporterError, ConstantWithoutValue) {
  onnx::ModelProto m = test::conv_relu_model();
  test::add_onnx_node(m.mutable_graph(), "Constant", {}, {"k"}, "k");
  EXPECT_USER_ERROR(import(m), "node 'k' (Constant) has no value attribute");
}

TEST(OnnxImporterError, NamesWithControlCharactersStayOnOneLine) {
  onnx::ModelProto m = test::conv_relu_model();
  m.mutable_graph()->mutable_node(0)->set_name("conv\n1");
  m.mutable_graph()->mutable_node(0)->set_input(1, "w\nx");
  std::string msg = message_of([&] { import(m); });
  EXPECT_NE(msg.find("node 'conv\\x0a1' (Conv) reads 'w\\x0ax'"), std::string::npos) << msg;
}

TEST(OnnxImporterError, UnsupportedOperator) {
  onnx::ModelProto m = test::conv_relu_model();
  m.mutable_graph()->mutable_node(1)->set_op_type("Foo");
  m.mutable_graph()->mutable_node(1)->set_name("n1");
  Graph g = import(m);  // unsupported ops are not the importer's error ...
  auto is_supported = [](const std::string &op) { return op == "Conv" || op == "Relu"; };
  // ... check_supported_ops reports the first one.
  EXPECT_USER_ERROR(check_supported_ops(g, is_supported),
                    "unsupported operator 'Foo' (opset 13) at node 'n1'");
}

}  // namespace
}  // namespace autotune::graph

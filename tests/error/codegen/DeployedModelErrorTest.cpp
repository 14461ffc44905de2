// Broken module directories: each test damages one file of a good module (a tiny network saved
// with save_model) and checks that DeployedModel::load names the file and the problem.
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "codegen/BuildGraph.h"
#include "codegen/EvaluateNode.h"
#include "codegen/SaveModel.h"
#include "codegen/runtime/DeployedModel.h"
#include "ir/graph/GraphPipeline.h"
#include "tests/common/GraphBuilder.h"
#include "tests/common/TempDir.h"
#include "tests/common/TestUtil.h"

namespace autotune {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

/// y = relu(x + c) with a constant c, saved for the host (or `target`) in a fresh directory.
class DeployedModelError : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = save(codegen::Target::host()); }

  std::string save(const codegen::Target &target) {
    test::GraphBuilder b(13);
    b.add_input("x", {2, 16});
    b.add_constant("c", graph::TensorData::from_floats({2, 16}, std::vector<float>(32, 0.5f)));
    b.add_node("Add", {"x", "c"}, {"s"});
    b.add_node("Relu", {"s"}, {"y"});
    b.add_outputs({"y"});
    codegen::BuildOptions opt;
    opt.target = target;
    graph::Graph g = graph::optimize_graph(b.build(), codegen::evaluate_node);
    const std::string &dir = dirs_.emplace_back(std::make_unique<test::TempDir>())->path();
    codegen::save_model(codegen::plan_model(g, opt), dir);
    return dir;
  }
  json read_json() {
    std::ifstream in(path("model.json"));
    return json::parse(in);
  }
  void write_json(const json &j) { write_text("model.json", j.dump()); }
  void write_text(const std::string &file, const std::string &text) {
    std::ofstream(path(file), std::ios::binary | std::ios::trunc) << text;
  }
  std::string path(const std::string &file) const { return dir_ + "/" + file; }

  std::string dir_;
  std::vector<std::unique_ptr<test::TempDir>> dirs_;
};

TEST_F(DeployedModelError, GoodModuleLoads) {
  auto m = runtime::DeployedModel::load(dir_);
  std::vector<float> x(32, -1.0f), y(32, -9.0f);
  x[3] = 2.0f;
  m->run({x.data()}, {y.data()});
  EXPECT_EQ(y[0], 0.0f);
  EXPECT_EQ(y[3], 2.5f);
}

TEST_F(DeployedModelError, NotADirectory) {
  EXPECT_USER_ERROR(runtime::DeployedModel::load(dir_ + "/nope"), "not a directory");
}

TEST_F(DeployedModelError, MissingKernels) {
  fs::remove(path("kernels.so"));
  EXPECT_USER_ERROR(runtime::DeployedModel::load(dir_), "kernels.so' is missing");
}

TEST_F(DeployedModelError, MissingModelJson) {
  fs::remove(path("model.json"));
  EXPECT_USER_ERROR(runtime::DeployedModel::load(dir_), "model.json' is missing");
}

TEST_F(DeployedModelError, CorruptedJson) {
  std::ifstream in(path("model.json"));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  write_text("model.json", text.substr(0, text.size() / 2));
  EXPECT_USER_ERROR(runtime::DeployedModel::load(dir_), "model.json' is not valid JSON");
}

TEST_F(DeployedModelError, NotAModule) {
  write_text("model.json", R"({"name": "something else"})");
  EXPECT_USER_ERROR(runtime::DeployedModel::load(dir_), "is not an autotune module description");
}

TEST_F(DeployedModelError, UnknownVersion) {
  json j = read_json();
  j["version"] = 99;
  write_json(j);
  EXPECT_USER_ERROR(runtime::DeployedModel::load(dir_),
                    "has format version 99, this runtime reads version 1");
}

TEST_F(DeployedModelError, MissingField) {
  json j = read_json();
  j.erase("arena_bytes");
  write_json(j);
  EXPECT_USER_ERROR(runtime::DeployedModel::load(dir_), "missing field 'arena_bytes'");
}

TEST_F(DeployedModelError, FieldOfTheWrongType) {
  json j = read_json();
  j["calls"][0]["args"] = "0,1";
  write_json(j);
  EXPECT_USER_ERROR(runtime::DeployedModel::load(dir_),
                    "field 'calls[0].args' must be an array, got \"0,1\"");
}

TEST_F(DeployedModelError, SlotOutOfRange) {
  json j = read_json();
  j["calls"][0]["args"][0] = 99;
  write_json(j);
  EXPECT_USER_ERROR(runtime::DeployedModel::load(dir_), "field 'calls[0].args[0]' is 99");
}

TEST_F(DeployedModelError, UnknownDtype) {
  json j = read_json();
  j["inputs"][0]["dtype"] = "complex64";
  write_json(j);
  EXPECT_USER_ERROR(runtime::DeployedModel::load(dir_), "unknown type 'complex64'");
}

TEST_F(DeployedModelError, UnknownSlotKind) {
  json j = read_json();
  j["slots"][0]["kind"] = "heap";
  write_json(j);
  EXPECT_USER_ERROR(runtime::DeployedModel::load(dir_), "field 'slots[0].kind' is 'heap'");
}

TEST_F(DeployedModelError, ConstantPastTheFile) {
  json j = read_json();
  j["constants"][0]["bytes"] = j["constants_bytes"].get<int64_t>() + 1;
  write_json(j);
  EXPECT_USER_ERROR(runtime::DeployedModel::load(dir_), "past constants_bytes");
}

TEST_F(DeployedModelError, TruncatedConstants) {
  fs::resize_file(path("constants.bin"), 10);
  EXPECT_USER_ERROR(runtime::DeployedModel::load(dir_), "constants.bin' is 10 bytes, but '" +
                                                            path("model.json") +
                                                            "' expects 128 "
                                                            "(truncated?)");
}

TEST_F(DeployedModelError, MissingKernelSymbol) {
  json j = read_json();
  j["calls"][0]["kernel"] = "k_not_there";
  write_json(j);
  EXPECT_USER_ERROR(runtime::DeployedModel::load(dir_), "kernel 'k_not_there' not found in '");
}

TEST_F(DeployedModelError, OutputNobodyWrites) {
  json j = read_json();
  j["calls"] = json::array();
  write_json(j);
  EXPECT_USER_ERROR(runtime::DeployedModel::load(dir_),
                    "no kernel call or output copy writes output 'y'");
}

TEST_F(DeployedModelError, KernelsNotAnElfFile) {
  write_text("kernels.so", "this is not a shared object, just text long enough");
  EXPECT_USER_ERROR(runtime::DeployedModel::load(dir_), "kernels.so': not an ELF file");
}

TEST_F(DeployedModelError, KernelsForAnotherArchitecture) {
  std::string other = codegen::Target::host().triple.rfind("aarch64", 0) == 0
                          ? "llvm -mtriple=x86_64-linux-gnu"
                          : "llvm -mtriple=aarch64-linux-gnu -mcpu=cortex-a72 -mattr=+neon";
  dir_ = save(codegen::Target::parse(other));
  EXPECT_USER_ERROR(runtime::DeployedModel::load(dir_), "code (target 'llvm -mtriple=");
  EXPECT_USER_ERROR(runtime::DeployedModel::load(dir_), "(load the module on its target)");
}

TEST_F(DeployedModelError, WrongNumberOfInputsAtRun) {
  auto m = runtime::DeployedModel::load(dir_);
  std::vector<float> y(32);
  EXPECT_USER_ERROR(m->run({}, {y.data()}), "model takes 1 inputs, got 0");
}

}  // namespace
}  // namespace autotune

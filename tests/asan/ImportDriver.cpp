// A minimal ONNX import driver for scripts/asan_import_check.sh, which builds it with
// AddressSanitizer from the importer and graph IR sources only (no CLI, no codegen).
//
//   import_driver [--input NAME=D0,D1,...]... [--supported OP,OP,...] MODEL...
//       imports each MODEL (then check_supported_ops when --supported is given); prints one line
//       on stdout per imported model and the error line on stderr per failed one; exits 1 when
//       any import failed.
//   import_driver --write-models DIR
//       writes the broken and good models the script checks into DIR.
//   import_driver --mutate COUNT MODEL
//       imports COUNT copies of MODEL with random bytes changed or cut (fixed seed); prints how
//       many imported and how many failed with a UserError; exits 2 on any other outcome.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <random>
#include <set>
#include <sstream>

#include "ir/graph/onnx/OnnxImporter.h"
#include "tests/common/OnnxTestModels.h"

namespace {

using namespace autotune;

std::vector<std::string> split(const std::string &s, char sep) {
  std::vector<std::string> parts;
  std::stringstream in(s);
  std::string part;
  while (std::getline(in, part, sep)) parts.push_back(part);
  return parts;
}

void write(const std::string &path, const std::string &bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    std::cerr << "cannot write " << path << "\n";
    std::exit(2);
  }
}

void write_models(const std::string &dir) {
  std::filesystem::create_directories(dir);
  const std::string good = test::serialize(test::conv_relu_model());
  write(dir + "/good.onnx", good);
  write(dir + "/truncated.onnx", good.substr(0, good.size() / 2));
  write(dir + "/garbage.onnx", std::string("\x0a\xff\xff\xff\xff\x0f garbage \x00\x01\x02", 18));

  onnx::ModelProto unknown_op = test::conv_relu_model();
  unknown_op.mutable_graph()->mutable_node(1)->set_op_type("Foo");
  write(dir + "/unknown_op.onnx", test::serialize(unknown_op));

  onnx::ModelProto missing = test::conv_relu_model();
  missing.mutable_graph()->mutable_initializer()->DeleteSubrange(0, 1);
  write(dir + "/missing_initializer.onnx", test::serialize(missing));

  onnx::ModelProto huge = test::conv_relu_model(test::OnnxStorage::RawData);
  huge.mutable_graph()->mutable_initializer(0)->add_dims(int64_t{1} << 36);
  write(dir + "/huge_dims.onnx", test::serialize(huge));

  onnx::ModelProto external = test::conv_relu_model();
  auto *w = external.mutable_graph()->mutable_initializer(0);
  w->clear_float_data();
  w->set_data_location(onnx::TensorProto::EXTERNAL);
  auto *entry = w->add_external_data();
  entry->set_key("location");
  entry->set_value("missing_weights.bin");
  write(dir + "/external_missing.onnx", test::serialize(external));
}

int mutate(int count, const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  const std::string good((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (good.empty()) {
    std::cerr << "cannot read " << path << "\n";
    return 2;
  }
  std::mt19937 rng(1234);
  int imported = 0, refused = 0;
  for (int i = 0; i < count; ++i) {
    std::string bytes = good;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) bytes[rng() % bytes.size()] = static_cast<char>(rng());
    if (i % 3 == 0) bytes.resize(rng() % bytes.size());
    try {
      graph::import_onnx_bytes(bytes, "/nonexistent").verify();
      ++imported;
    } catch (const UserError &e) {
      if (std::string(e.what()).find('\n') != std::string::npos) {
        std::cerr << "multi-line message: " << e.what() << "\n";
        return 2;
      }
      ++refused;
    }
  }
  std::cout << count << " mutated models: " << imported << " imported, " << refused << " refused\n";
  return 0;
}

}  // namespace

int main(int argc, char **argv) {
  graph::ImportOptions opt;
  std::set<std::string> supported;
  bool check_ops = false;
  std::vector<std::string> models;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--write-models" && i + 1 < argc) {
      write_models(argv[++i]);
      return 0;
    } else if (arg == "--mutate" && i + 2 < argc) {
      return mutate(std::atoi(argv[i + 1]), argv[i + 2]);
    } else if (arg == "--input" && i + 1 < argc) {
      std::string spec = argv[++i];
      size_t eq = spec.find('=');
      std::vector<int64_t> shape;
      for (const std::string &d : split(spec.substr(eq + 1), ',')) shape.push_back(std::stoll(d));
      opt.input_shapes[spec.substr(0, eq)] = shape;
    } else if (arg == "--supported" && i + 1 < argc) {
      check_ops = true;
      for (const std::string &op : split(argv[++i], ',')) supported.insert(op);
    } else {
      models.push_back(arg);
    }
  }
  int status = 0;
  for (const std::string &path : models) {
    try {
      graph::Graph g = graph::import_onnx(path, opt);
      if (check_ops) {
        graph::check_supported_ops(g,
                                   [&](const std::string &op) { return supported.count(op) > 0; });
      }
      std::cout << path << ": " << g.nodes.size() << " nodes, " << g.values.size()
                << " values, opset " << g.opset << "\n";
    } catch (const UserError &e) {
      std::cerr << "error: " << e.what() << "\n";
      status = 1;
    }
  }
  return status;
}

// ONNX's own operator conformance tests (the CNN-inference subset listed in the shared
// MANIFEST.tsv) run through lower_node: each model's nodes are lowered over placeholders, the
// outputs JIT-compiled on the host with the default schedule, and compared with the expected
// outputs. The ONNX protobuf types are read here directly, independently of the importer.
//
// Inputs: $ONNX_NODE_TESTS_MANIFEST (ctest sets it to shared/onnx-node-tests/MANIFEST.tsv beside the repository) and
// $ONNX_NODE_TESTS_DATA (default /usr/share/libonnx-testdata/data); the test skips without them.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "ir/graph/Graph.h"
#include "ir/graph/OpRegistry.h"
#include "tests/common/TypedKernelRunner.h"

namespace autotune::test {
namespace {

using graph::ConstantPtr;
using graph::TensorData;
using ir::DataType;

constexpr double kRtol = 1e-3, kAtol = 1e-4;

std::string env_or(const char *name, const char *fallback) {
  const char *v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

bool read_file(const std::string &path, std::string &out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

struct ManifestCase {
  std::string name, op, path;
  /// Every input and output is FLOAT or INT64 and at least one is FLOAT: the cases the pass
  /// rate is asserted on.
  bool float32 = false;
};

std::vector<std::string> split_on(const std::string &s, char sep) {
  std::vector<std::string> fields;
  std::stringstream ss(s);
  std::string f;
  while (std::getline(ss, f, sep)) fields.push_back(f);
  return fields;
}

/// The manifest's rows (tab-separated, with a header naming the columns).
std::vector<ManifestCase> read_manifest(const std::string &path) {
  std::ifstream in(path);
  std::vector<ManifestCase> cases;
  std::string line;
  std::map<std::string, size_t> column;
  auto split = [](const std::string &s) { return split_on(s, '\t'); };
  if (!std::getline(in, line)) return cases;
  std::vector<std::string> header = split(line);
  for (size_t i = 0; i < header.size(); ++i) column[header[i]] = i;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> f = split(line);
    f.resize(header.size());
    std::string types = f[column.at("input_dtypes")] + ";" + f[column.at("output_dtypes")];
    bool any_float = false, only_float_or_int64 = true;
    for (const std::string &t : split_on(types, ';')) {
      if (t.empty() || t == "-") continue;
      any_float = any_float || t == "FLOAT";
      only_float_or_int64 = only_float_or_int64 && (t == "FLOAT" || t == "INT64");
    }
    cases.push_back({f[column.at("test_name")], f[column.at("op")], f[column.at("path")],
                     any_float && only_float_or_int64});
  }
  return cases;
}

/// The element type of an ONNX data type code; nullopt for the types this suite leaves out
/// (float16, bfloat16, strings, complex).
std::optional<DataType> dtype_of(int32_t code) {
  switch (code) {
    case onnx::TensorProto::FLOAT:
      return ir::Float(32);
    case onnx::TensorProto::DOUBLE:
      return ir::Float(64);
    case onnx::TensorProto::UINT8:
      return ir::UInt(8);
    case onnx::TensorProto::INT8:
      return ir::Int(8);
    case onnx::TensorProto::UINT16:
      return ir::UInt(16);
    case onnx::TensorProto::INT16:
      return ir::Int(16);
    case onnx::TensorProto::INT32:
      return ir::Int(32);
    case onnx::TensorProto::INT64:
      return ir::Int(64);
    case onnx::TensorProto::UINT32:
      return ir::UInt(32);
    case onnx::TensorProto::UINT64:
      return ir::UInt(64);
    case onnx::TensorProto::BOOL:
      return ir::Bool();
    default:
      return std::nullopt;
  }
}

/// The types the lowering is checked on: float32 data, int64/int32 shape and index
/// computations, bool masks and conditions ($ONNX_NODE_TESTS_ALL_TYPES adds the other integer
/// types and float64).
bool in_scope(DataType t) {
  static const bool all_types = std::getenv("ONNX_NODE_TESTS_ALL_TYPES") != nullptr;
  return all_types || t == ir::Float(32) || t == ir::Int(64) || t == ir::Int(32) || t == ir::Bool();
}

/// A TensorProto as graph constant data, from raw_data or the typed repeated fields.
ConstantPtr to_tensor_data(const onnx::TensorProto &t, std::string &error) {
  std::optional<DataType> dtype = dtype_of(t.data_type());
  if (!dtype) {
    error = "data type " + onnx::TensorProto::DataType_Name(
                               static_cast<onnx::TensorProto::DataType>(t.data_type()));
    return nullptr;
  }
  std::vector<int64_t> shape(t.dims().begin(), t.dims().end());
  auto data = TensorData::make(*dtype, shape);
  size_t n = static_cast<size_t>(data->size()), width = static_cast<size_t>(dtype->bytes());
  if (t.has_raw_data()) {
    if (t.raw_data().size() != n * width) {
      error = "raw_data size " + std::to_string(t.raw_data().size()) + " for " + std::to_string(n) +
              " elements";
      return nullptr;
    }
    if (n > 0) std::memcpy(data->bytes.data(), t.raw_data().data(), n * width);
    return data;
  }
  auto store = [&](size_t i, int64_t v) {
    std::memcpy(data->bytes.data() + i * width, &v, width);  // little-endian truncation
  };
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      for (size_t i = 0; i < n; ++i) data->mutable_data<float>()[i] = t.float_data(i);
      break;
    case onnx::TensorProto::DOUBLE:
      for (size_t i = 0; i < n; ++i) data->mutable_data<double>()[i] = t.double_data(i);
      break;
    case onnx::TensorProto::INT64:
      for (size_t i = 0; i < n; ++i) store(i, t.int64_data(i));
      break;
    case onnx::TensorProto::UINT32:
    case onnx::TensorProto::UINT64:
      for (size_t i = 0; i < n; ++i) store(i, static_cast<int64_t>(t.uint64_data(i)));
      break;
    default:
      for (size_t i = 0; i < n; ++i) store(i, t.int32_data(i));
      break;
  }
  return data;
}

graph::Attribute to_attribute(const onnx::AttributeProto &a, std::string &error) {
  switch (a.type()) {
    case onnx::AttributeProto::FLOAT:
      return static_cast<double>(a.f());
    case onnx::AttributeProto::INT:
      return static_cast<int64_t>(a.i());
    case onnx::AttributeProto::STRING:
      return a.s();
    case onnx::AttributeProto::TENSOR:
      return to_tensor_data(a.t(), error);
    case onnx::AttributeProto::FLOATS:
      return std::vector<double>(a.floats().begin(), a.floats().end());
    case onnx::AttributeProto::INTS:
      return std::vector<int64_t>(a.ints().begin(), a.ints().end());
    case onnx::AttributeProto::STRINGS:
      return std::vector<std::string>(a.strings().begin(), a.strings().end());
    default:
      error = "attribute '" + a.name() + "' of unsupported kind";
      return int64_t(0);
  }
}

/// Inputs whose data the lowering needs (shape-like operands), by op type and input index.
/// The test models pass them as graph inputs with test data; here they become constants.
bool is_shape_operand(const std::string &op, size_t index) {
  static const std::map<std::string, std::set<size_t>> kOperands = {
      {"ConstantOfShape", {0}}, {"Dropout", {2}},    {"Expand", {1}},       {"Pad", {1, 3}},
      {"ReduceMax", {1}},       {"ReduceMean", {1}}, {"ReduceMin", {1}},    {"ReduceProd", {1}},
      {"ReduceSum", {1}},       {"Reshape", {1}},    {"Resize", {1, 2, 3}}, {"Slice", {1, 2, 3, 4}},
      {"Split", {1}},           {"Squeeze", {1}},    {"Unsqueeze", {1}},    {"Upsample", {1}},
  };
  auto it = kOperands.find(op);
  return it != kOperands.end() && it->second.count(index) > 0;
}

/// Cases whose expected data we knowingly disagree with, and why (printed with the failure).
const std::map<std::string, std::string> kKnownDifferences = {
    {"test_resize_downsample_scales_linear_align_corners",
     "disputed reference data (onnx/onnx#2462): align_corners divides by the integer output "
     "length minus 1, as ONNX Runtime and PyTorch do; ONNX's reference uses in * scale - 1"},
};

enum class Status { Pass, Fail, Skip };

struct CaseResult {
  Status status = Status::Pass;
  std::string reason;
};

CaseResult fail(std::string reason) { return {Status::Fail, std::move(reason)}; }
CaseResult skip(std::string reason) { return {Status::Skip, std::move(reason)}; }

/// "got 1.5 expected 2 at element 3" or "" when `got` matches `expected`.
std::string compare(const TensorData &got, const TensorData &expected) {
  for (int64_t i = 0; i < expected.size(); ++i) {
    bool ok;
    if (expected.dtype.is_float()) {
      double g = got.as_double(i), e = expected.as_double(i);
      ok = (std::isnan(g) && std::isnan(e)) || g == e ||
           std::fabs(g - e) <= kAtol + kRtol * std::fabs(e);
    } else {
      ok = got.as_int64(i) == expected.as_int64(i);
    }
    if (!ok) {
      std::ostringstream os;
      os << "element " << i << ": got " << got.as_double(i) << ", expected "
         << expected.as_double(i);
      return os.str();
    }
  }
  return "";
}

std::string test_data_dir(const std::string &model_dir, int set) {
  return model_dir + "/test_data_set_" + std::to_string(set);
}

// Algorithm:
//   1. Parse model.onnx, the initializers and each test set's input_K/output_M tensors; skip the
//      case when a tensor's type is outside in_scope.
//   2. Build a Graph of the model's nodes. Every graph input and initializer becomes a
//      placeholder; initializers and shape operands (is_shape_operand) also carry their data.
//   3. lower_node each node in order over the tensors produced so far.
//   4. Run the graph outputs with the default schedule and compare with output_M (shape, type,
//      then values: rtol 1e-3, atol 1e-4 for floats, exact otherwise).
CaseResult run_case(const ManifestCase &c, const std::string &data_root) {
  std::string model_dir = c.path.rfind("pytorch-converted/", 0) == 0
                              ? data_root + "/" + c.path
                              : data_root + "/node/" + c.path;
  std::string bytes;
  onnx::ModelProto model;
  if (!read_file(model_dir + "/model.onnx", bytes) || !model.ParseFromString(bytes)) {
    return fail("cannot read " + model_dir + "/model.onnx");
  }
  int64_t opset = 1;
  for (const auto &imp : model.opset_import()) {
    if (imp.domain().empty() || imp.domain() == "ai.onnx") opset = imp.version();
  }
  const onnx::GraphProto &g = model.graph();
  std::map<std::string, ConstantPtr> initializers;
  std::string error;
  for (const onnx::TensorProto &t : g.initializer()) {
    ConstantPtr d = to_tensor_data(t, error);
    if (!d) return skip("initializer '" + t.name() + "': " + error);
    initializers[t.name()] = d;
  }
  std::vector<std::string> runtime_inputs;
  for (const auto &vi : g.input()) {
    if (!initializers.count(vi.name())) runtime_inputs.push_back(vi.name());
  }

  // Values used as shape operands by some node.
  std::set<std::string> shape_operands;
  for (const onnx::NodeProto &n : g.node()) {
    for (int i = 0; i < n.input_size(); ++i) {
      if (is_shape_operand(n.op_type(), static_cast<size_t>(i))) shape_operands.insert(n.input(i));
    }
  }

  int sets = 0;
  for (int set = 0;; ++set) {
    std::string dir = test_data_dir(model_dir, set);
    std::map<std::string, ConstantPtr> feeds;
    std::vector<ConstantPtr> expected;
    for (size_t k = 0;; ++k) {
      onnx::TensorProto t;
      if (!read_file(dir + "/input_" + std::to_string(k) + ".pb", bytes)) break;
      if (!t.ParseFromString(bytes)) return fail("cannot parse input_" + std::to_string(k));
      if (k >= runtime_inputs.size()) return fail("more input files than graph inputs");
      ConstantPtr d = to_tensor_data(t, error);
      if (!d) return skip("input " + std::to_string(k) + ": " + error);
      if (!in_scope(d->dtype)) return skip("input type " + d->dtype.str());
      feeds[runtime_inputs[k]] = d;
    }
    for (size_t m = 0;; ++m) {
      onnx::TensorProto t;
      if (!read_file(dir + "/output_" + std::to_string(m) + ".pb", bytes)) break;
      if (!t.ParseFromString(bytes)) return fail("cannot parse output_" + std::to_string(m));
      ConstantPtr d = to_tensor_data(t, error);
      if (!d) return skip("output " + std::to_string(m) + ": " + error);
      if (!in_scope(d->dtype)) return skip("output type " + d->dtype.str());
      expected.push_back(d);
    }
    if (feeds.empty() && expected.empty()) break;
    ++sets;

    // 2. The graph and the lowering environment.
    graph::Graph graph;
    graph.opset = opset;
    std::map<std::string, graph::ValueId> ids;
    std::map<std::string, graph::LoweringInput> env;
    std::vector<te::Tensor> placeholders;
    std::vector<ConstantPtr> placeholder_data;
    auto bind = [&](const std::string &name, const ConstantPtr &d, bool is_constant) {
      graph::Value v;
      v.name = name;
      v.dtype = d->dtype;
      v.shape = d->shape;
      v.shape_known = true;
      if (is_constant) v.constant = d;
      ids[name] = graph.add_value(v);
      if (!is_constant) graph.inputs.push_back(ids[name]);
      graph::LoweringInput li;
      if (d->size() > 0) {
        li.tensor = te::placeholder(d->shape, d->dtype, "in" + std::to_string(placeholders.size()));
        placeholders.push_back(li.tensor);
        placeholder_data.push_back(d);
      }
      if (is_constant) li.constant = d;
      env[name] = li;
    };
    for (const auto &[name, d] : initializers) bind(name, d, true);
    for (const std::string &name : runtime_inputs) {
      if (!feeds.count(name)) return fail("no test data for graph input '" + name + "'");
      const ConstantPtr &d = feeds[name];
      bool is_constant = shape_operands.count(name) > 0;
      if (d->size() == 0 && !is_constant) {
        return fail("graph input '" + name + "' has shape " + graph::shape_str(d->shape) +
                    " (zero-size tensors are not supported)");
      }
      bind(name, d, is_constant);
    }

    // 3. Lower each node.
    try {
      for (int n = 0; n < g.node_size(); ++n) {
        const onnx::NodeProto &np = g.node(n);
        graph::Node node;
        node.name = np.name().empty() ? "n" + std::to_string(n) : np.name();
        node.op_type = np.op_type();
        node.domain = np.domain();
        node.attrs.owner = node.describe();
        for (const onnx::AttributeProto &a : np.attribute()) {
          graph::Attribute attr = to_attribute(a, error);
          if (!error.empty()) return skip(node.describe() + ": " + error);
          node.attrs.set(a.name(), attr);
        }
        std::vector<graph::LoweringInput> inputs;
        for (const std::string &in : np.input()) {
          if (in.empty()) {
            node.inputs.push_back(graph::kNone);
            inputs.emplace_back();
            continue;
          }
          if (!ids.count(in)) return fail("node input '" + in + "' is never produced");
          node.inputs.push_back(ids[in]);
          inputs.push_back(env[in]);
        }
        for (const std::string &out : np.output()) {
          graph::Value v;
          v.name = out;
          ids[out] = graph.add_value(v);
          node.outputs.push_back(ids[out]);
        }
        graph::NodeId id = graph.add_node(node);
        std::vector<te::Tensor> outs = graph::lower_node(graph.nodes[id], inputs, opset);
        for (size_t o = 0; o < outs.size(); ++o) {
          graph::LoweringInput li;
          li.tensor = outs[o];
          // Constant nodes feed later shape operands (multi-node models).
          if (np.op_type() == "Constant" && node.attrs.has("value")) {
            li.constant = node.attrs.get_tensor("value");
          }
          env[np.output(static_cast<int>(o))] = li;
        }
      }
    } catch (const std::exception &e) {
      return fail(e.what());
    }

    // 4. Run and compare.
    if (static_cast<size_t>(g.output_size()) != expected.size()) {
      return fail("model has " + std::to_string(g.output_size()) + " outputs, test data " +
                  std::to_string(expected.size()));
    }
    std::vector<te::Tensor> outputs;
    for (int m = 0; m < g.output_size(); ++m) {
      te::Tensor t = env[g.output(m).name()].tensor;
      const TensorData &e = *expected[m];
      if (!t.defined()) return fail("output " + std::to_string(m) + " was not lowered");
      if (t.shape() != e.shape || t.dtype() != e.dtype) {
        return fail("output " + std::to_string(m) + " is " + t.dtype().str() + " " +
                    graph::shape_str(t.shape()) + ", expected " + e.dtype.str() + " " +
                    graph::shape_str(e.shape));
      }
      outputs.push_back(t);
    }
    std::vector<te::Tensor> read = placeholders_read(outputs);
    std::vector<te::Tensor> args;
    std::vector<std::vector<uint8_t>> data;
    for (size_t i = 0; i < placeholders.size(); ++i) {
      bool is_read = std::any_of(read.begin(), read.end(),
                                 [&](const te::Tensor &t) { return t.same_as(placeholders[i]); });
      if (!is_read) continue;
      args.push_back(placeholders[i]);
      data.push_back(placeholder_data[i]->bytes);
    }
    std::vector<std::vector<uint8_t>> got;
    try {
      got = run_default_typed(args, outputs, data);
    } catch (const std::exception &e) {
      return fail(std::string("build/run: ") + e.what());
    }
    for (size_t m = 0; m < outputs.size(); ++m) {
      auto g_data = TensorData::make(outputs[m].dtype(), outputs[m].shape());
      g_data->bytes = got[m];
      std::string diff = compare(*g_data, *expected[m]);
      if (!diff.empty()) {
        return fail("set " + std::to_string(set) + " output " + std::to_string(m) + " " + diff);
      }
    }
  }
  if (sets == 0) return fail("no test data sets");
  return {};
}

TEST(OnnxNodeTests, ManifestCasesMatchExpectedOutputs) {
  std::string manifest =
      env_or("ONNX_NODE_TESTS_MANIFEST", "/work/shared/onnx-node-tests/MANIFEST.tsv");
  std::string data_root = env_or("ONNX_NODE_TESTS_DATA", "/usr/share/libonnx-testdata/data");
  std::vector<ManifestCase> cases = read_manifest(manifest);
  ASSERT_FALSE(cases.empty()) << "no ONNX node test manifest at " << manifest
                              << " (set ONNX_NODE_TESTS_MANIFEST)";
  const char *only = std::getenv("ONNX_NODE_TESTS_FILTER");  // substring of test names

  auto start = std::chrono::steady_clock::now();
  int passed = 0, failed = 0, skipped = 0, float_total = 0, float_passed = 0;
  std::map<std::string, int> skip_reasons;
  std::ostringstream failures;
  for (const ManifestCase &c : cases) {
    if (only && c.name.find(only) == std::string::npos) continue;
    CaseResult r = run_case(c, data_root);
    switch (r.status) {
      case Status::Pass:
        ++passed;
        break;
      case Status::Fail:
        ++failed;
        failures << "  FAIL " << c.name << " (" << c.op << "): " << r.reason << "\n";
        if (kKnownDifferences.count(c.name)) {
          failures << "       known: " << kKnownDifferences.at(c.name) << "\n";
        }
        break;
      case Status::Skip:
        ++skipped;
        ++skip_reasons[r.reason];
        break;
    }
    if (c.float32) {
      ++float_total;
      if (r.status == Status::Pass) ++float_passed;
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "onnx node tests: " << passed << " passed, " << failed << " failed, " << skipped
            << " skipped\n"
            << "float32 cases: " << float_passed << "/" << float_total << " passed (" << seconds
            << " s)\n"
            << failures.str();
  for (const auto &[reason, count] : skip_reasons) {
    std::cout << "  skipped " << count << " (" << reason << ")\n";
  }
  if (only) return;
  ASSERT_GT(float_total, 0);
  EXPECT_GE(static_cast<double>(float_passed), 0.95 * float_total)
      << float_passed << " of " << float_total << " float32 cases passed";
}

}  // namespace
}  // namespace autotune::test

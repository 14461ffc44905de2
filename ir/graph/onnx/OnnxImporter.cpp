// The ONNX frontend: turns a serialized ONNX ModelProto into the graph IR, the first step of the
// graph recipe. This is the only file that sees protobuf types; every problem with the model
// becomes a one-line UserError that names the file.
#include "ir/graph/onnx/OnnxImporter.h"

#include <onnx/onnx_pb.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <new>
#include <optional>
#include <queue>
#include <set>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace autotune::graph {
namespace {

namespace fs = std::filesystem;
using onnx::TensorProto;

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "raw_data and external data are little-endian and copied as they are");

constexpr int64_t kMinOpset = 7;
constexpr int64_t kMaxOpset = 18;
/// Names longer than this are cut in messages (a corrupt file may hold megabyte-long names).
constexpr size_t kMaxQuotedChars = 200;
/// Larger element counts are certainly corrupt; the bound keeps `count * 8` from overflowing.
constexpr int64_t kMaxElements = INT64_MAX / 16;
constexpr const char *kSupportedTypes =
    "float32, float64, float16, int8, int16, int32, int64, uint8, uint16, uint32, uint64, bool";

/// `s` made safe for a one-line message: control bytes become \xNN and long strings are cut.
std::string printable(const std::string &s) {
  std::string out;
  for (unsigned char c : s) {
    if (out.size() >= kMaxQuotedChars) {
      out += "...";
      break;
    }
    if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string quoted(const std::string &s) { return "'" + printable(s) + "'"; }

std::string type_name(int32_t t) {
  switch (t) {
    case TensorProto::UNDEFINED: return "undefined";
    case TensorProto::FLOAT: return "float32";
    case TensorProto::UINT8: return "uint8";
    case TensorProto::INT8: return "int8";
    case TensorProto::UINT16: return "uint16";
    case TensorProto::INT16: return "int16";
    case TensorProto::INT32: return "int32";
    case TensorProto::INT64: return "int64";
    case TensorProto::STRING: return "string";
    case TensorProto::BOOL: return "bool";
    case TensorProto::FLOAT16: return "float16";
    case TensorProto::DOUBLE: return "float64";
    case TensorProto::UINT32: return "uint32";
    case TensorProto::UINT64: return "uint64";
    case TensorProto::COMPLEX64: return "complex64";
    case TensorProto::COMPLEX128: return "complex128";
    case TensorProto::BFLOAT16: return "bfloat16";
    default: return "unknown (" + std::to_string(t) + ")";
  }
}

/// The graph-IR type of an ONNX element type; float16 maps to float32 (we convert the data).
std::optional<DataType> to_dtype(int32_t t) {
  switch (t) {
    case TensorProto::FLOAT:
    case TensorProto::FLOAT16: return ir::Float(32);
    case TensorProto::DOUBLE: return ir::Float(64);
    case TensorProto::INT8: return ir::Int(8);
    case TensorProto::INT16: return ir::Int(16);
    case TensorProto::INT32: return ir::Int(32);
    case TensorProto::INT64: return ir::Int(64);
    case TensorProto::UINT8: return ir::UInt(8);
    case TensorProto::UINT16: return ir::UInt(16);
    case TensorProto::UINT32: return ir::UInt(32);
    case TensorProto::UINT64: return ir::UInt(64);
    case TensorProto::BOOL: return ir::Bool();
    default: return std::nullopt;
  }
}

/// Bytes per element in raw_data and external files (float16 is stored in 2 bytes).
size_t stored_bytes(int32_t t) {
  return t == TensorProto::FLOAT16 ? 2 : static_cast<size_t>(to_dtype(t)->bytes());
}

/// IEEE half → float, subnormals, infinities and NaNs included.
float half_to_float(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exponent = (h >> 10) & 0x1fu;
  uint32_t mantissa = h & 0x3ffu;
  uint32_t bits;
  if (exponent == 0 && mantissa == 0) {
    bits = sign;
  } else if (exponent == 0) {
    // Subnormal: shift the mantissa up until its leading one becomes the implicit bit.
    int shift = 0;
    while (!(mantissa & 0x400u)) {
      mantissa <<= 1;
      ++shift;
    }
    bits = sign | ((113u - static_cast<uint32_t>(shift)) << 23) | ((mantissa & 0x3ffu) << 13);
  } else if (exponent == 31) {
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else {
    bits = sign | ((exponent + 112u) << 23) | (mantissa << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

/// Parses a non-negative decimal integer, or nullopt.
std::optional<int64_t> parse_size(const std::string &s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

/// True when `path` is `dir` or lies below it (both canonical).
bool is_within(const fs::path &path, const fs::path &dir) {
  auto mismatch = std::mismatch(dir.begin(), dir.end(), path.begin(), path.end());
  return mismatch.first == dir.end();
}

/// Converts TensorProtos (initializers, tensor attributes) into constants, reading external data
/// files relative to the model directory.
class TensorReader {
 public:
  explicit TensorReader(std::string model_dir)
      : model_dir_(model_dir.empty() ? fs::path(".") : fs::path(model_dir)) {}

  /// `what` names the tensor in messages ("initializer 'w'").
  ConstantPtr read(const TensorProto &t, const std::string &what) const {
    user_check(!t.has_segment()) << what << ": segmented tensors are not supported";
    const int32_t type = t.data_type();
    std::optional<DataType> dtype = to_dtype(type);
    user_check(dtype.has_value()) << what << ": data type " << type_name(type)
                                  << " is not supported (supported: " << kSupportedTypes << ")";
    std::vector<int64_t> shape(t.dims().begin(), t.dims().end());
    int64_t count = 1;
    for (int64_t d : shape) {
      user_check(d >= 0) << what << ": negative dimension in shape " << shape_str(shape);
      user_check(!__builtin_mul_overflow(count, d, &count) && count <= kMaxElements)
          << what << ": shape " << shape_str(shape) << " is too large";
    }
    const size_t expected_bytes = static_cast<size_t>(count) * stored_bytes(type);
    const std::string described =
        std::to_string(count) + " " + type_name(type) + " values, shape " + shape_str(shape);

    if (t.data_location() == TensorProto::EXTERNAL) {
      std::string bytes = read_external(t, what, expected_bytes);
      return from_raw(bytes, type, *dtype, shape);
    }
    if (t.has_raw_data()) {
      user_check(t.raw_data().size() == expected_bytes)
          << what << ": raw_data has " << t.raw_data().size() << " bytes, expected "
          << expected_bytes << " (" << described << ")";
      return from_raw(t.raw_data(), type, *dtype, shape);
    }
    return from_typed_field(t, what, count, described, *dtype, shape);
  }

 private:
  /// Little-endian bytes → tensor (float16 widened, bools normalized to 0/1).
  static ConstantPtr from_raw(const std::string &bytes, int32_t type, DataType dtype,
                              const std::vector<int64_t> &shape) {
    auto out = TensorData::make(dtype, shape);
    const int64_t n = out->size();
    if (type == TensorProto::FLOAT16) {
      float *dst = out->mutable_data<float>();
      for (int64_t i = 0; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, bytes.data() + 2 * i, 2);
        dst[i] = half_to_float(h);
      }
    } else if (type == TensorProto::BOOL) {
      for (int64_t i = 0; i < n; ++i) out->bytes[i] = bytes[i] != 0;
    } else if (!bytes.empty()) {
      std::memcpy(out->bytes.data(), bytes.data(), bytes.size());
    }
    return out;
  }

  template <typename Dst, typename Field>
  static void copy_field(const Field &field, TensorData &out) {
    Dst *dst = out.mutable_data<Dst>();
    for (int i = 0; i < field.size(); ++i) dst[i] = static_cast<Dst>(field.Get(i));
  }

  /// Values in float_data, int32_data, int64_data, double_data or uint64_data, by data type as
  /// the ONNX spec assigns them (int32_data also holds bool, 8/16-bit ints and float16 bits).
  static ConstantPtr from_typed_field(const TensorProto &t, const std::string &what, int64_t count,
                                      const std::string &described, DataType dtype,
                                      const std::vector<int64_t> &shape) {
    const int32_t type = t.data_type();
    const char *field;
    int stored;
    switch (type) {
      case TensorProto::FLOAT:
        field = "float_data";
        stored = t.float_data_size();
        break;
      case TensorProto::DOUBLE:
        field = "double_data";
        stored = t.double_data_size();
        break;
      case TensorProto::INT64:
        field = "int64_data";
        stored = t.int64_data_size();
        break;
      case TensorProto::UINT32:
      case TensorProto::UINT64:
        field = "uint64_data";
        stored = t.uint64_data_size();
        break;
      default:
        field = "int32_data";
        stored = t.int32_data_size();
        break;
    }
    user_check(stored == count) << what << ": holds " << stored << " values in " << field
                                << ", expected " << described;
    auto out = TensorData::make(dtype, shape);
    switch (type) {
      case TensorProto::FLOAT: copy_field<float>(t.float_data(), *out); break;
      case TensorProto::DOUBLE: copy_field<double>(t.double_data(), *out); break;
      case TensorProto::INT64: copy_field<int64_t>(t.int64_data(), *out); break;
      case TensorProto::UINT32: copy_field<uint32_t>(t.uint64_data(), *out); break;
      case TensorProto::UINT64: copy_field<uint64_t>(t.uint64_data(), *out); break;
      case TensorProto::INT32: copy_field<int32_t>(t.int32_data(), *out); break;
      case TensorProto::INT16: copy_field<int16_t>(t.int32_data(), *out); break;
      case TensorProto::INT8: copy_field<int8_t>(t.int32_data(), *out); break;
      case TensorProto::UINT16: copy_field<uint16_t>(t.int32_data(), *out); break;
      case TensorProto::UINT8: copy_field<uint8_t>(t.int32_data(), *out); break;
      case TensorProto::BOOL:
        for (int i = 0; i < stored; ++i) out->bytes[i] = t.int32_data(i) != 0;
        break;
      case TensorProto::FLOAT16: {
        float *dst = out->mutable_data<float>();
        for (int i = 0; i < stored; ++i) {
          dst[i] = half_to_float(static_cast<uint16_t>(t.int32_data(i)));
        }
        break;
      }
      default: internal_error << "unhandled tensor type " << type_name(type);
    }
    return out;
  }

  /// The tensor's bytes from its external data file (keys location, offset, length).
  std::string read_external(const TensorProto &t, const std::string &what,
                            size_t expected_bytes) const {
    std::string location;
    int64_t offset = 0;
    std::optional<int64_t> length;
    for (const auto &entry : t.external_data()) {
      if (entry.key() == "location") {
        location = entry.value();
      } else if (entry.key() == "offset" || entry.key() == "length") {
        std::optional<int64_t> v = parse_size(entry.value());
        user_check(v.has_value()) << what << ": external data " << entry.key() << " "
                                  << quoted(entry.value()) << " is not a non-negative integer";
        if (entry.key() == "offset") {
          offset = *v;
        } else {
          length = *v;
        }
      }
    }
    user_check(!location.empty()) << what << ": stored as external data without a 'location'";
    const fs::path relative = fs::path(location).lexically_normal();
    const bool escapes = location.find('\0') != std::string::npos || relative.has_root_path() ||
                         (!relative.empty() && *relative.begin() == "..");
    user_check(!escapes) << what << ": external data location " << quoted(location)
                         << " is outside the model directory";
    const fs::path file = model_dir_ / relative;
    std::error_code ec;
    user_check(fs::exists(file, ec))
        << what << ": external data file " << quoted(file.string()) << " is missing";
    // Symbolic links may not lead out of the model directory either.
    std::error_code ec_dir;
    const fs::path real = fs::canonical(file, ec), real_dir = fs::canonical(model_dir_, ec_dir);
    user_check(!ec && !ec_dir && is_within(real, real_dir))
        << what << ": external data file " << quoted(file.string())
        << " is outside the model directory";
    user_check(fs::is_regular_file(real, ec))
        << what << ": external data file " << quoted(file.string()) << " is not a regular file";
    const uintmax_t file_size = fs::file_size(real, ec);
    user_check(!ec) << what << ": cannot read external data file " << quoted(file.string()) << ": "
                    << ec.message();
    user_check(!length || static_cast<size_t>(*length) == expected_bytes)
        << what << ": external data length " << *length << " does not match the tensor's "
        << expected_bytes << " bytes";
    user_check(static_cast<uintmax_t>(offset) <= file_size &&
               expected_bytes <= file_size - static_cast<uintmax_t>(offset))
        << what << ": external data file " << quoted(file.string()) << " has " << file_size
        << " bytes, too few for " << expected_bytes << " bytes at offset " << offset;

    std::string bytes(expected_bytes, '\0');
    std::FILE *f = std::fopen(real.c_str(), "rb");
    bool ok = f && fseeko(f, static_cast<off_t>(offset), SEEK_SET) == 0 &&
              std::fread(bytes.data(), 1, expected_bytes, f) == expected_bytes;
    const int err = errno;
    if (f) std::fclose(f);
    user_check(ok) << what << ": cannot read external data file " << quoted(file.string()) << ": "
                   << std::strerror(err);
    return bytes;
  }

  fs::path model_dir_;
};

/// The attribute's value, or nullopt for kinds the graph IR has no form for (GRAPH(S), SPARSE
/// tensors, TYPE_PROTO(S)). `owner` is "node 'n' (Op)".
std::optional<Attribute> convert_attribute(const onnx::AttributeProto &a, const std::string &owner,
                                           const TensorReader &reader) {
  using onnx::AttributeProto;
  auto type = a.type();
  if (type == AttributeProto::UNDEFINED) {
    // Models from before IR version 3 leave the type unset; the filled field tells it.
    const std::pair<bool, AttributeProto::AttributeType> filled[] = {
        {a.has_f(), AttributeProto::FLOAT},
        {a.has_i(), AttributeProto::INT},
        {a.has_s(), AttributeProto::STRING},
        {a.has_t(), AttributeProto::TENSOR},
        {a.floats_size() > 0, AttributeProto::FLOATS},
        {a.ints_size() > 0, AttributeProto::INTS},
        {a.strings_size() > 0, AttributeProto::STRINGS}};
    for (const auto &[is_filled, kind] : filled) {
      if (is_filled) {
        type = kind;
        break;
      }
    }
  }
  switch (type) {
    case AttributeProto::FLOAT: return Attribute(static_cast<double>(a.f()));
    case AttributeProto::INT: return Attribute(static_cast<int64_t>(a.i()));
    case AttributeProto::STRING: return Attribute(a.s());
    case AttributeProto::TENSOR:
      return Attribute(reader.read(a.t(), owner + ", attribute " + quoted(a.name())));
    case AttributeProto::FLOATS:
      return Attribute(std::vector<double>(a.floats().begin(), a.floats().end()));
    case AttributeProto::INTS:
      return Attribute(std::vector<int64_t>(a.ints().begin(), a.ints().end()));
    case AttributeProto::STRINGS:
      return Attribute(std::vector<std::string>(a.strings().begin(), a.strings().end()));
    default: return std::nullopt;
  }
}

/// The opset of the default domain ("" or "ai.onnx"), checked against 7..18.
int64_t default_opset(const onnx::ModelProto &m) {
  std::optional<int64_t> opset;
  for (const auto &o : m.opset_import()) {
    if (!o.domain().empty() && o.domain() != "ai.onnx") continue;
    user_check(!opset || *opset == o.version())
        << "the model imports the default ONNX domain twice, as opsets " << *opset << " and "
        << o.version();
    opset = o.version();
  }
  user_check(opset.has_value()) << "the model imports no opset of the default ONNX domain";
  user_check(*opset >= kMinOpset && *opset <= kMaxOpset)
      << "opset " << *opset << " is not supported (supported: " << kMinOpset << " to " << kMaxOpset
      << "); convert the model with onnx.version_converter";
  return *opset;
}

/// Builds the Graph of one GraphProto.
///
/// Algorithm:
/// 1. Initializers become constant Values; graph inputs that are initializers too are skipped,
///    the others become runtime inputs with static shapes (overrides, batch dim → 1).
/// 2. Every node gets a name and its domain checked; a map from value name to producing node
///    finds each input's producer (or reports an input nobody provides).
/// 3. Nodes are ordered topologically (Kahn's algorithm, ties by file order, so an already
///    sorted model keeps its order); leftovers mean a cycle, reported through one of its nodes.
/// 4. In that order: Constant nodes become constant Values, Identity of a constant aliases the
///    constant, every other node becomes a Node whose outputs take value_info shapes.
/// 5. Graph outputs are looked up by name.
///   Before: initializer w; x → Identity(w) → w2; Conv(x, w2) → y
///   After:  constant w; Conv(x, w) → y
class OnnxImporter {
 public:
  OnnxImporter(const onnx::GraphProto &proto, int64_t opset, const std::string &model_dir,
               const ImportOptions &opt)
      : proto_(proto), opt_(opt), reader_(model_dir) {
    graph_.opset = opset;
    graph_.name = printable(proto.name());
  }

  Graph run() {
    user_check(proto_.sparse_initializer_size() == 0)
        << "sparse initializers are not supported (first: "
        << quoted(proto_.sparse_initializer(0).values().name()) << ")";
    index_value_infos();
    import_initializers();
    import_inputs();
    describe_nodes();
    for (int i : topological_order()) import_node(i);
    import_outputs();
    graph_.verify();
    return std::move(graph_);
  }

 private:
  /// Graph outputs and value_info entries by name, for dtypes and static shapes of node outputs.
  void index_value_infos() {
    for (const auto &vi : proto_.output()) {
      value_infos_[vi.name()] = &vi;
      output_names_.insert(vi.name());
    }
    for (const auto &vi : proto_.value_info()) value_infos_[vi.name()] = &vi;
  }

  ValueId add_constant(const std::string &name, ConstantPtr c) {
    Value v;
    v.name = name;
    v.dtype = c->dtype;
    v.shape = c->shape;
    v.shape_known = true;
    v.constant = std::move(c);
    ValueId id = graph_.add_value(std::move(v));
    value_of_[name] = id;
    return id;
  }

  void import_initializers() {
    for (const auto &t : proto_.initializer()) {
      user_check(!t.name().empty()) << "an initializer has no name";
      user_check(!value_of_.count(t.name()))
          << "initializer " << quoted(t.name()) << " is defined twice";
      add_constant(t.name(), reader_.read(t, "initializer " + quoted(t.name())));
    }
  }

  void import_inputs() {
    std::set<std::string> runtime_inputs;
    for (const auto &vi : proto_.input()) {
      const std::string &name = vi.name();
      // Old exporters list weights as inputs too; the initializer makes them constants.
      if (value_of_.count(name) && !runtime_inputs.count(name)) continue;
      user_check(!name.empty()) << "a graph input has no name";
      user_check(runtime_inputs.insert(name).second)
          << "graph input " << quoted(name) << " is listed twice";
      user_check(vi.has_type() && vi.type().has_tensor_type())
          << "graph input " << quoted(name)
          << " is not a tensor (sequence, map and optional inputs are not supported)";
      const auto &tensor_type = vi.type().tensor_type();
      std::optional<DataType> dtype = to_dtype(tensor_type.elem_type());
      user_check(dtype.has_value())
          << "graph input " << quoted(name) << ": data type " << type_name(tensor_type.elem_type())
          << " is not supported (supported: " << kSupportedTypes << ")";
      Value v;
      v.name = name;
      v.dtype = *dtype;
      v.shape = input_shape(name, tensor_type);
      v.shape_known = true;
      ValueId id = graph_.add_value(std::move(v));
      value_of_[name] = id;
      graph_.inputs.push_back(id);
    }
    for (const auto &[name, shape] : opt_.input_shapes) {
      if (runtime_inputs.count(name)) continue;
      user_check(!value_of_.count(name)) << "input shape given for " << quoted(name)
                                         << ", which is an initializer (a constant), not a "
                                            "runtime input";
      std::string names;
      for (const std::string &in : runtime_inputs) {
        names += (names.empty() ? "" : ", ") + quoted(in);
      }
      user_error << "input shape given for " << quoted(name)
                 << ", which is not a graph input (inputs: " << names << ")";
    }
  }

  /// The static shape of runtime input `name`: the override if given (it must fit the declared
  /// shape), else the declared shape with a symbolic first dimension set to 1.
  std::vector<int64_t> input_shape(const std::string &name,
                                   const onnx::TypeProto::Tensor &tensor_type) const {
    const bool has_rank = tensor_type.has_shape();
    std::vector<std::optional<int64_t>> declared;
    std::string spelled;  // "[N, 3, 224, 224]"
    if (has_rank) {
      for (const auto &dim : tensor_type.shape().dim()) {
        const bool fixed = dim.has_dim_value() && dim.dim_value() >= 0;
        declared.push_back(fixed ? std::optional<int64_t>(dim.dim_value()) : std::nullopt);
        spelled += spelled.empty() ? "[" : ", ";
        spelled += fixed ? std::to_string(dim.dim_value())
                         : (dim.dim_param().empty() ? "?" : printable(dim.dim_param()));
      }
      spelled = declared.empty() ? "[]" : spelled + "]";
    }
    auto it = opt_.input_shapes.find(name);
    if (it != opt_.input_shapes.end()) {
      const std::vector<int64_t> &given = it->second;
      bool fits = !has_rank || given.size() == declared.size();
      for (size_t i = 0; fits && has_rank && i < given.size(); ++i) {
        fits = !declared[i] || *declared[i] == given[i];
      }
      user_check(fits) << "input shape for " << quoted(name)
                       << " does not match the model: expected " << spelled << ", given "
                       << shape_str(given);
      for (int64_t d : given) {
        user_check(d >= 0) << "input shape for " << quoted(name)
                           << " has a negative dimension: given " << shape_str(given);
      }
      return given;
    }
    user_check(has_rank) << "graph input " << quoted(name)
                         << " has no declared shape; give its shape as an input shape override";
    std::vector<int64_t> shape;
    for (size_t i = 0; i < declared.size(); ++i) {
      if (declared[i]) {
        shape.push_back(*declared[i]);
        continue;
      }
      const std::string &param = tensor_type.shape().dim(static_cast<int>(i)).dim_param();
      user_check(i == 0) << "graph input " << quoted(name) << " has symbolic dimension " << i
                         << (param.empty() ? "" : " (" + quoted(param) + ")") << " in shape "
                         << spelled << "; only the first (batch) dimension defaults to 1, so "
                         << "give the input's shape as an input shape override";
      shape.push_back(1);
    }
    return shape;
  }

  /// Names nodes, checks their domains and records which node writes each value.
  void describe_nodes() {
    const int n = proto_.node_size();
    names_.resize(n);
    descriptions_.resize(n);
    for (int i = 0; i < n; ++i) {
      const auto &node = proto_.node(i);
      Node probe;
      probe.op_type = printable(node.op_type());
      probe.name =
          node.name().empty() ? probe.op_type + "_" + std::to_string(i) : printable(node.name());
      probe.domain = node.domain() == "ai.onnx" ? "" : printable(node.domain());
      names_[i] = probe.name;
      descriptions_[i] = probe.describe();
      user_check(probe.domain.empty())
          << descriptions_[i] << " uses operator domain " << quoted(node.domain())
          << ", which is not supported (only the default ONNX domain is)";
      for (const std::string &out : node.output()) {
        if (out.empty()) continue;
        user_check(!value_of_.count(out)) << descriptions_[i] << " writes " << quoted(out)
                                          << ", which is already a graph input or initializer";
        auto [it, inserted] = producer_.emplace(out, i);
        user_check(inserted) << descriptions_[i] << " writes " << quoted(out) << ", which "
                             << descriptions_[it->second] << " writes too";
      }
    }
  }

  /// Node indices in a topological order that keeps file order where it can.
  std::vector<int> topological_order() const {
    const int n = proto_.node_size();
    std::vector<std::vector<int>> users(n);
    std::vector<int> pending(n, 0);  // inputs whose producer is not emitted yet
    for (int i = 0; i < n; ++i) {
      for (const std::string &in : proto_.node(i).input()) {
        if (in.empty() || value_of_.count(in)) continue;
        auto it = producer_.find(in);
        user_check(it != producer_.end()) << descriptions_[i] << " reads " << quoted(in)
                                          << ", which no initializer, input or node provides";
        users[it->second].push_back(i);
        ++pending[i];
      }
    }
    std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
    for (int i = 0; i < n; ++i) {
      if (pending[i] == 0) ready.push(i);
    }
    std::vector<int> order;
    while (!ready.empty()) {
      int i = ready.top();
      ready.pop();
      order.push_back(i);
      for (int u : users[i]) {
        if (--pending[u] == 0) ready.push(u);
      }
    }
    if (static_cast<int>(order.size()) < n) report_cycle(pending);
    return order;
  }

  /// Every node left with pending inputs has a pending producer; walking producers from one of
  /// them must revisit a node, and that node lies on a cycle.
  [[noreturn]] void report_cycle(const std::vector<int> &pending) const {
    int node =
        static_cast<int>(std::find_if(pending.begin(), pending.end(), [](int p) { return p > 0; }) -
                         pending.begin());
    std::vector<bool> seen(pending.size(), false);
    while (!seen[node]) {
      seen[node] = true;
      for (const std::string &in : proto_.node(node).input()) {
        auto it = producer_.find(in);
        if (!in.empty() && !value_of_.count(in) && it != producer_.end() &&
            pending[it->second] > 0) {
          node = it->second;
          break;
        }
      }
    }
    user_error << "the graph has a cycle through " << descriptions_[node]
               << ": it depends on its own output";
    throw std::logic_error("unreachable");
  }

  void import_node(int index) {
    const auto &proto = proto_.node(index);
    const std::string &describe = descriptions_[index];
    if (proto.op_type() == "Constant") {
      import_constant(proto, describe);
      return;
    }
    if (proto.op_type() == "Identity" && proto.input_size() == 1 && proto.output_size() == 1 &&
        !proto.input(0).empty() && !proto.output(0).empty()) {
      ValueId in = value_of_.at(proto.input(0));
      if (graph_.value(in).constant) {
        // Exporters share weights through Identity: keep one Value, except where the graph
        // output needs its own name.
        if (output_names_.count(proto.output(0))) {
          add_constant(proto.output(0), graph_.value(in).constant);
        } else {
          value_of_[proto.output(0)] = in;
        }
        return;
      }
    }
    Node node;
    node.name = names_[index];
    node.op_type = printable(proto.op_type());
    for (const std::string &in : proto.input()) {
      node.inputs.push_back(in.empty() ? kNone : value_of_.at(in));
    }
    // Omitted optional outputs: trailing ones are dropped, inner ones get an unused value.
    int used_outputs = proto.output_size();
    while (used_outputs > 0 && proto.output(used_outputs - 1).empty()) --used_outputs;
    for (int j = 0; j < used_outputs; ++j) {
      const std::string &out = proto.output(j);
      Value v;
      v.name = out.empty() ? node.name + ":unused_output_" + std::to_string(j) : out;
      fill_from_value_info(v);
      ValueId id = graph_.add_value(std::move(v));
      if (!out.empty()) value_of_[out] = id;
      node.outputs.push_back(id);
    }
    for (const auto &a : proto.attribute()) {
      if (std::optional<Attribute> value = convert_attribute(a, describe, reader_)) {
        node.attrs.set(a.name(), std::move(*value));
      }
    }
    node.attrs.owner = describe;
    graph_.add_node(std::move(node));
  }

  /// A Constant node becomes a constant Value named after its output.
  void import_constant(const onnx::NodeProto &proto, const std::string &describe) {
    user_check(proto.output_size() == 1 && !proto.output(0).empty())
        << describe << " must have exactly one output";
    ConstantPtr c;
    for (const auto &a : proto.attribute()) {
      const std::string &name = a.name();
      if (name == "value") {
        c = reader_.read(a.t(), describe + ", attribute 'value'");
      } else if (name == "value_float") {
        c = TensorData::from_floats({}, {a.f()});
      } else if (name == "value_floats") {
        std::vector<float> values(a.floats().begin(), a.floats().end());
        c = TensorData::from_floats({static_cast<int64_t>(values.size())}, values);
      } else if (name == "value_int") {
        c = TensorData::from_int64s({}, {a.i()});
      } else if (name == "value_ints") {
        std::vector<int64_t> values(a.ints().begin(), a.ints().end());
        c = TensorData::from_int64s({static_cast<int64_t>(values.size())}, values);
      } else if (name == "value_string" || name == "value_strings") {
        user_error << describe << " holds a string constant, which is not supported";
      } else if (name == "sparse_value") {
        user_error << describe << " holds a sparse tensor, which is not supported";
      }
    }
    user_check(c != nullptr) << describe
                             << " has no value attribute (value, value_float(s) or value_int(s))";
    add_constant(proto.output(0), std::move(c));
  }

  /// dtype and, when every dim is fixed, the shape from value_info or the graph outputs.
  void fill_from_value_info(Value &v) const {
    auto it = value_infos_.find(v.name);
    if (it == value_infos_.end() || !it->second->type().has_tensor_type()) return;
    const auto &tensor_type = it->second->type().tensor_type();
    if (std::optional<DataType> dtype = to_dtype(tensor_type.elem_type())) v.dtype = *dtype;
    if (!tensor_type.has_shape()) return;
    std::vector<int64_t> shape;
    for (const auto &dim : tensor_type.shape().dim()) {
      if (!dim.has_dim_value() || dim.dim_value() < 0) return;
      shape.push_back(dim.dim_value());
    }
    v.shape = std::move(shape);
    v.shape_known = true;
  }

  void import_outputs() {
    for (const auto &vi : proto_.output()) {
      user_check(!vi.name().empty()) << "a graph output has no name";
      auto it = value_of_.find(vi.name());
      user_check(it != value_of_.end()) << "graph output " << quoted(vi.name())
                                        << " is not produced by any node, input or initializer";
      graph_.outputs.push_back(it->second);
    }
  }

  const onnx::GraphProto &proto_;
  const ImportOptions &opt_;
  TensorReader reader_;
  Graph graph_;
  std::unordered_map<std::string, ValueId> value_of_;
  std::unordered_map<std::string, const onnx::ValueInfoProto *> value_infos_;
  std::unordered_set<std::string> output_names_;
  std::unordered_map<std::string, int> producer_;  ///< value name → index of the writing node
  std::vector<std::string> names_;                 ///< node names, by file index
  std::vector<std::string> descriptions_;          ///< "node 'conv1' (Conv)", by file index
};

/// Parses and imports; `model` names the model in messages ("ONNX model 'x.onnx'"), `noun` is
/// what was read ("file" or "data").
Graph import_model(const std::string &bytes, const std::string &model_dir, const std::string &model,
                   const char *noun, const ImportOptions &opt) {
  user_check(bytes.size() <= static_cast<size_t>(INT_MAX))
      << "failed to parse " << model << ": " << noun
      << " is larger than 2 GiB; keep the weights in external data files";
  onnx::ModelProto proto;
  bool parsed;
  try {
    parsed = proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
  } catch (const std::bad_alloc &) {
    parsed = false;
  }
  // Random bytes sometimes parse as a message of unknown fields: call that garbage too.
  const bool looks_like_model =
      proto.has_graph() || proto.opset_import_size() > 0 || proto.ir_version() > 0;
  user_check(parsed && looks_like_model)
      << "failed to parse " << model << ": " << noun << " is truncated or not an ONNX model";
  try {
    user_check(proto.has_graph()) << "the model has no graph";
    const int64_t opset = default_opset(proto);
    return OnnxImporter(proto.graph(), opset, model_dir, opt).run();
  } catch (const UserError &e) {
    throw UserError(model + ": " + e.what());
  } catch (const std::bad_alloc &) {
    throw UserError(model + ": out of memory while importing (is a tensor's size corrupt?)");
  } catch (const std::length_error &) {
    throw UserError(model + ": out of memory while importing (is a tensor's size corrupt?)");
  }
}

/// The whole file at `path`, or UserError.
std::string read_model_file(const std::string &path) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    user_error << "cannot read ONNX model " << quoted(path) << ": it is a directory";
  }
  std::FILE *f = std::fopen(path.c_str(), "rb");
  user_check(f != nullptr) << "cannot open ONNX model " << quoted(path) << ": "
                           << std::strerror(errno);
  std::string bytes;
  bool ok = true, out_of_memory = false;
  try {
    char buf[1 << 16];
    size_t got;
    while ((got = std::fread(buf, 1, sizeof buf, f)) > 0) bytes.append(buf, got);
    ok = !std::ferror(f);
  } catch (const std::exception &) {  // bad_alloc or length_error for huge files
    out_of_memory = true;
  }
  const int err = errno;
  std::fclose(f);
  user_check(!out_of_memory) << "cannot read ONNX model " << quoted(path) << ": out of memory";
  user_check(ok) << "cannot read ONNX model " << quoted(path) << ": " << std::strerror(err);
  return bytes;
}

}  // namespace

Graph import_onnx(const std::string &path, const ImportOptions &opt) {
  const std::string bytes = read_model_file(path);
  return import_model(bytes, fs::path(path).parent_path().string(), "ONNX model " + quoted(path),
                      "file", opt);
}

Graph import_onnx_bytes(const std::string &bytes, const std::string &model_dir,
                        const ImportOptions &opt) {
  return import_model(bytes, model_dir, "ONNX model (in memory)", "data", opt);
}

void check_supported_ops(const Graph &g, std::function<bool(const std::string &)> is_supported) {
  internal_check(static_cast<bool>(is_supported)) << "check_supported_ops needs a predicate";
  for (const Node &node : g.nodes) {
    if (!node.domain.empty()) continue;
    user_check(is_supported(node.op_type))
        << "unsupported operator '" << node.op_type << "' (opset " << g.opset << ") at node '"
        << node.name << "'";
  }
}

std::shared_ptr<TensorData> read_tensor_proto_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  user_check(in.good()) << "cannot open tensor file '" << path << "'";
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  TensorProto t;
  user_check(bytes.size() <= static_cast<size_t>(std::numeric_limits<int>::max()) &&
             t.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
      << "failed to parse tensor file '" << path << "': not an ONNX TensorProto";
  TensorReader reader(fs::path(path).parent_path().string());
  ConstantPtr c = reader.read(t, "tensor file '" + path + "'");
  return std::make_shared<TensorData>(*c);
}

}  // namespace autotune::graph

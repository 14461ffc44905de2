// The JSON and data layout of RunModel and ModelReply frames (ModelProtocol.h).
#include "measure/worker/ModelProtocol.h"

#include <cmath>
#include <string>

#include "codegen/runtime/DeployedModel.h"
#include "measure/worker/detail/JsonMessage.h"

namespace autotune::measure {
namespace {

using detail::Fields;
using detail::json;
using detail::make_frame;
using detail::parse_meta;

constexpr size_t kMaxRank = 16;
constexpr size_t kMaxTimes = static_cast<size_t>(kMaxModelRuns);

/// Appends the tensors' bytes to `data` and returns their JSON specs. `what` names the message.
json tensors_to_json(const std::vector<ModelTensor> &tensors, const char *what, std::string *data) {
  if (tensors.size() > kMaxModelTensors) {
    throw ProtocolError(std::string(what) + " has " + std::to_string(tensors.size()) +
                        " tensors, more than the limit of " + std::to_string(kMaxModelTensors));
  }
  size_t total = 0;
  for (const ModelTensor &t : tensors) total += t.bytes.size();
  if (total > kMaxDataBytes) {
    throw ProtocolError(std::string(what) + " carries " + std::to_string(total) +
                        " bytes of tensors, more than the frame limit of " +
                        std::to_string(kMaxDataBytes));
  }
  data->reserve(data->size() + total);
  json specs = json::array();
  for (const ModelTensor &t : tensors) {
    int64_t expected = model_tensor_bytes(t.dtype, t.shape);
    if (expected < 0 || static_cast<uint64_t>(expected) != t.bytes.size()) {
      throw ProtocolError(std::string(what) + ": tensor '" + t.name + "' (" + t.dtype + ") has " +
                          std::to_string(t.bytes.size()) + " bytes, its dtype and shape need " +
                          (expected < 0 ? std::string("a valid size") : std::to_string(expected)));
    }
    specs.push_back({{"name", t.name},
                     {"dtype", t.dtype},
                     {"shape", t.shape},
                     {"offset", data->size()},
                     {"bytes", t.bytes.size()}});
    data->append(t.bytes);
  }
  return specs;
}

/// The tensors that `fields`' array `key` describes, their bytes cut out of `data`.
std::vector<ModelTensor> tensors_from_json(const Fields &fields, const char *key, const char *what,
                                           const std::string &data) {
  std::vector<ModelTensor> out;
  for (const json &spec : fields.array(key, kMaxModelTensors)) {
    if (!spec.is_object()) fields.fail(key, "must hold objects");
    std::string message = std::string(what) + " (" + key + ")";
    Fields tf(spec, message.c_str());
    ModelTensor t;
    t.name = tf.str("name");
    t.dtype = tf.str("dtype");
    if (runtime::dtype_bytes(t.dtype) <= 0)
      tf.fail("dtype", "names an unknown type '" + t.dtype + "'");
    for (const json &d : tf.array("shape", kMaxRank)) {
      if (!d.is_number_integer() || d.get<int64_t>() < 0) {
        tf.fail("shape", "must hold non-negative integers");
      }
      t.shape.push_back(d.get<int64_t>());
    }
    uint64_t offset = tf.uinteger("offset");
    uint64_t bytes = tf.uinteger("bytes");
    int64_t expected = model_tensor_bytes(t.dtype, t.shape);
    if (expected < 0) tf.fail("shape", "describes a tensor over the frame limit");
    if (bytes != static_cast<uint64_t>(expected)) {
      tf.fail("bytes", "is " + std::to_string(bytes) + " for tensor '" + t.name +
                           "', its dtype "
                           "and shape need " +
                           std::to_string(expected));
    }
    if (offset > data.size() || bytes > data.size() - offset) {
      tf.fail("offset", "puts tensor '" + t.name + "' (bytes " + std::to_string(offset) + " to " +
                            std::to_string(offset + bytes) + ") outside the frame's " +
                            std::to_string(data.size()) + " data bytes");
    }
    t.bytes = data.substr(static_cast<size_t>(offset), static_cast<size_t>(bytes));
    out.push_back(std::move(t));
  }
  return out;
}

std::string upload_name(const Fields &fields, const char *key) {
  std::string name = fields.str(key);
  if (!is_valid_module_name(name)) fields.fail(key, "is not a valid upload name '" + name + "'");
  return name;
}

}  // namespace

int64_t model_tensor_bytes(const std::string &dtype, const std::vector<int64_t> &shape) {
  int64_t bytes = runtime::dtype_bytes(dtype);
  if (bytes <= 0) return -1;
  for (int64_t d : shape) {
    if (d < 0) return -1;
    if (d != 0 && bytes > static_cast<int64_t>(kMaxDataBytes) / d) return -1;
    bytes *= d;
  }
  return bytes;
}

Frame to_frame(const RunModelRequest &m) {
  std::string data;
  json inputs = tensors_to_json(m.inputs, "RunModel", &data);
  return make_frame(MessageType::RunModel,
                    {{"model_json", m.model_json},
                     {"kernels", m.kernels},
                     {"constants", m.constants},
                     {"inputs", std::move(inputs)},
                     {"warmup", m.warmup},
                     {"repeat", m.repeat},
                     {"threads", m.threads},
                     {"timeout_s", m.timeout_s}},
                    std::move(data));
}

Frame to_frame(const RunModelReply &m) {
  std::string data;
  json outputs = tensors_to_json(m.outputs, "ModelReply", &data);
  // JSON has no infinities or NaNs: such a time travels as null and comes back as NaN.
  json times = json::array();
  for (double t : m.times_s) times.push_back(std::isfinite(t) ? json(t) : json());
  return make_frame(MessageType::ModelReply,
                    {{"outputs", std::move(outputs)},
                     {"times_s", std::move(times)},
                     {"load_s", std::isfinite(m.load_s) ? m.load_s : 0.0},
                     {"cached", m.cached},
                     {"threads", m.threads}},
                    std::move(data));
}

template <>
RunModelRequest from_frame<RunModelRequest>(const Frame &f) {
  json j = parse_meta(f, MessageType::RunModel);
  Fields fields(j, "RunModel");
  RunModelRequest m;
  m.model_json = upload_name(fields, "model_json");
  m.kernels = upload_name(fields, "kernels");
  m.constants = upload_name(fields, "constants");
  m.inputs = tensors_from_json(fields, "inputs", "RunModel", f.data);
  m.warmup = static_cast<int>(fields.integer("warmup", 0, kMaxModelRuns));
  m.repeat = static_cast<int>(fields.integer("repeat", 0, kMaxModelRuns));
  m.threads = static_cast<int>(fields.integer("threads", 0, 4096));
  m.timeout_s = fields.num("timeout_s");
  if (!(m.timeout_s > 0 && m.timeout_s <= kMaxModelTimeoutS)) {
    fields.fail("timeout_s",
                "must be in (0, " + std::to_string(static_cast<int>(kMaxModelTimeoutS)) + "]");
  }
  return m;
}

template <>
RunModelReply from_frame<RunModelReply>(const Frame &f) {
  json j = parse_meta(f, MessageType::ModelReply);
  Fields fields(j, "ModelReply");
  RunModelReply m;
  m.outputs = tensors_from_json(fields, "outputs", "ModelReply", f.data);
  for (const json &t : fields.array("times_s", kMaxTimes)) {
    if (t.is_null()) {
      m.times_s.push_back(std::nan(""));
      continue;
    }
    if (!t.is_number() || t.get<double>() < 0)
      fields.fail("times_s", "must hold non-negative numbers");
    m.times_s.push_back(t.get<double>());
  }
  m.load_s = fields.num("load_s");
  if (!(m.load_s >= 0)) fields.fail("load_s", "must be non-negative");
  m.cached = fields.boolean("cached", false);
  m.threads = static_cast<int>(fields.integer("threads", 1, 1 << 20));
  return m;
}

}  // namespace autotune::measure

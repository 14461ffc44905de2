// Whole-model messages (RunModel, ModelReply): tensors travel as raw data with JSON specs, round
// trips keep every field and byte, and malformed specs (bad names, unknown dtypes, sizes that do
// not match the shape, ranges outside the data, run counts and deadlines out of range) are
// rejected with a message naming the field.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "measure/worker/ModelProtocol.h"
#include "tests/common/TestUtil.h"

namespace autotune::measure {
namespace {

using nlohmann::json;

#define EXPECT_PROTOCOL_ERROR(stmt, substring) EXPECT_ERROR_WITH(ProtocolError, stmt, substring)

ModelTensor tensor(const std::string &name, const std::string &dtype, std::vector<int64_t> shape,
                   char fill) {
  ModelTensor t;
  t.name = name;
  t.dtype = dtype;
  t.shape = std::move(shape);
  t.bytes.assign(static_cast<size_t>(model_tensor_bytes(t.dtype, t.shape)), fill);
  return t;
}

RunModelRequest sample_request() {
  RunModelRequest req;
  req.model_json = "run-model.json";
  req.kernels = "run-kernels.so";
  req.constants = "run-constants.bin";
  req.inputs = {tensor("image", "float32", {1, 3, 4, 4}, 'a'), tensor("ids", "int64", {5}, 'b'),
                tensor("mask", "bool", {2, 3}, 'c')};
  for (size_t i = 0; i < req.inputs[0].bytes.size(); ++i) req.inputs[0].bytes[i] = char(i * 7);
  req.warmup = 2;
  req.repeat = 10;
  req.threads = 4;
  req.timeout_s = 42.5;
  return req;
}

/// `f` with its JSON metadata changed by `edit`.
Frame edited(Frame f, const std::function<void(json &)> &edit) {
  json j = json::parse(f.meta);
  edit(j);
  f.meta = j.dump();
  return f;
}

TEST(ModelProtocol, TensorBytes) {
  EXPECT_EQ(model_tensor_bytes("float32", {1, 3, 224, 224}), 4 * 3 * 224 * 224);
  EXPECT_EQ(model_tensor_bytes("int64", {}), 8);  // a scalar
  EXPECT_EQ(model_tensor_bytes("bool", {0, 5}), 0);
  EXPECT_EQ(model_tensor_bytes("float8", {1}), -1);
  EXPECT_EQ(model_tensor_bytes("float32", {-1}), -1);
  EXPECT_EQ(model_tensor_bytes("float32", {1 << 20, 1 << 20}), -1);  // over the frame limit
}

TEST(ModelProtocol, RequestRoundTrips) {
  RunModelRequest req = sample_request();
  Frame f = to_frame(req);
  EXPECT_EQ(f.type, MessageType::RunModel);
  EXPECT_EQ(f.data.size(), 4 * 48 + 8 * 5 + 6u);
  // The relay reads the deadline from the top level of the JSON.
  EXPECT_DOUBLE_EQ(json::parse(f.meta).at("timeout_s").get<double>(), 42.5);

  // Through the byte encoding as well.
  Frame g;
  g.type = f.type;
  std::string bytes = encode_frame(f);
  FrameHeader h = decode_frame_header(reinterpret_cast<const unsigned char *>(bytes.data()));
  g.meta = bytes.substr(kFrameHeaderBytes, h.meta_bytes);
  g.data = bytes.substr(kFrameHeaderBytes + h.meta_bytes, h.data_bytes);
  RunModelRequest back = from_frame<RunModelRequest>(g);
  EXPECT_EQ(back.model_json, req.model_json);
  EXPECT_EQ(back.kernels, req.kernels);
  EXPECT_EQ(back.constants, req.constants);
  ASSERT_EQ(back.inputs.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(back.inputs[i].name, req.inputs[i].name);
    EXPECT_EQ(back.inputs[i].dtype, req.inputs[i].dtype);
    EXPECT_EQ(back.inputs[i].shape, req.inputs[i].shape);
    EXPECT_EQ(back.inputs[i].bytes, req.inputs[i].bytes) << i;
  }
  EXPECT_EQ(back.warmup, 2);
  EXPECT_EQ(back.repeat, 10);
  EXPECT_EQ(back.threads, 4);
  EXPECT_DOUBLE_EQ(back.timeout_s, 42.5);
}

TEST(ModelProtocol, ReplyRoundTrips) {
  RunModelReply r;
  r.outputs = {tensor("logits", "float32", {1, 10}, 'x'), tensor("empty", "float32", {0}, 'y')};
  r.times_s = {0.0125, 0.011, std::nan("")};
  r.load_s = 0.5;
  r.cached = true;
  r.threads = 2;
  RunModelReply back = from_frame<RunModelReply>(to_frame(r));
  ASSERT_EQ(back.outputs.size(), 2u);
  EXPECT_EQ(back.outputs[0].name, "logits");
  EXPECT_EQ(back.outputs[0].bytes, r.outputs[0].bytes);
  EXPECT_EQ(back.outputs[1].shape, (std::vector<int64_t>{0}));
  EXPECT_TRUE(back.outputs[1].bytes.empty());
  ASSERT_EQ(back.times_s.size(), 3u);
  EXPECT_DOUBLE_EQ(back.times_s[0], 0.0125);
  EXPECT_TRUE(std::isnan(back.times_s[2]));  // non-finite travels as null
  EXPECT_DOUBLE_EQ(back.load_s, 0.5);
  EXPECT_TRUE(back.cached);
  EXPECT_EQ(back.threads, 2);
}

TEST(ModelProtocol, EncoderRefusesInconsistentTensors) {
  RunModelRequest req = sample_request();
  req.inputs[1].bytes.pop_back();
  EXPECT_PROTOCOL_ERROR(to_frame(req),
                        "tensor 'ids' (int64) has 39 bytes, its dtype and shape need 40");
  req = sample_request();
  req.inputs[0].dtype = "complex64";
  EXPECT_PROTOCOL_ERROR(to_frame(req), "tensor 'image'");
}

TEST(ModelProtocol, MalformedRequestsAreRejected) {
  const Frame good = to_frame(sample_request());
  ASSERT_NO_THROW(from_frame<RunModelRequest>(good));

  EXPECT_PROTOCOL_ERROR(
      from_frame<RunModelRequest>(edited(good, [](json &j) { j["kernels"] = "../x.so"; })),
      "field 'kernels' is not a valid upload name '../x.so'");
  EXPECT_PROTOCOL_ERROR(
      from_frame<RunModelRequest>(edited(good, [](json &j) { j.erase("constants"); })),
      "field 'constants' is missing");
  EXPECT_PROTOCOL_ERROR(
      from_frame<RunModelRequest>(edited(good, [](json &j) { j["inputs"] = "x"; })),
      "field 'inputs' must be an array");
  EXPECT_PROTOCOL_ERROR(
      from_frame<RunModelRequest>(edited(good, [](json &j) { j["inputs"][0]["dtype"] = "f32"; })),
      "unknown type 'f32'");
  EXPECT_PROTOCOL_ERROR(from_frame<RunModelRequest>(edited(good,
                                                           [](json &j) {
                                                             j["inputs"][1]["shape"] = {5, -1};
                                                           })),
                        "field 'shape' must hold non-negative integers");
  EXPECT_PROTOCOL_ERROR(
      from_frame<RunModelRequest>(edited(good, [](json &j) { j["inputs"][1]["bytes"] = 41; })),
      "field 'bytes' is 41 for tensor 'ids', its dtype and shape need 40");
  EXPECT_PROTOCOL_ERROR(from_frame<RunModelRequest>(
                            edited(good, [](json &j) { j["inputs"][2]["offset"] = 1u << 30; })),
                        "outside the frame's 238 data bytes");
  EXPECT_PROTOCOL_ERROR(from_frame<RunModelRequest>(
                            edited(good, [](json &j) { j["inputs"][2]["offset"] = 238 - 5; })),
                        "field 'offset' puts tensor 'mask'");
  EXPECT_PROTOCOL_ERROR(
      from_frame<RunModelRequest>(edited(good, [](json &j) { j["inputs"][0].erase("name"); })),
      "RunModel (inputs) message: field 'name' is missing");
  EXPECT_PROTOCOL_ERROR(
      from_frame<RunModelRequest>(edited(good, [](json &j) { j["repeat"] = -1; })),
      "field 'repeat' must be in [0, 1000000], got -1");
  EXPECT_PROTOCOL_ERROR(
      from_frame<RunModelRequest>(edited(good, [](json &j) { j["warmup"] = 1.5; })),
      "field 'warmup' must be an integer");
  EXPECT_PROTOCOL_ERROR(
      from_frame<RunModelRequest>(edited(good, [](json &j) { j["threads"] = 5000; })),
      "field 'threads'");
  EXPECT_PROTOCOL_ERROR(
      from_frame<RunModelRequest>(edited(good, [](json &j) { j["timeout_s"] = 0; })),
      "field 'timeout_s' must be in (0, 86400]");
  EXPECT_PROTOCOL_ERROR(
      from_frame<RunModelRequest>(edited(good, [](json &j) { j["timeout_s"] = "soon"; })),
      "field 'timeout_s' must be a number");
  Frame not_json = good;
  not_json.meta = "{\"model_json\":";
  EXPECT_PROTOCOL_ERROR(from_frame<RunModelRequest>(not_json), "not a JSON object");
  Frame wrong_type = good;
  wrong_type.type = MessageType::Run;
  EXPECT_PROTOCOL_ERROR(from_frame<RunModelRequest>(wrong_type),
                        "expected a message of type RunModel, got Run");
}

TEST(ModelProtocol, MalformedRepliesAreRejected) {
  RunModelReply r;
  r.outputs = {tensor("y", "float32", {2, 2}, 'z')};
  r.times_s = {0.1};
  const Frame good = to_frame(r);
  ASSERT_NO_THROW(from_frame<RunModelReply>(good));
  EXPECT_PROTOCOL_ERROR(from_frame<RunModelReply>(edited(good,
                                                         [](json &j) {
                                                           j["times_s"] = {0.1, -2};
                                                         })),
                        "field 'times_s' must hold non-negative numbers");
  EXPECT_PROTOCOL_ERROR(from_frame<RunModelReply>(edited(good, [](json &j) { j["load_s"] = -1; })),
                        "field 'load_s' must be non-negative");
  EXPECT_PROTOCOL_ERROR(from_frame<RunModelReply>(edited(good, [](json &j) { j["threads"] = 0; })),
                        "field 'threads'");
  Frame truncated = good;
  truncated.data.resize(8);
  EXPECT_PROTOCOL_ERROR(from_frame<RunModelReply>(truncated),
                        "ModelReply (outputs) message: field 'offset' puts tensor 'y'");
}

TEST(ModelProtocol, TypeNamesAreKnown) {
  EXPECT_STREQ(message_type_name(MessageType::RunModel), "RunModel");
  EXPECT_STREQ(message_type_name(MessageType::ModelReply), "ModelReply");
  Frame f = to_frame(sample_request());
  std::string bytes = encode_frame(f);
  EXPECT_EQ(decode_frame_header(reinterpret_cast<const unsigned char *>(bytes.data())).type,
            MessageType::RunModel);
}

}  // namespace
}  // namespace autotune::measure

// Whole-model messages of a measurement session: run a module from `autotune build` (its three
// files uploaded beforehand) on the server and get its outputs and run times back.
//
//   client -> server  RunModel   RunModelRequest: the uploaded names of model.json, kernels.so
//                                and constants.bin, the inputs, how many runs, the deadline
//   server -> client  ModelReply RunModelReply: the outputs of the last run and the run times
//                     (or Error: unknown upload, a module that does not load here, inputs that
//                     do not match the module's, a model that fails)
//
// Tensors travel as raw bytes in the frame's data; the JSON metadata describes each one:
//   {"name", "dtype", "shape": [dims], "offset": into the data, "bytes"}
// so a request or reply carries at most kMaxDataBytes of tensor data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "measure/worker/Protocol.h"

namespace autotune::measure {

/// Most inputs or outputs one message describes.
inline constexpr size_t kMaxModelTensors = 4096;
/// Most warm-up or timed runs one request asks for.
inline constexpr int kMaxModelRuns = 1000000;
/// Longest deadline a request may carry, in seconds (one day).
inline constexpr double kMaxModelTimeoutS = 86400;

/// A named tensor with its data, as a model input or output.
struct ModelTensor {
  std::string name;
  std::string dtype;  ///< "float32", "int64", "bool"... (runtime::dtype_bytes knows it)
  std::vector<int64_t> shape;
  std::string bytes;  ///< elements times element size, row-major
};

/// Runs an uploaded module. The worker assembles the three uploads into a module directory,
/// loads it (once per triple of names in a session), checks the inputs against the module's
/// (by name; every input exactly once, same dtype and shape), runs it `warmup` times untimed
/// and `repeat` times timed, and replies with the outputs of the last run.
struct RunModelRequest {
  std::string model_json;  ///< uploaded name of model.json
  std::string kernels;     ///< uploaded name of kernels.so
  std::string constants;   ///< uploaded name of constants.bin
  std::vector<ModelTensor> inputs;
  int warmup = 0;   ///< untimed runs first
  int repeat = 0;   ///< timed runs; 0: one run, whose time is reported alone
  int threads = 0;  ///< threads for the kernels' parallel loops; 0: the server's setting
  /// Seconds the client waits for the reply. A relaying server gives its session process as
  /// long (the "timeout_s" field of the JSON); positive, at most kMaxModelTimeoutS.
  double timeout_s = 60;
};

struct RunModelReply {
  std::vector<ModelTensor> outputs;  ///< in the module's output order
  /// One entry per timed run (one entry when the request's repeat was 0), in seconds.
  std::vector<double> times_s;
  double load_s = 0;    ///< seconds spent loading the module (0 when it was loaded already)
  bool cached = false;  ///< the module was loaded by an earlier request of the session
  int threads = 1;      ///< threads the kernels' parallel loops used
};

/// The element count of `shape` times the size of `dtype`; -1 for an unknown dtype, a negative
/// dimension or a size over kMaxDataBytes.
int64_t model_tensor_bytes(const std::string &dtype, const std::vector<int64_t> &shape);

/// Encoders. ProtocolError when the tensors' bytes exceed kMaxDataBytes together, or a tensor's
/// byte count does not match its dtype and shape.
Frame to_frame(const RunModelRequest &m);
Frame to_frame(const RunModelReply &m);

/// Decoders: ProtocolError for a frame of another type, malformed JSON, a missing or ill-typed
/// field, an invalid upload name, an unknown dtype, a tensor whose bytes do not match its shape
/// or lie outside the frame's data, run counts or a deadline out of range.
template <>
RunModelRequest from_frame<RunModelRequest>(const Frame &f);
template <>
RunModelReply from_frame<RunModelReply>(const Frame &f);

}  // namespace autotune::measure

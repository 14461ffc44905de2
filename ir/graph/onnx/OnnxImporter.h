// The ONNX frontend: reads an ONNX model (opsets 7 to 18) into the graph IR. It is the first step
// of the graph recipe (import → fold constants → ...) and the only code that sees protobuf types.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "ir/graph/Graph.h"

namespace autotune::graph {

/// Options for import_onnx.
struct ImportOptions {
  /// Overrides for graph input shapes by name (symbolic/unknown dims otherwise default to 1 for
  /// the first (batch) dim; other symbolic dims are an error naming the input and dim). An
  /// override must have the model's declared rank and agree with its fixed dims; naming
  /// something that is not a runtime graph input is an error.
  std::map<std::string, std::vector<int64_t>> input_shapes;
};

/// Reads the ONNX model file at `path` (and external data files next to it) into a Graph.
///
/// The result holds:
/// - `opset`: the model's default-domain opset ("" or "ai.onnx"), which must be in 7..18;
/// - one constant Value per initializer and per `Constant` node (no node for either); graph
///   inputs that are also initializers are constants, not runtime inputs; `Identity` nodes of a
///   constant alias that constant's Value (shared weights stay one Value);
/// - runtime inputs with static shapes (ImportOptions overrides, else the declared shape with a
///   symbolic first dim set to 1); other values take dtype and shape from `value_info` (or the
///   graph outputs) where they are static, and keep `shape_known = false` otherwise;
/// - every other node, in topological order, named by the model or "<op_type>_<index>", with
///   its attributes converted (GRAPH-valued attributes, as in If/Loop/Scan, are dropped; such ops
///   have no lowering). Absent optional inputs are kNone.
/// float16 tensors and values become float32. Tensor types float32/64, float16, int8..int64,
/// uint8..uint64 and bool are supported.
///
/// Unsupported op types are not checked here (see check_supported_ops). Throws UserError with
/// one line naming the file and the problem: unreadable, truncated or malformed file, opset or
/// domain out of range, inputs nobody produces, bad tensor data, missing external data files,
/// cycles, input shape overrides that do not fit.
Graph import_onnx(const std::string &path, const ImportOptions &opt = {});

/// As import_onnx, for a serialized ModelProto held in memory. External data files are looked
/// up relative to `model_dir` ("" means the current directory).
Graph import_onnx_bytes(const std::string &bytes, const std::string &model_dir,
                        const ImportOptions &opt = {});

/// Throws UserError "unsupported operator 'Foo' (opset 13) at node 'n1'" for the first node in
/// the default ONNX domain whose op type `is_supported` rejects (the CLI passes
/// graph::is_supported_op). Nodes in other domains (those passes add) are not checked.
void check_supported_ops(const Graph &g, std::function<bool(const std::string &)> is_supported);

/// Reads one ONNX TensorProto file (the `.pb` inputs and outputs of ONNX's test data sets).
/// UserError naming the file when it is missing, malformed or of an unsupported type.
std::shared_ptr<TensorData> read_tensor_proto_file(const std::string &path);

}  // namespace autotune::graph

// The autotune-rpc wire protocol: length-prefixed frames over any byte stream (pipes, TCP) and
// the messages that a measurement client (LocalRunner, RpcRunner) and a worker exchange.
//
// A session: the client sends Hello, the server answers Info; then any number of requests, each
// answered by exactly one reply (Upload -> Uploaded, Run -> RunReply, Remove -> Removed,
// RunModel -> ModelReply, or Error for any of them); Shutdown ends the session without a reply.
// Tracker connections (TrackerProtocol.h) start with the same Hello/Info handshake.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "measure/worker/RunTypes.h"

namespace autotune::measure {

/// Frame layout, integers little-endian:
///
///   offset  size  field
///        0     4  magic "ATRP"
///        4     2  version (kProtocolVersion)
///        6     2  type (MessageType)
///        8     4  meta_bytes: length of the JSON object that follows the header
///       12     4  data_bytes: length of the raw bytes that follow the JSON (Upload's file)
///
/// Readers check magic, version, type and both lengths before allocating anything, and grow the
/// data buffer only as bytes arrive, so a lying header costs no memory.
inline constexpr char kFrameMagic[4] = {'A', 'T', 'R', 'P'};
inline constexpr uint16_t kProtocolVersion = 1;
inline constexpr size_t kFrameHeaderBytes = 16;
inline constexpr uint32_t kMaxMetaBytes = 1u << 20;    ///< 1 MiB of JSON
inline constexpr uint32_t kMaxDataBytes = 256u << 20;  ///< 256 MiB of raw bytes
/// Longest module name; names are [A-Za-z0-9._-], not starting with '.'.
inline constexpr size_t kMaxModuleNameBytes = 200;

enum class MessageType : uint16_t {
  Hello = 1,     ///< client -> server, first message: HelloMessage
  Info = 2,      ///< server -> client, answers Hello: InfoMessage
  Upload = 3,    ///< client -> server: UploadMessage (the file travels as the frame's data)
  Uploaded = 4,  ///< server -> client: UploadedMessage
  Run = 5,       ///< client -> server: RunRequest
  RunReply = 6,  ///< server -> client: RunResult
  Remove = 7,    ///< client -> server: RemoveMessage
  Removed = 8,   ///< server -> client: RemovedMessage
  Shutdown = 9,  ///< client -> server: ShutdownMessage; no reply, the session ends
  Error = 10,    ///< server -> client: ErrorMessage, in place of any reply
  // Tracker messages (TrackerProtocol.h). A tracker connection also starts with Hello/Info.
  Register = 11,      ///< server -> tracker: RegisterMessage
  Registered = 12,    ///< tracker -> server: RegisteredMessage
  Heartbeat = 13,     ///< server -> tracker: HeartbeatMessage (no reply)
  Request = 14,       ///< client -> tracker: RequestMessage (servers of a key)
  Assigned = 15,      ///< tracker -> client: AssignedMessage
  Release = 16,       ///< client -> tracker: ReleaseMessage
  Released = 17,      ///< tracker -> client: ReleasedMessage
  Summary = 18,       ///< anyone -> tracker: SummaryMessage
  SummaryReply = 19,  ///< tracker -> asker: SummaryReplyMessage
  // Whole models (ModelProtocol.h): run a module from `autotune build` on the server.
  RunModel = 20,    ///< client -> server: RunModelRequest
  ModelReply = 21,  ///< server -> client: RunModelReply
};
/// "Hello", "RunReply", ...; "unknown" for other values.
const char *message_type_name(MessageType t);

/// One frame: its type, the JSON metadata as text, and the raw data bytes.
struct Frame {
  MessageType type = MessageType::Error;
  std::string meta = "{}";
  std::string data;
};

/// A peer sent bytes that are not a valid frame or message (bad magic, foreign version, unknown
/// type, oversized lengths, malformed JSON, missing fields). The stream is out of sync after it.
class ProtocolError : public std::runtime_error {
 public:
  explicit ProtocolError(const std::string &msg) : std::runtime_error(msg) {}
};

/// A frame's fixed header.
struct FrameHeader {
  uint16_t version = kProtocolVersion;
  MessageType type = MessageType::Error;
  uint32_t meta_bytes = 0;
  uint32_t data_bytes = 0;
};

/// Parses kFrameHeaderBytes bytes. ProtocolError on a bad magic, a version other than
/// kProtocolVersion (except for Error frames, whose layout never changes, so that a peer's
/// "wrong version" answer can still be read), an unknown type, or lengths over the limits.
FrameHeader decode_frame_header(const unsigned char *bytes);

/// Header, metadata and data as one byte string; ProtocolError when a part is over its limit.
std::string encode_frame(const Frame &f);

// ---- Messages -----------------------------------------------------------------------------------

struct HelloMessage {
  std::string client;  ///< who is asking ("autotune 0.1.0 LocalRunner"), for logs
  std::string token;   ///< shared secret; the server checks it when it has one
};

/// What the server runs on; answers Hello.
struct InfoMessage {
  std::string version;  ///< autotune-rpc version
  int protocol = kProtocolVersion;
  std::string triple;   ///< "x86_64-linux-gnu", "aarch64-linux-gnu"
  std::string cpu;      ///< CPU model as the OS names it ("AMD EPYC 7B13", "0xd08")
  int num_threads = 1;  ///< threads that kernels' parallel loops use
  int64_t pid = 0;
};

/// A shared object for the server to keep under `name` (replacing one of that name).
struct UploadMessage {
  std::string name;
  std::string bytes;
};

struct UploadedMessage {
  std::string name;
  uint64_t bytes = 0;
};

/// RunInput in wire form: uploaded module names instead of local paths, buffer specs instead of
/// compiler types.
struct RunRequest {
  std::string module, kernel;
  std::string reference_module, reference_kernel;  ///< empty: no correctness check
  std::vector<BufferSpec> args;
  TimingOptions timing;
  double rtol = 1e-3, atol = 1e-4;
  uint64_t seed = 1;
};

/// Unloads and deletes uploaded modules (unknown names are ignored).
struct RemoveMessage {
  std::vector<std::string> names;
};

struct RemovedMessage {
  int removed = 0;
};

struct ShutdownMessage {
  bool stop_server = false;  ///< a TCP server stops listening too; a stdio worker always exits
};

struct ErrorMessage {
  std::string message;
};

/// True for names a server accepts for uploads (no path separators, no leading dot).
bool is_valid_module_name(const std::string &name);

/// Encoders: the frame carrying each message.
Frame to_frame(const HelloMessage &m);
Frame to_frame(const InfoMessage &m);
Frame to_frame(const UploadMessage &m);
Frame to_frame(const UploadedMessage &m);
Frame to_frame(const RunRequest &m);
Frame to_frame(const RunResult &m);  ///< a RunReply
Frame to_frame(const RemoveMessage &m);
Frame to_frame(const RemovedMessage &m);
Frame to_frame(const ShutdownMessage &m);
Frame to_frame(const ErrorMessage &m);

/// Decodes `f` as an M. ProtocolError when `f` has another type, its JSON does not parse, or a
/// field is missing, of the wrong type or out of its bounds.
template <typename M>
M from_frame(const Frame &f);

template <>
HelloMessage from_frame<HelloMessage>(const Frame &f);
template <>
InfoMessage from_frame<InfoMessage>(const Frame &f);
template <>
UploadMessage from_frame<UploadMessage>(const Frame &f);
template <>
UploadedMessage from_frame<UploadedMessage>(const Frame &f);
template <>
RunRequest from_frame<RunRequest>(const Frame &f);
template <>
RunResult from_frame<RunResult>(const Frame &f);
template <>
RemoveMessage from_frame<RemoveMessage>(const Frame &f);
template <>
RemovedMessage from_frame<RemovedMessage>(const Frame &f);
template <>
ShutdownMessage from_frame<ShutdownMessage>(const Frame &f);
template <>
ErrorMessage from_frame<ErrorMessage>(const Frame &f);

}  // namespace autotune::measure

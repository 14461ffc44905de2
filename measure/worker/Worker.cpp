// One measurement session: uploads, checked and timed kernel runs, removal of modules.
#include "measure/worker/Worker.h"

#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "codegen/runtime/ThreadPool.h"
#include "ir/support/Error.h"
#include "measure/worker/Handshake.h"
#include "measure/worker/RunModel.h"
#include "measure/worker/ScratchDir.h"
#include "measure/worker/TimeKernel.h"

namespace autotune::measure {

namespace fs = std::filesystem;

struct Worker::Module {
  std::string path;
  std::unique_ptr<runtime::LoadedModule> loaded;  ///< opened on first use
};

/// A reference kernel's outputs for one argument list and seed.
struct Worker::Reference {
  std::string module;
  std::vector<AlignedBuffer> outputs;  ///< one per argument; empty buffers for inputs
  uint64_t last_use = 0;
};

/// Buffers for one call and the pointer array the kernel takes.
struct Worker::Args {
  std::vector<AlignedBuffer> buffers;
  std::vector<void *> ptrs;
};

namespace {

/// Reference outputs kept at once (a tuning run uses one per task at a time).
constexpr size_t kMaxReferences = 4;

/// Log lines and rejections go through the server's common helpers (Handshake.h).
void log_line(const std::string &msg) { rpc_log(msg); }

const char *host_triple() {
#if defined(__x86_64__)
  return "x86_64-linux-gnu";
#elif defined(__aarch64__)
  return "aarch64-linux-gnu";
#elif defined(__arm__)
  return "arm-linux-gnueabihf";
#elif defined(__riscv) && __riscv_xlen == 64
  return "riscv64-linux-gnu";
#else
  return "unknown-linux-gnu";
#endif
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line, part;
  while (std::getline(in, line)) {
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = line.substr(0, line.find_last_not_of(" \t", colon - 1) + 1);
    std::string value = colon + 2 <= line.size() ? line.substr(colon + 2) : "";
    if (key == "model name" || key == "Hardware") return value;
    if (key == "CPU part" && part.empty()) part = "CPU part " + value;
  }
  return part.empty() ? "unknown" : part;
}

/// Key of an argument list and seed, for the input and reference caches.
std::string args_key(const RunRequest &req) {
  std::ostringstream os;
  os << req.seed;
  for (const BufferSpec &a : req.args) {
    os << "|" << a.dtype << (a.is_output ? "o" : "i");
    for (int64_t d : a.shape) os << "," << d;
  }
  return os.str();
}

std::string format_value(double v) {
  std::ostringstream os;
  os.precision(7);
  os << v;
  return os.str();
}

/// Kernels run on the calling thread (and the pool); a C++ exception cannot come out of
/// generated code, so calling is plain.
int32_t call_kernel(runtime::KernelFunction fn, std::vector<void *> &ptrs) {
  return fn(ptrs.data());
}

}  // namespace

InfoMessage describe_host(int num_threads) {
  InfoMessage info;
  info.version = kWorkerVersion;
  info.protocol = kProtocolVersion;
  info.triple = host_triple();
  info.cpu = cpu_model();
  info.num_threads = num_threads;
  info.pid = getpid();
  return info;
}

Worker::Worker(WorkerOptions opt) : opt_(std::move(opt)) {
  if (opt_.num_threads > 0) autotune_set_num_threads(opt_.num_threads);
  info_ = describe_host(autotune_get_num_threads());
  dir_ = make_scratch_dir(opt_.work_dir, "autotune-rpc");
}

Worker::~Worker() {
  model_runs_.reset();
  references_.clear();
  modules_.clear();  // dlclose before the files go
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

// ---- Session ------------------------------------------------------------------------------------

bool Worker::serve(Channel &channel, bool greeted) {
  if (!greeted && !accept_hello(channel, opt_.token, info_, no_deadline())) return false;
  while (true) {
    std::optional<Frame> request;
    try {
      request = channel.receive();
    } catch (const ProtocolError &e) {
      reject_connection(channel, e.what());
      return false;
    } catch (const ChannelError &e) {
      if (e.kind() != ChannelError::Kind::Closed) log_line(e.what());
      return false;
    }
    if (!request) return false;  // the client closed the stream between requests

    try {
      if (request->type == MessageType::Shutdown) {
        return from_frame<ShutdownMessage>(*request).stop_server;
      }
      channel.send(handle(*request));
    } catch (const ProtocolError &e) {
      reject_connection(channel, e.what());
      return false;
    } catch (const ChannelError &e) {
      if (e.kind() != ChannelError::Kind::Closed) log_line(e.what());
      return false;
    } catch (const std::exception &e) {
      // Out of memory or a file system failure while serving one request: answer it and go on.
      log_line(std::string("request failed: ") + e.what());
      try {
        channel.send(to_frame(ErrorMessage{std::string("request failed: ") + e.what()}));
      } catch (const std::exception &) {
        return false;
      }
    }
  }
}

Frame Worker::handle(const Frame &request) {
  switch (request.type) {
    case MessageType::Upload: {
      UploadMessage m = from_frame<UploadMessage>(request);
      try {
        return upload(m);
      } catch (const UserError &e) {
        return to_frame(ErrorMessage{e.what()});
      }
    }
    case MessageType::Run: {
      RunRequest req = from_frame<RunRequest>(request);
      try {
        return to_frame(run(req));
      } catch (const UserError &e) {
        return to_frame(ErrorMessage{std::string("run request rejected: ") + e.what()});
      }
    }
    case MessageType::Remove: {
      RemovedMessage reply;
      for (const std::string &name : from_frame<RemoveMessage>(request).names) {
        reply.removed += remove_module(name);
      }
      return to_frame(reply);
    }
    case MessageType::RunModel: {
      RunModelRequest req = from_frame<RunModelRequest>(request);
      if (!model_runs_) model_runs_ = std::make_unique<ModelRuns>(dir_);
      try {
        return to_frame(model_runs_->run(req, [this](const std::string &name) {
          auto it = modules_.find(name);
          return it == modules_.end() ? std::string() : it->second->path;
        }));
      } catch (const UserError &e) {
        return to_frame(ErrorMessage{std::string("cannot run the model: ") + e.what()});
      }
    }
    case MessageType::Hello:
      return to_frame(ErrorMessage{"Hello was already received in this session"});
    default:
      throw ProtocolError(std::string("unexpected ") + message_type_name(request.type) +
                          " message from a client");
  }
}

Frame Worker::upload(const UploadMessage &m) {
  remove_module(m.name);  // replacing: close the old library before its file changes
  std::string path = dir_ + "/" + m.name;
  std::string part = path + ".part";
  {
    std::ofstream out(part, std::ios::binary | std::ios::trunc);
    out.write(m.bytes.data(), static_cast<std::streamsize>(m.bytes.size()));
    out.close();
    if (!out) {
      std::remove(part.c_str());
      user_error << "cannot store module '" << m.name << "' in '" << dir_
                 << "': " << std::strerror(errno);
    }
  }
  user_check(std::rename(part.c_str(), path.c_str()) == 0)
      << "cannot store module '" << m.name << "': " << std::strerror(errno);
  auto mod = std::make_unique<Module>();
  mod->path = path;
  modules_[m.name] = std::move(mod);
  return to_frame(UploadedMessage{m.name, m.bytes.size()});
}

int Worker::remove_module(const std::string &name) {
  if (model_runs_) model_runs_->forget(name);
  for (auto it = references_.begin(); it != references_.end();) {
    it = it->second->module == name ? references_.erase(it) : std::next(it);
  }
  auto it = modules_.find(name);
  if (it == modules_.end()) return 0;
  std::string path = it->second->path;
  modules_.erase(it);
  std::remove(path.c_str());
  return 1;
}

bool Worker::find_kernel(const std::string &name, const std::string &kernel,
                         runtime::KernelFunction *fn, std::string *error) {
  auto it = modules_.find(name);
  user_check(it != modules_.end()) << "module '" << name << "' was not uploaded";
  Module &m = *it->second;
  try {
    if (!m.loaded) m.loaded = std::make_unique<runtime::LoadedModule>(m.path);
    *fn = m.loaded->get_function(kernel);
    return true;
  } catch (const UserError &e) {
    *error = e.what();
    return false;
  }
}

Worker::Args Worker::make_args(const RunRequest &req, const std::vector<ElemType> &types,
                               const std::vector<int64_t> &bytes) {
  std::string key = args_key(req);
  if (key != inputs_key_) {
    inputs_.clear();
    inputs_key_.clear();
    for (size_t i = 0; i < req.args.size(); ++i) {
      inputs_.emplace_back(req.args[i].is_output ? 0 : bytes[i]);
      if (!req.args[i].is_output) fill_random(inputs_.back(), types[i], req.seed, i);
    }
    inputs_key_ = key;
  }
  // Fresh copies for every run: a kernel that scribbles on an input must not spoil later runs.
  Args args;
  for (size_t i = 0; i < req.args.size(); ++i) {
    args.buffers.emplace_back(bytes[i]);
    if (req.args[i].is_output) {
      fill_sentinel(args.buffers.back(), types[i]);
    } else if (bytes[i] > 0) {
      std::memcpy(args.buffers.back().data(), inputs_[i].data(), static_cast<size_t>(bytes[i]));
    }
    args.ptrs.push_back(args.buffers.back().data());
  }
  return args;
}

const Worker::Reference *Worker::reference_for(const RunRequest &req,
                                               const std::vector<ElemType> &types,
                                               const std::vector<int64_t> &bytes,
                                               MeasureStatus *status, std::string *error) {
  std::string key = req.reference_module + "|" + req.reference_kernel + "|" + args_key(req);
  auto it = references_.find(key);
  if (it != references_.end()) {
    it->second->last_use = ++use_clock_;
    return it->second.get();
  }
  runtime::KernelFunction fn = nullptr;
  std::string load_error;
  if (!find_kernel(req.reference_module, req.reference_kernel, &fn, &load_error)) {
    *status = MeasureStatus::RuntimeDevice;
    *error = "cannot load the reference kernel: " + load_error;
    return nullptr;
  }
  Args args = make_args(req, types, bytes);
  int32_t rc = call_kernel(fn, args.ptrs);
  if (rc != 0) {
    *status = MeasureStatus::RuntimeDevice;
    *error = "reference kernel '" + req.reference_kernel + "' returned " + std::to_string(rc);
    return nullptr;
  }
  if (references_.size() >= kMaxReferences) {
    auto oldest = references_.begin();
    for (auto r = references_.begin(); r != references_.end(); ++r) {
      if (r->second->last_use < oldest->second->last_use) oldest = r;
    }
    references_.erase(oldest);
  }
  auto ref = std::make_unique<Reference>();
  ref->module = req.reference_module;
  ref->last_use = ++use_clock_;
  for (size_t i = 0; i < req.args.size(); ++i) {
    ref->outputs.push_back(req.args[i].is_output ? std::move(args.buffers[i]) : AlignedBuffer(0));
  }
  return (references_[key] = std::move(ref)).get();
}

RunResult Worker::run(const RunRequest &req) {
  auto start = Clock::now();
  RunResult r;
  auto finish = [&](MeasureStatus status, std::string error) {
    r.status = status;
    r.error = std::move(error);
    r.run_s = std::chrono::duration<double>(Clock::now() - start).count();
    return r;
  };

  // Request checks (UserError: the client sent something that can't be run).
  user_check(!req.args.empty()) << "kernel '" << req.kernel << "' has no arguments";
  user_check(req.reference_module.empty() || !req.reference_kernel.empty())
      << "a reference module needs a reference kernel name";
  std::vector<ElemType> types;
  std::vector<int64_t> bytes;
  for (const BufferSpec &a : req.args) {
    types.push_back(parse_elem_type(a.dtype));
    bytes.push_back(buffer_bytes(a));
  }

  // 1. The candidate kernel.
  runtime::KernelFunction fn = nullptr;
  std::string load_error;
  if (!find_kernel(req.module, req.kernel, &fn, &load_error)) {
    return finish(MeasureStatus::RuntimeDevice, "cannot load the kernel: " + load_error);
  }

  // 2. The reference output, computed once per reference, argument list and seed.
  const Reference *ref = nullptr;
  if (!req.reference_module.empty()) {
    MeasureStatus status = MeasureStatus::Unknown;
    std::string error;
    ref = reference_for(req, types, bytes, &status, &error);
    if (!ref) return finish(status, error);
  }

  // 3. The checked run, which is also the warm-up.
  Args args = make_args(req, types, bytes);
  int32_t rc = call_kernel(fn, args.ptrs);
  if (rc != 0) {
    return finish(MeasureStatus::RuntimeDevice,
                  "kernel '" + req.kernel + "' returned " + std::to_string(rc));
  }
  if (ref) {
    for (size_t i = 0; i < req.args.size(); ++i) {
      if (!req.args[i].is_output) continue;
      Comparison c = compare_buffers(args.buffers[i].data(), ref->outputs[i].data(),
                                     bytes[i] / types[i].bytes(), types[i], req.rtol, req.atol);
      if (c.ok) continue;
      std::ostringstream msg;
      msg << "output argument " << i
          << " differs from the reference: max |a-b| = " << format_value(c.max_abs_error)
          << " (first bad element " << c.first_bad << ": got " << format_value(c.got)
          << ", expected " << format_value(c.expected) << "; tolerance " << format_value(req.atol)
          << " + " << format_value(req.rtol) << " * |expected|)";
      return finish(MeasureStatus::WrongAnswer, msg.str());
    }
  }

  // 4. Timing.
  KernelTiming t = time_kernel([&] { return call_kernel(fn, args.ptrs); }, req.timing);
  if (t.failed_code != 0) {
    return finish(MeasureStatus::RuntimeDevice, "kernel '" + req.kernel + "' returned " +
                                                    std::to_string(t.failed_code) +
                                                    " while being timed");
  }
  r.costs_s = t.costs_s;
  r.mean_s = t.mean_s;
  r.median_s = t.median_s;
  return finish(MeasureStatus::Ok, "");
}

}  // namespace autotune::measure

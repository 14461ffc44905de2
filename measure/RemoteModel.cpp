// A module run on a remote server: the session (Hello, uploads, RunModel, Remove, Shutdown) and
// the tracker lease around it.
#include "measure/RemoteModel.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "codegen/runtime/DeployedModel.h"
#include "ir/support/Error.h"
#include "measure/worker/Client.h"
#include "measure/worker/TcpChannel.h"
#include "measure/worker/TrackerClient.h"

namespace autotune::measure {

namespace {

using nlohmann::json;

/// Names the module's files get on the server (its session directory is private).
constexpr const char *kUploadModelJson = "run-model.json";
constexpr const char *kUploadKernels = "run-kernels.so";
constexpr const char *kUploadConstants = "run-constants.bin";

/// Extra seconds the client waits past the request's timeout_s, so that a relaying server's own
/// "timed out" reply arrives before the client gives up.
constexpr double kReplyGraceS = 15;

std::string join_path(const std::string &dir, const std::string &file) {
  return !dir.empty() && dir.back() == '/' ? dir + file : dir + "/" + file;
}

std::string read_file(const std::string &path, const std::string &module_dir) {
  struct stat st;
  user_check(stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode))
      << "cannot run module '" << module_dir << "' remotely: '" << path
      << "' is missing (rebuild it with `autotune build`)";
  user_check(static_cast<uint64_t>(st.st_size) <= kMaxDataBytes)
      << "cannot run module '" << module_dir << "' remotely: '" << path << "' has " << st.st_size
      << " bytes, more than the " << kMaxDataBytes << " one upload may carry";
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  user_check(in.good() || in.eof()) << "cannot read '" << path << "': " << std::strerror(errno);
  return bytes;
}

std::vector<ModelTensor> tensor_specs(const json &root, const char *key, const std::string &file) {
  auto it = root.find(key);
  user_check(it != root.end() && it->is_array())
      << "'" << file << "': field '" << key << "' is missing or not an array";
  std::vector<ModelTensor> out;
  for (size_t i = 0; i < it->size(); ++i) {
    const json &t = (*it)[i];
    std::string at = std::string(key) + "[" + std::to_string(i) + "]";
    user_check(t.is_object() && t.contains("name") && t["name"].is_string() &&
               t.contains("dtype") && t["dtype"].is_string() && t.contains("shape") &&
               t["shape"].is_array())
        << "'" << file << "': field '" << at << "' needs a string name and dtype and a shape";
    ModelTensor spec;
    spec.name = t["name"].get<std::string>();
    spec.dtype = t["dtype"].get<std::string>();
    for (const json &d : t["shape"]) {
      user_check(d.is_number_integer() && d.get<int64_t>() >= 0)
          << "'" << file << "': field '" << at << ".shape' must hold non-negative integers";
      spec.shape.push_back(d.get<int64_t>());
    }
    user_check(model_tensor_bytes(spec.dtype, spec.shape) >= 0)
        << "'" << file << "': tensor '" << spec.name << "' (" << at << ") has an unknown dtype '"
        << spec.dtype << "' or is larger than one message may carry";
    out.push_back(std::move(spec));
  }
  return out;
}

/// "aarch64" for "arm64", "x86_64" for "amd64"; others as they are.
std::string normalize_arch(std::string arch) {
  if (arch == "arm64") return "aarch64";
  if (arch == "amd64" || arch == "x86-64") return "x86_64";
  return arch;
}

/// The session after Hello: uploads, the run, and the removal of the uploads.
RunModelReply run_session(WorkerClient &client, const std::string files[3],
                          const std::vector<ModelTensor> &inputs, const RemoteRunOptions &opt) {
  const char *names[3] = {kUploadModelJson, kUploadKernels, kUploadConstants};
  for (int i = 0; i < 3; ++i) {
    client.upload(UploadMessage{names[i], files[i]}, deadline_after(opt.timeout_s));
  }
  RunModelRequest req;
  req.model_json = kUploadModelJson;
  req.kernels = kUploadKernels;
  req.constants = kUploadConstants;
  req.inputs = inputs;
  req.warmup = opt.warmup;
  req.repeat = opt.repeat;
  req.threads = opt.threads;
  req.timeout_s = opt.timeout_s;
  return client.run_model(req, deadline_after(opt.timeout_s + kReplyGraceS));
}

}  // namespace

ModuleSummary read_module_summary(const std::string &dir) {
  struct stat st;
  user_check(stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
      << "cannot load module '" << dir << "': not a directory (write one with `autotune build`)";
  const std::string file = join_path(dir, runtime::kModelJsonFile);
  std::ifstream in(file);
  user_check(in.good()) << "cannot load module '" << dir << "': '" << file
                        << "' is missing (rebuild it with `autotune build`)";
  std::stringstream text;
  text << in.rdbuf();
  json root = json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  user_check(!root.is_discarded() && root.is_object()) << "'" << file << "' is not valid JSON";
  user_check(root.value("format", "") == runtime::kModuleFormat)
      << "'" << file << "' is not an autotune module description (expected \"format\": \""
      << runtime::kModuleFormat << "\")";
  user_check(root.contains("version") && root["version"] == runtime::kModuleFormatVersion)
      << "'" << file << "' is not of module format version " << runtime::kModuleFormatVersion
      << " (rebuild the module with this autotune)";
  user_check(root.contains("target") && root["target"].is_string())
      << "'" << file << "': field 'target' is missing or not a string";
  ModuleSummary s;
  s.dir = dir;
  s.target = root["target"].get<std::string>();
  s.inputs = tensor_specs(root, "inputs", file);
  s.outputs = tensor_specs(root, "outputs", file);
  if (root.contains("calls") && root["calls"].is_array()) {
    std::set<std::string> kernels;
    for (const json &c : root["calls"]) {
      if (c.is_object() && c.contains("kernel") && c["kernel"].is_string()) {
        kernels.insert(c["kernel"].get<std::string>());
      }
    }
    s.num_calls = root["calls"].size();
    s.num_distinct_kernels = kernels.size();
  }
  if (root.contains("arena_bytes") && root["arena_bytes"].is_number_integer()) {
    s.arena_bytes = root["arena_bytes"].get<int64_t>();
  }
  return s;
}

std::string triple_arch(const std::string &triple) {
  return normalize_arch(triple.substr(0, triple.find('-')));
}

std::string target_arch(const std::string &target) {
  std::istringstream words(target);
  const std::string option = "-mtriple=";
  for (std::string w; words >> w;) {
    if (w.rfind(option, 0) == 0) return triple_arch(w.substr(option.size()));
  }
  return "";
}

RemoteRunResult run_module_remote(const std::string &host, uint16_t port,
                                  const std::string &module_dir,
                                  const std::vector<ModelTensor> &inputs,
                                  const RemoteRunOptions &opt) {
  user_check(opt.timeout_s > 0 && opt.timeout_s <= kMaxModelTimeoutS)
      << "the remote run timeout must be in (0, " << kMaxModelTimeoutS << "] seconds, got "
      << opt.timeout_s;
  ModuleSummary summary = read_module_summary(module_dir);
  std::string files[3] = {read_file(join_path(module_dir, runtime::kModelJsonFile), module_dir),
                          read_file(join_path(module_dir, runtime::kKernelsFile), module_dir),
                          read_file(join_path(module_dir, runtime::kConstantsFile), module_dir)};
  int64_t input_bytes = 0;
  for (const ModelTensor &t : inputs) input_bytes += static_cast<int64_t>(t.bytes.size());
  user_check(input_bytes <= static_cast<int64_t>(kMaxDataBytes))
      << "the inputs take " << input_bytes << " bytes, more than the " << kMaxDataBytes
      << " one request may carry";

  RemoteRunResult result;
  result.address = host + ":" + std::to_string(port);
  const std::string &address = result.address;
  std::unique_ptr<TcpChannel> channel;
  try {
    channel = TcpChannel::connect(host, port, opt.connect_timeout_s);
  } catch (const ChannelError &e) {
    user_error << "cannot connect to the autotune-rpc server at " << address << ": " << e.what();
  }
  WorkerClient client(*channel);
  try {
    result.server = client.hello(HelloMessage{opt.client_name, opt.token},
                                 deadline_after(opt.connect_timeout_s + 10));
  } catch (const RemoteError &e) {
    user_error << "the autotune-rpc server at " << address << " refused the session: " << e.what();
  } catch (const std::exception &e) {
    user_error << "no session with the autotune-rpc server at " << address << ": " << e.what();
  }
  const std::string where =
      "the server at " + address + " (" + result.server.triple + ", " + result.server.cpu + ")";
  // The uploads are removed however the run ends, as long as the session lives.
  auto finish_session = [&](bool remove) {
    try {
      if (remove) {
        client.remove(RemoveMessage{{kUploadModelJson, kUploadKernels, kUploadConstants}},
                      deadline_after(30));
      }
      client.shutdown(ShutdownMessage{}, deadline_after(5));
    } catch (const std::exception &) {
      // The session is gone; its private directory goes with it.
    }
  };
  std::string arch = target_arch(summary.target);
  if (!arch.empty() && arch != triple_arch(result.server.triple)) {
    finish_session(false);
    user_error << "module '" << module_dir << "' holds " << arch << " code (target '"
               << summary.target << "'), but " << where << " runs "
               << triple_arch(result.server.triple)
               << ": build the module for the server's device (autotune build --device ... or "
                  "--target)";
  }
  try {
    result.reply = run_session(client, files, inputs, opt);
  } catch (const RemoteError &e) {
    finish_session(true);
    user_error << where << " could not run module '" << module_dir << "': " << e.what();
  } catch (const ChannelError &e) {
    if (e.kind() == ChannelError::Kind::Timeout) {
      user_error << where << " did not answer within " << opt.timeout_s
                 << " s while running module '" << module_dir << "': " << e.what();
    }
    user_error << "lost the connection to " << where << " while running module '" << module_dir
               << "': " << e.what();
  } catch (const ProtocolError &e) {
    user_error << where << " sent a malformed reply: " << e.what();
  }
  finish_session(true);

  // The outputs are the module's, in its order.
  const std::vector<ModelTensor> &outs = result.reply.outputs;
  bool same = outs.size() == summary.outputs.size();
  for (size_t i = 0; same && i < outs.size(); ++i) {
    same = outs[i].name == summary.outputs[i].name && outs[i].dtype == summary.outputs[i].dtype &&
           outs[i].shape == summary.outputs[i].shape;
  }
  user_check(same) << where << " returned outputs that do not match module '" << module_dir << "' ("
                   << outs.size() << " outputs, the module has " << summary.outputs.size() << ")";
  return result;
}

RemoteRunResult run_module_on_tracker(const std::string &tracker_host, uint16_t tracker_port,
                                      const TrackerLeaseOptions &lease,
                                      const std::string &module_dir,
                                      const std::vector<ModelTensor> &inputs,
                                      const RemoteRunOptions &opt) {
  std::function<void(const std::string &)> notify = lease.notify;
  if (!notify) notify = [](const std::string &line) { std::cerr << "autotune: " << line << "\n"; };
  user_check(is_valid_key(lease.key)) << "invalid tracker key '" << lease.key << "'";
  TrackerClient tracker(tracker_host, tracker_port, opt.token, opt.client_name,
                        opt.connect_timeout_s);
  const std::string address = tracker.address();
  auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };

  // Wait in slices of lease.notice_s with a notice after each; the first slice is at most a
  // second, so that a busy farm is reported soon.
  std::vector<ServerRecord> servers;
  KeyState state;
  auto next_wait = [&](double most) {
    return std::max(0.0, std::min(most, lease.wait_s - elapsed()));
  };
  for (double wait = next_wait(std::min(lease.notice_s, 1.0));; wait = next_wait(lease.notice_s)) {
    try {
      servers = tracker.request(lease.key, 1, wait, lease.priority, &state);
    } catch (const std::exception &e) {
      user_error << "the tracker at " << address << " failed to lease a '" << lease.key
                 << "' server: " << e.what();
    }
    if (!servers.empty()) break;
    if (elapsed() >= lease.wait_s) {
      std::ostringstream why;
      why << "no '" << lease.key << "' server of the tracker at " << address
          << " became free within " << lease.wait_s << " s (" << state.free << " free, "
          << state.busy << " busy)";
      if (state.free + state.busy == 0) {
        why << "; no server is registered under '" << lease.key
            << "': start one with `autotune-rpc server --tracker " << address << " --key "
            << lease.key << "`";
      }
      user_error << why.str();
    }
    std::ostringstream line;
    line << "waiting for a free '" << lease.key << "' server at " << address << " (" << state.free
         << " free, " << state.busy << " busy)";
    notify(line.str());
  }

  const ServerRecord &server = servers.front();
  auto release = [&] {
    try {
      tracker.release({server.id});
    } catch (const std::exception &) {
      // Closing the tracker connection ends the lease too.
    }
  };
  RemoteRunResult result;
  try {
    result = run_module_remote(server.host, server.port, module_dir, inputs, opt);
  } catch (...) {
    release();
    throw;
  }
  release();
  return result;
}

}  // namespace autotune::measure

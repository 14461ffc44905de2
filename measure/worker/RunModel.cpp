// Whole-model runs: module directories from uploads, the per-session model cache, input checks,
// and the timed runs.
#include "measure/worker/RunModel.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <vector>

#include "codegen/runtime/ThreadPool.h"
#include "ir/support/Error.h"
#include "measure/worker/KernelBuffers.h"

namespace autotune::measure {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string shape_text(const std::vector<int64_t> &shape) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < shape.size(); ++i) os << (i ? ", " : "") << shape[i];
  os << "]";
  return os.str();
}

/// Replaces every occurrence of `from` in `s` with `to`.
std::string replace_all(std::string s, const std::string &from, const std::string &to) {
  for (size_t at = s.find(from); !from.empty() && at != std::string::npos;
       at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
  return s;
}

/// Sets the kernels' thread count for one scope, then restores the previous one.
class ThreadScope {
 public:
  explicit ThreadScope(int threads) : previous_(autotune_get_num_threads()) {
    if (threads > 0 && threads != previous_) autotune_set_num_threads(threads);
  }
  ~ThreadScope() {
    if (autotune_get_num_threads() != previous_) autotune_set_num_threads(previous_);
  }
  ThreadScope(const ThreadScope &) = delete;
  ThreadScope &operator=(const ThreadScope &) = delete;

 private:
  int previous_;
};

/// Puts `src` into the module directory as `dst`: a hard link (the upload may be replaced later;
/// the link keeps these bytes), else a copy. UserError on failure.
void place_file(const std::string &src, const std::string &dst) {
  std::error_code ec;
  fs::create_hard_link(src, dst, ec);
  if (!ec) return;
  fs::copy_file(src, dst, fs::copy_options::overwrite_existing, ec);
  user_check(!ec) << "cannot assemble the module: copying '" << src << "' failed: " << ec.message();
}

/// Checks req's inputs against the module's; returns, for each module input, the index of the
/// request input that feeds it.
std::vector<size_t> match_inputs(const RunModelRequest &req,
                                 const std::vector<runtime::TensorSpec> &specs) {
  std::map<std::string, size_t> given;
  for (size_t i = 0; i < req.inputs.size(); ++i) {
    user_check(given.emplace(req.inputs[i].name, i).second)
        << "input '" << req.inputs[i].name << "' is given twice";
  }
  std::vector<size_t> order;
  for (const runtime::TensorSpec &spec : specs) {
    auto it = given.find(spec.name);
    user_check(it != given.end()) << "the module needs input '" << spec.name << "' (" << spec.dtype
                                  << " " << shape_text(spec.shape) << "), the request has none";
    const ModelTensor &t = req.inputs[it->second];
    user_check(t.dtype == spec.dtype) << "input '" << spec.name << "' has dtype " << t.dtype
                                      << ", the module expects " << spec.dtype;
    user_check(t.shape == spec.shape)
        << "input '" << spec.name << "' has shape " << shape_text(t.shape)
        << ", the module expects " << shape_text(spec.shape);
    order.push_back(it->second);
    given.erase(it);
  }
  if (!given.empty()) {
    std::string names;
    for (const runtime::TensorSpec &spec : specs) {
      names += (names.empty() ? "'" : ", '") + spec.name + "'";
    }
    user_error << "the module has no input named '" << given.begin()->first
               << "' (its inputs: " << (names.empty() ? "none" : names) << ")";
  }
  return order;
}

}  // namespace

ModelRuns::ModelRuns(std::string dir) : dir_(std::move(dir)) {}

ModelRuns::~ModelRuns() {
  while (!loaded_.empty()) unload(loaded_.begin());
}

void ModelRuns::unload(std::map<std::string, Loaded>::iterator it) {
  std::string dir = it->second.dir;
  loaded_.erase(it);  // dlclose before the files go
  std::error_code ec;
  fs::remove_all(dir, ec);
}

void ModelRuns::forget(const std::string &name) {
  for (auto it = loaded_.begin(); it != loaded_.end();) {
    const Loaded &l = it->second;
    bool uses = l.model_json == name || l.kernels == name || l.constants == name;
    auto next = std::next(it);
    if (uses) unload(it);
    it = next;
  }
}

ModelRuns::Loaded &ModelRuns::model_for(const RunModelRequest &req, const UploadPath &upload_path,
                                        double *load_s, bool *cached) {
  std::string key = req.model_json + "|" + req.kernels + "|" + req.constants;
  auto it = loaded_.find(key);
  if (it != loaded_.end()) {
    it->second.last_use = ++use_clock_;
    *load_s = 0;
    *cached = true;
    return it->second;
  }

  auto start = Clock::now();
  std::string paths[3];
  const std::pair<const std::string *, const char *> files[3] = {
      {&req.model_json, runtime::kModelJsonFile},
      {&req.kernels, runtime::kKernelsFile},
      {&req.constants, runtime::kConstantsFile}};
  for (int i = 0; i < 3; ++i) {
    paths[i] = upload_path(*files[i].first);
    user_check(!paths[i].empty()) << "'" << *files[i].first << "' (the module's " << files[i].second
                                  << ") was not uploaded";
  }
  if (loaded_.size() >= kMaxLoaded) {
    auto oldest = loaded_.begin();
    for (auto l = loaded_.begin(); l != loaded_.end(); ++l) {
      if (l->second.last_use < oldest->second.last_use) oldest = l;
    }
    unload(oldest);
  }

  Loaded l;
  l.model_json = req.model_json;
  l.kernels = req.kernels;
  l.constants = req.constants;
  l.dir = dir_ + "/model-" + std::to_string(++next_dir_);
  std::error_code ec;
  fs::remove_all(l.dir, ec);
  fs::create_directory(l.dir, ec);
  user_check(!ec) << "cannot make the module directory '" << l.dir << "': " << ec.message();
  try {
    for (int i = 0; i < 3; ++i) place_file(paths[i], l.dir + "/" + files[i].second);
    l.model = runtime::DeployedModel::load(l.dir);
  } catch (const UserError &e) {
    fs::remove_all(l.dir, ec);
    // The loader names files by their path in this server's private directory; the client
    // knows them by their module file names.
    std::string why = replace_all(e.what(), "module '" + l.dir + "'", "the uploaded module");
    why = replace_all(why, l.dir + "/", "");
    why = replace_all(why, l.dir, "the uploaded module");
    user_error << "cannot load the module on this server: " << why;
  }
  *load_s = seconds_since(start);
  *cached = false;
  l.last_use = ++use_clock_;
  return loaded_[key] = std::move(l);
}

RunModelReply ModelRuns::run(const RunModelRequest &req, const UploadPath &upload_path) {
  RunModelReply reply;
  Loaded &loaded = model_for(req, upload_path, &reply.load_s, &reply.cached);
  runtime::DeployedModel &model = *loaded.model;

  // Inputs in the module's order, copied into aligned buffers.
  std::vector<size_t> order = match_inputs(req, model.inputs());
  std::vector<AlignedBuffer> buffers;
  std::vector<const void *> ins;
  for (size_t i = 0; i < order.size(); ++i) {
    const std::string &bytes = req.inputs[order[i]].bytes;
    buffers.emplace_back(model.inputs()[i].bytes);
    if (!bytes.empty()) std::memcpy(buffers.back().data(), bytes.data(), bytes.size());
    ins.push_back(buffers.back().data());
  }
  int64_t output_bytes = 0;
  std::vector<void *> outs;
  for (const runtime::TensorSpec &spec : model.outputs()) {
    output_bytes += spec.bytes;
    buffers.emplace_back(spec.bytes);
    outs.push_back(buffers.back().data());
  }
  user_check(output_bytes <= static_cast<int64_t>(kMaxDataBytes))
      << "the module's outputs take " << output_bytes << " bytes, more than a reply frame's "
      << kMaxDataBytes;

  // Warm-up, then the timed runs; the outputs are those of the last run.
  ThreadScope threads(req.threads);
  reply.threads = autotune_get_num_threads();
  for (int w = 0; w < req.warmup; ++w) model.run(ins, outs);
  int timed = std::max(req.repeat, 1);
  for (int r = 0; r < timed; ++r) {
    auto start = Clock::now();
    model.run(ins, outs);
    reply.times_s.push_back(seconds_since(start));
  }

  for (size_t o = 0; o < model.outputs().size(); ++o) {
    const runtime::TensorSpec &spec = model.outputs()[o];
    ModelTensor t;
    t.name = spec.name;
    t.dtype = spec.dtype;
    t.shape = spec.shape;
    t.bytes.assign(static_cast<const char *>(outs[o]), static_cast<size_t>(spec.bytes));
    reply.outputs.push_back(std::move(t));
  }
  return reply;
}

}  // namespace autotune::measure

// Remote run and bench: build for the device's target, lease a server, run there.
#include "tools/RemoteRun.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "codegen/SaveModel.h"
#include "ir/support/Error.h"
#include "measure/worker/ScratchDir.h"
#include "measure/worker/TrackerProtocol.h"

namespace autotune::tools {

namespace {

std::vector<codegen::TensorInfo> tensor_infos(const std::vector<measure::ModelTensor> &specs) {
  std::vector<codegen::TensorInfo> out;
  for (const auto &s : specs) out.push_back({s.name, ir::DataType::parse(s.dtype), s.shape});
  return out;
}

}  // namespace

std::unique_ptr<RemoteModel> RemoteModel::prepare(const std::string &model_path,
                                                  const std::string &module_dir,
                                                  CompileOptions copt,
                                                  const measure::DeviceProfile &device,
                                                  const std::string &tracker, int threads) {
  std::unique_ptr<RemoteModel> m(new RemoteModel());
  m->device_name_ = device.name;
  measure::parse_host_port(tracker, "--tracker", &m->tracker_host_, &m->tracker_port_);
  m->lease_.key = device.tracker_key;
  m->options_.client_name = "autotune (" + device.name + ")";
  if (const char *token = std::getenv("AUTOTUNE_RPC_TOKEN")) m->options_.token = token;
  m->options_.threads = threads;
  m->label_ = model_path.empty() ? "module=" + module_dir : "model=" + model_path;

  if (model_path.empty()) {
    m->module_dir_ = module_dir;
  } else {
    // Tuning records are keyed by the target string: plan with the device's.
    copt.target = codegen::Target::parse(device.target);
    auto start = std::chrono::steady_clock::now();
    codegen::ModelPlan plan = plan_onnx_model(model_path, copt);
    m->temp_dir_ = measure::make_scratch_dir("", "autotune-remote-module");
    m->module_dir_ = m->temp_dir_ + "/module";
    codegen::save_model(plan, m->module_dir_);
    m->build_s_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "autotune: built '%s' for device '%s' (%s) in %.1f s\n",
                 model_path.c_str(), device.name.c_str(), plan.target.str().c_str(), m->build_s_);
  }
  m->summary_ = measure::read_module_summary(m->module_dir_);
  m->inputs_ = tensor_infos(m->summary_.inputs);
  m->outputs_ = tensor_infos(m->summary_.outputs);
  return m;
}

RemoteModel::~RemoteModel() {
  if (temp_dir_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(temp_dir_, ec);
}

measure::RemoteRunResult RemoteModel::execute(const std::vector<const void *> &inputs, int warmup,
                                              int repeat) {
  user_check(inputs.size() == inputs_.size()) << "module '" << module_dir_ << "' takes "
                                              << inputs_.size() << " inputs, got " << inputs.size();
  std::vector<measure::ModelTensor> tensors;
  for (size_t i = 0; i < inputs_.size(); ++i) {
    measure::ModelTensor t = summary_.inputs[i];
    t.bytes.assign(static_cast<const char *>(inputs[i]), static_cast<size_t>(inputs_[i].bytes()));
    tensors.push_back(std::move(t));
  }
  measure::RemoteRunOptions opt = options_;
  opt.warmup = warmup;
  opt.repeat = repeat;
  // The deadline only catches hung servers: five minutes, plus a minute per run (boards and
  // emulators can be slow).
  opt.timeout_s =
      std::min(measure::kMaxModelTimeoutS, 300.0 + 60.0 * (warmup + std::max(repeat, 1)));
  measure::RemoteRunResult r = measure::run_module_on_tracker(tracker_host_, tracker_port_, lease_,
                                                              module_dir_, tensors, opt);
  std::fprintf(stderr, "autotune: ran on the '%s' server %s (%s, %s, %d thread%s)\n",
               lease_.key.c_str(), r.address.c_str(), r.server.triple.c_str(), r.server.cpu.c_str(),
               r.reply.threads, r.reply.threads == 1 ? "" : "s");
  return r;
}

void RemoteModel::run(const std::vector<const void *> &inputs, const std::vector<void *> &outputs) {
  measure::RemoteRunResult r = execute(inputs, 0, 0);
  user_check(outputs.size() == r.reply.outputs.size())
      << "module '" << module_dir_ << "' has " << r.reply.outputs.size() << " outputs, got "
      << outputs.size() << " buffers";
  for (size_t o = 0; o < outputs.size(); ++o) {
    const std::string &bytes = r.reply.outputs[o].bytes;
    if (!bytes.empty()) std::memcpy(outputs[o], bytes.data(), bytes.size());
  }
}

measure::RemoteRunResult RemoteModel::time(const std::vector<const void *> &inputs, int warmup,
                                           int repeat) {
  return execute(inputs, warmup, repeat);
}

void RemoteModel::bench(const std::vector<const void *> &inputs, int repeat) {
  measure::RemoteRunResult r = time(inputs, /*warmup=*/3, repeat);
  std::vector<double> ms;
  for (double t : r.reply.times_s) ms.push_back(t * 1e3);
  user_check(!ms.empty()) << "the server at " << r.address << " returned no run times";
  std::sort(ms.begin(), ms.end());
  std::printf(
      "%s threads=%d repeat=%d build_s=%.2f load_s=%.3f kernels=%zu distinct=%zu "
      "arena_mb=%.2f target=\"%s\"\n",
      label_.c_str(), r.reply.threads, repeat, build_s_, r.reply.load_s, summary_.num_calls,
      summary_.num_distinct_kernels, summary_.arena_bytes / 1048576.0, summary_.target.c_str());
  std::printf("median_ms=%.3f min_ms=%.3f max_ms=%.3f\n", ms[ms.size() / 2], ms.front(), ms.back());
  std::printf(
      "measured on the server %s of device '%s' (tracker key '%s'): %s, %s, %d "
      "thread%s\n",
      r.address.c_str(), device_name_.c_str(), lease_.key.c_str(), r.server.triple.c_str(),
      r.server.cpu.c_str(), r.reply.threads, r.reply.threads == 1 ? "" : "s");
}

}  // namespace autotune::tools

// The `autotune` command line: demo, run, bench, tune, and build (a deployable module that
// run/bench load with --module).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <random>
#include <sstream>

#include "codegen/SaveModel.h"
#include "codegen/runtime/DeployedModel.h"
#include "codegen/runtime/ThreadPool.h"
#include "costmodel/XGBoostModel.h"
#include "ir/graph/NpyFile.h"
#include "ir/graph/onnx/OnnxImporter.h"
#include "ir/support/Error.h"
#include "measure/DeviceProfile.h"
#include "tools/CompileModel.h"
#include "tools/Demo.h"
#include "tools/RemoteRun.h"
#include "tuner/TuneGraph.h"

using namespace autotune;

namespace {

/// "NAME=FILE" pairs -> map; UserError on a malformed pair.
std::map<std::string, std::string> parse_inputs(const std::vector<std::string> &pairs) {
  std::map<std::string, std::string> out;
  for (const std::string &p : pairs) {
    size_t eq = p.find('=');
    user_check(eq != std::string::npos && eq > 0 && eq + 1 < p.size())
        << "--input expects NAME=FILE, got '" << p << "'";
    out[p.substr(0, eq)] = p.substr(eq + 1);
  }
  return out;
}

std::string sanitize_file_name(const std::string &name) {
  std::string s;
  for (char c : name) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
    s += ok ? c : '_';
  }
  return s;
}

/// Aligned storage for one tensor.
struct HostBuffer {
  explicit HostBuffer(int64_t bytes) : data(autotune_alloc(bytes + 64)), size(bytes) {}
  ~HostBuffer() { autotune_free(data); }
  HostBuffer(const HostBuffer &) = delete;
  void *data;
  int64_t size;
};

std::shared_ptr<graph::TensorData> read_input_file(const std::string &path) {
  std::string ext = std::filesystem::path(path).extension().string();
  if (ext == ".pb") return graph::read_tensor_proto_file(path);
  return graph::read_npy(path);
}

/// What `run` and `bench` need from a model, whether JIT-compiled from ONNX or loaded from a
/// module directory that `autotune build` wrote, or run on a server of an rpc device.
struct RunnableModel {
  std::string what;  ///< "model 'M.onnx'" or "module 'DIR'", for messages
  std::vector<codegen::TensorInfo> inputs, outputs;
  std::unique_ptr<codegen::CompiledModel> compiled;
  std::unique_ptr<runtime::DeployedModel> deployed;
  std::unique_ptr<tools::RemoteModel> remote;

  void run(const std::vector<const void *> &ins, const std::vector<void *> &outs) {
    if (compiled) {
      compiled->run(ins, outs);
    } else if (remote) {
      remote->run(ins, outs);
    } else {
      deployed->run(ins, outs);
    }
  }
  std::string profile_report() const {
    if (remote) return "";
    return compiled ? compiled->profile_report() : deployed->profile_report();
  }
};

std::vector<codegen::TensorInfo> tensor_infos(const std::vector<runtime::TensorSpec> &specs) {
  std::vector<codegen::TensorInfo> out;
  for (const auto &s : specs) out.push_back({s.name, ir::DataType::parse(s.dtype), s.shape});
  return out;
}

/// Compiles `model_path` or loads `module_dir`, whichever was given (exactly one); or takes
/// `remote`, already prepared from them, when it is set.
RunnableModel load_runnable(const std::string &model_path, const std::string &module_dir,
                            const tools::CompileOptions &copt,
                            std::unique_ptr<tools::RemoteModel> remote) {
  RunnableModel m;
  if (remote) {
    m.what = model_path.empty() ? "module '" + module_dir + "'" : "model '" + model_path + "'";
    m.inputs = remote->inputs();
    m.outputs = remote->outputs();
    m.remote = std::move(remote);
  } else if (!module_dir.empty()) {
    m.what = "module '" + module_dir + "'";
    m.deployed = runtime::DeployedModel::load(module_dir);
    m.inputs = tensor_infos(m.deployed->inputs());
    m.outputs = tensor_infos(m.deployed->outputs());
  } else {
    m.what = "model '" + model_path + "'";
    m.compiled = tools::compile_onnx_model(model_path, copt);
    m.inputs = m.compiled->inputs();
    m.outputs = m.compiled->outputs();
  }
  return m;
}

int run_command(const std::string &model_path, const std::string &module_dir,
                const std::vector<std::string> &input_args, const std::string &output_dir,
                int threads, const tools::CompileOptions &copt,
                std::unique_ptr<tools::RemoteModel> remote) {
  autotune_set_num_threads(threads);
  auto files = parse_inputs(input_args);
  RunnableModel model = load_runnable(model_path, module_dir, copt, std::move(remote));
  std::vector<std::string> missing;
  for (const auto &in : model.inputs) {
    if (!files.count(in.name)) missing.push_back(in.name);
  }
  if (!missing.empty()) {
    std::string list;
    for (const auto &m : missing) list += (list.empty() ? "'" : ", '") + m + "'";
    user_error << model.what << " needs input(s) " << list << " (give each as --input NAME=FILE)";
  }
  for (const auto &f : files) {
    bool known = std::any_of(model.inputs.begin(), model.inputs.end(),
                             [&](const codegen::TensorInfo &i) { return i.name == f.first; });
    user_check(known) << model.what << " has no input named '" << f.first << "'";
  }
  std::vector<std::unique_ptr<HostBuffer>> in_bufs, out_bufs;
  std::vector<const void *> ins;
  std::vector<void *> outs;
  for (const auto &info : model.inputs) {
    auto t = read_input_file(files.at(info.name));
    user_check(t->dtype == info.dtype)
        << "input '" << info.name << "' from '" << files.at(info.name) << "' has type "
        << t->dtype.str() << ", the model expects " << info.dtype.str();
    user_check(t->shape == info.shape)
        << "input '" << info.name << "' from '" << files.at(info.name) << "' has shape "
        << graph::shape_str(t->shape) << ", the model expects " << graph::shape_str(info.shape);
    in_bufs.push_back(std::make_unique<HostBuffer>(info.bytes()));
    std::memcpy(in_bufs.back()->data, t->bytes.data(), t->bytes.size());
    ins.push_back(in_bufs.back()->data);
  }
  for (const auto &info : model.outputs) {
    out_bufs.push_back(std::make_unique<HostBuffer>(info.bytes()));
    outs.push_back(out_bufs.back()->data);
  }
  model.run(ins, outs);
  std::filesystem::create_directories(output_dir);
  for (size_t i = 0; i < model.outputs.size(); ++i) {
    const auto &info = model.outputs[i];
    auto t = graph::TensorData::make(info.dtype, info.shape);
    std::memcpy(t->bytes.data(), outs[i], t->bytes.size());
    std::string path = (std::filesystem::path(output_dir) / (sanitize_file_name(info.name) + ".npy")).string();
    graph::write_npy(path, *t);
    std::printf("wrote %s %s\n", path.c_str(), graph::shape_str(info.shape).c_str());
  }
  return 0;
}

int bench_command(const std::string &model_path, const std::string &module_dir, int threads,
                  int repeat, const tools::CompileOptions &copt,
                  std::unique_ptr<tools::RemoteModel> remote) {
  autotune_set_num_threads(threads);
  auto t0 = std::chrono::steady_clock::now();
  RunnableModel model = load_runnable(model_path, module_dir, copt, std::move(remote));
  double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::vector<std::unique_ptr<HostBuffer>> bufs;
  std::vector<const void *> ins;
  std::vector<void *> outs;
  std::mt19937 rng(0);
  std::normal_distribution<float> normal;
  for (const auto &info : model.inputs) {
    bufs.push_back(std::make_unique<HostBuffer>(info.bytes()));
    if (info.dtype == ir::Float(32)) {
      float *p = static_cast<float *>(bufs.back()->data);
      for (int64_t i = 0; i < info.bytes() / 4; ++i) p[i] = normal(rng);
    } else {
      std::memset(bufs.back()->data, 0, info.bytes());
    }
    ins.push_back(bufs.back()->data);
  }
  for (const auto &info : model.outputs) {
    bufs.push_back(std::make_unique<HostBuffer>(info.bytes()));
    outs.push_back(bufs.back()->data);
  }
  if (model.remote) {  // timed on the server
    model.remote->bench(ins, repeat);
    return 0;
  }
  for (int w = 0; w < 3; ++w) model.run(ins, outs);
  std::vector<double> ms;
  for (int r = 0; r < repeat; ++r) {
    auto s = std::chrono::steady_clock::now();
    model.run(ins, outs);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - s).count());
  }
  std::sort(ms.begin(), ms.end());
  if (model.compiled) {
    const auto &m = *model.compiled;
    std::printf("model=%s threads=%d repeat=%d compile_s=%.2f kernels=%zu distinct=%zu "
                "tuned=%zu untuned=%zu arena_mb=%.2f\n",
                model_path.c_str(), threads, repeat, load_s, m.num_kernel_calls(),
                m.num_distinct_kernels(), m.num_tuned_kernels(), m.untuned_kernels().size(),
                m.arena_bytes() / 1048576.0);
  } else {
    const auto &m = *model.deployed;
    std::printf("module=%s threads=%d repeat=%d load_s=%.3f kernels=%zu distinct=%zu "
                "arena_mb=%.2f target=\"%s\"\n",
                module_dir.c_str(), threads, repeat, load_s, m.num_kernel_calls(),
                m.num_distinct_kernels(), m.arena_bytes() / 1048576.0, m.target().c_str());
  }
  std::printf("median_ms=%.3f min_ms=%.3f max_ms=%.3f\n", ms[ms.size() / 2], ms.front(), ms.back());
  if (const char *p = std::getenv("AUTOTUNE_PROFILE"); p && std::atoi(p)) {
    std::printf("%s", model.profile_report().c_str());
  }
  return 0;
}

std::string human_bytes(int64_t bytes) {
  char buf[64];
  if (bytes < 1024) {
    std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(bytes));
  } else if (bytes < 1024 * 1024) {
    std::snprintf(buf, sizeof buf, "%.1f KiB", bytes / 1024.0);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f MiB", bytes / 1048576.0);
  }
  return buf;
}

std::string tensor_list(const std::vector<codegen::TensorInfo> &tensors) {
  std::string out;
  for (const auto &t : tensors) {
    out += (out.empty() ? "" : ", ") + t.name + " " + t.dtype.str() + graph::shape_str(t.shape);
  }
  return out;
}

/// `autotune build`: plan with the database's best configs, cross-compile, write the module.
int build_command(const std::string &model_path, std::string output_dir,
                  const std::string &target_string, tools::CompileOptions copt) {
  if (!target_string.empty()) copt.target = codegen::Target::parse(target_string);
  if (output_dir.empty()) {
    output_dir = std::filesystem::path(model_path).stem().string() + ".module";
  }
  auto t0 = std::chrono::steady_clock::now();
  codegen::ModelPlan plan = tools::plan_onnx_model(model_path, copt);
  codegen::SavedModelSizes sizes = codegen::save_model(plan, output_dir);
  double build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("built module '%s' from '%s' in %.1f s\n", output_dir.c_str(), model_path.c_str(),
              build_s);
  std::printf("  target      %s\n", plan.target.str().c_str());
  std::printf("  kernels     %zu calls of %zu distinct kernels; %zu calls tuned, %zu tunable "
              "workload(s) untuned\n",
              plan.calls.size(), plan.kernels.size(), plan.num_tuned_calls,
              plan.untuned_kernels.size());
  std::printf("  kernels.so  %s\n", human_bytes(sizes.kernels).c_str());
  std::printf("  constants   %zu tensors, %s (constants.bin)\n", plan.constants.size(),
              human_bytes(sizes.constants).c_str());
  std::printf("  arena       %s\n", human_bytes(plan.arena_bytes).c_str());
  std::printf("  model.json  %s\n", human_bytes(sizes.model_json).c_str());
  std::printf("  inputs      %s\n", tensor_list(plan.inputs).c_str());
  std::printf("  outputs     %s\n", tensor_list(plan.outputs).c_str());
  return 0;
}

/// `autotune devices`: every profile --device accepts, built-in and from the user's file.
int devices_command() {
  for (const measure::DeviceProfile &d : measure::load_device_profiles()) {
    std::printf("%s\n", d.name.c_str());
    if (!d.description.empty()) std::printf("  %s\n", d.description.c_str());
    std::printf("  runner   %s\n", d.runner.c_str());
    std::printf("  target   %s\n", d.target.c_str());
    if (d.runner == "rpc") {
      std::printf("  tracker  key '%s' at %s\n", d.tracker_key.c_str(),
                  d.default_tracker.empty() ? "(none: give --tracker or AUTOTUNE_TRACKER)"
                                            : d.default_tracker.c_str());
    }
    std::printf("  cores    %s\n", d.cores > 0 ? std::to_string(d.cores).c_str() : "unknown");
    if (!d.gpu.empty()) std::printf("  gpu      %s\n", d.gpu.c_str());
    std::printf("  source   %s\n", d.source.c_str());
  }
  return 0;
}

/// `autotune --model M ...` (no subcommand) means `autotune tune --model M ...`.
std::vector<std::string> with_default_subcommand(int argc, char **argv) {
  std::vector<std::string> args(argv, argv + argc);
  if (args.size() > 1 && args[1].rfind("--", 0) == 0 && args[1] != "--help") {
    args.insert(args.begin() + 1, "tune");
  }
  return args;
}

}  // namespace

int main(int argc, char **argv) {
  // XGBoost's OpenMP threads must start passive (see costmodel/XGBoostModel.h): re-executes
  // once with OMP_WAIT_POLICY=passive when the variable is unset.
  costmodel::ensure_passive_openmp(argv);
  CLI::App app{"autotune: a deep-learning compiler that tunes itself for its target"};
  app.require_subcommand(1);

  int n = 512, demo_threads = 1;
  CLI::App *demo = app.add_subcommand(
      "demo", "compile a matmul with the default and a hand-tuned schedule, check and time both");
  demo->add_option("--size", n, "matrix size n (n x n x n)")->check(CLI::Range(1, 8192));
  demo->add_option("--threads", demo_threads, "worker threads")->check(CLI::Range(1, 256));

  const std::string kTrackerHelp =
      "HOST:PORT of the RPC tracker for an rpc device (default: $AUTOTUNE_TRACKER, then the "
      "device's default)";
  std::string model, module_dir, output_dir, device = "local", db_path, target, tracker;
  std::vector<std::string> inputs;
  int threads = 1, repeat = 20;
  bool require_tuned = false, untuned = false;
  CLI::App *run = app.add_subcommand(
      "run",
      "run an ONNX model (or a module from `autotune build`) on inputs and write its outputs");
  run->add_option("--model", model, "the ONNX model");
  run->add_option("--module", module_dir,
                  "a module directory from `autotune build` (instead of --model)");
  run->add_option("--device", device, "where to run (see `autotune devices`; default local)");
  run->add_option("--tracker", tracker, kTrackerHelp);
  run->add_option("--input", inputs, "NAME=FILE (.npy or ONNX TensorProto .pb), once per input");
  run->add_option("--output-dir", output_dir, "where to write <output>.npy")->required();
  run->add_option("--threads", threads, "worker threads")->check(CLI::Range(1, 256));

  CLI::App *bench = app.add_subcommand(
      "bench", "time an ONNX model (or a module from `autotune build`) on random inputs");
  bench->add_option("--model", model, "the ONNX model");
  bench->add_option("--module", module_dir,
                    "a module directory from `autotune build` (instead of --model)");
  bench->add_option("--device", device, "where to run (see `autotune devices`; default local)");
  bench->add_option("--tracker", tracker, kTrackerHelp);
  bench->add_option("--threads", threads, "worker threads")->check(CLI::Range(1, 256));
  bench->add_option("--repeat", repeat, "timed runs")->check(CLI::Range(1, 100000));

  CLI::App *build = app.add_subcommand(
      "build", "compile a model with its best tuning records into a deployable module directory "
               "(kernels.so, constants.bin, model.json)");
  build->add_option("--model", model, "the ONNX model")->required();
  build->add_option("--device", device,
                    "the device to build for (its target unless --target is given; default local)");
  build->add_option("--output", output_dir, "the module directory (default: <model name>.module)");
  build->add_option("--target", target,
                    "target string, e.g. \"llvm -mtriple=aarch64-linux-gnu -mcpu=cortex-a72 "
                    "-mattr=+neon\" (default: the --device's target, this machine for local)");
  for (CLI::App *sub : {run, bench, build}) {
    sub->add_option("--db", db_path,
                    "tuning database to read best configs from (default: " +
                        std::string("$AUTOTUNE_DB or ~/.local/share/autotune/tuning.db, if present)"));
    sub->add_flag("--require-tuned", require_tuned,
                  "fail when a tunable kernel has no tuning record");
    sub->add_flag("--untuned", untuned, "ignore every tuning database (default schedules)");
  }

  tuner::TuneGraphOptions topt;
  std::string tasks_csv;
  CLI::App *tune = app.add_subcommand(
      "tune", "tune every task of a model on a device and record the measurements "
              "(also: autotune --model M --device D ...)");
  tune->add_option("--model", model, "the ONNX model")->required();
  tune->add_option("--device", device,
                   "the device to tune for (see `autotune devices`; default local)");
  tune->add_option("--tracker", tracker, kTrackerHelp);
  tune->add_option("--trials", topt.task.trials, "trials per task")->check(CLI::Range(1, 1000000));
  tune->add_option("--budget", topt.budget, "total trials over all tasks (overrides --trials)");
  tune->add_option("--scheduler", topt.scheduler,
                   "how --budget is shared: gain (default: batch by batch to the task expected "
                   "to cut the model's latency most) or sequential (split by count x FLOPs)")
      ->check(CLI::IsMember({"gain", "sequential"}));
  tune->add_option("--tuner", topt.task.tuner, "xgb (default: cost model), random, grid or ga")
      ->check(CLI::IsMember({"xgb", "random", "grid", "ga"}));
  tune->add_option("--db", topt.db_path,
                   "tuning database (default: $AUTOTUNE_DB or ~/.local/share/autotune/tuning.db)");
  tune->add_option("--timeout", topt.task.timing.timeout_s, "seconds before a run is abandoned");
  tune->add_option("--early-stopping", topt.task.early_stopping,
                   "stop a task after this many trials without improvement");
  tune->add_option("--tasks", tasks_csv, "comma-separated task indices or name substrings");
  tune->add_option("--threads", topt.threads, "threads of the measured kernels")
      ->check(CLI::Range(1, 256));
  tune->add_option("--batch", topt.task.batch_size, "configs per measured batch")
      ->check(CLI::Range(1, 1024));
  tune->add_option("--seed", topt.task.seed, "tuner random seed");
  tune->add_flag("--list-tasks", topt.list_only, "print the model's tasks and exit");

  CLI::App *devices = app.add_subcommand(
      "devices", "list the devices --device accepts (built-in profiles and the user's "
                 "$AUTOTUNE_DEVICES or ~/.config/autotune/devices.json; see docs/DEVICES.md)");

  std::vector<std::string> args = with_default_subcommand(argc, argv);
  std::vector<char *> argp;
  for (std::string &a : args) argp.push_back(a.data());
  CLI11_PARSE(app, static_cast<int>(argp.size()), argp.data());
  try {
    if (*devices) return devices_command();
    const measure::DeviceProfile profile = measure::find_device(device);
    tools::CompileOptions copt;
    copt.db_path = db_path;
    copt.require_tuned = require_tuned;
    copt.use_db = !untuned;
    user_check(!(untuned && (require_tuned || !db_path.empty())))
        << "--untuned cannot be combined with --db or --require-tuned";
    if (*demo) return tools::run_demo(n, demo_threads);
    if (*run || *bench) {
      user_check(model.empty() != module_dir.empty())
          << (model.empty() ? "give the model to run: --model M.onnx or --module DIR"
                            : "give either --model or --module, not both");
      user_check(module_dir.empty() || (db_path.empty() && !require_tuned && !untuned))
          << "--db, --require-tuned and --untuned apply to --model; a --module already holds "
             "the kernels it was built with";
    }
    // An rpc device: the model runs on a server leased from its tracker (tools/RemoteRun.h).
    std::unique_ptr<tools::RemoteModel> remote;
    if ((*run || *bench) && profile.runner == "rpc") {
      remote = tools::RemoteModel::prepare(model, module_dir, copt, profile,
                                           measure::resolve_tracker(profile, tracker), threads);
    }
    if (*run) {
      return run_command(model, module_dir, inputs, output_dir, threads, copt, std::move(remote));
    }
    if (*bench) return bench_command(model, module_dir, threads, repeat, copt, std::move(remote));
    if (*build) {
      return build_command(model, output_dir, target.empty() ? profile.target : target, copt);
    }
    if (*tune) {
      std::stringstream ss(tasks_csv);
      for (std::string item; std::getline(ss, item, ',');) {
        if (!item.empty()) topt.tasks.push_back(item);
      }
      topt.task.device = device;
      // The profile's CPU target ("" when it is this machine) and, for an rpc device, where its
      // servers are leased.
      if (codegen::Target::parse(profile.target) != codegen::Target::host()) {
        topt.device_target = profile.target;
      }
      if (profile.runner == "rpc" && !topt.list_only) {
        topt.tracker = measure::resolve_tracker(profile, tracker);
        topt.tracker_key = profile.tracker_key;
      }
      tuner::tune_model(model, topt);
      return 0;
    }
  } catch (const UserError &e) {
    std::cerr << "autotune: error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception &e) {
    std::cerr << "autotune: internal error: " << e.what() << "\n";
    return 2;
  }
  return 0;
}

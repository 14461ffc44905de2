// The `autotune` command line: demo, run, bench (tune/build/export/import arrive with the tuner).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <random>
#include <sstream>

#include "codegen/runtime/ThreadPool.h"
#include "costmodel/XGBoostModel.h"
#include "ir/graph/NpyFile.h"
#include "ir/graph/onnx/OnnxImporter.h"
#include "ir/support/Error.h"
#include "tools/CompileModel.h"
#include "tools/Demo.h"
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

int run_command(const std::string &model_path, const std::vector<std::string> &input_args,
                const std::string &output_dir, int threads, const tools::CompileOptions &copt) {
  autotune_set_num_threads(threads);
  auto files = parse_inputs(input_args);
  auto model = tools::compile_onnx_model(model_path, copt);
  std::vector<std::string> missing;
  for (const auto &in : model->inputs()) {
    if (!files.count(in.name)) missing.push_back(in.name);
  }
  if (!missing.empty()) {
    std::string list;
    for (const auto &m : missing) list += (list.empty() ? "'" : ", '") + m + "'";
    user_error << "model '" << model_path << "' needs input(s) " << list
               << " (give each as --input NAME=FILE)";
  }
  for (const auto &f : files) {
    bool known = std::any_of(model->inputs().begin(), model->inputs().end(),
                             [&](const codegen::TensorInfo &i) { return i.name == f.first; });
    user_check(known) << "model '" << model_path << "' has no input named '" << f.first << "'";
  }
  std::vector<std::unique_ptr<HostBuffer>> in_bufs, out_bufs;
  std::vector<const void *> ins;
  std::vector<void *> outs;
  for (const auto &info : model->inputs()) {
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
  for (const auto &info : model->outputs()) {
    out_bufs.push_back(std::make_unique<HostBuffer>(info.bytes()));
    outs.push_back(out_bufs.back()->data);
  }
  model->run(ins, outs);
  std::filesystem::create_directories(output_dir);
  for (size_t i = 0; i < model->outputs().size(); ++i) {
    const auto &info = model->outputs()[i];
    auto t = graph::TensorData::make(info.dtype, info.shape);
    std::memcpy(t->bytes.data(), outs[i], t->bytes.size());
    std::string path = (std::filesystem::path(output_dir) / (sanitize_file_name(info.name) + ".npy")).string();
    graph::write_npy(path, *t);
    std::printf("wrote %s %s\n", path.c_str(), graph::shape_str(info.shape).c_str());
  }
  return 0;
}

int bench_command(const std::string &model_path, int threads, int repeat,
                  const tools::CompileOptions &copt) {
  autotune_set_num_threads(threads);
  auto t0 = std::chrono::steady_clock::now();
  auto model = tools::compile_onnx_model(model_path, copt);
  double compile_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::vector<std::unique_ptr<HostBuffer>> bufs;
  std::vector<const void *> ins;
  std::vector<void *> outs;
  std::mt19937 rng(0);
  std::normal_distribution<float> normal;
  for (const auto &info : model->inputs()) {
    bufs.push_back(std::make_unique<HostBuffer>(info.bytes()));
    if (info.dtype == ir::Float(32)) {
      float *p = static_cast<float *>(bufs.back()->data);
      for (int64_t i = 0; i < info.bytes() / 4; ++i) p[i] = normal(rng);
    } else {
      std::memset(bufs.back()->data, 0, info.bytes());
    }
    ins.push_back(bufs.back()->data);
  }
  for (const auto &info : model->outputs()) {
    bufs.push_back(std::make_unique<HostBuffer>(info.bytes()));
    outs.push_back(bufs.back()->data);
  }
  for (int w = 0; w < 3; ++w) model->run(ins, outs);
  std::vector<double> ms;
  for (int r = 0; r < repeat; ++r) {
    auto s = std::chrono::steady_clock::now();
    model->run(ins, outs);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - s).count());
  }
  std::sort(ms.begin(), ms.end());
  std::printf("model=%s threads=%d repeat=%d compile_s=%.2f kernels=%zu distinct=%zu "
              "tuned=%zu untuned=%zu arena_mb=%.2f\n",
              model_path.c_str(), threads, repeat, compile_s, model->num_kernel_calls(),
              model->num_distinct_kernels(), model->num_tuned_kernels(),
              model->untuned_kernels().size(), model->arena_bytes() / 1048576.0);
  std::printf("median_ms=%.3f min_ms=%.3f max_ms=%.3f\n", ms[ms.size() / 2], ms.front(), ms.back());
  if (const char *p = std::getenv("AUTOTUNE_PROFILE"); p && std::atoi(p)) {
    std::printf("%s", model->profile_report().c_str());
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

  std::string model, output_dir, device = "local", db_path;
  std::vector<std::string> inputs;
  int threads = 1, repeat = 20;
  bool require_tuned = false, untuned = false;
  CLI::App *run = app.add_subcommand("run", "run an ONNX model on inputs and write its outputs");
  run->add_option("--model", model, "the ONNX model")->required();
  run->add_option("--device", device, "where to run (local)");
  run->add_option("--input", inputs, "NAME=FILE (.npy or ONNX TensorProto .pb), once per input");
  run->add_option("--output-dir", output_dir, "where to write <output>.npy")->required();
  run->add_option("--threads", threads, "worker threads")->check(CLI::Range(1, 256));

  CLI::App *bench = app.add_subcommand("bench", "time an ONNX model on random inputs");
  bench->add_option("--model", model, "the ONNX model")->required();
  bench->add_option("--device", device, "where to run (local)");
  bench->add_option("--threads", threads, "worker threads")->check(CLI::Range(1, 256));
  bench->add_option("--repeat", repeat, "timed runs")->check(CLI::Range(1, 100000));
  for (CLI::App *sub : {run, bench}) {
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
  tune->add_option("--device", device, "the device to tune for (local)");
  tune->add_option("--trials", topt.task.trials, "trials per task")->check(CLI::Range(1, 1000000));
  tune->add_option("--budget", topt.budget, "total trials over all tasks (overrides --trials)");
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

  std::vector<std::string> args = with_default_subcommand(argc, argv);
  std::vector<char *> argp;
  for (std::string &a : args) argp.push_back(a.data());
  CLI11_PARSE(app, static_cast<int>(argp.size()), argp.data());
  try {
    user_check(device == "local") << "unknown device '" << device
                                  << "' (this build supports --device local)";
    tools::CompileOptions copt;
    copt.db_path = db_path;
    copt.require_tuned = require_tuned;
    copt.use_db = !untuned;
    user_check(!(untuned && (require_tuned || !db_path.empty())))
        << "--untuned cannot be combined with --db or --require-tuned";
    if (*demo) return tools::run_demo(n, demo_threads);
    if (*run) return run_command(model, inputs, output_dir, threads, copt);
    if (*bench) return bench_command(model, threads, repeat, copt);
    if (*tune) {
      std::stringstream ss(tasks_csv);
      for (std::string item; std::getline(ss, item, ',');) {
        if (!item.empty()) topt.tasks.push_back(item);
      }
      topt.task.device = device;
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

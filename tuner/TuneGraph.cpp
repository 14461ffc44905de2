// The tuning recipe, top to bottom: load and optimize the model, extract its tasks, split the
// trial budget, tune each task against the database, and print what was gained.
#include "tuner/TuneGraph.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>

#include <unistd.h>

#include "codegen/Target.h"
#include "db/DatabasePath.h"
#include "db/SqliteDatabase.h"
#include "measure/Builder.h"
#include "measure/RemoteModel.h"
#include "measure/Runner.h"
#include "measure/TrackerRunner.h"
#include "measure/worker/TrackerProtocol.h"
#include "tuner/Progress.h"
#include "tuner/TaskScheduler.h"

namespace autotune::tuner {

std::vector<int64_t> allocate_trials(const std::vector<double> &weights, int64_t budget,
                                     int64_t per_task, int64_t min_per_task) {
  std::vector<int64_t> out(weights.size(), per_task);
  if (budget <= 0 || weights.empty()) return out;
  double total = 0;
  for (double w : weights) total += w;
  for (size_t i = 0; i < weights.size(); ++i) {
    double share = total > 0 ? weights[i] / total : 1.0 / weights.size();
    out[i] = std::max<int64_t>(min_per_task, static_cast<int64_t>(std::llround(share * budget)));
  }
  return out;
}

namespace {

bool selected(const std::vector<std::string> &filters, size_t index, const std::string &name) {
  if (filters.empty()) return true;
  for (const std::string &f : filters) {
    if (f == std::to_string(index) || name.find(f) != std::string::npos) return true;
  }
  return false;
}

std::string ms(double s) {
  if (!std::isfinite(s)) return "failed";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s * 1e3);
  return buf;
}

/// Where candidates are measured: this machine, or the device's servers through the tracker.
std::unique_ptr<measure::Runner> make_runner(const TuneGraphOptions &opt,
                                             const codegen::Target &target) {
  if (opt.tracker.empty()) {
    user_check(target.is_host_arch())
        << "target '" << target.str() << "' does not run on this machine: give the device's "
        << "tracker (--tracker HOST:PORT or AUTOTUNE_TRACKER) to measure on its servers";
    measure::LocalRunnerOptions ropt;
    ropt.num_threads = opt.threads;
    return std::make_unique<measure::LocalRunner>(ropt);
  }
  measure::TrackerRunnerOptions ropt;
  measure::parse_host_port(opt.tracker, "--tracker", &ropt.tracker_host, &ropt.tracker_port);
  ropt.key = opt.tracker_key;
  ropt.arch = measure::triple_arch(target.triple);
  ropt.token = opt.rpc_token;
  if (ropt.token.empty()) {
    if (const char *t = std::getenv("AUTOTUNE_RPC_TOKEN")) ropt.token = t;
  }
  std::fprintf(stderr, "autotune: measuring on '%s' servers of the tracker %s\n",
               opt.tracker_key.c_str(), opt.tracker.c_str());
  return std::make_unique<measure::TrackerRunner>(ropt);
}

/// "1.234 ms -> 0.987 ms (x1.25), 64 trials, 0 errors; this run: ..." for a task's outcome.
std::string outcome_line(const TaskOutcome &out) {
  char line[320];
  std::snprintf(line, sizeof line,
                "%s%s ms -> %s ms (x%.2f), %ld trials, %ld errors; this run: %ld trials in "
                "%.1fs (%.2f trials/s), build median %.0f ms",
                out.already_done ? "already tuned: " : "", ms(out.default_s).c_str(),
                ms(out.best_s).c_str(),
                std::isfinite(out.default_s) && std::isfinite(out.best_s) && out.best_s > 0
                    ? out.default_s / out.best_s
                    : 0.0,
                static_cast<long>(out.trials_total), static_cast<long>(out.errors),
                static_cast<long>(out.trials_run), out.session_s,
                out.session_s > 0 ? out.trials_run / out.session_s : 0.0, out.build_ms_median);
  return line;
}

using TaskOptionsFn = std::function<TuneOptions(size_t)>;

/// Each task to its own budget, one after another, with a live progress line per task.
std::vector<TaskSummary> tune_sequential(const std::vector<searchspace::Task *> &chosen,
                                         const TaskOptionsFn &task_options,
                                         measure::Builder &builder, measure::Runner &runner,
                                         db::Database &db) {
  ProgressDisplay display;
  std::vector<TaskSummary> summary;
  for (size_t i = 0; i < chosen.size(); ++i) {
    const searchspace::Task &task = *chosen[i];
    display.begin_task(static_cast<int>(i), static_cast<int>(chosen.size()), task.name);
    TaskOutcome out = tune_task(task, task_options(i), builder, runner, db,
                                [&](int64_t done, int64_t total, double gflops, double elapsed) {
                                  display.update(done, total, gflops, elapsed);
                                });
    display.end_task(outcome_line(out));
    summary.push_back({task.name, out, task.flops, task.count});
  }
  return summary;
}

/// One shared budget, batch by batch, each to the task expected to cut the model's latency
/// most (TaskScheduler.h). Trials already in the database count against the budget, so a rerun
/// after a kill finishes the budget and a third run measures nothing.
std::vector<TaskSummary> tune_interleaved(const std::vector<searchspace::Task *> &chosen,
                                          int64_t budget, const TaskOptionsFn &task_options,
                                          measure::Builder &builder, measure::Runner &runner,
                                          db::Database &db) {
  std::vector<std::unique_ptr<TaskSession>> sessions;
  std::vector<TaskProgress> progress;
  int64_t used = 0;
  for (size_t i = 0; i < chosen.size(); ++i) {
    std::fprintf(stderr, "autotune: preparing task %zu/%zu %s\n", i + 1, chosen.size(),
                 chosen[i]->name.c_str());
    sessions.push_back(std::make_unique<TaskSession>(*chosen[i], task_options(i), builder,
                                                     runner, db));
    const TaskSession &s = *sessions.back();
    TaskProgress p;
    p.weight = static_cast<double>(chosen[i]->count);
    p.start_best_s = std::isfinite(s.best_s()) ? s.best_s() : s.default_s();
    p.best_s = s.best_s();
    p.trials = s.trials_total();
    p.done = s.done();
    progress.push_back(std::move(p));
    used += s.trials_total();
  }
  auto model_ms = [&] {
    double total = 0;
    for (size_t i = 0; i < sessions.size(); ++i) {
      double b = std::isfinite(sessions[i]->best_s()) ? sessions[i]->best_s()
                                                     : sessions[i]->default_s();
      if (std::isfinite(b)) total += b * progress[i].weight;
    }
    return total * 1e3;
  };
  if (used >= budget) {
    std::fprintf(stderr, "autotune: the database already holds %ld trials of these tasks "
                         "(budget %ld): nothing to do\n",
                 static_cast<long>(used), static_cast<long>(budget));
  }
  while (used < budget) {
    int i = pick_task(progress);
    if (i < 0) break;
    TaskSession &s = *sessions[i];
    int64_t n = s.step(budget - used);
    TaskProgress &p = progress[i];
    p.best_history = s.best_history();
    p.batch_sizes = s.batch_sizes();
    p.best_s = s.best_s();
    p.trials = s.trials_total();
    p.done = s.done() || n == 0;
    used += n;
    std::fprintf(stderr, "autotune: [%ld/%ld] task %d %s: best %s ms (default %s ms), %ld trials; "
                         "tuned kernels %.3f ms per inference\n",
                 static_cast<long>(used), static_cast<long>(budget), i, s.task().name.c_str(),
                 ms(s.best_s()).c_str(), ms(s.default_s()).c_str(),
                 static_cast<long>(s.trials_total()), model_ms());
  }
  std::vector<TaskSummary> summary;
  for (size_t i = 0; i < sessions.size(); ++i) {
    TaskOutcome out = sessions[i]->finish();
    summary.push_back({chosen[i]->name, out, chosen[i]->flops, chosen[i]->count});
  }
  return summary;
}

}  // namespace

std::vector<TaskSummary> tune_model(const std::string &model_path, const TuneGraphOptions &opt) {
  // 1. Model -> fused graph -> tasks.
  graph::Graph fused = load_optimized_model(model_path, opt.load);
  codegen::Target target = opt.device_target.empty() ? codegen::Target::host()
                                                     : codegen::Target::parse(opt.device_target);
  std::vector<searchspace::Task> tasks =
      searchspace::extract_tasks(fused, target.str(), target.float_lanes());
  if (opt.list_only) {
    std::printf("%-4s %-56s %5s %10s %12s\n", "task", "kernel", "count", "gflop", "space");
    for (size_t i = 0; i < tasks.size(); ++i) {
      std::printf("%-4zu %-56.56s %5ld %10.3f %12ld\n", i, tasks[i].name.c_str(),
                  static_cast<long>(tasks[i].count), tasks[i].flops / 1e9,
                  static_cast<long>(tasks[i].space.size()));
    }
    return {};
  }
  std::vector<searchspace::Task *> chosen;
  for (size_t i = 0; i < tasks.size(); ++i) {
    if (selected(opt.tasks, i, tasks[i].name)) chosen.push_back(&tasks[i]);
  }
  user_check(!chosen.empty()) << "no task of '" << model_path << "' matches --tasks";
  std::fprintf(stderr, "autotune: %zu tasks in '%s' for target '%s'\n", chosen.size(),
               model_path.c_str(), target.str().c_str());

  // 2. Budget per task (sequential), or one shared budget (gain).
  const bool interleave = opt.budget > 0 && opt.scheduler == "gain";
  user_check(opt.scheduler == "gain" || opt.scheduler == "sequential")
      << "unknown task scheduler '" << opt.scheduler << "' (gain or sequential)";
  std::vector<double> weights;
  for (const auto *t : chosen) weights.push_back(t->flops * static_cast<double>(t->count));
  std::vector<int64_t> trials =
      interleave ? std::vector<int64_t>(chosen.size(), opt.budget)
                 : allocate_trials(weights, opt.budget, opt.task.trials, opt.task.batch_size);

  // 3. Tune the tasks against the database.
  std::string db_path = opt.db_path.empty() ? db::default_database_path() : opt.db_path;
  auto db = db::SqliteDatabase::open(db_path, db::SqliteDatabase::Mode::ReadWrite);
  std::string work_dir = (std::filesystem::temp_directory_path() /
                          ("autotune-build-" + std::to_string(::getpid())))
                             .string();
  std::filesystem::create_directories(work_dir);
  measure::Builder builder(opt.build_threads, opt.build_timeout_s, work_dir);
  std::unique_ptr<measure::Runner> runner_ptr = make_runner(opt, target);
  measure::Runner &runner = *runner_ptr;
  auto task_options = [&](size_t i) {
    TuneOptions to = opt.task;
    to.trials = trials[i];
    to.float_lanes = target.float_lanes();
    to.parallel = opt.threads > 1;
    return to;
  };
  std::vector<TaskSummary> summary =
      interleave ? tune_interleaved(chosen, opt.budget, task_options, builder, runner, *db)
                 : tune_sequential(chosen, task_options, builder, runner, *db);
  std::filesystem::remove_all(work_dir);

  // 4. The table.
  std::printf("%-4s %-52s %5s %10s %10s %8s %7s %6s\n", "task", "kernel", "count", "default_ms",
              "best_ms", "speedup", "trials", "errors");
  double before = 0, after = 0;
  for (size_t i = 0; i < summary.size(); ++i) {
    const TaskSummary &s = summary[i];
    double speed = std::isfinite(s.outcome.default_s) && std::isfinite(s.outcome.best_s)
                       ? s.outcome.default_s / s.outcome.best_s
                       : 0;
    std::printf("%-4zu %-52.52s %5ld %10s %10s %8.2f %7ld %6ld\n", i, s.name.c_str(),
                static_cast<long>(s.count), ms(s.outcome.default_s).c_str(),
                ms(s.outcome.best_s).c_str(), speed, static_cast<long>(s.outcome.trials_total),
                static_cast<long>(s.outcome.errors));
    if (std::isfinite(s.outcome.default_s) && std::isfinite(s.outcome.best_s)) {
      before += s.outcome.default_s * s.count;
      after += s.outcome.best_s * s.count;
    }
  }
  if (after > 0) {
    std::printf("tuned kernels: %.3f ms -> %.3f ms per inference (x%.2f); database: %s\n",
                before * 1e3, after * 1e3, before / after, db_path.c_str());
  }
  return summary;
}

}  // namespace autotune::tuner

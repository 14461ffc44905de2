// One task's tuning loop.
//
// Algorithm:
//  1. Register the workload and target; build the reference kernel (the default schedule).
//  2. Resume: feed every record of the task already in the database to the tuner, so none of
//     those configs is proposed again; stop if the task is at its budget.
//  3. Measure the template's default config first (the untuned baseline), then loop: ask the
//     tuner for a batch, build it in parallel, run what built (checked against the reference),
//     commit the batch's records in one transaction, and tell the tuner the costs.
//  4. Stop at the budget, when the space is exhausted, or after `early_stopping` trials
//     without a better time.
#include "tuner/TuneTask.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "ir/lower/Lower.h"
#include "measure/Builder.h"
#include "measure/Runner.h"
#include "searchspace/ScheduleKernel.h"

namespace autotune::tuner {

using measure::MeasureStatus;

const char *autotune_version() { return "0.1.0"; }

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

double now_s() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

/// Argument specs of a fused kernel: the inputs it reads, then its outputs.
std::vector<measure::ArgSpec> arg_specs(const graph::FusedCompute &fc) {
  std::vector<measure::ArgSpec> args;
  for (size_t u : fc.used_inputs) args.push_back({fc.inputs[u].shape(), fc.inputs[u].dtype(), false});
  for (const te::Tensor &t : fc.outputs) args.push_back({t.shape(), t.dtype(), true});
  return args;
}

std::vector<te::Tensor> kernel_args(const graph::FusedCompute &fc) {
  std::vector<te::Tensor> args;
  for (size_t u : fc.used_inputs) args.push_back(fc.inputs[u]);
  args.insert(args.end(), fc.outputs.begin(), fc.outputs.end());
  return args;
}

}  // namespace

TaskOutcome tune_task(const searchspace::Task &task, const TuneOptions &opt,
                      measure::Builder &builder, measure::Runner &runner, db::Database &db,
                      const ProgressFn &progress) {
  internal_check(task.tmpl) << "task '" << task.name << "' has no schedule template";
  auto start = std::chrono::steady_clock::now();
  db.add_workload({task.key, task.op_kind, task.workload});
  db.add_target({task.target, opt.device});
  TaskOutcome outcome;

  // 1. The reference: the default schedule, independent of the template's knobs.
  graph::Graph body = *task.body;
  const int lanes = opt.float_lanes;
  measure::BuildInput ref_in;
  ref_in.target = task.target;
  ref_in.make_kernel = [&body, lanes, &opt]() {
    graph::FusedCompute fc = graph::lower_fused(body);
    te::Schedule sch = searchspace::schedule_kernel(fc, "", lanes, opt.parallel);
    return lower::lower(sch, kernel_args(fc), "reference");
  };
  measure::BuildResult ref = builder.build({ref_in}).at(0);
  user_check(ref.status == MeasureStatus::Ok)
      << "task '" << task.name << "': the default schedule does not build: " << ref.error;
  graph::FusedCompute fc0 = graph::lower_fused(body);
  std::vector<measure::ArgSpec> specs = arg_specs(fc0);
  // The untuned baseline is the default schedule itself, timed in every session.
  {
    measure::RunInput base;
    base.so_path = ref.so_path;
    base.kernel_name = ref.kernel_name;
    base.args = specs;
    base.timing = opt.timing;
    measure::RunResult r = runner.run({base}).at(0);
    outcome.default_s = r.status == MeasureStatus::Ok ? r.mean_s : kInf;
  }

  // 2. Resume from the database.
  std::unique_ptr<Tuner> tuner =
      make_tuner(opt.tuner, task.space, opt.seed, {&task, &db, opt.float_lanes, opt.parallel});
  std::vector<int64_t> old_indices;
  std::vector<double> old_costs;
  for (const db::TuningRecord &r : db.records(task.key, task.target)) {
    old_indices.push_back(r.config_index);
    old_costs.push_back(r.status == db::MeasureStatus::Ok ? r.mean_s : kInf);
  }
  if (!old_indices.empty()) tuner->resume(old_indices, old_costs);
  int64_t total = static_cast<int64_t>(tuner->visited().size());
  searchspace::Config default_cfg = task.tmpl->default_config(task.space, fc0, lanes);
  if (total >= opt.trials || !tuner->has_next()) {
    outcome.already_done = true;
    outcome.trials_total = total;
    outcome.best_s = tuner->best_cost() < 1e299 ? tuner->best_cost() : kInf;
    outcome.best_index = tuner->best_index();
    return outcome;
  }

  // 3. Measure batches.
  double best_at_last_gain = tuner->best_cost();
  int64_t since_gain = 0;
  bool measure_default = !tuner->visited().count(default_cfg.index());
  std::vector<double> build_ms;
  while (total < opt.trials) {
    int64_t want = std::min<int64_t>(opt.batch_size, opt.trials - total);
    std::vector<int64_t> batch;
    if (measure_default) {
      batch.push_back(default_cfg.index());
      measure_default = false;
      tuner->exclude(default_cfg.index());  // never proposed again
      std::vector<int64_t> more = tuner->next_batch(static_cast<int>(want - 1));
      batch.insert(batch.end(), more.begin(), more.end());
    } else {
      batch = tuner->next_batch(static_cast<int>(want));
    }
    if (batch.empty()) break;
    std::vector<measure::BuildInput> inputs;
    std::vector<searchspace::Config> configs;
    for (int64_t index : batch) {
      configs.push_back(task.space.get(index));
      measure::BuildInput in;
      in.target = task.target;
      const searchspace::Config cfg = configs.back();
      const searchspace::ScheduleTemplate *tmpl = task.tmpl;
      const bool parallel = opt.parallel;
      in.make_kernel = [&body, cfg, tmpl, lanes, parallel]() {
        graph::FusedCompute fc = graph::lower_fused(body);
        // Candidates are built as the cost model featurizes them (parallel loops or not).
        te::Schedule sch = tmpl->apply(fc, cfg, lanes, parallel);
        return lower::lower(sch, kernel_args(fc), "candidate");
      };
      inputs.push_back(std::move(in));
    }
    std::vector<measure::BuildResult> built = builder.build(inputs);
    for (const measure::BuildResult &b : built) build_ms.push_back(b.build_s * 1e3);
    std::vector<measure::RunInput> runs;
    std::vector<size_t> run_of;
    for (size_t i = 0; i < built.size(); ++i) {
      if (built[i].status != MeasureStatus::Ok) continue;
      measure::RunInput r;
      r.so_path = built[i].so_path;
      r.kernel_name = built[i].kernel_name;
      r.reference_so = ref.so_path;
      r.reference_kernel = ref.kernel_name;
      r.args = specs;
      r.timing = opt.timing;
      run_of.push_back(i);
      runs.push_back(std::move(r));
    }
    std::vector<measure::RunResult> ran = runs.empty() ? std::vector<measure::RunResult>{}
                                                       : runner.run(runs);
    std::vector<db::TuningRecord> records;
    std::vector<double> costs(batch.size(), kInf);
    std::vector<MeasureStatus> status(batch.size());
    std::vector<std::string> errors(batch.size());
    std::vector<std::vector<double>> repeats(batch.size());
    for (size_t i = 0; i < built.size(); ++i) {
      status[i] = built[i].status;
      errors[i] = built[i].error;
    }
    for (size_t k = 0; k < ran.size(); ++k) {
      size_t i = run_of[k];
      status[i] = ran[k].status;
      errors[i] = ran[k].error;
      if (ran[k].status == MeasureStatus::Ok) {
        costs[i] = ran[k].mean_s;
        repeats[i] = ran[k].costs_s;
      }
    }
    double stamp = now_s();
    for (size_t i = 0; i < batch.size(); ++i) {
      db::TuningRecord rec;
      rec.workload_key = task.key;
      rec.target = task.target;
      rec.config_index = batch[i];
      rec.config_json = configs[i].to_json();
      rec.costs_s = repeats[i];
      rec.mean_s = costs[i];
      rec.status = static_cast<db::MeasureStatus>(status[i]);
      rec.error_msg = errors[i];
      rec.timestamp = stamp;
      rec.tuner = tuner->name();
      rec.version = autotune_version();
      records.push_back(std::move(rec));
      if (status[i] != MeasureStatus::Ok) ++outcome.errors;
    }
    db.add_records(records);
    builder.cleanup(built);
    tuner->update(batch, costs);
    total += static_cast<int64_t>(batch.size());
    outcome.trials_run += static_cast<int64_t>(batch.size());
    if (tuner->best_cost() < best_at_last_gain) {
      best_at_last_gain = tuner->best_cost();
      since_gain = 0;
    } else {
      since_gain += static_cast<int64_t>(batch.size());
    }
    if (progress) {
      double best = tuner->best_cost();
      double gflops = best < 1e299 ? task.flops / best / 1e9 : 0;
      progress(total, opt.trials, gflops,
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    if (opt.early_stopping > 0 && since_gain >= opt.early_stopping) break;
    if (!tuner->has_next()) break;
  }
  builder.cleanup({ref});
  if (!build_ms.empty()) {
    std::nth_element(build_ms.begin(), build_ms.begin() + build_ms.size() / 2, build_ms.end());
    outcome.build_ms_median = build_ms[build_ms.size() / 2];
  }
  outcome.session_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  outcome.trials_total = total;
  outcome.best_s = tuner->best_cost() < 1e299 ? tuner->best_cost() : kInf;
  outcome.best_index = tuner->best_index();
  return outcome;
}

}  // namespace autotune::tuner

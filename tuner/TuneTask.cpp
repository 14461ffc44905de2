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
// Steps 1-2 are TaskSession's constructor, each round of step 3 one step(); tune_task steps a
// session to the end, TaskScheduler.h interleaves sessions of several tasks.
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

struct TaskSession::State {
  graph::Graph body;
  measure::BuildResult ref;
  std::vector<measure::ArgSpec> specs;
  std::unique_ptr<Tuner> tuner;
  searchspace::Config default_cfg;
  bool measure_default = false;
  bool stopped = false;  ///< space exhausted or early stopping
  double best_at_last_gain = kInf;
  int64_t since_gain = 0;
  std::vector<double> build_ms;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
};

TaskSession::TaskSession(const searchspace::Task &task, const TuneOptions &opt,
                         measure::Builder &builder, measure::Runner &runner, db::Database &db)
    : task_(task), opt_(opt), builder_(builder), runner_(runner), db_(db),
      state_(std::make_unique<State>()) {
  internal_check(task.tmpl) << "task '" << task.name << "' has no schedule template";
  State &st = *state_;
  db.add_workload({task.key, task.op_kind, task.workload});
  db.add_target({task.target, opt.device});

  // 1. The reference: the default schedule, independent of the template's knobs.
  st.body = *task.body;
  const int lanes = opt.float_lanes;
  measure::BuildInput ref_in;
  ref_in.target = task.target;
  const graph::Graph *body = &st.body;
  const bool parallel = opt.parallel;
  ref_in.make_kernel = [body, lanes, parallel]() {
    graph::FusedCompute fc = graph::lower_fused(*body);
    te::Schedule sch = searchspace::schedule_kernel(fc, "", lanes, parallel);
    return lower::lower(sch, kernel_args(fc), "reference");
  };
  st.ref = builder.build({ref_in}).at(0);
  user_check(st.ref.status == MeasureStatus::Ok)
      << "task '" << task.name << "': the default schedule does not build: " << st.ref.error;
  graph::FusedCompute fc0 = graph::lower_fused(st.body);
  st.specs = arg_specs(fc0);
  // The untuned baseline is the default schedule itself, timed in every session.
  {
    measure::RunInput base;
    base.so_path = st.ref.so_path;
    base.kernel_name = st.ref.kernel_name;
    base.args = st.specs;
    base.timing = opt.timing;
    measure::RunResult r = runner.run({base}).at(0);
    outcome_.default_s = r.status == MeasureStatus::Ok ? r.mean_s : kInf;
  }

  // 2. Resume from the database.
  st.tuner =
      make_tuner(opt.tuner, task.space, opt.seed, {&task, &db, opt.float_lanes, opt.parallel});
  std::vector<int64_t> old_indices;
  std::vector<double> old_costs;
  for (const db::TuningRecord &r : db.records(task.key, task.target)) {
    old_indices.push_back(r.config_index);
    old_costs.push_back(r.status == db::MeasureStatus::Ok ? r.mean_s : kInf);
  }
  if (!old_indices.empty()) st.tuner->resume(old_indices, old_costs);
  total_ = static_cast<int64_t>(st.tuner->visited().size());
  st.default_cfg = task.tmpl->default_config(task.space, fc0, lanes);
  outcome_.already_done = done();
  st.best_at_last_gain = st.tuner->best_cost();
  st.measure_default = !st.tuner->visited().count(st.default_cfg.index());
}

TaskSession::~TaskSession() {
  if (state_) builder_.cleanup({state_->ref});
}

bool TaskSession::done() const {
  return state_->stopped || total_ >= opt_.trials || !state_->tuner->has_next();
}

double TaskSession::best_s() const {
  double best = state_->tuner->best_cost();
  return best < 1e299 ? best : kInf;
}

double TaskSession::elapsed_s() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - state_->start).count();
}

int64_t TaskSession::step(int64_t max_trials) {
  // 3. Measure one batch.
  if (done() || max_trials <= 0) return 0;
  State &st = *state_;
  Tuner &tuner = *st.tuner;
  int64_t want = std::min<int64_t>({opt_.batch_size, opt_.trials - total_, max_trials});
  std::vector<int64_t> batch;
  if (st.measure_default) {
    batch.push_back(st.default_cfg.index());
    st.measure_default = false;
    tuner.exclude(st.default_cfg.index());  // never proposed again
    std::vector<int64_t> more = tuner.next_batch(static_cast<int>(want - 1));
    batch.insert(batch.end(), more.begin(), more.end());
  } else {
    batch = tuner.next_batch(static_cast<int>(want));
  }
  if (batch.empty()) {
    st.stopped = true;
    return 0;
  }
  const int lanes = opt_.float_lanes;
  std::vector<measure::BuildInput> inputs;
  std::vector<searchspace::Config> configs;
  for (int64_t index : batch) {
    configs.push_back(task_.space.get(index));
    measure::BuildInput in;
    in.target = task_.target;
    const searchspace::Config cfg = configs.back();
    const searchspace::ScheduleTemplate *tmpl = task_.tmpl;
    const bool parallel = opt_.parallel;
    const graph::Graph *body = &st.body;
    in.make_kernel = [body, cfg, tmpl, lanes, parallel]() {
      graph::FusedCompute fc = graph::lower_fused(*body);
      // Candidates are built as the cost model featurizes them (parallel loops or not).
      te::Schedule sch = tmpl->apply(fc, cfg, lanes, parallel);
      return lower::lower(sch, kernel_args(fc), "candidate");
    };
    inputs.push_back(std::move(in));
  }
  std::vector<measure::BuildResult> built = builder_.build(inputs);
  for (const measure::BuildResult &b : built) st.build_ms.push_back(b.build_s * 1e3);
  std::vector<measure::RunInput> runs;
  std::vector<size_t> run_of;
  for (size_t i = 0; i < built.size(); ++i) {
    if (built[i].status != MeasureStatus::Ok) continue;
    measure::RunInput r;
    r.so_path = built[i].so_path;
    r.kernel_name = built[i].kernel_name;
    r.reference_so = st.ref.so_path;
    r.reference_kernel = st.ref.kernel_name;
    r.args = st.specs;
    r.timing = opt_.timing;
    run_of.push_back(i);
    runs.push_back(std::move(r));
  }
  std::vector<measure::RunResult> ran =
      runs.empty() ? std::vector<measure::RunResult>{} : runner_.run(runs);
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
    rec.workload_key = task_.key;
    rec.target = task_.target;
    rec.config_index = batch[i];
    rec.config_json = configs[i].to_json();
    rec.costs_s = repeats[i];
    rec.mean_s = costs[i];
    rec.status = static_cast<db::MeasureStatus>(status[i]);
    rec.error_msg = errors[i];
    rec.timestamp = stamp;
    rec.tuner = tuner.name();
    rec.version = autotune_version();
    records.push_back(std::move(rec));
    if (status[i] != MeasureStatus::Ok) ++outcome_.errors;
  }
  db_.add_records(records);
  builder_.cleanup(built);
  tuner.update(batch, costs);
  int64_t n = static_cast<int64_t>(batch.size());
  total_ += n;
  outcome_.trials_run += n;
  best_history_.push_back(best_s());
  batch_sizes_.push_back(n);
  if (tuner.best_cost() < st.best_at_last_gain) {
    st.best_at_last_gain = tuner.best_cost();
    st.since_gain = 0;
  } else {
    st.since_gain += n;
  }
  if (opt_.early_stopping > 0 && st.since_gain >= opt_.early_stopping) st.stopped = true;
  return n;
}

TaskOutcome TaskSession::finish() {
  State &st = *state_;
  if (!st.build_ms.empty()) {
    std::nth_element(st.build_ms.begin(), st.build_ms.begin() + st.build_ms.size() / 2,
                     st.build_ms.end());
    outcome_.build_ms_median = st.build_ms[st.build_ms.size() / 2];
  }
  outcome_.session_s = elapsed_s();
  outcome_.trials_total = total_;
  outcome_.best_s = best_s();
  outcome_.best_index = st.tuner->best_index();
  return outcome_;
}

TaskOutcome tune_task(const searchspace::Task &task, const TuneOptions &opt,
                      measure::Builder &builder, measure::Runner &runner, db::Database &db,
                      const ProgressFn &progress) {
  TaskSession session(task, opt, builder, runner, db);
  while (!session.done()) {
    if (session.step(opt.trials) == 0) break;
    if (progress) {
      double best = session.best_s();
      double gflops = std::isfinite(best) ? task.flops / best / 1e9 : 0;
      progress(session.trials_total(), opt.trials, gflops, session.elapsed_s());
    }
  }
  return session.finish();
}

}  // namespace autotune::tuner

// autotune-costmodel-bench: quality and cost of the learned cost model on recorded tuning data
// (scripts/bench/tuner_efficiency.sh runs it after its tuning runs).
//
//   autotune-costmodel-bench --model M.onnx --db A.db[,B.db...] [--tasks LIST] [--records 1000]
//                            [--batch 64] [--seed 1]
//
// 1. Records of each selected task are merged over the databases (one row per config, the mean
//    of its measurements; failures as zero throughput).
// 2. Spearman: per task, the model is fit on a seeded 80% of its records and predicts the other
//    20%; the rank correlation of predictions and measured throughput (successful held-out
//    records) is printed per task, and S is the median over tasks.
// 3. Overhead: on the task with the most records, an xgb tuner resumes from the task's records
//    plus transfer records of the other tasks, `--records` rows in all, and proposes two
//    batches of `--batch` (annealing forced); the second one (warm feature cache, as in a
//    tuning session) gives O = fit + annealing seconds.
// Ends with `costmodel_bench: model_overhead_s=O spearman=S rows=N`.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <random>
#include <sstream>

#include "codegen/Target.h"
#include "costmodel/TaskFeaturizer.h"
#include "costmodel/XGBoostModel.h"
#include "db/SqliteDatabase.h"
#include "ir/support/Error.h"
#include "searchspace/Task.h"
#include "tuner/LoadModel.h"
#include "tuner/XGBTuner.h"

using namespace autotune;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<std::string> split_list(const std::string &s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

bool selected(const std::vector<std::string> &wanted, size_t index, const std::string &name) {
  if (wanted.empty()) return true;
  for (const std::string &w : wanted) {
    if (w == std::to_string(index) || name.find(w) != std::string::npos) return true;
  }
  return false;
}

/// One measured config of a task, merged over databases.
struct Sample {
  int64_t index;
  std::string json;
  double cost;  ///< mean seconds, +inf when every measurement failed
};

std::vector<Sample> merged_records(const std::vector<std::unique_ptr<db::SqliteDatabase>> &dbs,
                                   const searchspace::Task &t) {
  std::map<int64_t, std::pair<double, int>> sum;  // index -> (sum of ok costs, ok count)
  std::map<int64_t, std::string> json;
  std::vector<int64_t> order;
  for (const auto &d : dbs) {
    for (const db::TuningRecord &r : d->records(t.key, t.target)) {
      if (!json.count(r.config_index)) {
        order.push_back(r.config_index);
        json[r.config_index] = r.config_json;
        sum[r.config_index] = {0.0, 0};
      }
      if (r.status == db::MeasureStatus::Ok && std::isfinite(r.mean_s)) {
        sum[r.config_index].first += r.mean_s;
        sum[r.config_index].second += 1;
      }
    }
  }
  std::vector<Sample> out;
  for (int64_t i : order) {
    auto [s, n] = sum[i];
    out.push_back({i, json[i], n ? s / n : kInf});
  }
  return out;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/// Step 2 for one task; nullopt when it has too few successful records.
std::optional<double> heldout_spearman(const searchspace::Task &t, const std::vector<Sample> &s,
                                       int lanes, uint64_t seed) {
  if (s.size() < 20) return std::nullopt;
  std::vector<size_t> order(s.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::mt19937_64 rng(seed);
  std::shuffle(order.begin(), order.end(), rng);
  size_t n_test = s.size() / 5;
  costmodel::FeaturizerOptions fopt;
  fopt.float_lanes = lanes;
  costmodel::TaskFeaturizer f(t, fopt);
  costmodel::TrainingSet train;
  std::vector<int64_t> train_idx, test_idx;
  std::vector<double> test_throughput;
  for (size_t k = 0; k < order.size(); ++k) {
    const Sample &x = s[order[k]];
    if (k < n_test) {
      if (!std::isfinite(x.cost)) continue;  // Spearman over measured throughputs
      test_idx.push_back(x.index);
      test_throughput.push_back(1.0 / x.cost);
    } else {
      train_idx.push_back(x.index);
      train.costs_s.push_back(x.cost);
    }
  }
  if (test_idx.size() < 5) return std::nullopt;
  train.features = f.rows(train_idx);
  train.group_sizes = {static_cast<unsigned>(train_idx.size())};
  costmodel::XGBoostOptions mopt;
  mopt.seed = seed;
  costmodel::XGBoostModel model(mopt);
  model.fit(train);
  std::vector<float> pred = model.predict(f.rows(test_idx));
  return costmodel::spearman(std::vector<double>(pred.begin(), pred.end()), test_throughput);
}

int run(int argc, char **argv) {
  std::string model_path, db_list, task_list;
  int64_t rows = 1000;
  int batch = 64;
  uint64_t seed = 1;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      user_check(i + 1 < argc) << "option " << a << " needs a value";
      return argv[++i];
    };
    if (a == "--model") model_path = next();
    else if (a == "--db") db_list = next();
    else if (a == "--tasks") task_list = next();
    else if (a == "--records") rows = std::stoll(next());
    else if (a == "--batch") batch = std::stoi(next());
    else if (a == "--seed") seed = std::stoull(next());
    else user_error << "unknown option '" << a << "' (expected --model, --db, --tasks, "
                    << "--records, --batch, --seed)";
  }
  user_check(!model_path.empty() && !db_list.empty()) << "--model and --db are required";
  std::vector<std::unique_ptr<db::SqliteDatabase>> dbs;
  for (const std::string &p : split_list(db_list)) {
    dbs.push_back(db::SqliteDatabase::open(p, db::SqliteDatabase::Mode::ReadOnly));
  }
  graph::Graph fused = tuner::load_optimized_model(model_path);
  codegen::Target target = codegen::Target::host();
  const int lanes = target.float_lanes();
  std::vector<searchspace::Task> tasks =
      searchspace::extract_tasks(fused, target.str(), lanes);
  std::vector<std::string> wanted = split_list(task_list);

  // 2. Held-out Spearman per task.
  std::vector<double> rhos;
  const searchspace::Task *biggest = nullptr;
  size_t biggest_n = 0;
  std::map<const searchspace::Task *, std::vector<Sample>> samples;
  for (size_t i = 0; i < tasks.size(); ++i) {
    const searchspace::Task &t = tasks[i];
    if (!selected(wanted, i, t.name)) continue;
    std::vector<Sample> s = merged_records(dbs, t);
    if (s.empty()) continue;
    samples[&t] = s;
    std::optional<double> rho = heldout_spearman(t, s, lanes, seed);
    std::printf("spearman: task %zu %-48s records=%zu held_out=%zu rho=%s\n", i, t.name.c_str(),
                s.size(), s.size() / 5, rho ? std::to_string(*rho).c_str() : "n/a");
    if (rho) rhos.push_back(*rho);
    if (t.op_kind == "conv2d_nchwc" && s.size() > biggest_n) {
      biggest = &t;
      biggest_n = s.size();
    }
  }
  user_check(biggest != nullptr) << "no conv2d task with records in the databases";

  // 3. Overhead on the biggest task: its records + transfer records, `rows` in all.
  auto mem = db::SqliteDatabase::in_memory();
  mem->add_target({biggest->target, "local"});
  int64_t own = std::min<int64_t>(static_cast<int64_t>(biggest_n), rows);
  int64_t transfer_left = rows - own;
  double stamp = 1;
  for (const auto &[t, s] : samples) {
    if (t == biggest || t->op_kind != biggest->op_kind || transfer_left <= 0) continue;
    mem->add_workload({t->key, t->op_kind, "{}"});
    std::vector<db::TuningRecord> recs;
    for (const Sample &x : s) {
      if (transfer_left <= 0) break;
      if (!tuner::map_config(biggest->space, x.json)) continue;
      db::TuningRecord r;
      r.workload_key = t->key;
      r.target = t->target;
      r.config_index = x.index;
      r.config_json = x.json;
      r.mean_s = x.cost;
      r.status = std::isfinite(x.cost) ? db::MeasureStatus::Ok : db::MeasureStatus::RuntimeDevice;
      r.timestamp = stamp++;
      recs.push_back(r);
      --transfer_left;
    }
    mem->add_records(recs);
  }
  tuner::XGBTunerOptions opt;
  opt.features.float_lanes = lanes;
  opt.plan_size = batch;
  opt.exhaustive_limit = 0;  // time the annealing path
  opt.transfer_limit = rows;
  opt.transfer_until = -1;  // keep every row in training, as the measurement asks
  opt.transfer_decay = 0;
  tuner::XGBTuner xgb(*biggest, seed, mem.get(), opt);
  const std::vector<Sample> &own_s = samples[biggest];
  std::vector<int64_t> idx;
  std::vector<double> costs;
  std::map<int64_t, double> known;
  for (int64_t k = 0; k < own; ++k) {
    idx.push_back(own_s[static_cast<size_t>(k)].index);
    costs.push_back(own_s[static_cast<size_t>(k)].cost);
    known[idx.back()] = costs.back();
  }
  xgb.resume(idx, costs);
  std::vector<double> finite;
  for (double c : costs) {
    if (std::isfinite(c)) finite.push_back(c);
  }
  double typical = median(finite);
  std::vector<int64_t> first = xgb.next_batch(batch);  // cold: features of everything
  tuner::XGBTunerStats cold = xgb.stats();
  std::vector<double> first_costs;
  for (int64_t i : first) first_costs.push_back(known.count(i) ? known[i] : typical);
  xgb.update(first, first_costs);
  xgb.next_batch(batch);  // warm: what each later batch of a session costs
  tuner::XGBTunerStats warm = xgb.stats();
  double fit_s = warm.fit_s - cold.fit_s, anneal_s = warm.search_s - cold.search_s;
  double overhead = fit_s + anneal_s;
  std::printf("overhead: task %-48s rows=%zu (own %ld, transfer %ld from %ld tasks) "
              "cold_fit_s=%.3f cold_anneal_s=%.3f fit_s=%.3f anneal_s=%.3f rounds=%d threads=%d\n",
              biggest->name.c_str(), warm.last_fit.rows, static_cast<long>(own),
              static_cast<long>(warm.transfer_rows), static_cast<long>(warm.transfer_groups),
              cold.fit_s, cold.search_s, fit_s, anneal_s, warm.last_fit.rounds,
              costmodel::XGBoostModel().threads());
  std::printf("costmodel_bench: model_overhead_s=%.3f spearman=%.3f rows=%zu\n", overhead,
              median(rhos), warm.last_fit.rows);
  return 0;
}

}  // namespace

int main(int argc, char **argv) {
  costmodel::ensure_passive_openmp(argv);
  try {
    return run(argc, argv);
  } catch (const UserError &e) {
    std::fprintf(stderr, "autotune-costmodel-bench: error: %s\n", e.what());
    return 1;
  }
}

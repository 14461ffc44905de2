// XGBoost behind the CostModel interface: the only file that includes the XGBoost C API.
//
// Algorithm (fit):
//  1. Labels: throughput normalized per group (CostModel.h); failures are 0. Nothing ran:
//     leave the model untrained.
//  2. With enough rows, hold out a seeded fraction of each group; boost one round at a time
//     on the rest and, after each round, score the held-out rows: mean over groups (weighted
//     by group weight) of recall@k, ties broken by a small multiple of Spearman's rho. Stop after
//     `early_stopping_rounds` rounds without a better score.
//  3. Keep the best round count: slice the trained model to it (or retrain on all rows with
//     `refit`). Without a held-out set, train `rounds_without_holdout` rounds on all rows.
#include "costmodel/XGBoostModel.h"

#include <xgboost/c_api.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <mutex>
#include <numeric>
#include <random>
#include <sstream>
#include <thread>
#include <unistd.h>

#include "ir/support/Error.h"

namespace autotune::costmodel {

namespace {

void check(int rc, const char *what) {
  user_check(rc == 0) << "xgboost: " << what << " failed: " << XGBGetLastError();
}

void quiet_xgboost() {
  static std::once_flag once;
  std::call_once(once, [] { XGBSetGlobalConfig("{\"verbosity\": 0}"); });
}

class DMatrix {
 public:
  DMatrix(const float *data, size_t rows, size_t cols) {
    check(XGDMatrixCreateFromMat(data, static_cast<bst_ulong>(rows), static_cast<bst_ulong>(cols),
                                 std::nanf(""), &h_),
          "creating a feature matrix");
  }
  ~DMatrix() {
    if (h_) XGDMatrixFree(h_);
  }
  DMatrix(const DMatrix &) = delete;
  DMatrix &operator=(const DMatrix &) = delete;
  DMatrixHandle get() const { return h_; }
  void set_labels(const std::vector<float> &labels) {
    check(XGDMatrixSetFloatInfo(h_, "label", labels.data(), labels.size()), "setting labels");
  }
  void set_groups(const std::vector<unsigned> &groups) {
    check(XGDMatrixSetUIntInfo(h_, "group", groups.data(), groups.size()), "setting groups");
  }
  /// Ranking: one weight per group; regression: one per row.
  void set_weights(const std::vector<float> &weights) {
    check(XGDMatrixSetFloatInfo(h_, "weight", weights.data(), weights.size()), "setting weights");
  }

 private:
  DMatrixHandle h_ = nullptr;
};

/// Rows of one split, group by group.
struct Split {
  std::vector<float> x;
  std::vector<float> labels;
  std::vector<unsigned> groups;
  std::vector<float> group_weights;  ///< one per group, or empty
  size_t rows = 0;
};

void set_param(BoosterHandle b, const char *name, const std::string &value) {
  check(XGBoosterSetParam(b, name, value.c_str()), "setting a parameter");
}

std::string num(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

}  // namespace

bool openmp_wait_policy_set() {
  return std::getenv("OMP_WAIT_POLICY") != nullptr || std::getenv("GOMP_SPINCOUNT") != nullptr;
}

void ensure_passive_openmp(char **argv) {
  if (openmp_wait_policy_set() || !argv || !argv[0]) return;
  setenv("OMP_WAIT_POLICY", "passive", 1);
  execv("/proc/self/exe", argv);
  // exec failed: keep running (training falls back to one thread).
}

XGBoostModel::XGBoostModel(XGBoostOptions opt) : opt_(opt) { quiet_xgboost(); }

XGBoostModel::~XGBoostModel() {
  if (booster_) XGBoosterFree(static_cast<BoosterHandle>(booster_));
}

int XGBoostModel::threads() const {
  if (opt_.nthread > 0) return opt_.nthread;
  if (!openmp_wait_policy_set()) return 1;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

void XGBoostModel::fit(const TrainingSet &data) {
  auto start = std::chrono::steady_clock::now();
  const FeatureMatrix &x = data.features;
  user_check(data.costs_s.size() == x.rows)
      << "cost model training: " << x.rows << " feature rows but " << data.costs_s.size()
      << " costs";
  size_t grouped = std::accumulate(data.group_sizes.begin(), data.group_sizes.end(), size_t{0});
  user_check(grouped == x.rows) << "cost model training: groups cover " << grouped << " of "
                                << x.rows << " rows";
  user_check(data.group_weights.empty() || data.group_weights.size() == data.group_sizes.size())
      << "cost model training: " << data.group_weights.size() << " group weights for "
      << data.group_sizes.size() << " groups";
  if (booster_) XGBoosterFree(static_cast<BoosterHandle>(booster_));
  booster_ = nullptr;
  report_ = FitReport();
  report_.rows = x.rows;

  // 1. Labels.
  std::vector<float> labels = normalized_throughput(data.costs_s, data.group_sizes);
  if (std::none_of(labels.begin(), labels.end(), [](float l) { return l > 0; })) return;
  cols_ = x.cols;

  // 2. The held-out split, per group.
  std::mt19937_64 rng(opt_.seed);
  Split train, hold;
  const bool use_holdout =
      x.rows >= static_cast<size_t>(opt_.min_rows_for_holdout) && opt_.holdout_fraction > 0;
  size_t begin = 0;
  for (size_t g = 0; g < data.group_sizes.size(); ++g) {
    const unsigned size = data.group_sizes[g];
    const float weight = data.group_weights.empty() ? 1.0f : data.group_weights[g];
    std::vector<size_t> rows(size);
    std::iota(rows.begin(), rows.end(), begin);
    std::vector<char> held(size, 0);
    size_t n_hold = use_holdout && size >= 10
                        ? static_cast<size_t>(std::floor(size * opt_.holdout_fraction))
                        : 0;
    if (n_hold > 0) {
      std::shuffle(rows.begin(), rows.end(), rng);
      for (size_t i = 0; i < n_hold; ++i) held[rows[i] - begin] = 1;
    }
    unsigned in_train = 0, in_hold = 0;
    for (size_t r = begin; r < begin + size; ++r) {
      Split &s = held[r - begin] ? hold : train;
      s.x.insert(s.x.end(), x.row(r), x.row(r) + x.cols);
      s.labels.push_back(labels[r]);
      ++s.rows;
      ++(held[r - begin] ? in_hold : in_train);
    }
    if (in_train) {
      train.groups.push_back(in_train);
      train.group_weights.push_back(weight);
    }
    if (in_hold) {
      hold.groups.push_back(in_hold);
      hold.group_weights.push_back(weight);
    }
    begin += size;
  }
  // A held-out set is useful only where it has something to find.
  bool hold_useful = hold.rows > 0 && std::any_of(hold.labels.begin(), hold.labels.end(),
                                                  [](float l) { return l > 0; });
  const bool rank = opt_.objective == XGBoostOptions::Objective::RankPairwise;

  auto make_booster = [&](DMatrix &dtrain) {
    BoosterHandle b = nullptr;
    DMatrixHandle h = dtrain.get();
    check(XGBoosterCreate(&h, 1, &b), "creating a booster");
    set_param(b, "objective", rank ? "rank:pairwise" : "reg:squarederror");
    set_param(b, "tree_method", "hist");
    set_param(b, "eta", num(opt_.eta));
    set_param(b, "max_depth", std::to_string(opt_.max_depth));
    set_param(b, "min_child_weight", num(opt_.min_child_weight));
    set_param(b, "subsample", num(opt_.subsample));
    set_param(b, "colsample_bytree", num(opt_.colsample_bytree));
    set_param(b, "lambda", num(opt_.lambda));
    set_param(b, "alpha", num(opt_.alpha));
    set_param(b, "nthread", std::to_string(threads()));
    set_param(b, "seed", std::to_string(opt_.seed % 2147483647));
    set_param(b, "verbosity", "0");
    set_param(b, "disable_default_eval_metric", "1");
    return b;
  };
  const bool weighted = !data.group_weights.empty();
  auto load_split = [&](const Split &s) {
    auto m = std::make_unique<DMatrix>(s.x.data(), s.rows, x.cols);
    m->set_labels(s.labels);
    if (rank) m->set_groups(s.groups);
    if (weighted && rank) m->set_weights(s.group_weights);
    if (weighted && !rank) {
      std::vector<float> per_row;
      for (size_t g = 0; g < s.groups.size(); ++g) {
        per_row.insert(per_row.end(), s.groups[g], s.group_weights[g]);
      }
      m->set_weights(per_row);
    }
    return m;
  };

  if (!hold_useful) {
    // 3b. Everything trains; a fixed number of rounds.
    Split all;
    all.x = x.data;
    all.labels = labels;
    for (size_t g = 0; g < data.group_sizes.size(); ++g) {
      if (data.group_sizes[g] == 0) continue;
      all.groups.push_back(data.group_sizes[g]);
      all.group_weights.push_back(weighted ? data.group_weights[g] : 1.0f);
    }
    all.rows = x.rows;
    auto dall = load_split(all);
    BoosterHandle b = make_booster(*dall);
    int rounds = std::min(opt_.max_rounds, opt_.rounds_without_holdout);
    for (int r = 0; r < rounds; ++r) check(XGBoosterUpdateOneIter(b, r, dall->get()), "training");
    booster_ = b;
    report_.rounds = rounds;
  } else {
    auto dtrain = load_split(train);
    DMatrix dhold(hold.x.data(), hold.rows, x.cols);
    BoosterHandle b = make_booster(*dtrain);
    double best = -1e9;
    int best_round = 0, trained = 0;
    for (int round = 0; round < opt_.max_rounds; ++round) {
      check(XGBoosterUpdateOneIter(b, round, dtrain->get()), "training");
      trained = round + 1;
      bst_ulong len = 0;
      const float *out = nullptr;
      check(XGBoosterPredict(b, dhold.get(), 0, 0, 0, &len, &out), "predicting");
      // Mean recall@k over held-out groups that have a successful trial.
      double score = 0, total_weight = 0;
      size_t g0 = 0;
      for (size_t g = 0; g < hold.groups.size(); ++g) {
        const unsigned size = hold.groups[g];
        std::vector<float> s(out + g0, out + g0 + size), l(&hold.labels[g0], &hold.labels[g0] + size);
        g0 += size;
        if (std::none_of(l.begin(), l.end(), [](float v) { return v > 0; })) continue;
        int k = std::max(1, std::min(opt_.recall_k, static_cast<int>(size) / 4));
        std::vector<double> sd(s.begin(), s.end()), ld(l.begin(), l.end());
        double w = hold.group_weights[g];
        score += w * (recall_at_k(s, l, k) + 0.01 * spearman(sd, ld));
        total_weight += w;
      }
      score = total_weight > 0 ? score / total_weight : 0;
      if (score > best + 1e-9) {
        best = score;
        best_round = round + 1;
        report_.holdout_recall = score;
      } else if (round + 1 - best_round >= opt_.early_stopping_rounds) {
        break;
      }
    }
    best_round = std::max(1, best_round);
    if (opt_.refit) {
      XGBoosterFree(b);
      Split all;
      all.x = x.data;
      all.labels = labels;
      for (size_t g = 0; g < data.group_sizes.size(); ++g) {
        if (data.group_sizes[g] == 0) continue;
        all.groups.push_back(data.group_sizes[g]);
        all.group_weights.push_back(weighted ? data.group_weights[g] : 1.0f);
      }
      all.rows = x.rows;
      auto dall = load_split(all);
      b = make_booster(*dall);
      for (int r = 0; r < best_round; ++r) check(XGBoosterUpdateOneIter(b, r, dall->get()), "training");
    } else if (best_round < trained) {
      BoosterHandle sliced = nullptr;
      check(XGBoosterSlice(b, 0, best_round, 1, &sliced), "slicing the model");
      XGBoosterFree(b);
      b = sliced;
    }
    booster_ = b;
    report_.rounds = best_round;
    report_.holdout_rows = hold.rows;
  }
  report_.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::vector<float> XGBoostModel::predict(const FeatureMatrix &x) const {
  std::vector<float> scores(x.rows, 0.0f);
  if (!booster_ || x.rows == 0) return scores;
  user_check(x.cols == cols_) << "cost model: predicting rows of " << x.cols
                              << " features with a model trained on " << cols_;
  DMatrix m(x.data.data(), x.rows, x.cols);
  bst_ulong len = 0;
  const float *out = nullptr;
  check(XGBoosterPredict(static_cast<BoosterHandle>(booster_), m.get(), 0, 0, 0, &len, &out),
        "predicting");
  std::copy(out, out + std::min<size_t>(len, x.rows), scores.begin());
  return scores;
}

std::string XGBoostModel::save() const {
  user_check(booster_ != nullptr) << "cost model: nothing to save, the model is not trained";
  bst_ulong len = 0;
  const char *bytes = nullptr;
  check(XGBoosterSaveModelToBuffer(static_cast<BoosterHandle>(booster_),
                                   "{\"format\": \"ubj\"}", &len, &bytes),
        "saving the model");
  return std::string(bytes, len);
}

void XGBoostModel::load(const std::string &bytes) {
  BoosterHandle b = nullptr;
  check(XGBoosterCreate(nullptr, 0, &b), "creating a booster");
  int rc = XGBoosterLoadModelFromBuffer(b, bytes.data(), bytes.size());
  if (rc != 0) {
    std::string msg = XGBGetLastError();
    XGBoosterFree(b);
    user_error << "xgboost: loading the model failed: " << msg;
  }
  bst_ulong cols = 0;
  check(XGBoosterGetNumFeature(b, &cols), "reading the model's feature count");
  set_param(b, "nthread", std::to_string(threads()));
  if (booster_) XGBoosterFree(static_cast<BoosterHandle>(booster_));
  booster_ = b;
  cols_ = cols;
}

void XGBoostModel::save_file(const std::string &path) const {
  std::string bytes = save();
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  user_check(out.good()) << "cost model: cannot write '" << path << "'";
}

void XGBoostModel::load_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  user_check(in.good()) << "cost model: cannot read '" << path << "'";
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  load(bytes);
}

}  // namespace autotune::costmodel

// The model-based tuner (--tuner xgb, the default): an XGBoost cost model trained on the
// task's measurements (and, by transfer, on other tasks of the same op kind in the database)
// steers simulated annealing, which picks the next configs to measure.
#pragma once

#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "costmodel/TaskFeaturizer.h"
#include "costmodel/XGBoostModel.h"
#include "searchspace/Task.h"
#include "tuner/SimulatedAnnealing.h"
#include "tuner/Tuner.h"

namespace autotune::db {
class Database;
}

namespace autotune::tuner {

struct XGBTunerOptions {
  costmodel::XGBoostOptions model;
  costmodel::FeaturizerOptions features;
  AnnealingOptions annealing;
  /// Configs chosen per model round: the model is refit (and searched) once a plan is used up.
  /// Small plans adapt faster; on ResNet-50 3x3 convs (720 valid configs, 5 within 95% of the
  /// best) plans of 16 after 8 random trials needed a median 30 trials to get within 95% of the
  /// best, plans of 64 after 32 random ones 105 (random search: 160; offline replay, 10 seeds).
  int plan_size = 16;
  /// Measured trials of the task before the model is trusted (random configs until then),
  /// unless transfer records already trained it.
  int warmup = 8;
  /// Share of every plan drawn at random (exploration).
  double epsilon = 0.05;
  /// Spaces of at most this many configs are ranked exhaustively (every valid, unvisited
  /// config scored) instead of annealed; 0 always anneals.
  int64_t exhaustive_limit = 4096;
  /// Seed the model with records of other tasks of the same op kind and target.
  bool transfer = true;
  int64_t transfer_limit = 2000;  ///< newest records read for transfer
  /// Weight of each transfer group in training: transfer_decay / (transfer_decay + n) after n
  /// trials of this task, so the task's own measurements take over (0: always 1).
  double transfer_decay = 16;
  /// Trials of this task after which transfer records are no longer used (-1: never drop):
  /// rankings differ between shapes, so transfer steers the start and then leaves. In offline
  /// replays (30 seeds), 64 records of the 56x56 3x3 conv cut the 14x14 one's median trials to
  /// 95% of the best from 37 to 23, and 64 of the 14x14 conv the 56x56 one's from 10 to 4.
  int transfer_until = 32;
  /// Share of the warm-up trials a transferred model picks (the rest are random).
  double transfer_warmup_share = 0.5;
};

/// Time and work of the tuner so far.
struct XGBTunerStats {
  int fits = 0;
  double fit_s = 0;             ///< model training, total
  double search_s = 0;          ///< annealing or exhaustive ranking (features included), total
  double featurize_s = 0;       ///< feature extraction, total (part of fit_s and search_s)
  int64_t transfer_rows = 0;    ///< transfer records usable in this task's space
  int64_t transfer_groups = 0;  ///< other workloads they came from
  int64_t random_picks = 0, model_picks = 0;
  costmodel::FitReport last_fit;
};

/// Algorithm:
///  1. Transfer (first call): read up to transfer_limit records of other workloads of the
///     task's op kind on its target. Each config (config_json) is mapped into this task's
///     space: exactly when every value is one of the knob's choices, else each value moves to
///     the nearest choice (log-distance of the inner split factors, the outermost one only
///     breaking ties; distance of values; reorder and annotate knobs must match); records
///     that do not map, or map to invalid configs, are
///     skipped. Their features are this task's features of the mapped config; their labels
///     the other workload's throughput, one ranking group per workload.
///  2. next_batch hands out configs from the current plan. When the plan is used up:
///     - during warm-up (fewer than `warmup` trials of this task): random configs up to the
///       warm-up count; with transfer data, a transfer-trained model picks
///       transfer_warmup_share of them;
///     - afterwards: refit the model (this task's group, failures as zero throughput, plus the
///       transfer groups weighted transfer_decay / (transfer_decay + trials) until
///       transfer_until trials), then take the (1 - epsilon) share of a plan of plan_size from
///       the model's best unvisited configs (exhaustive ranking for spaces up to
///       exhaustive_limit, else simulated annealing with the best measured configs as seeds;
///       diversity filter either way), and the rest at random, at random positions.
///  3. update records costs (+inf for failures) for the next fit.
class XGBTuner final : public Tuner {
 public:
  /// `task` (and `db`, which may be null: no transfer) must outlive the tuner.
  XGBTuner(const searchspace::Task &task, uint64_t seed, db::Database *db,
           XGBTunerOptions opt = {});
  ~XGBTuner() override;
  const char *name() const override { return "xgb"; }
  std::vector<int64_t> next_batch(int n) override;
  void update(const std::vector<int64_t> &indices, const std::vector<double> &costs) override;

  const XGBTunerStats &stats() const { return stats_; }
  /// The current model's scores of configs (all zeros before the first fit).
  std::vector<float> predict(const std::vector<int64_t> &indices);
  /// Feature rows of configs of the task (the model's inputs).
  costmodel::TaskFeaturizer &featurizer() { return featurizer_; }

 private:
  void load_transfer();
  void make_plan(int n);
  std::vector<int64_t> random_picks(int n, const std::set<int64_t> &taken);
  std::vector<int64_t> model_picks(int n);
  void fit();

  const searchspace::Task &task_;
  db::Database *db_;
  XGBTunerOptions opt_;
  std::mt19937_64 rng_;
  costmodel::TaskFeaturizer featurizer_;
  costmodel::XGBoostModel model_;
  SimulatedAnnealing annealer_;
  bool transfer_loaded_ = false;
  costmodel::FeatureMatrix transfer_x_;
  std::vector<double> transfer_costs_;
  std::vector<unsigned> transfer_groups_;
  std::vector<int64_t> measured_;       ///< this task's measured indices, in order
  std::vector<double> measured_costs_;
  size_t fitted_on_ = 0;                ///< measured_.size() at the last fit
  std::vector<int64_t> plan_;           ///< next configs to hand out, front first
  size_t plan_pos_ = 0;
  std::vector<int64_t> valid_all_;      ///< every valid index (exhaustive ranking), on demand
  bool valid_listed_ = false;
  XGBTunerStats stats_;
};

/// Maps the knob values of `config_json` (another workload's config of the same template) into
/// `space`: exact values when they are choices, else the nearest choice per knob (see
/// XGBTuner); nullopt when a knob is missing or a reorder/annotate value has no match.
std::optional<searchspace::Config> map_config(const searchspace::ConfigSpace &space,
                                              const std::string &config_json);

}  // namespace autotune::tuner

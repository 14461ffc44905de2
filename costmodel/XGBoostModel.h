// The gradient-boosted cost model: XGBoost (through its C API, wrapped only in
// XGBoostModel.cpp) trained on measured configs, pairwise ranking by default.
//
// Threads: XGBoost trains with libgomp. libgomp's default spin-waiting makes training 6-13x
// slower on small machines, and it reads OMP_WAIT_POLICY only when it loads, so the variable
// must be in the environment when the process starts: the tests set it in CTest, and a launcher
// can re-execute itself with it (ensure_passive_openmp). A process started without
// OMP_WAIT_POLICY or GOMP_SPINCOUNT trains on one thread (no spinning team), which STACK.md
// measured at 1.6 s against 1-1.7 s for two passive threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "costmodel/CostModel.h"

namespace autotune::costmodel {

struct XGBoostOptions {
  enum class Objective { RankPairwise, Regression };
  /// rank:pairwise (one group per task) or reg:squarederror on the normalized throughput.
  Objective objective = Objective::RankPairwise;
  int max_rounds = 120;          ///< boosting rounds at most
  int early_stopping_rounds = 20;  ///< stop when held-out recall@k has not improved this long
  double holdout_fraction = 0.2;   ///< rows of each group held out for early stopping
  int min_rows_for_holdout = 48;   ///< smaller sets train `rounds_without_holdout` rounds
  int rounds_without_holdout = 40;
  int recall_k = 16;             ///< k of recall@k (capped at a quarter of each held-out group)
  /// Retrain on every row for the best round count after early stopping (else keep the model
  /// trained without the held-out rows).
  bool refit = false;
  int max_depth = 6;
  double eta = 0.2;
  double min_child_weight = 1;
  double subsample = 1.0;
  double colsample_bytree = 1.0;
  double lambda = 1.0;
  double alpha = 0.0;
  /// 0: OpenMP's default when the process started with a wait policy (openmp_wait_policy_set),
  /// else 1.
  int nthread = 0;
  uint64_t seed = 0;   ///< seeds the held-out split and XGBoost's sampling
};

/// What the last fit() did.
struct FitReport {
  size_t rows = 0, holdout_rows = 0;
  int rounds = 0;              ///< rounds in the final model
  double holdout_recall = -1;  ///< best held-out recall@k (-1 without a held-out set)
  double seconds = 0;
};

class XGBoostModel final : public CostModel {
 public:
  explicit XGBoostModel(XGBoostOptions opt = {});
  ~XGBoostModel() override;
  XGBoostModel(const XGBoostModel &) = delete;
  XGBoostModel &operator=(const XGBoostModel &) = delete;

  void fit(const TrainingSet &data) override;
  std::vector<float> predict(const FeatureMatrix &x) const override;
  bool trained() const override { return booster_ != nullptr; }

  /// The trained model as XGBoost's UBJSON bytes (UserError while untrained).
  std::string save() const;
  /// Replaces the model with one saved by save() (UserError naming XGBoost's message on bad
  /// bytes).
  void load(const std::string &bytes);
  /// save()/load() through a file ("m.ubj"); UserError naming the path on I/O failure.
  void save_file(const std::string &path) const;
  void load_file(const std::string &path);

  const FitReport &last_fit() const { return report_; }
  const XGBoostOptions &options() const { return opt_; }
  /// Threads XGBoost uses under this process's OpenMP wait policy.
  int threads() const;

 private:
  XGBoostOptions opt_;
  void *booster_ = nullptr;  ///< BoosterHandle
  size_t cols_ = 0;
  FitReport report_;
};

/// True when this process started with OMP_WAIT_POLICY or GOMP_SPINCOUNT set: libgomp then
/// does not use its default spin-then-yield waiting that slows XGBoost down.
bool openmp_wait_policy_set();

/// Call first thing in main(): when OMP_WAIT_POLICY is unset, sets it to passive and
/// re-executes the program (/proc/self/exe with the same arguments), so that libgomp starts
/// with the passive policy. Returns only when no re-execution was needed or it failed.
void ensure_passive_openmp(char **argv);

}  // namespace autotune::costmodel

// Simulated annealing over a config space, scored by a function of config indices (the cost
// model's prediction): the search the model-based tuner runs to pick its next batch.
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <vector>

#include "searchspace/ConfigSpace.h"

namespace autotune::tuner {

struct AnnealingOptions {
  int chains = 64;          ///< parallel chains; kept (positions) from one round to the next
  int max_steps = 150;      ///< steps of one round at most
  int early_stop = 30;      ///< end a round after this many steps without a new top-k entry
  double t_start = 1.0;     ///< temperature at the first step, in units of the score spread
  double t_end = 0.0;       ///< temperature at max_steps (linear cooling)
  /// Diversity: a picked config admits at most this many other picks that differ from it in
  /// exactly one knob (the rest of the batch comes from the next best, farther configs; the
  /// filter is relaxed only when it would leave the batch short).
  int max_neighbors = 3;
  uint64_t seed = 1;
};

/// What the last round did.
struct AnnealingReport {
  int steps = 0;           ///< steps run (<= max_steps)
  int64_t scored = 0;      ///< distinct configs scored in the round
  bool stopped_early = false;
};

/// Algorithm (one round, find_best):
///  1. Chains: on the first round, `chains` random valid configs; later rounds continue from
///     where the previous round left each chain. `seeds` (e.g. the best measured configs)
///     replace the chains with the lowest scores. Every chain position is re-scored, since
///     the model changes between rounds.
///  2. Each step, every chain proposes a neighbour: one knob re-drawn (a few tries to find a
///     valid config). New configs are scored in one batch call. A chain moves to its proposal
///     with probability min(1, exp(delta / (T * spread))), where delta is the score gain,
///     spread the range of the scores seen this round, and T cools linearly from t_start to
///     t_end over max_steps.
///  3. The round ends after max_steps, or after early_stop steps in which no config entered
///     the top k of non-excluded configs.
///  4. Result: the scored, valid, non-excluded configs by decreasing score (ties: lower index),
///     through the diversity filter (max_neighbors), at most k.
/// Example: knobs with 4 x 3 choices, a score peaking at choices (2, 1): a round from random
/// chains returns the index 2 + 4*1 = 6 first.
class SimulatedAnnealing {
 public:
  /// Higher is better; one score per index, in order.
  using ScoreFn = std::function<std::vector<float>(const std::vector<int64_t> &indices)>;
  /// True for configs that must not be returned (already measured or proposed).
  using ExcludeFn = std::function<bool(int64_t index)>;

  /// Keeps a reference to `space`, which must outlive the annealer.
  SimulatedAnnealing(const searchspace::ConfigSpace &space, AnnealingOptions opt = {});

  /// Runs one round and returns up to k indices, best first (fewer when the round found fewer
  /// non-excluded valid configs).
  std::vector<int64_t> find_best(int k, const ScoreFn &score, const ExcludeFn &excluded,
                                 const std::vector<int64_t> &seeds = {});

  const AnnealingReport &last_round() const { return report_; }
  /// Current chain positions (config indices).
  std::vector<int64_t> chain_positions() const;

 private:
  int64_t index_of(const std::vector<int> &choice) const;
  bool valid(const std::vector<int> &choice) const;
  std::vector<int> random_valid();

  const searchspace::ConfigSpace &space_;
  AnnealingOptions opt_;
  std::mt19937_64 rng_;
  std::vector<int> radix_;
  std::vector<std::vector<int>> chains_;
  AnnealingReport report_;
};

/// The diversity filter of find_best on its own: walks `ranked` (best first) and keeps a config
/// unless some already kept config that differs from it in exactly one knob already has
/// `max_neighbors` such neighbours among the kept; then fills up to k from the skipped ones,
/// in order. Choices are per knob, as Config::choices().
std::vector<size_t> diverse_top(const std::vector<std::vector<int>> &ranked, int k,
                                int max_neighbors);

}  // namespace autotune::tuner

// The genetic tuner: fitness-proportional parents, uniform crossover, per-knob mutation.
#include "tuner/GATuner.h"

#include <algorithm>
#include <cmath>

#include "tuner/RandomTuner.h"

namespace autotune::tuner {

GATuner::GATuner(const searchspace::ConfigSpace &space, uint64_t seed, int population,
                 int elites, double mutation)
    : Tuner(space), rng_(seed), population_(population), elites_(elites), mutation_(mutation) {}

std::vector<int64_t> GATuner::next_batch(int n) {
  std::vector<int64_t> out;
  while (static_cast<int>(out.size()) < n) {
    // Breed once the previous proposals are measured; before any result, sample randomly.
    if (pending_.empty() && outstanding_ == 0 && !scores_.empty()) next_generation();
    int64_t i;
    if (!pending_.empty()) {
      i = pending_.back();
      pending_.pop_back();
      if (visited_.count(i)) continue;
    } else {
      i = sample_unvisited(space_, visited_, rng_);
      if (i < 0) break;
    }
    visit(i);
    out.push_back(i);
  }
  outstanding_ += static_cast<int>(out.size());
  return out;
}

void GATuner::update(const std::vector<int64_t> &indices, const std::vector<double> &costs) {
  track_best(indices, costs);
  for (size_t k = 0; k < indices.size(); ++k) scores_[indices[k]] = costs[k];
  outstanding_ = std::max(0, outstanding_ - static_cast<int>(indices.size()));
}

std::vector<int> GATuner::child(const std::vector<double> &weights,
                                const std::vector<int64_t> &parents) {
  std::discrete_distribution<size_t> pick(weights.begin(), weights.end());
  const std::vector<int> a = space_.get(parents[pick(rng_)]).choices();
  const std::vector<int> b = space_.get(parents[pick(rng_)]).choices();
  std::vector<int> c(a.size());
  std::uniform_real_distribution<double> u(0, 1);
  const auto &knobs = space_.knobs();
  for (size_t k = 0; k < c.size(); ++k) {
    c[k] = u(rng_) < 0.5 ? a[k] : b[k];
    if (u(rng_) < mutation_) {
      std::uniform_int_distribution<int> d(0, static_cast<int>(knobs[k].choices.size()) - 1);
      c[k] = d(rng_);
    }
  }
  return c;
}

void GATuner::next_generation() {
  // Parents: every measured config that ran, weighted by speed.
  std::vector<std::pair<double, int64_t>> ranked;
  for (const auto &[index, cost] : scores_) {
    if (std::isfinite(cost) && cost > 0) ranked.emplace_back(cost, index);
  }
  std::sort(ranked.begin(), ranked.end());
  std::set<int64_t> chosen;
  // Elites are already measured; they only seed the children (never re-measured).
  std::vector<int64_t> parents;
  std::vector<double> weights;
  for (const auto &[cost, index] : ranked) {
    parents.push_back(index);
    weights.push_back(1.0 / cost);
  }
  if (parents.empty()) return;  // nothing ran yet: keep sampling randomly
  if (static_cast<int>(parents.size()) > population_) {
    parents.resize(population_);
    weights.resize(population_);
  }
  // Elites bias the breeding pool.
  for (int e = 0; e < elites_ && e < static_cast<int>(parents.size()); ++e) weights[e] *= 2;
  int attempts = 0;
  while (static_cast<int>(pending_.size()) < population_ && attempts < population_ * 20) {
    ++attempts;
    searchspace::Config cfg = space_.from_choices(child(weights, parents));
    if (visited_.count(cfg.index()) || chosen.count(cfg.index()) || !space_.is_valid(cfg)) {
      continue;
    }
    chosen.insert(cfg.index());
    pending_.push_back(cfg.index());
  }
  // Top up with random configs; `taken` grows with each pick instead of being rebuilt.
  std::set<int64_t> taken = visited_;
  taken.insert(chosen.begin(), chosen.end());
  while (static_cast<int>(pending_.size()) < population_) {
    int64_t i = sample_unvisited(space_, taken, rng_);
    if (i < 0) break;
    taken.insert(i);
    pending_.push_back(i);
  }
  std::reverse(pending_.begin(), pending_.end());
}

}  // namespace autotune::tuner

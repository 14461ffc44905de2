// Simulated annealing over knob choices (algorithm in SimulatedAnnealing.h).
#include "tuner/SimulatedAnnealing.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_map>

namespace autotune::tuner {

SimulatedAnnealing::SimulatedAnnealing(const searchspace::ConfigSpace &space,
                                       AnnealingOptions opt)
    : space_(space), opt_(opt), rng_(opt.seed) {
  for (const searchspace::Knob &k : space_.knobs()) {
    radix_.push_back(static_cast<int>(std::max<size_t>(1, k.choices.size())));
  }
}

int64_t SimulatedAnnealing::index_of(const std::vector<int> &choice) const {
  int64_t index = 0;
  for (size_t k = radix_.size(); k-- > 0;) index = index * radix_[k] + choice[k];
  return index;
}

bool SimulatedAnnealing::valid(const std::vector<int> &choice) const {
  return space_.is_valid(space_.from_choices(choice));
}

std::vector<int> SimulatedAnnealing::random_valid() {
  std::vector<int> c(radix_.size());
  for (int attempt = 0; attempt < 256; ++attempt) {
    for (size_t k = 0; k < radix_.size(); ++k) {
      c[k] = std::uniform_int_distribution<int>(0, radix_[k] - 1)(rng_);
    }
    if (valid(c)) return c;
  }
  // Sparse validity: the first valid config from a random start.
  int64_t start = std::uniform_int_distribution<int64_t>(0, space_.size() - 1)(rng_);
  std::optional<searchspace::Config> v = space_.next_valid(start);
  if (!v) v = space_.next_valid(0);
  return v ? v->choices() : c;
}

std::vector<int64_t> SimulatedAnnealing::chain_positions() const {
  std::vector<int64_t> out;
  for (const std::vector<int> &c : chains_) out.push_back(index_of(c));
  return out;
}

std::vector<size_t> diverse_top(const std::vector<std::vector<int>> &ranked, int k,
                                int max_neighbors) {
  std::vector<size_t> kept, skipped;
  std::vector<int> neighbors;  // per kept config
  const size_t want = static_cast<size_t>(std::max(0, k));
  for (size_t i = 0; i < ranked.size() && kept.size() < want; ++i) {
    std::vector<size_t> near;
    bool ok = true;
    for (size_t j = 0; j < kept.size(); ++j) {
      const std::vector<int> &a = ranked[i], &b = ranked[kept[j]];
      int diff = 0;
      for (size_t q = 0; q < a.size() && diff < 2; ++q) diff += a[q] != b[q];
      if (diff != 1) continue;
      near.push_back(j);
      if (neighbors[j] >= max_neighbors) ok = false;
    }
    if (!ok) {
      skipped.push_back(i);
      continue;
    }
    for (size_t j : near) ++neighbors[j];
    kept.push_back(i);
    neighbors.push_back(0);
  }
  for (size_t i = 0; i < skipped.size() && kept.size() < want; ++i) kept.push_back(skipped[i]);
  return kept;
}

std::vector<int64_t> SimulatedAnnealing::find_best(int k, const ScoreFn &score,
                                                   const ExcludeFn &excluded,
                                                   const std::vector<int64_t> &seeds) {
  report_ = AnnealingReport();
  if (k <= 0 || space_.size() <= 0) return {};
  std::unordered_map<int64_t, float> pool;  // every config scored this round
  float lo = 1e30f, hi = -1e30f;             // their score range
  // Scores the configs not scored yet this round; returns them.
  auto score_new = [&](const std::vector<int64_t> &indices) {
    std::vector<int64_t> fresh;
    for (int64_t i : indices) {
      if (!pool.count(i) && std::find(fresh.begin(), fresh.end(), i) == fresh.end()) {
        fresh.push_back(i);
      }
    }
    if (fresh.empty()) return fresh;
    std::vector<float> s = score(fresh);
    for (size_t q = 0; q < fresh.size(); ++q) {
      float v = q < s.size() ? s[q] : 0.0f;
      pool[fresh[q]] = v;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    return fresh;
  };

  // 1. Chains: kept from the last round, or random; seeds replace the worst.
  while (static_cast<int>(chains_.size()) < opt_.chains) chains_.push_back(random_valid());
  std::vector<int64_t> positions = chain_positions();
  score_new(positions);
  if (!seeds.empty()) {
    std::vector<size_t> order(chains_.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return pool[positions[a]] < pool[positions[b]]; });
    for (size_t s = 0; s < seeds.size() && s < order.size(); ++s) {
      chains_[order[s]] = space_.get(seeds[s]).choices();
    }
    positions = chain_positions();
    score_new(positions);
  }

  // Top-k tracking of non-excluded valid configs (min-heap of scores).
  std::vector<float> top;
  auto offer = [&](int64_t index, float s) {
    if (excluded(index)) return false;
    if (static_cast<int>(top.size()) < k) {
      top.push_back(s);
      std::push_heap(top.begin(), top.end(), std::greater<float>());
      return true;
    }
    if (s <= top.front()) return false;
    std::pop_heap(top.begin(), top.end(), std::greater<float>());
    top.back() = s;
    std::push_heap(top.begin(), top.end(), std::greater<float>());
    return true;
  };
  for (const auto &[index, s] : pool) offer(index, s);

  // 2-3. Steps.
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<size_t> movable;
  for (size_t q = 0; q < radix_.size(); ++q) {
    if (radix_[q] > 1) movable.push_back(q);
  }
  int quiet = 0;
  for (int step = 0; step < opt_.max_steps && !movable.empty(); ++step) {
    double t = opt_.t_start +
               (opt_.t_end - opt_.t_start) * static_cast<double>(step) / std::max(1, opt_.max_steps);
    std::vector<std::vector<int>> proposals(chains_.size());
    std::vector<int64_t> proposal_index(chains_.size(), -1);
    for (size_t c = 0; c < chains_.size(); ++c) {
      for (int attempt = 0; attempt < 8; ++attempt) {
        std::vector<int> p = chains_[c];
        size_t knob = movable[std::uniform_int_distribution<size_t>(0, movable.size() - 1)(rng_)];
        int shift = std::uniform_int_distribution<int>(1, radix_[knob] - 1)(rng_);
        p[knob] = (p[knob] + shift) % radix_[knob];
        if (!valid(p)) continue;
        proposal_index[c] = index_of(p);
        proposals[c] = std::move(p);
        break;
      }
    }
    std::vector<int64_t> wanted;
    for (int64_t i : proposal_index) {
      if (i >= 0) wanted.push_back(i);
    }
    std::vector<int64_t> fresh = score_new(wanted);
    // Scores relative to the round's spread, so that temperatures do not depend on the scale.
    double spread = std::max(1e-9, static_cast<double>(hi - lo));
    for (size_t c = 0; c < chains_.size(); ++c) {
      if (proposal_index[c] < 0) continue;
      float s_new = pool[proposal_index[c]];
      float s_cur = pool[index_of(chains_[c])];
      double delta = (static_cast<double>(s_new) - s_cur) / spread;
      bool accept = delta >= 0 || (t > 1e-12 && u(rng_) < std::exp(delta / t));
      if (accept) chains_[c] = proposals[c];
    }
    // Configs scored for the first time compete for the top k.
    bool improved = false;
    for (int64_t i : fresh) improved = offer(i, pool[i]) || improved;
    report_.steps = step + 1;
    quiet = improved ? 0 : quiet + 1;
    if (quiet >= opt_.early_stop) {
      report_.stopped_early = true;
      break;
    }
  }
  report_.scored = static_cast<int64_t>(pool.size());

  // 4. Ranked, filtered result.
  std::vector<std::pair<float, int64_t>> ranked;
  for (const auto &[index, s] : pool) {
    if (!excluded(index)) ranked.emplace_back(s, index);
  }
  std::sort(ranked.begin(), ranked.end(), [](const auto &a, const auto &b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  // The filter only needs a few times k candidates.
  if (ranked.size() > static_cast<size_t>(k) * 8) ranked.resize(static_cast<size_t>(k) * 8);
  std::vector<std::vector<int>> choices;
  for (const auto &r : ranked) choices.push_back(space_.get(r.second).choices());
  std::vector<int64_t> out;
  for (size_t i : diverse_top(choices, k, opt_.max_neighbors)) out.push_back(ranked[i].second);
  return out;
}

}  // namespace autotune::tuner

// The model-based tuner: transfer records, plans of model-ranked configs, refits (algorithm in
// XGBTuner.h).
#include "tuner/XGBTuner.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

#include "db/Database.h"
#include "ir/support/Error.h"
#include "tuner/RandomTuner.h"

namespace autotune::tuner {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

/// Distance between two choices of a knob (see map_config). The outermost factor of a split
/// only follows from the extent and the inner factors (which shape the register and cache
/// tiles), so it only breaks ties: [28, 2] of a 56-wide loop maps to [7, 2] of a 14-wide one,
/// not to [14, 1].
double choice_distance(searchspace::KnobKind kind, const std::vector<int64_t> &a,
                       const std::vector<int64_t> &b) {
  if (a.size() != b.size()) return kInf;
  double d = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    switch (kind) {
      case searchspace::KnobKind::Split:
        d += (i == 0 && a.size() > 1 ? 1e-3 : 1.0) *
             std::fabs(std::log2(std::max<int64_t>(1, a[i])) - std::log2(std::max<int64_t>(1, b[i])));
        break;
      case searchspace::KnobKind::Other:
        d += std::fabs(static_cast<double>(a[i] - b[i]));
        break;
      default:
        if (a[i] != b[i]) return kInf;
    }
  }
  return d;
}

}  // namespace

std::optional<searchspace::Config> map_config(const searchspace::ConfigSpace &space,
                                              const std::string &config_json) {
  try {
    return space.from_json(config_json);
  } catch (const UserError &) {
    // Not a config of this space as is: map knob by knob below.
  }
  nlohmann::json j = nlohmann::json::parse(config_json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  std::vector<int> choice;
  for (const searchspace::Knob &knob : space.knobs()) {
    auto it = j.find(knob.name);
    if (it == j.end() || !it->is_array()) return std::nullopt;
    std::vector<int64_t> value;
    for (const auto &v : *it) {
      if (!v.is_number_integer()) return std::nullopt;
      value.push_back(v.get<int64_t>());
    }
    double best = kInf;
    int best_choice = -1;
    for (size_t c = 0; c < knob.choices.size(); ++c) {
      double d = choice_distance(knob.kind, knob.choices[c], value);
      if (d < best) {
        best = d;
        best_choice = static_cast<int>(c);
      }
    }
    if (best_choice < 0) return std::nullopt;
    choice.push_back(best_choice);
  }
  return space.from_choices(choice);
}

XGBTuner::XGBTuner(const searchspace::Task &task, uint64_t seed, db::Database *db,
                   XGBTunerOptions opt)
    : Tuner(task.space),
      task_(task),
      db_(db),
      opt_([&] {
        XGBTunerOptions o = opt;
        o.model.seed = seed;
        o.annealing.seed = seed * 7919 + 1;
        return o;
      }()),
      rng_(seed),
      featurizer_(task, opt_.features),
      model_(opt_.model),
      annealer_(task.space, opt_.annealing) {}

XGBTuner::~XGBTuner() = default;

void XGBTuner::load_transfer() {
  transfer_loaded_ = true;
  if (!opt_.transfer || !db_ || task_.op_kind.empty()) return;
  std::vector<db::TuningRecord> records =
      db_->records_of_kind(task_.op_kind, task_.target, opt_.transfer_limit);
  // One group per other workload, in order of first appearance.
  std::vector<std::string> keys;
  std::map<std::string, std::vector<std::pair<int64_t, double>>> by_key;
  for (const db::TuningRecord &r : records) {
    if (r.workload_key == task_.key) continue;  // this task's own records come via resume()
    std::optional<searchspace::Config> cfg = map_config(task_.space, r.config_json);
    if (!cfg || !task_.space.is_valid(*cfg)) continue;
    if (!by_key.count(r.workload_key)) keys.push_back(r.workload_key);
    double cost = r.status == db::MeasureStatus::Ok ? r.mean_s : kInf;
    by_key[r.workload_key].emplace_back(cfg->index(), cost);
  }
  auto start = std::chrono::steady_clock::now();
  for (const std::string &key : keys) {
    const auto &rows = by_key[key];
    bool any_ok = std::any_of(rows.begin(), rows.end(),
                              [](const auto &r) { return std::isfinite(r.second); });
    if (rows.size() < 2 || !any_ok) continue;
    for (const auto &[index, cost] : rows) {
      transfer_x_.add_row(featurizer_.row(index), featurizer_.length());
      transfer_costs_.push_back(cost);
    }
    transfer_groups_.push_back(static_cast<unsigned>(rows.size()));
  }
  stats_.featurize_s += seconds_since(start);
  stats_.transfer_rows = static_cast<int64_t>(transfer_costs_.size());
  stats_.transfer_groups = static_cast<int64_t>(transfer_groups_.size());
}

void XGBTuner::fit() {
  auto start = std::chrono::steady_clock::now();
  costmodel::TrainingSet data;
  const double own = static_cast<double>(measured_.size());
  if (opt_.transfer_until < 0 || own < opt_.transfer_until) {
    data.features = transfer_x_;
    data.costs_s = transfer_costs_;
    data.group_sizes = transfer_groups_;
    float w = opt_.transfer_decay > 0
                  ? static_cast<float>(opt_.transfer_decay / (opt_.transfer_decay + own))
                  : 1.0f;
    data.group_weights.assign(transfer_groups_.size(), w);
  }
  if (data.features.rows == 0) data.features.cols = featurizer_.length();
  if (!measured_.empty()) {
    double f0 = featurizer_.seconds();
    costmodel::FeatureMatrix own = featurizer_.rows(measured_);
    stats_.featurize_s += featurizer_.seconds() - f0;
    data.features.data.insert(data.features.data.end(), own.data.begin(), own.data.end());
    data.features.rows += own.rows;
    data.costs_s.insert(data.costs_s.end(), measured_costs_.begin(), measured_costs_.end());
    data.group_sizes.push_back(static_cast<unsigned>(measured_.size()));
    data.group_weights.push_back(1.0f);
  }
  model_.fit(data);
  fitted_on_ = measured_.size();
  ++stats_.fits;
  stats_.fit_s += seconds_since(start);
  stats_.last_fit = model_.last_fit();
}

std::vector<float> XGBTuner::predict(const std::vector<int64_t> &indices) {
  double f0 = featurizer_.seconds();
  costmodel::FeatureMatrix x = featurizer_.rows(indices);
  stats_.featurize_s += featurizer_.seconds() - f0;
  return model_.predict(x);
}

std::vector<int64_t> XGBTuner::random_picks(int n, const std::set<int64_t> &taken) {
  std::set<int64_t> avoid = taken;
  std::vector<int64_t> out;
  for (int i = 0; i < n; ++i) {
    int64_t index = sample_unvisited(space_, avoid, rng_);
    if (index < 0) break;
    avoid.insert(index);
    out.push_back(index);
  }
  return out;
}

std::vector<int64_t> XGBTuner::model_picks(int n) {
  auto start = std::chrono::steady_clock::now();
  std::vector<int64_t> picks;
  if (space_.size() <= opt_.exhaustive_limit) {
    if (!valid_listed_) {
      for (int64_t i = 0; i < space_.size(); ++i) {
        if (space_.is_valid(space_.get(i))) valid_all_.push_back(i);
      }
      valid_listed_ = true;
    }
    std::vector<int64_t> candidates;
    for (int64_t i : valid_all_) {
      if (!visited_.count(i)) candidates.push_back(i);
    }
    std::vector<float> scores = predict(candidates);
    std::vector<size_t> order(candidates.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return scores[a] > scores[b]; });
    if (order.size() > static_cast<size_t>(n) * 8) order.resize(static_cast<size_t>(n) * 8);
    std::vector<std::vector<int>> choices;
    for (size_t i : order) choices.push_back(space_.get(candidates[i]).choices());
    for (size_t i : diverse_top(choices, n, opt_.annealing.max_neighbors)) {
      picks.push_back(candidates[order[i]]);
    }
  } else {
    // Seeds: the best measured configs pull chains towards known good regions.
    std::vector<std::pair<double, int64_t>> best;
    for (size_t i = 0; i < measured_.size(); ++i) {
      if (std::isfinite(measured_costs_[i])) best.emplace_back(measured_costs_[i], measured_[i]);
    }
    std::sort(best.begin(), best.end());
    std::vector<int64_t> seeds;
    for (size_t i = 0; i < best.size() && i < 8; ++i) seeds.push_back(best[i].second);
    picks = annealer_.find_best(
        n, [&](const std::vector<int64_t> &indices) { return predict(indices); },
        [&](int64_t index) { return visited_.count(index) > 0; }, seeds);
  }
  stats_.search_s += seconds_since(start);
  return picks;
}

void XGBTuner::make_plan(int n) {
  plan_.clear();
  plan_pos_ = 0;
  if (!transfer_loaded_) load_transfer();
  const bool warm = static_cast<int>(measured_.size()) >= opt_.warmup;
  const bool use_model = warm || !transfer_costs_.empty();
  // Warm-up plans stop at the warm-up count, so the model takes over right after it.
  const int size = warm ? std::max(n, opt_.plan_size)
                        : std::max(n, opt_.warmup - static_cast<int>(visited_.size()));
  // During warm-up, a transferred model picks only its share: the rest stays random, so the
  // task's own first measurements are diverse even when the other tasks mislead.
  const double explore = warm ? opt_.epsilon : 1.0 - opt_.transfer_warmup_share;
  std::vector<int64_t> model_part;
  if (use_model) {
    try {
      if (!model_.trained() || measured_.size() != fitted_on_) fit();
      if (model_.trained()) {
        int n_random = static_cast<int>(std::round(explore * size));
        model_part = model_picks(size - n_random);
      }
    } catch (const std::exception &e) {
      // A model failure must not stop tuning: fall back to random configs for this plan.
      user_warning << "xgb tuner of task '" << task_.name << "': the cost model failed ("
                   << e.what() << "); measuring random configs instead";
      model_part.clear();
    }
  }
  std::set<int64_t> taken(visited_.begin(), visited_.end());
  taken.insert(model_part.begin(), model_part.end());
  std::vector<int64_t> random_part =
      random_picks(size - static_cast<int>(model_part.size()), taken);
  stats_.model_picks += static_cast<int64_t>(model_part.size());
  stats_.random_picks += static_cast<int64_t>(random_part.size());
  plan_ = model_part;
  // Exploration picks go to random positions, so a budget ending mid-plan still explores.
  for (int64_t r : random_part) {
    size_t pos = std::uniform_int_distribution<size_t>(0, plan_.size())(rng_);
    plan_.insert(plan_.begin() + static_cast<std::ptrdiff_t>(pos), r);
  }
}

std::vector<int64_t> XGBTuner::next_batch(int n) {
  std::vector<int64_t> out;
  bool fresh_plan = false;
  while (static_cast<int>(out.size()) < n) {
    if (plan_pos_ >= plan_.size()) {
      if (fresh_plan) break;  // the space is exhausted
      make_plan(n - static_cast<int>(out.size()));
      fresh_plan = true;
      if (plan_.empty()) break;
    }
    int64_t index = plan_[plan_pos_++];
    if (visit(index)) out.push_back(index);
  }
  return out;
}

void XGBTuner::update(const std::vector<int64_t> &indices, const std::vector<double> &costs) {
  track_best(indices, costs);
  for (size_t i = 0; i < indices.size() && i < costs.size(); ++i) {
    measured_.push_back(indices[i]);
    measured_costs_.push_back(std::isfinite(costs[i]) && costs[i] > 0 ? costs[i] : kInf);
  }
}

}  // namespace autotune::tuner

// Knob definitions (split policies, reorders, annotations, plain values), the mixed-radix
// index <-> choices mapping, and the JSON form of a config that the database stores.
#include "searchspace/ConfigSpace.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "ir/support/Error.h"

namespace autotune::searchspace {

namespace {

using Choice = std::vector<int64_t>;

std::string values_str(const Choice &v) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < v.size(); ++i) os << (i ? "," : "") << v[i];
  os << "]";
  return os.str();
}

std::vector<int64_t> divisors(int64_t n) {
  std::vector<int64_t> out;
  for (int64_t d = 1; d <= n; ++d) {
    if (n % d == 0) out.push_back(d);
  }
  return out;
}

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// Every assignment of the `levels - 1` inner factors from `pool` whose product is at most
/// `extent` (and divides it when `exact`), sorted by the innermost factor, then the next level
/// out. Each choice is outermost first.
void inner_factors(const std::vector<int64_t> &pool, int64_t extent, int levels, bool exact,
                   std::vector<Choice> &out) {
  // rev holds the inner factors innermost first while recursing.
  std::vector<int64_t> rev;
  std::function<void(int64_t)> rec = [&](int64_t remaining) {
    if (static_cast<int>(rev.size()) == levels - 1) {
      // Exact splits leave the outer factor; the caller fixes the others' outer level.
      Choice c;
      c.push_back(remaining);
      for (auto it = rev.rbegin(); it != rev.rend(); ++it) c.push_back(*it);
      out.push_back(c);
      return;
    }
    for (int64_t f : pool) {
      if (exact ? remaining % f != 0 : f > remaining) continue;
      rev.push_back(f);
      rec(remaining / f);
      rev.pop_back();
    }
  };
  rec(extent);
}

}  // namespace

const char *knob_kind_name(KnobKind k) {
  switch (k) {
    case KnobKind::Split:
      return "split";
    case KnobKind::Reorder:
      return "reorder";
    case KnobKind::Annotate:
      return "annotate";
    case KnobKind::Other:
      return "other";
  }
  return "?";
}

// ---- Config ----------------------------------------------------------------------------------

const std::vector<Knob> &Config::knobs() const {
  static const std::vector<Knob> kNoKnobs;
  return knobs_ ? *knobs_ : kNoKnobs;
}

bool Config::has(const std::string &name) const {
  for (const Knob &k : knobs()) {
    if (k.name == name) return true;
  }
  return false;
}

const std::vector<int64_t> &Config::get(const std::string &name) const {
  const std::vector<Knob> &ks = knobs();
  for (size_t i = 0; i < ks.size(); ++i) {
    if (ks[i].name == name) return ks[i].choices.at(choice_.at(i));
  }
  std::string names;
  for (const Knob &k : ks) names += (names.empty() ? "" : ", ") + k.name;
  user_error << "config " << index_ << " has no knob '" << name
             << "' (its knobs: " << (names.empty() ? "none" : names) << ")";
  static const std::vector<int64_t> kNone;
  return kNone;
}

std::string Config::to_json() const {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  const std::vector<Knob> &ks = knobs();
  for (size_t i = 0; i < ks.size(); ++i) j[ks[i].name] = ks[i].choices.at(choice_.at(i));
  return j.dump();
}

std::string Config::str() const {
  std::string s;
  const std::vector<Knob> &ks = knobs();
  for (size_t i = 0; i < ks.size(); ++i) {
    s += (i ? " " : "") + ks[i].name + "=" + values_str(ks[i].choices.at(choice_.at(i)));
  }
  return s;
}

// ---- ConfigSpace: definitions ----------------------------------------------------------------

ConfigSpace::ConfigSpace() : knobs_(std::make_shared<std::vector<Knob>>()) {}

size_t ConfigSpace::add(Knob k) {
  user_check(!k.name.empty()) << "a knob needs a name";
  user_check(!find_knob(k.name)) << "knob '" << k.name << "' is defined twice";
  user_check(!k.choices.empty()) << "knob '" << k.name << "' has no choices";
  std::set<Choice> seen;
  for (const Choice &c : k.choices) {
    user_check(seen.insert(c).second)
        << "knob '" << k.name << "' lists the choice " << values_str(c) << " twice";
  }
  // Copy on write: configs made earlier keep the knob list they were made with.
  auto next = std::make_shared<std::vector<Knob>>(*knobs_);
  next->push_back(std::move(k));
  knobs_ = std::move(next);
  // The size must stay representable as an index.
  int64_t n = 1;
  for (const Knob &x : *knobs_) {
    int64_t c = static_cast<int64_t>(x.choices.size());
    user_check(n <= std::numeric_limits<int64_t>::max() / c)
        << "config space" << describe() << " has more than 2^63 points after knob '"
        << knobs_->back().name << "'";
    n *= c;
  }
  return knobs_->size() - 1;
}

size_t ConfigSpace::define_split(const std::string &name, int64_t extent, int levels,
                                 SplitPolicy policy, const std::vector<int64_t> &candidates,
                                 int64_t max_innermost) {
  user_check(extent >= 1) << "split knob '" << name << "': extent must be positive, got " << extent;
  user_check(levels >= 1) << "split knob '" << name << "': levels must be at least 1, got "
                          << levels;
  std::vector<int64_t> pool;
  bool exact = false;
  switch (policy) {
    case SplitPolicy::AllDivisors:
      pool = divisors(extent);
      exact = true;
      break;
    case SplitPolicy::PowersOfTwo:
      for (int64_t p = 1; p <= extent; p *= 2) pool.push_back(p);
      break;
    case SplitPolicy::Candidates:
      user_check(!candidates.empty())
          << "split knob '" << name << "': the Candidates policy needs a list of factors";
      for (int64_t c : candidates) {
        user_check(c > 0) << "split knob '" << name << "': split factor must be positive, got "
                          << c;
        if (c <= extent) pool.push_back(c);
      }
      std::sort(pool.begin(), pool.end());
      pool.erase(std::unique(pool.begin(), pool.end()), pool.end());
      break;
  }
  std::vector<Choice> choices;
  inner_factors(pool, extent, levels, exact, choices);
  for (Choice &c : choices) {
    if (exact) continue;
    // The outermost level covers the rest: ceil(extent / product of the inner levels).
    int64_t inner = 1;
    for (size_t i = 1; i < c.size(); ++i) inner *= c[i];
    c[0] = ceil_div(extent, inner);
  }
  if (max_innermost > 0) {
    choices.erase(std::remove_if(choices.begin(), choices.end(),
                                 [&](const Choice &c) { return c.back() > max_innermost; }),
                  choices.end());
  }
  user_check(!choices.empty()) << "split knob '" << name << "' of extent " << extent
                               << " has no choice under its policy"
                               << (max_innermost > 0
                                       ? " and max_innermost " + std::to_string(max_innermost)
                                       : std::string());
  return add(Knob{name, KnobKind::Split, std::move(choices)});
}

size_t ConfigSpace::define_reorder(const std::string &name,
                                   std::vector<std::vector<int64_t>> orders) {
  for (const Choice &o : orders) {
    Choice sorted = o;
    std::sort(sorted.begin(), sorted.end());
    bool permutation = !o.empty() && o.size() == orders.front().size();
    for (size_t i = 0; permutation && i < sorted.size(); ++i) {
      permutation = sorted[i] == static_cast<int64_t>(i);
    }
    user_check(permutation) << "reorder knob '" << name << "': " << values_str(o)
                            << " is not a permutation of 0.." << orders.front().size() - 1;
  }
  return add(Knob{name, KnobKind::Reorder, std::move(orders)});
}

size_t ConfigSpace::define_annotate(const std::string &name,
                                    std::vector<std::vector<int64_t>> choices) {
  for (const Choice &c : choices) {
    user_check(!c.empty() && c.size() == choices.front().size())
        << "annotate knob '" << name << "': choice " << values_str(c)
        << " must hold one code per loop, like the first choice";
    for (int64_t code : c) {
      user_check(code >= 0 && code <= static_cast<int64_t>(AnnotateCode::Parallel))
          << "annotate knob '" << name << "': unknown annotation code " << code
          << " (0 none, 1 unroll, 2 vectorize, 3 parallel)";
    }
  }
  return add(Knob{name, KnobKind::Annotate, std::move(choices)});
}

size_t ConfigSpace::define_knob(const std::string &name, std::vector<int64_t> values) {
  std::vector<Choice> choices;
  for (int64_t v : values) choices.push_back({v});
  return add(Knob{name, KnobKind::Other, std::move(choices)});
}

// ---- ConfigSpace: the index ------------------------------------------------------------------

std::string ConfigSpace::describe() const {
  return name_.empty() ? "" : " of task '" + name_ + "'";
}

std::optional<size_t> ConfigSpace::find_knob(const std::string &name) const {
  for (size_t i = 0; i < knobs_->size(); ++i) {
    if ((*knobs_)[i].name == name) return i;
  }
  return std::nullopt;
}

int64_t ConfigSpace::size() const {
  int64_t n = 1;
  for (const Knob &k : *knobs_) n *= static_cast<int64_t>(k.choices.size());
  return n;
}

Config ConfigSpace::get(int64_t index) const {
  int64_t n = size();
  user_check(index >= 0 && index < n)
      << "config index " << index << " is outside the space of " << n << " configs" << describe();
  std::vector<int> choice;
  int64_t rest = index;
  for (const Knob &k : *knobs_) {
    int64_t radix = static_cast<int64_t>(k.choices.size());
    choice.push_back(static_cast<int>(rest % radix));
    rest /= radix;
  }
  return Config(knobs_, index, std::move(choice));
}

Config ConfigSpace::from_choices(const std::vector<int> &choice) const {
  const std::vector<Knob> &ks = *knobs_;
  user_check(choice.size() == ks.size())
      << "config of " << choice.size() << " choices for a space of " << ks.size() << " knobs"
      << describe();
  int64_t index = 0, stride = 1;
  for (size_t i = 0; i < ks.size(); ++i) {
    int64_t radix = static_cast<int64_t>(ks[i].choices.size());
    user_check(choice[i] >= 0 && choice[i] < radix)
        << "choice " << choice[i] << " of knob '" << ks[i].name << "' is outside its " << radix
        << " choices" << describe();
    index += choice[i] * stride;
    stride *= radix;
  }
  return Config(knobs_, index, choice);
}

Config ConfigSpace::from_values(const std::vector<std::vector<int64_t>> &values) const {
  const std::vector<Knob> &ks = *knobs_;
  user_check(values.size() == ks.size())
      << "config of " << values.size() << " values for a space of " << ks.size() << " knobs"
      << describe();
  std::vector<int> choice;
  for (size_t i = 0; i < ks.size(); ++i) {
    auto it = std::find(ks[i].choices.begin(), ks[i].choices.end(), values[i]);
    if (it == ks[i].choices.end()) {
      std::string options;
      for (size_t c = 0; c < ks[i].choices.size() && c < 12; ++c) {
        options += (c ? ", " : "") + values_str(ks[i].choices[c]);
      }
      if (ks[i].choices.size() > 12) options += ", ...";
      user_error << "value " << values_str(values[i]) << " of knob '" << ks[i].name
                 << "' is not one of its choices" << describe() << " (choices: " << options << ")";
    }
    choice.push_back(static_cast<int>(it - ks[i].choices.begin()));
  }
  return from_choices(choice);
}

Config ConfigSpace::from_json(const std::string &json) const {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json);
  } catch (const nlohmann::json::exception &e) {
    user_error << "config '" << json << "'" << describe() << " is not valid JSON: " << e.what();
  }
  user_check(j.is_object()) << "config '" << json << "'" << describe()
                            << " must be a JSON object of knob values";
  const std::vector<Knob> &ks = *knobs_;
  for (auto it = j.begin(); it != j.end(); ++it) {
    user_check(find_knob(it.key()).has_value())
        << "config '" << json << "' names knob '" << it.key() << "', which the space" << describe()
        << " does not have";
  }
  std::vector<std::vector<int64_t>> values;
  for (const Knob &k : ks) {
    auto it = j.find(k.name);
    user_check(it != j.end()) << "config '" << json << "' lacks knob '" << k.name << "'"
                              << describe();
    std::vector<int64_t> v;
    bool ok = it->is_array();
    for (size_t e = 0; ok && e < it->size(); ++e) {
      ok = (*it)[e].is_number_integer();
      if (ok) v.push_back((*it)[e].get<int64_t>());
    }
    if (it->is_number_integer()) {  // a bare integer for a single-value knob
      ok = true;
      v = {it->get<int64_t>()};
    }
    user_check(ok) << "value " << it->dump() << " of knob '" << k.name << "'" << describe()
                   << " must be an array of integers";
    values.push_back(std::move(v));
  }
  return from_values(values);
}

std::optional<Config> ConfigSpace::next_valid(int64_t from) const {
  for (int64_t i = std::max<int64_t>(0, from), n = size(); i < n; ++i) {
    Config c = get(i);
    if (is_valid(c)) return c;
  }
  return std::nullopt;
}

int64_t ConfigSpace::count_valid() const {
  if (!valid_) return size();
  int64_t n = 0;
  for (int64_t i = 0, e = size(); i < e; ++i) n += is_valid(get(i)) ? 1 : 0;
  return n;
}

}  // namespace autotune::searchspace

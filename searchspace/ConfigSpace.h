// The space of schedules of one task: named knobs, each a list of choices, and the stable
// index <-> knob-values mapping that tuners, the cost model and the database share.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace autotune::searchspace {

enum class KnobKind : uint8_t {
  Split,     ///< each choice: factors of a multi-level split, outermost first (product covers)
  Reorder,   ///< each choice: a permutation of loop positions
  Annotate,  ///< each choice: one annotation code per loop (0 none, 1 unroll, 2 vectorize, ...)
  Other,     ///< each choice: a single value (unroll depth, compute_at level, layout block, ...)
};
const char *knob_kind_name(KnobKind k);

struct Knob {
  std::string name;
  KnobKind kind = KnobKind::Other;
  /// Every choice is a vector of integers (see KnobKind). Order is part of the space's identity.
  std::vector<std::vector<int64_t>> choices;
};

/// Split policies for define_split.
enum class SplitPolicy : uint8_t { AllDivisors, PowersOfTwo, Candidates };

class ConfigSpace;

/// One point of a space: the index and the choice made for every knob.
class Config {
 public:
  Config() = default;
  Config(const ConfigSpace *space, int64_t index, std::vector<int> choice)
      : space_(space), index_(index), choice_(std::move(choice)) {}
  int64_t index() const { return index_; }
  const std::vector<int> &choices() const { return choice_; }
  /// The chosen value of knob `name` (UserError when the space has no such knob).
  const std::vector<int64_t> &get(const std::string &name) const;
  /// The first (or only) integer of knob `name`'s chosen value.
  int64_t value(const std::string &name) const { return get(name).at(0); }
  /// {"knob": [values...], ...} in knob order.
  std::string to_json() const;
  const ConfigSpace *space() const { return space_; }

 private:
  const ConfigSpace *space_ = nullptr;
  int64_t index_ = -1;
  std::vector<int> choice_;
};

/// Knobs in definition order. The index is mixed-radix over the knobs, the first knob varying
/// fastest, so it is stable as long as the knobs and their choices are.
class ConfigSpace {
 public:
  /// Splits a loop of `extent` into `levels` factors (outermost first, product >= extent for
  /// non-divisible candidates, == extent for divisors). Returns the knob's position.
  size_t define_split(const std::string &name, int64_t extent, int levels, SplitPolicy policy,
                      const std::vector<int64_t> &candidates = {}, int64_t max_innermost = 0);
  size_t define_reorder(const std::string &name, std::vector<std::vector<int64_t>> orders);
  size_t define_annotate(const std::string &name, std::vector<std::vector<int64_t>> choices);
  size_t define_knob(const std::string &name, std::vector<int64_t> values);
  /// Configs for which `valid` returns false are skipped by sample/next_valid (and rejected by
  /// get with InvalidConfig by the caller).
  void set_validity(std::function<bool(const Config &)> valid) { valid_ = std::move(valid); }

  const std::vector<Knob> &knobs() const { return knobs_; }
  /// Number of points (product of the choices' counts); 1 for a space without knobs.
  int64_t size() const;
  /// The config at `index`; UserError naming the index and size when outside [0, size).
  Config get(int64_t index) const;
  /// The config with these choice positions (one per knob, each in range).
  Config from_choices(const std::vector<int> &choice) const;
  /// Parses to_json() output of a config of this space; UserError when a value is not a choice.
  Config from_json(const std::string &json) const;
  bool is_valid(const Config &c) const { return !valid_ || valid_(c); }
  /// Number of valid points (enumerates; use for small spaces and tests).
  int64_t count_valid() const;

 private:
  size_t add(Knob k);
  std::vector<Knob> knobs_;
  std::function<bool(const Config &)> valid_;
};

}  // namespace autotune::searchspace

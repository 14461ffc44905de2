// The space of schedules of one task: named knobs, each a list of choices, and the stable
// index <-> knob-values mapping that tuners, the cost model and the database share.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace autotune::searchspace {

enum class KnobKind : uint8_t {
  Split,     ///< each choice: factors of a multi-level split, outermost first (product covers)
  Reorder,   ///< each choice: a permutation of loop positions
  Annotate,  ///< each choice: one annotation code per loop (see AnnotateCode)
  Other,     ///< each choice: a single value (unroll depth, compute_at level, layout block, ...)
};
const char *knob_kind_name(KnobKind k);

/// Codes of an Annotate knob's choices, one per loop.
enum class AnnotateCode : int64_t { None = 0, Unroll = 1, Vectorize = 2, Parallel = 3 };

struct Knob {
  std::string name;
  KnobKind kind = KnobKind::Other;
  /// Every choice is a vector of integers (see KnobKind). Order is part of the space's identity.
  std::vector<std::vector<int64_t>> choices;

  bool operator==(const Knob &o) const {
    return name == o.name && kind == o.kind && choices == o.choices;
  }
};

/// Split policies for define_split.
///  - AllDivisors: every factor is a divisor; the product of the levels is the extent.
///  - PowersOfTwo: the inner levels are powers of two (1, 2, 4, ...) whose product is at most
///    the extent; the outermost level is ceil(extent / product) (a guard covers the rest).
///  - Candidates: the inner levels come from an explicit list (values above the extent are
///    dropped); the outermost level is ceil(extent / product of the inner levels).
enum class SplitPolicy : uint8_t { AllDivisors, PowersOfTwo, Candidates };

/// One point of a space: the index and the choice made for every knob. A config keeps its own
/// copy of the knob definitions (shared, immutable), so it stays valid when the space that
/// made it is copied, moved or destroyed.
class Config {
 public:
  Config() = default;
  Config(std::shared_ptr<const std::vector<Knob>> knobs, int64_t index, std::vector<int> choice)
      : knobs_(std::move(knobs)), index_(index), choice_(std::move(choice)) {}
  /// The position of this config in its space (mixed radix, see ConfigSpace).
  int64_t index() const { return index_; }
  /// The chosen position within each knob's choices, in knob order.
  const std::vector<int> &choices() const { return choice_; }
  /// The knobs of the space this config belongs to (empty for a default-constructed config).
  const std::vector<Knob> &knobs() const;
  bool has(const std::string &name) const;
  /// The chosen value of knob `name` (UserError when the space has no such knob).
  const std::vector<int64_t> &get(const std::string &name) const;
  /// The first (or only) integer of knob `name`'s chosen value.
  int64_t value(const std::string &name) const { return get(name).at(0); }
  /// {"knob": [values...], ...} in knob order, on one line.
  std::string to_json() const;
  /// "tile_ow=[8,7] tile_oh=[56,1] ..." for logs and messages.
  std::string str() const;

 private:
  std::shared_ptr<const std::vector<Knob>> knobs_;
  int64_t index_ = -1;
  std::vector<int> choice_;
};

/// Knobs in definition order. The index is mixed-radix over the knobs, the first knob varying
/// fastest: index = c0 + n0 * (c1 + n1 * (c2 + ...)) for choice positions ci of knobs with ni
/// choices. It is stable as long as the knobs and their choices are. Spaces are cheap to copy
/// (the knob list is shared and copied on the next define_*).
class ConfigSpace {
 public:
  ConfigSpace();
  /// Splits a loop of `extent` into `levels` factors, outermost first (see SplitPolicy).
  /// `candidates` is the list for SplitPolicy::Candidates (ignored otherwise); `max_innermost`,
  /// when positive, drops choices whose innermost factor exceeds it. Choices are ordered by
  /// the innermost factor first, then the next level out, ascending. Returns the knob's
  /// position. UserError for an extent or level count below 1, a non-positive candidate, or a
  /// policy leaving no choice.
  size_t define_split(const std::string &name, int64_t extent, int levels, SplitPolicy policy,
                      const std::vector<int64_t> &candidates = {}, int64_t max_innermost = 0);
  /// Each order is a permutation of 0..n-1 (positions of the loops being reordered).
  size_t define_reorder(const std::string &name, std::vector<std::vector<int64_t>> orders);
  /// Each choice holds one AnnotateCode per loop; all choices have the same length.
  size_t define_annotate(const std::string &name, std::vector<std::vector<int64_t>> choices);
  /// A knob whose choices are single values.
  size_t define_knob(const std::string &name, std::vector<int64_t> values);
  /// Configs for which `valid` returns false are skipped by tuners (next_valid, count_valid);
  /// templates reject them in apply with a UserError (measured as InvalidConfig).
  void set_validity(std::function<bool(const Config &)> valid) { valid_ = std::move(valid); }
  /// The task this space belongs to, used in messages ("config index 12 is outside the space
  /// of 8 configs of task '...'").
  void set_name(std::string name) { name_ = std::move(name); }
  const std::string &name() const { return name_; }

  const std::vector<Knob> &knobs() const { return *knobs_; }
  /// Position of knob `name`, or nullopt.
  std::optional<size_t> find_knob(const std::string &name) const;
  /// Number of points (product of the choices' counts); 1 for a space without knobs.
  int64_t size() const;
  /// The config at `index`; UserError naming the index and size when outside [0, size).
  Config get(int64_t index) const;
  /// The config with these choice positions (one per knob, each in range; UserError otherwise).
  Config from_choices(const std::vector<int> &choice) const;
  /// The config whose knob values are `values` (one per knob, in knob order); UserError naming
  /// the knob and value when a value is not one of its choices.
  Config from_values(const std::vector<std::vector<int64_t>> &values) const;
  /// Parses to_json() output of a config of this space (keys in any order). UserError when the
  /// text is not JSON, a knob is missing or unknown, or a value is not one of the knob's choices.
  Config from_json(const std::string &json) const;
  bool is_valid(const Config &c) const { return !valid_ || valid_(c); }
  /// The first valid config with index >= `from`, or nullopt (linear scan).
  std::optional<Config> next_valid(int64_t from) const;
  /// Number of valid points (enumerates; use for small spaces and tests).
  int64_t count_valid() const;

 private:
  size_t add(Knob k);
  std::string describe() const;
  std::shared_ptr<std::vector<Knob>> knobs_;
  std::function<bool(const Config &)> valid_;
  std::string name_;
};

}  // namespace autotune::searchspace

// The tuning database interface: the tuner records every measured batch here, resumes from it,
// and builds read the best configuration of each task. SqliteDatabase is the implementation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "db/TuningRecord.h"

namespace autotune::db {

/// A store of tuning records keyed by (workload key, target string). Implementations are safe to
/// call from several threads. Failures to read or write the store are UserErrors naming the store;
/// "no record" is never an error (empty results, std::nullopt).
class Database {
 public:
  virtual ~Database() = default;

  /// Adds the workload if its key is new; an existing key is kept unchanged.
  virtual void add_workload(const Workload &workload) = 0;
  /// Adds the target if its string is new; an existing target is kept unchanged.
  virtual void add_target(const Target &target) = 0;

  /// Stores one measured batch atomically: after a crash either every record of the batch is
  /// there or none is. Every record's workload and target must have been added (UserError
  /// otherwise, and nothing of the batch is stored). A record equal in (workload, target,
  /// config_index, timestamp) to a stored one is skipped. `id` of the inputs is ignored.
  virtual void add_records(const std::vector<TuningRecord> &records) = 0;

  /// The Ok record with the lowest mean_s (ties: the earliest), or std::nullopt.
  virtual std::optional<TuningRecord> best_record(const std::string &workload_key,
                                                  const std::string &target) = 0;
  /// Every record of the workload on the target, in insertion order.
  virtual std::vector<TuningRecord> records(const std::string &workload_key,
                                            const std::string &target) = 0;
  /// Config indices measured so far with any status: a resumed tuner skips them.
  virtual std::set<int64_t> measured_indices(const std::string &workload_key,
                                             const std::string &target) = 0;
  /// Number of records (trials) of the workload on the target, any status.
  virtual int64_t count_records(const std::string &workload_key, const std::string &target) = 0;
  /// Up to `limit` records (all of them for a negative limit) of every workload of `op_kind` on
  /// `target`, any status, newest first (training data for transfer learning).
  virtual std::vector<TuningRecord> records_of_kind(const std::string &op_kind,
                                                    const std::string &target, int64_t limit) = 0;
  /// Workloads that have records on `target`, each with its record count, in insertion order.
  virtual std::vector<std::pair<Workload, int64_t>> workloads(const std::string &target) = 0;
  /// Every target, in insertion order.
  virtual std::vector<Target> targets() = 0;

  /// Writes the whole store as JSON lines (format in db/JsonLines.h): targets, then workloads,
  /// then records in insertion order.
  virtual void export_json_lines(std::ostream &out) = 0;
  /// Reads JSON lines written by export_json_lines, atomically (a malformed line is a UserError
  /// naming its line number, and nothing is imported). Workloads and targets are added as by
  /// add_workload/add_target; records already stored are skipped (same workload, target,
  /// config_index and timestamp). Returns the number of records inserted.
  virtual size_t import_json_lines(std::istream &in) = 0;
};

}  // namespace autotune::db

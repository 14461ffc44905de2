// The tuning database on SQLite: one file, WAL journal, one transaction per measured batch, a
// versioned schema with forward migration. The only place that talks to SQLite.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "db/Database.h"

namespace autotune::db {

/// `PRAGMA application_id` of every tuning database ("ATDB"): identifies our files, so a foreign
/// SQLite file is reported instead of being written to.
inline constexpr int32_t kTuningDbApplicationId = 0x41544442;
/// Schema version this code creates and understands (meta.schema_version). Older files are
/// migrated forward when opened read-write; newer files are refused.
inline constexpr int kTuningDbSchemaVersion = 1;

/// A Database in an SQLite file (or in memory).
///
/// Schema (version 1):
///   meta(key TEXT PRIMARY KEY, value)                  -- 'schema_version' -> '1'
///   workloads(id, key UNIQUE, op_kind, description)
///   targets(id, target UNIQUE, device)
///   records(id, workload_id, target_id, config_index, config_json, costs_json, mean_s, status,
///           error_msg, timestamp, tuner, version,
///           UNIQUE(workload_id, target_id, config_index, timestamp))
///   index records_best(workload_id, target_id, status, mean_s)  -- best_record
///   index workloads_op_kind(op_kind)                            -- records_of_kind
///   (the UNIQUE index serves measured_indices and count_records)
///
/// Concurrency: the file uses WAL with synchronous=NORMAL, so readers never block the writer, and
/// a committed batch survives a crash (kill -9) of the writing process. Connections wait up to
/// 10 s for a lock (busy_timeout) instead of failing. One object may be shared between threads.
///
/// Opening never writes to a file that is not ours: a non-SQLite, truncated or foreign SQLite
/// file is a UserError and the file is left byte-identical.
class SqliteDatabase final : public Database {
 public:
  enum class Mode { ReadWrite, ReadOnly };

  /// Opens `path`. ReadWrite creates the file and its parent directories if needed, creates the
  /// schema in a new or empty file, and migrates an older schema (one transaction). ReadOnly
  /// requires an existing, current database. UserError for a missing file (ReadOnly), a file that
  /// is not an autotune tuning database, or a schema newer than kTuningDbSchemaVersion.
  static std::unique_ptr<SqliteDatabase> open(const std::string &path, Mode mode = Mode::ReadWrite);
  /// A private, empty database in memory (tests, dry runs); gone when destroyed.
  static std::unique_ptr<SqliteDatabase> in_memory();

  ~SqliteDatabase() override;
  SqliteDatabase(const SqliteDatabase &) = delete;
  SqliteDatabase &operator=(const SqliteDatabase &) = delete;

  /// The path given to open (":memory:" for in_memory).
  const std::string &path() const;
  /// meta.schema_version of the open file.
  int schema_version();
  /// SQLite's `PRAGMA integrity_check`: "ok", or the problems found, one per line.
  std::string integrity_check();
  /// Caps the file at `max_bytes` (rounded down to whole pages, never below the current size);
  /// a write past it fails like a full disk. For this connection only; used to test that case.
  void set_max_size_bytes(int64_t max_bytes);

  void add_workload(const Workload &workload) override;
  void add_target(const Target &target) override;
  void add_records(const std::vector<TuningRecord> &records) override;
  std::optional<TuningRecord> best_record(const std::string &workload_key,
                                          const std::string &target) override;
  std::vector<TuningRecord> records(const std::string &workload_key,
                                    const std::string &target) override;
  std::set<int64_t> measured_indices(const std::string &workload_key,
                                     const std::string &target) override;
  int64_t count_records(const std::string &workload_key, const std::string &target) override;
  std::vector<TuningRecord> records_of_kind(const std::string &op_kind, const std::string &target,
                                            int64_t limit) override;
  std::vector<std::pair<Workload, int64_t>> workloads(const std::string &target) override;
  std::vector<Target> targets() override;
  void export_json_lines(std::ostream &out) override;
  size_t import_json_lines(std::istream &in) override;

 private:
  struct Impl;
  explicit SqliteDatabase(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace autotune::db

// The SQLite boundary of the tuning database: opening and validating files, creating and
// migrating the schema, and the queries behind the Database interface. Every SQLite error is
// turned into a UserError here, keeping SQLite's own message.
#include "db/SqliteDatabase.h"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <istream>
#include <limits>
#include <mutex>
#include <ostream>
#include <unordered_map>

#include "db/JsonLines.h"
#include "ir/support/Error.h"

namespace autotune::db {

namespace {

namespace fs = std::filesystem;

/// How long a connection waits for another connection's lock before failing with "busy".
constexpr int kBusyTimeoutMs = 10000;

// The current schema (version 1). Column order in `records` may differ in migrated files (ALTER
// TABLE appends columns), so every query names its columns.
constexpr const char *kCreateSchema = R"sql(
CREATE TABLE meta(
  key TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL);
CREATE TABLE workloads(
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  op_kind TEXT NOT NULL,
  description TEXT NOT NULL);
CREATE TABLE targets(
  id INTEGER PRIMARY KEY,
  target TEXT NOT NULL UNIQUE,
  device TEXT NOT NULL);
CREATE TABLE records(
  id INTEGER PRIMARY KEY,
  workload_id INTEGER NOT NULL REFERENCES workloads(id),
  target_id INTEGER NOT NULL REFERENCES targets(id),
  config_index INTEGER NOT NULL,
  config_json TEXT NOT NULL,
  costs_json TEXT NOT NULL,
  mean_s REAL,
  status TEXT NOT NULL,
  error_msg TEXT NOT NULL,
  timestamp REAL NOT NULL,
  tuner TEXT NOT NULL DEFAULT '',
  version TEXT NOT NULL,
  UNIQUE(workload_id, target_id, config_index, timestamp));
CREATE INDEX records_best ON records(workload_id, target_id, status, mean_s);
CREATE INDEX workloads_op_kind ON workloads(op_kind);
)sql";

/// One forward step of the schema, from `from_version` to `from_version + 1`.
struct Migration {
  int from_version;
  const char *sql;
};

// Applied in order, all in one transaction, when an older file is opened read-write.
// Version 0 is the prototype schema: the version-1 tables without records.tuner, without the
// two secondary indexes, and without PRAGMA application_id (set after every migration).
constexpr Migration kMigrations[] = {
    {0,
     "ALTER TABLE records ADD COLUMN tuner TEXT NOT NULL DEFAULT '';"
     "CREATE INDEX IF NOT EXISTS records_best ON records(workload_id, target_id, status, mean_s);"
     "CREATE INDEX IF NOT EXISTS workloads_op_kind ON workloads(op_kind);"},
};
static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) == kTuningDbSchemaVersion,
              "one migration step per schema version");

constexpr const char *kOurTables[] = {"meta", "workloads", "targets", "records"};

// Every record query selects these columns, in this order (see read_record).
#define RECORD_COLUMNS                                                                        \
  "r.id, w.key, t.target, r.config_index, r.config_json, r.costs_json, r.mean_s, r.status, " \
  "r.error_msg, r.timestamp, r.tuner, r.version "                                            \
  "FROM records r JOIN workloads w ON w.id = r.workload_id "                                 \
  "JOIN targets t ON t.id = r.target_id "

std::string not_ours(const std::string &path, const std::string &why) {
  return "'" + path + "' is not an autotune tuning database (" + why + ")";
}

// Rejects a file that does not even start like SQLite before SQLite opens it (SQLite could
// otherwise roll a stray "-journal" next to it into the file). Deeper damage, truncation
// included, is found by SQLite when inspect() reads the schema, still before any write.
void check_file_header(const std::string &path) {
  std::error_code ec;
  uintmax_t size = fs::file_size(path, ec);
  user_check(!ec) << "cannot read tuning database '" << path << "': " << ec.message();
  if (size == 0) return;  // an empty file is an empty database
  std::ifstream in(path, std::ios::binary);
  user_check(in.good()) << "cannot read tuning database '" << path << "': "
                        << std::strerror(errno);
  char header[16] = {};
  in.read(header, sizeof(header));
  bool is_sqlite = in.gcount() == sizeof(header) &&
                   std::memcmp(header, "SQLite format 3", 16) == 0;  // 15 chars + NUL
  user_check(is_sqlite) << not_ours(path, "file is not a database");
}

}  // namespace

struct SqliteDatabase::Impl : Connection {
  using Connection::Connection;
};

SqliteDatabase::SqliteDatabase(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteDatabase::~SqliteDatabase() = default;

std::unique_ptr<SqliteDatabase> SqliteDatabase::open(const std::string &path, Mode mode) {
  user_check(!path.empty()) << "the tuning database path is empty";
  std::error_code ec;
  bool exists = fs::exists(path, ec);
  if (mode == Mode::ReadOnly) {
    user_check(exists) << "cannot open tuning database '" << path
                       << "' for reading: the file does not exist";
  }
  if (exists) {
    user_check(!fs::is_directory(path, ec))
        << "'" << path << "' is a directory, not an autotune tuning database";
    check_file_header(path);
  } else {
    fs::path parent = fs::path(path).parent_path();
    if (!parent.empty()) {
      fs::create_directories(parent, ec);
      user_check(!ec) << "cannot create the directory '" << parent.string()
                      << "' for tuning database '" << path << "': " << ec.message();
    }
  }
  auto impl = std::make_unique<Impl>(path);
  int flags = mode == Mode::ReadOnly ? SQLITE_OPEN_READONLY
                                     : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(path.c_str(), &impl->db, flags, nullptr);
  if (rc != SQLITE_OK) impl->fail(rc, "open the file");
  set_up(*impl, mode, /*in_memory=*/false);
  return std::unique_ptr<SqliteDatabase>(new SqliteDatabase(std::move(impl)));
}

std::unique_ptr<SqliteDatabase> SqliteDatabase::in_memory() {
  auto impl = std::make_unique<Impl>(":memory:");
  int rc = sqlite3_open_v2(":memory:", &impl->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                           nullptr);
  if (rc != SQLITE_OK) impl->fail(rc, "open an in-memory database");
  set_up(*impl, Mode::ReadWrite, /*in_memory=*/true);
  return std::unique_ptr<SqliteDatabase>(new SqliteDatabase(std::move(impl)));
}

const std::string &SqliteDatabase::path() const { return impl_->path; }

int SqliteDatabase::schema_version() {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return read_schema_version(*impl_);
}

std::string SqliteDatabase::integrity_check() {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Statement s(*impl_, "PRAGMA integrity_check", "check integrity");
  std::string out;
  while (s.step()) out += (out.empty() ? "" : "\n") + s.text_at(0);
  return out;
}

void SqliteDatabase::set_max_size_bytes(int64_t max_bytes) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  int64_t page_size = query_int(*impl_, "PRAGMA page_size", "read the page size");
  int64_t pages = std::max<int64_t>(1, max_bytes / page_size);
  impl_->exec(("PRAGMA max_page_count = " + std::to_string(pages)).c_str(),
              "limit the file size");
}

void SqliteDatabase::add_workload(const Workload &workload) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  insert_workload(*impl_, workload);
}

void SqliteDatabase::add_target(const Target &target) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  insert_target(*impl_, target);
}

void SqliteDatabase::add_records(const std::vector<TuningRecord> &records) {
  if (records.empty()) return;
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Transaction tx(*impl_, "store " + std::to_string(records.size()) + " records");
  insert_records(*impl_, records);
  tx.commit();
}

std::optional<TuningRecord> SqliteDatabase::best_record(const std::string &workload_key,
                                                        const std::string &target) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Statement s(*impl_, "SELECT " RECORD_COLUMNS
              "WHERE w.key = ?1 AND t.target = ?2 AND r.status = 'ok' AND r.mean_s IS NOT NULL "
              "ORDER BY r.mean_s, r.id LIMIT 1",
              "read the best record");
  s.bind_text(1, workload_key).bind_text(2, target);
  if (!s.step()) return std::nullopt;
  return read_record(s, impl_->path);
}

std::vector<TuningRecord> SqliteDatabase::records(const std::string &workload_key,
                                                  const std::string &target) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Statement s(*impl_, "SELECT " RECORD_COLUMNS "WHERE w.key = ?1 AND t.target = ?2 ORDER BY r.id",
              "read records");
  s.bind_text(1, workload_key).bind_text(2, target);
  return read_records(s, impl_->path);
}

std::set<int64_t> SqliteDatabase::measured_indices(const std::string &workload_key,
                                                   const std::string &target) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Statement s(*impl_, "SELECT DISTINCT r.config_index FROM records r "
              "JOIN workloads w ON w.id = r.workload_id JOIN targets t ON t.id = r.target_id "
              "WHERE w.key = ?1 AND t.target = ?2",
              "read measured configs");
  s.bind_text(1, workload_key).bind_text(2, target);
  std::set<int64_t> out;
  while (s.step()) out.insert(s.int_at(0));
  return out;
}

int64_t SqliteDatabase::count_records(const std::string &workload_key,
                                      const std::string &target) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Statement s(*impl_, "SELECT count(*) FROM records r "
              "JOIN workloads w ON w.id = r.workload_id JOIN targets t ON t.id = r.target_id "
              "WHERE w.key = ?1 AND t.target = ?2",
              "count records");
  s.bind_text(1, workload_key).bind_text(2, target);
  return s.step() ? s.int_at(0) : 0;
}

std::vector<TuningRecord> SqliteDatabase::records_of_kind(const std::string &op_kind,
                                                          const std::string &target,
                                                          int64_t limit) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Statement s(*impl_, "SELECT " RECORD_COLUMNS
              "WHERE w.op_kind = ?1 AND t.target = ?2 "
              "ORDER BY r.timestamp DESC, r.id DESC LIMIT ?3",
              "read records of kind '" + op_kind + "'");
  s.bind_text(1, op_kind).bind_text(2, target).bind_int(3, limit);
  return read_records(s, impl_->path);
}

std::vector<std::pair<Workload, int64_t>> SqliteDatabase::workloads(const std::string &target) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Statement s(*impl_, "SELECT w.key, w.op_kind, w.description, count(*) FROM records r "
              "JOIN workloads w ON w.id = r.workload_id JOIN targets t ON t.id = r.target_id "
              "WHERE t.target = ?1 GROUP BY w.id ORDER BY w.id",
              "list workloads");
  s.bind_text(1, target);
  std::vector<std::pair<Workload, int64_t>> out;
  while (s.step()) {
    out.emplace_back(Workload{s.text_at(0), s.text_at(1), s.text_at(2)}, s.int_at(3));
  }
  return out;
}

std::vector<Target> SqliteDatabase::targets() {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Statement s(*impl_, "SELECT target, device FROM targets ORDER BY id",
              "list targets");
  std::vector<Target> out;
  while (s.step()) out.push_back(Target{s.text_at(0), s.text_at(1)});
  return out;
}

void SqliteDatabase::export_json_lines(std::ostream &out) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  // A read transaction: the three queries see one snapshot even while another process writes.
  Transaction tx(*impl_, "export", "BEGIN");
  {
    Statement s(*impl_, "SELECT target, device FROM targets ORDER BY id",
                "export targets");
    while (s.step()) out << to_json_line(Target{s.text_at(0), s.text_at(1)}) << '\n';
  }
  {
    Statement s(*impl_, "SELECT key, op_kind, description FROM workloads ORDER BY id",
                "export workloads");
    while (s.step()) {
      out << to_json_line(Workload{s.text_at(0), s.text_at(1), s.text_at(2)}) << '\n';
    }
  }
  {
    Statement s(*impl_, "SELECT " RECORD_COLUMNS "ORDER BY r.id",
                "export records");
    while (s.step()) out << to_json_line(read_record(s, impl_->path)) << '\n';
  }
  tx.commit();
  user_check(out.good()) << "cannot export tuning database '" << impl_->path
                         << "': the output stream failed";
}

size_t SqliteDatabase::import_json_lines(std::istream &in) {
  // Parse everything first: a bad line must not leave half a log imported.
  std::vector<LogEntry> entries;
  std::string line;
  size_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    entries.push_back(parse_json_line(line, line_number));
  }
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Transaction tx(*impl_, "import " + std::to_string(entries.size()) + " log lines");
  std::vector<TuningRecord> records;
  for (const LogEntry &e : entries) {
    if (auto *t = std::get_if<Target>(&e)) insert_target(*impl_, *t);
    if (auto *w = std::get_if<Workload>(&e)) insert_workload(*impl_, *w);
    if (auto *r = std::get_if<TuningRecord>(&e)) records.push_back(*r);
  }
  size_t inserted = insert_records(*impl_, records);
  tx.commit();
  return inserted;
}

}  // namespace autotune::db

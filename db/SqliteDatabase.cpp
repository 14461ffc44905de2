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
#define RECORD_COLUMNS                                                                       \
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
  user_check(in.good()) << "cannot read tuning database '" << path << "': " << std::strerror(errno);
  char header[16] = {};
  in.read(header, sizeof(header));
  bool is_sqlite = in.gcount() == sizeof(header) &&
                   std::memcmp(header, "SQLite format 3", 16) == 0;  // 15 chars + NUL
  user_check(is_sqlite) << not_ours(path, "file is not a database");
}

/// One open SQLite connection and the name it reports errors under.
struct Connection {
  std::string path;
  sqlite3 *db = nullptr;
  std::mutex mutex;     // one transaction at a time per connection
  bool opening = true;  // still validating the file: damage means "not a tuning database"

  explicit Connection(std::string p) : path(std::move(p)) {}
  ~Connection() { sqlite3_close_v2(db); }
  Connection(const Connection &) = delete;
  Connection &operator=(const Connection &) = delete;

  /// Throws the UserError for SQLite result `rc` while trying to `doing` ("store 3 records").
  [[noreturn]] void fail(int rc, const std::string &doing) const {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    switch (rc & 0xff) {
      case SQLITE_NOTADB:
        throw UserError(not_ours(path, msg));
      case SQLITE_CORRUPT:
        if (opening) throw UserError(not_ours(path, "file is truncated or corrupt: " + msg));
        throw UserError("tuning database '" + path + "' is corrupt (" + msg +
                        "); restore it from a backup");
      default:
        throw UserError("tuning database '" + path + "': cannot " + doing + ": " + msg);
    }
  }

  void exec(const char *sql, const std::string &doing) {
    int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) fail(rc, doing);
  }
};

/// A prepared statement of one connection; errors name what the caller was doing.
class Statement {
 public:
  Statement(const Connection &c, const char *sql, std::string doing)
      : conn_(c), doing_(std::move(doing)) {
    int rc = sqlite3_prepare_v2(conn_.db, sql, -1, &stmt_, nullptr);
    if (rc != SQLITE_OK) fail(rc);
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement &) = delete;
  Statement &operator=(const Statement &) = delete;

  Statement &bind_int(int i, int64_t v) { return check_bind(sqlite3_bind_int64(stmt_, i, v)); }
  Statement &bind_real(int i, double v) {
    // SQLite stores NaN as NULL anyway; say so explicitly.
    return check_bind(std::isnan(v) ? sqlite3_bind_null(stmt_, i)
                                    : sqlite3_bind_double(stmt_, i, v));
  }
  Statement &bind_text(int i, const std::string &v) {
    return check_bind(
        sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
  }

  /// Runs one step: true when a row is available.
  bool step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(rc);
  }
  /// Runs a statement that returns no rows and resets it for the next bindings.
  void run() {
    while (step()) {
    }
    sqlite3_reset(stmt_);
  }
  void reset() { sqlite3_reset(stmt_); }

  int64_t int_at(int col) const { return sqlite3_column_int64(stmt_, col); }
  double real_at(int col) const {
    if (sqlite3_column_type(stmt_, col) == SQLITE_NULL) {
      return std::numeric_limits<double>::quiet_NaN();
    }
    return sqlite3_column_double(stmt_, col);
  }
  std::string text_at(int col) const {
    const unsigned char *p = sqlite3_column_text(stmt_, col);
    int n = sqlite3_column_bytes(stmt_, col);
    return p ? std::string(reinterpret_cast<const char *>(p), static_cast<size_t>(n))
             : std::string();
  }

 private:
  Statement &check_bind(int rc) {
    if (rc != SQLITE_OK) fail(rc);
    return *this;
  }
  [[noreturn]] void fail(int rc) { conn_.fail(rc, doing_); }

  const Connection &conn_;
  std::string doing_;
  sqlite3_stmt *stmt_ = nullptr;
};

/// BEGIN IMMEDIATE ... COMMIT; rolls back when destroyed uncommitted (an exception escaped).
class Transaction {
 public:
  Transaction(Connection &c, std::string doing, const char *begin = "BEGIN IMMEDIATE")
      : conn_(c), doing_(std::move(doing)) {
    conn_.exec(begin, doing_);
  }
  ~Transaction() {
    // SQLite may already have rolled back by itself (disk full, I/O error): then autocommit is on.
    if (!committed_ && !sqlite3_get_autocommit(conn_.db)) {
      sqlite3_exec(conn_.db, "ROLLBACK", nullptr, nullptr, nullptr);
    }
  }
  Transaction(const Transaction &) = delete;
  Transaction &operator=(const Transaction &) = delete;

  void commit() {
    conn_.exec("COMMIT", doing_);
    committed_ = true;
  }

 private:
  Connection &conn_;
  std::string doing_;
  bool committed_ = false;
};

TuningRecord read_record(const Statement &s, const std::string &path) {
  TuningRecord r;
  r.id = s.int_at(0);
  r.workload_key = s.text_at(1);
  r.target = s.text_at(2);
  r.config_index = s.int_at(3);
  r.config_json = s.text_at(4);
  r.costs_s = costs_from_json(s.text_at(5),
                              "tuning database '" + path + "', record " + std::to_string(r.id));
  r.mean_s = s.real_at(6);
  // A status written by a newer autotune stays readable, as a failure.
  r.status = measure_status_from_string(s.text_at(7)).value_or(MeasureStatus::Unknown);
  r.error_msg = s.text_at(8);
  r.timestamp = s.real_at(9);
  r.tuner = s.text_at(10);
  r.version = s.text_at(11);
  return r;
}

std::vector<TuningRecord> read_records(Statement &s, const std::string &path) {
  std::vector<TuningRecord> out;
  while (s.step()) out.push_back(read_record(s, path));
  return out;
}

int64_t query_int(Connection &c, const char *sql, const std::string &doing) {
  Statement s(c, sql, doing);
  return s.step() ? s.int_at(0) : 0;
}

/// What opening found in the file, before anything is written.
enum class FileKind { Empty, Ours };

// Only reads: application_id, the table names, and whether our tables are all there. Garbage
// fails here with SQLITE_NOTADB, a truncated file with SQLITE_CORRUPT.
FileKind inspect(Connection &c) {
  int64_t app_id = query_int(c, "PRAGMA application_id", "read the file header");
  std::vector<std::string> tables;
  {
    Statement s(c,
                "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "ORDER BY name",
                "list the tables");
    while (s.step()) tables.push_back(s.text_at(0));
  }
  if (tables.empty() && app_id == 0) return FileKind::Empty;
  if (app_id != 0 && app_id != kTuningDbApplicationId) {
    char hex[16];
    std::snprintf(hex, sizeof(hex), "0x%08x", static_cast<unsigned>(app_id));
    user_error << not_ours(c.path, std::string("it is an SQLite database of another "
                                               "application: application_id ") +
                                       hex);
  }
  std::string missing;
  for (const char *t : kOurTables) {
    if (std::find(tables.begin(), tables.end(), t) == tables.end()) missing = t;
  }
  if (!missing.empty() && app_id == 0) {
    // Files of schema version 0 have no application_id: our four tables identify them.
    std::string list;
    for (const std::string &t : tables) list += (list.empty() ? "" : ", ") + t;
    user_error << not_ours(c.path, "it is an SQLite database with other tables: " + list);
  }
  user_check(missing.empty()) << "tuning database '" << c.path << "' is damaged: table '" << missing
                              << "' is missing";
  return FileKind::Ours;
}

int read_schema_version(Connection &c) {
  Statement s(c, "SELECT value FROM meta WHERE key = 'schema_version'", "read the schema version");
  user_check(s.step()) << "tuning database '" << c.path
                       << "' is damaged: meta has no schema_version";
  std::string v = s.text_at(0);
  char *end = nullptr;
  long version = std::strtol(v.c_str(), &end, 10);
  user_check(!v.empty() && *end == '\0' && version >= 0)
      << "tuning database '" << c.path << "' is damaged: schema_version is '" << v << "'";
  return static_cast<int>(version);
}

void write_schema_version(Connection &c, int version) {
  Statement s(c,
              "INSERT INTO meta(key, value) VALUES('schema_version', ?1) "
              "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
              "write the schema version");
  s.bind_text(1, std::to_string(version)).run();
  c.exec(("PRAGMA application_id = " + std::to_string(kTuningDbApplicationId)).c_str(),
         "write the application id");
}

void create_schema_if_empty(Connection &c) {
  Transaction tx(c, "create the schema");
  // Another process may have created it between inspect() and our write lock.
  if (inspect(c) == FileKind::Empty) {
    c.exec(kCreateSchema, "create the schema");
    write_schema_version(c, kTuningDbSchemaVersion);
  }
  tx.commit();
}

void migrate(Connection &c) {
  Transaction tx(c, "migrate the schema");
  int version = read_schema_version(c);  // again: another process may have migrated it
  for (const Migration &m : kMigrations) {
    if (m.from_version < version) continue;
    c.exec(m.sql, "migrate the schema from version " + std::to_string(m.from_version) + " to " +
                      std::to_string(m.from_version + 1));
  }
  if (version < kTuningDbSchemaVersion) write_schema_version(c, kTuningDbSchemaVersion);
  tx.commit();
}

// Validates the file, then (read-write only) switches it to WAL and creates or migrates the
// schema. Nothing is written before inspect() has accepted the file.
void set_up(Connection &c, bool writable, bool in_memory) {
  sqlite3_extended_result_codes(c.db, 1);
  sqlite3_busy_timeout(c.db, kBusyTimeoutMs);
  FileKind kind = inspect(c);
  user_check(writable || kind == FileKind::Ours)
      << not_ours(c.path, "it is empty; open it read-write to create a database");
  if (writable && !in_memory) {
    user_check(!sqlite3_db_readonly(c.db, "main"))
        << "cannot open tuning database '" << c.path
        << "' for writing: the file is read-only (check its permissions)";
    Statement s(c, "PRAGMA journal_mode = WAL", "switch to WAL mode");
    user_check(s.step() && s.text_at(0) == "wal")
        << "tuning database '" << c.path << "': cannot switch to WAL mode";
    s.reset();
    c.exec("PRAGMA synchronous = NORMAL", "set synchronous mode");
  }
  c.exec("PRAGMA foreign_keys = ON", "enable foreign keys");
  if (kind == FileKind::Empty) create_schema_if_empty(c);
  int version = read_schema_version(c);
  user_check(version <= kTuningDbSchemaVersion)
      << "database '" << c.path << "' has schema version " << version
      << ", this autotune understands up to " << kTuningDbSchemaVersion << "; upgrade autotune";
  if (version < kTuningDbSchemaVersion) {
    user_check(writable) << "database '" << c.path << "' has schema version " << version
                         << ", older than this autotune's " << kTuningDbSchemaVersion
                         << "; open it read-write once (any tuning run) to migrate it";
    migrate(c);
  }
  c.opening = false;
}

int64_t lookup_id(Connection &c, const char *sql, const std::string &value) {
  Statement s(c, sql, "look up '" + value + "'");
  s.bind_text(1, value);
  return s.step() ? s.int_at(0) : -1;
}

void insert_workload(Connection &c, const Workload &w) {
  Statement s(c,
              "INSERT INTO workloads(key, op_kind, description) VALUES(?1, ?2, ?3) "
              "ON CONFLICT(key) DO NOTHING",
              "add workload '" + w.key + "'");
  s.bind_text(1, w.key).bind_text(2, w.op_kind).bind_text(3, w.description_json).run();
}

void insert_target(Connection &c, const Target &t) {
  Statement s(c,
              "INSERT INTO targets(target, device) VALUES(?1, ?2) ON CONFLICT(target) DO NOTHING",
              "add target '" + t.target_string + "'");
  s.bind_text(1, t.target_string).bind_text(2, t.device).run();
}

// Inserts inside the caller's transaction; returns how many were new.
size_t insert_records(Connection &c, const std::vector<TuningRecord> &records) {
  std::string doing = "store " + std::to_string(records.size()) + " records";
  Statement insert(c,
                   "INSERT INTO records(workload_id, target_id, config_index, config_json, "
                   "costs_json, mean_s, status, error_msg, timestamp, tuner, version) "
                   "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT DO NOTHING",
                   doing);
  std::unordered_map<std::string, int64_t> workload_ids, target_ids;
  size_t inserted = 0;
  for (const TuningRecord &r : records) {
    auto w = workload_ids.find(r.workload_key);
    if (w == workload_ids.end()) {
      int64_t id = lookup_id(c, "SELECT id FROM workloads WHERE key = ?1", r.workload_key);
      user_check(id >= 0) << "tuning database '" << c.path << "': record of config "
                          << r.config_index << " refers to unknown workload '" << r.workload_key
                          << "' (add the workload first)";
      w = workload_ids.emplace(r.workload_key, id).first;
    }
    auto t = target_ids.find(r.target);
    if (t == target_ids.end()) {
      int64_t id = lookup_id(c, "SELECT id FROM targets WHERE target = ?1", r.target);
      user_check(id >= 0) << "tuning database '" << c.path << "': record of config "
                          << r.config_index << " refers to unknown target '" << r.target
                          << "' (add the target first)";
      t = target_ids.emplace(r.target, id).first;
    }
    insert.bind_int(1, w->second)
        .bind_int(2, t->second)
        .bind_int(3, r.config_index)
        .bind_text(4, r.config_json)
        .bind_text(5, costs_to_json(r.costs_s))
        .bind_real(6, r.mean_s)
        .bind_text(7, to_string(r.status))
        .bind_text(8, r.error_msg)
        .bind_real(9, r.timestamp)
        .bind_text(10, r.tuner)
        .bind_text(11, r.version)
        .run();
    inserted += static_cast<size_t>(sqlite3_changes(c.db));
  }
  return inserted;
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
  int flags =
      mode == Mode::ReadOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(path.c_str(), &impl->db, flags, nullptr);
  if (rc != SQLITE_OK) impl->fail(rc, "open the file");
  set_up(*impl, mode == Mode::ReadWrite, /*in_memory=*/false);
  return std::unique_ptr<SqliteDatabase>(new SqliteDatabase(std::move(impl)));
}

std::unique_ptr<SqliteDatabase> SqliteDatabase::in_memory() {
  auto impl = std::make_unique<Impl>(":memory:");
  int rc =
      sqlite3_open_v2(":memory:", &impl->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) impl->fail(rc, "open an in-memory database");
  set_up(*impl, /*writable=*/true, /*in_memory=*/true);
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
  impl_->exec(("PRAGMA max_page_count = " + std::to_string(pages)).c_str(), "limit the file size");
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
  Statement s(*impl_,
              "SELECT " RECORD_COLUMNS
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
  Statement s(*impl_,
              "SELECT DISTINCT r.config_index FROM records r "
              "JOIN workloads w ON w.id = r.workload_id JOIN targets t ON t.id = r.target_id "
              "WHERE w.key = ?1 AND t.target = ?2",
              "read measured configs");
  s.bind_text(1, workload_key).bind_text(2, target);
  std::set<int64_t> out;
  while (s.step()) out.insert(s.int_at(0));
  return out;
}

int64_t SqliteDatabase::count_records(const std::string &workload_key, const std::string &target) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Statement s(*impl_,
              "SELECT count(*) FROM records r "
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
  Statement s(*impl_,
              "SELECT " RECORD_COLUMNS
              "WHERE w.op_kind = ?1 AND t.target = ?2 "
              "ORDER BY r.timestamp DESC, r.id DESC LIMIT ?3",
              "read records of kind '" + op_kind + "'");
  s.bind_text(1, op_kind).bind_text(2, target).bind_int(3, limit);
  return read_records(s, impl_->path);
}

std::vector<std::pair<Workload, int64_t>> SqliteDatabase::workloads(const std::string &target) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Statement s(*impl_,
              "SELECT w.key, w.op_kind, w.description, count(*) FROM records r "
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
  Statement s(*impl_, "SELECT target, device FROM targets ORDER BY id", "list targets");
  std::vector<Target> out;
  while (s.step()) out.push_back(Target{s.text_at(0), s.text_at(1)});
  return out;
}

void SqliteDatabase::export_json_lines(std::ostream &out) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  // A read transaction: the three queries see one snapshot even while another process writes.
  Transaction tx(*impl_, "export", "BEGIN");
  {
    Statement s(*impl_, "SELECT target, device FROM targets ORDER BY id", "export targets");
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
    Statement s(*impl_, "SELECT " RECORD_COLUMNS "ORDER BY r.id", "export records");
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

// Forward schema migration: a version-0 file (made by hand here: no records.tuner column, no
// secondary indexes, no application_id) is upgraded to the current schema in one transaction.
#include <gtest/gtest.h>

#include <string>

#include "db/SqliteDatabase.h"
#include "tests/common/RawSqlite.h"
#include "tests/common/TempDir.h"
#include "tests/common/TestUtil.h"

namespace autotune::db {
namespace {

using test::raw_exec;
using test::raw_query;

// The prototype schema, version 0, as the first autotune builds wrote it.
const char *kSchemaV0 = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
CREATE TABLE workloads(id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, op_kind TEXT NOT NULL,
                       description TEXT NOT NULL);
CREATE TABLE targets(id INTEGER PRIMARY KEY, target TEXT NOT NULL UNIQUE, device TEXT NOT NULL);
CREATE TABLE records(id INTEGER PRIMARY KEY, workload_id INTEGER NOT NULL,
                     target_id INTEGER NOT NULL, config_index INTEGER NOT NULL,
                     config_json TEXT NOT NULL, costs_json TEXT NOT NULL, mean_s REAL,
                     status TEXT NOT NULL,
                     error_msg TEXT NOT NULL, timestamp REAL NOT NULL, version TEXT NOT NULL,
                     UNIQUE(workload_id, target_id, config_index, timestamp));
INSERT INTO meta VALUES('schema_version', '0');
INSERT INTO workloads VALUES(1, 'conv-a', 'conv2d', '{}');
INSERT INTO targets VALUES(1, 'llvm', 'local');
INSERT INTO records VALUES(1, 1, 1, 0, '{"t":0}', '[0.003]', 0.003, 'ok', '', 10.0, '0.0.1');
INSERT INTO records VALUES(2, 1, 1, 1, '{"t":1}', '[0.001]', 0.001, 'ok', '', 11.0, '0.0.1');
INSERT INTO records VALUES(3, 1, 1, 2, '{"t":2}', '[]', NULL, 'run_timeout', 'hang', 12.0,
                           '0.0.1');
)sql";

std::string index_names(const std::string &path) {
  return raw_query(path,
                   "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_schema "
                   "WHERE type = 'index' AND sql IS NOT NULL ORDER BY name)");
}

TEST(DatabaseMigration, Version0IsMigratedAndKeepsItsRows) {
  test::TempDir dir;
  std::string path = dir.file("old.db");
  raw_exec(path, kSchemaV0);
  ASSERT_EQ(raw_query(path, "PRAGMA application_id"), "0");
  {
    auto db = SqliteDatabase::open(path);
    EXPECT_EQ(db->schema_version(), 1);
    std::vector<TuningRecord> records = db->records("conv-a", "llvm");
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[0].config_json, "{\"t\":0}");
    EXPECT_EQ(records[0].version, "0.0.1");
    EXPECT_EQ(records[0].tuner, "") << "rows from before the tuner column have an empty tuner";
    EXPECT_EQ(records[2].status, MeasureStatus::RunTimeout);
    EXPECT_EQ(records[2].error_msg, "hang");
    EXPECT_EQ(db->best_record("conv-a", "llvm")->config_index, 1);
    EXPECT_EQ(db->measured_indices("conv-a", "llvm"), (std::set<int64_t>{0, 1, 2}));

    TuningRecord r;
    r.workload_key = "conv-a";
    r.target = "llvm";
    r.config_index = 3;
    r.config_json = "{\"t\":3}";
    r.costs_s = {5e-4};
    r.mean_s = 5e-4;
    r.timestamp = 13.0;
    r.tuner = "ga";
    r.version = "0.1.0";
    db->add_records({r});
    EXPECT_EQ(db->best_record("conv-a", "llvm")->tuner, "ga");
    EXPECT_EQ(db->integrity_check(), "ok");
  }
  EXPECT_EQ(raw_query(path, "SELECT value FROM meta WHERE key = 'schema_version'"), "1");
  EXPECT_EQ(raw_query(path, "PRAGMA application_id"), std::to_string(kTuningDbApplicationId));
  EXPECT_EQ(raw_query(path,
                      "SELECT count(*) FROM pragma_table_info('records') "
                      "WHERE name = 'tuner'"),
            "1");
  EXPECT_EQ(index_names(path), "records_best,workloads_op_kind");
  EXPECT_EQ(raw_query(path, "PRAGMA journal_mode"), "wal");
  // Opening the migrated file again migrates nothing and reads the same rows.
  auto again = SqliteDatabase::open(path, SqliteDatabase::Mode::ReadOnly);
  EXPECT_EQ(again->count_records("conv-a", "llvm"), 4);
}

TEST(DatabaseMigration, FailedStepRollsBackTheWholeMigration) {
  test::TempDir dir;
  std::string path = dir.file("old.db");
  raw_exec(path, kSchemaV0);
  // A table squatting on the name of the index the step creates last: the step fails after
  // it has already added the tuner column and the records_best index.
  raw_exec(path, "CREATE TABLE workloads_op_kind(x);");
  EXPECT_USER_ERROR(SqliteDatabase::open(path),
                    "tuning database '" + path +
                        "': cannot migrate the schema from version 0 to 1: there is already a "
                        "table named workloads_op_kind");
  EXPECT_EQ(raw_query(path, "SELECT value FROM meta WHERE key = 'schema_version'"), "0");
  EXPECT_EQ(raw_query(path, "PRAGMA application_id"), "0");
  EXPECT_EQ(raw_query(path,
                      "SELECT count(*) FROM pragma_table_info('records') "
                      "WHERE name = 'tuner'"),
            "0");
  EXPECT_EQ(index_names(path), "");
  EXPECT_EQ(raw_query(path, "SELECT count(*) FROM records"), "3");

  // Once the user removes the obstacle, the migration goes through.
  raw_exec(path, "DROP TABLE workloads_op_kind;");
  EXPECT_EQ(SqliteDatabase::open(path)->schema_version(), 1);
}

}  // namespace
}  // namespace autotune::db

// SqliteDatabase user errors: files that are not ours (never modified), missing files, schema
// versions from the future, a full disk, and malformed tuning logs.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "db/SqliteDatabase.h"
#include "tests/common/RawSqlite.h"
#include "tests/common/TempDir.h"
#include "tests/common/TestUtil.h"

namespace autotune::db {
namespace {

namespace fs = std::filesystem;
using test::raw_exec;

const char *kTarget = "llvm";

std::string read_bytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_bytes(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

TuningRecord make_record(int64_t index, size_t config_bytes = 16) {
  TuningRecord r;
  r.workload_key = "w";
  r.target = kTarget;
  r.config_index = index;
  r.config_json = "{\"pad\":\"" + std::string(config_bytes, 'x') + "\"}";
  r.costs_s = {1e-3};
  r.mean_s = 1e-3;
  r.timestamp = 100.0 + static_cast<double>(index);
  return r;
}

std::unique_ptr<SqliteDatabase> make_database(const std::string &path, int64_t records) {
  auto db = SqliteDatabase::open(path);
  db->add_target(Target{kTarget, "local"});
  db->add_workload(Workload{"w", "dense", "{}"});
  std::vector<TuningRecord> batch;
  for (int64_t i = 0; i < records; ++i) batch.push_back(make_record(i, 200));
  db->add_records(batch);
  return db;
}

TEST(SqliteDatabaseError, GarbageFileIsRejectedAndKept) {
  test::TempDir dir;
  std::string path = dir.file("x.db");
  std::string garbage;
  for (int i = 0; i < 8192; ++i) garbage.push_back(static_cast<char>((i * 7919) % 251));
  write_bytes(path, garbage);
  EXPECT_USER_ERROR(SqliteDatabase::open(path),
                    "'" + path + "' is not an autotune tuning database (file is not a database)");
  EXPECT_EQ(read_bytes(path), garbage);
  EXPECT_FALSE(fs::exists(path + "-wal"));
}

TEST(SqliteDatabaseError, ShortTextFileIsRejectedAndKept) {
  test::TempDir dir;
  std::string path = dir.file("notes.db");
  write_bytes(path, "my notes\n");
  EXPECT_USER_ERROR(SqliteDatabase::open(path, SqliteDatabase::Mode::ReadOnly),
                    "is not an autotune tuning database (file is not a database)");
  EXPECT_EQ(read_bytes(path), "my notes\n");
}

TEST(SqliteDatabaseError, TruncatedDatabaseIsRejectedAndKept) {
  test::TempDir dir;
  std::string path = dir.file("tuning.db");
  make_database(path, 400).reset();  // closing checkpoints everything into the file
  std::string full = read_bytes(path);
  ASSERT_GT(full.size(), 64u * 1024);
  for (size_t keep : {full.size() / 2, full.size() / 2 + 1000}) {
    std::string truncated = full.substr(0, keep);
    write_bytes(path, truncated);
    EXPECT_USER_ERROR(SqliteDatabase::open(path),
                      "'" + path + "' is not an autotune tuning database (file is truncated");
    EXPECT_EQ(read_bytes(path), truncated) << "kept " << keep;
  }
}

TEST(SqliteDatabaseError, ForeignApplicationIdIsRejectedAndKept) {
  test::TempDir dir;
  std::string path = dir.file("other.db");
  raw_exec(path, "PRAGMA application_id = 1234; CREATE TABLE records(x);");
  std::string before = read_bytes(path);
  EXPECT_USER_ERROR(SqliteDatabase::open(path),
                    "is not an autotune tuning database (it is an SQLite database of another "
                    "application: application_id 0x000004d2)");
  EXPECT_EQ(read_bytes(path), before);
}

TEST(SqliteDatabaseError, ForeignTablesAreRejectedAndKept) {
  test::TempDir dir;
  std::string path = dir.file("places.sqlite");
  raw_exec(path,
           "CREATE TABLE users(name TEXT); CREATE TABLE meta(k, v); INSERT INTO users "
           "VALUES('ann');");
  std::string before = read_bytes(path);
  EXPECT_USER_ERROR(SqliteDatabase::open(path),
                    "'" + path +
                        "' is not an autotune tuning database (it is an SQLite database "
                        "with other tables: meta, users)");
  EXPECT_EQ(read_bytes(path), before);
}

TEST(SqliteDatabaseError, ReadOnlyOpenOfMissingFile) {
  test::TempDir dir;
  std::string path = dir.file("missing.db");
  EXPECT_USER_ERROR(
      SqliteDatabase::open(path, SqliteDatabase::Mode::ReadOnly),
      "cannot open tuning database '" + path + "' for reading: the file does not exist");
  EXPECT_FALSE(fs::exists(path));
}

TEST(SqliteDatabaseError, ReadOnlyOpenOfEmptyFile) {
  test::TempDir dir;
  std::string path = dir.file("empty.db");
  write_bytes(path, "");
  EXPECT_USER_ERROR(SqliteDatabase::open(path, SqliteDatabase::Mode::ReadOnly),
                    "is not an autotune tuning database (it is empty");
}

TEST(SqliteDatabaseError, DirectoryIsNotADatabase) {
  test::TempDir dir;
  std::string path = dir.file("sub");
  fs::create_directories(path);
  EXPECT_USER_ERROR(SqliteDatabase::open(path), "is a directory, not an autotune tuning database");
}

TEST(SqliteDatabaseError, NewerSchemaVersionAsksForUpgrade) {
  test::TempDir dir;
  std::string path = dir.file("x.db");
  make_database(path, 1).reset();
  raw_exec(path, "UPDATE meta SET value = '5' WHERE key = 'schema_version'");
  std::string before = read_bytes(path);
  EXPECT_USER_ERROR(SqliteDatabase::open(path),
                    "database '" + path +
                        "' has schema version 5, this autotune understands up to 1; upgrade "
                        "autotune");
  EXPECT_USER_ERROR(SqliteDatabase::open(path, SqliteDatabase::Mode::ReadOnly),
                    "has schema version 5");
  EXPECT_EQ(read_bytes(path), before);
}

TEST(SqliteDatabaseError, OlderSchemaCannotBeMigratedReadOnly) {
  test::TempDir dir;
  std::string path = dir.file("x.db");
  make_database(path, 1).reset();
  raw_exec(path, "UPDATE meta SET value = '0' WHERE key = 'schema_version'");
  EXPECT_USER_ERROR(SqliteDatabase::open(path, SqliteDatabase::Mode::ReadOnly),
                    "has schema version 0, older than this autotune's 1; open it read-write once");
}

TEST(SqliteDatabaseError, DiskFullKeepsEarlierRecords) {
  test::TempDir dir;
  std::string path = dir.file("full.db");
  auto db = make_database(path, 5);
  db->set_max_size_bytes(0);  // no more pages than the file has now: the "disk" is full
  std::vector<TuningRecord> big;
  for (int64_t i = 100; i < 400; ++i) big.push_back(make_record(i, 500));
  EXPECT_USER_ERROR(db->add_records(big), "tuning database '" + path +
                                              "': cannot store 300 records: database or disk "
                                              "is full");
  EXPECT_EQ(db->count_records("w", kTarget), 5) << "the failed batch left nothing behind";
  db.reset();
  auto reopened = SqliteDatabase::open(path);
  EXPECT_EQ(reopened->count_records("w", kTarget), 5);
  EXPECT_EQ(reopened->integrity_check(), "ok");
  reopened->add_records(big);  // with space again, the same batch goes in
  EXPECT_EQ(reopened->count_records("w", kTarget), 305);
}

TEST(SqliteDatabaseError, RecordOfUnknownWorkloadStoresNothingOfTheBatch) {
  auto db = SqliteDatabase::in_memory();
  db->add_target(Target{kTarget, "local"});
  db->add_workload(Workload{"w", "dense", "{}"});
  TuningRecord stray = make_record(2);
  stray.workload_key = "never-added";
  EXPECT_USER_ERROR(db->add_records({make_record(1), stray}),
                    "record of config 2 refers to unknown workload 'never-added' (add the "
                    "workload first)");
  EXPECT_EQ(db->count_records("w", kTarget), 0);
}

TEST(SqliteDatabaseError, RecordOfUnknownTarget) {
  auto db = SqliteDatabase::in_memory();
  db->add_workload(Workload{"w", "dense", "{}"});
  EXPECT_USER_ERROR(db->add_records({make_record(1)}), "refers to unknown target 'llvm'");
}

TEST(SqliteDatabaseError, ImportOfMalformedLineImportsNothing) {
  auto db = SqliteDatabase::in_memory();
  std::istringstream log(
      "{\"kind\":\"target\",\"target\":\"llvm\",\"device\":\"local\"}\n"
      "{\"kind\":\"target\",\"target\":\"x\",\n");
  EXPECT_USER_ERROR(db->import_json_lines(log), "tuning log line 2 is not valid JSON");
  EXPECT_TRUE(db->targets().empty());
}

TEST(SqliteDatabaseError, ImportOfUnknownStatus) {
  auto db = SqliteDatabase::in_memory();
  std::istringstream log(
      "{\"kind\":\"record\",\"workload\":\"w\",\"target\":\"llvm\",\"config_index\":1,"
      "\"config\":\"{}\",\"costs_s\":[],\"mean_s\":\"inf\",\"status\":\"segfault\","
      "\"error_msg\":\"\",\"timestamp\":1.0,\"tuner\":\"ga\",\"version\":\"0.1\"}\n");
  EXPECT_USER_ERROR(db->import_json_lines(log), "tuning log line 1: unknown status 'segfault'");
}

TEST(SqliteDatabaseError, ImportOfMissingField) {
  auto db = SqliteDatabase::in_memory();
  std::istringstream log("\n{\"kind\":\"workload\",\"key\":\"w\",\"op_kind\":\"dense\"}\n");
  EXPECT_USER_ERROR(db->import_json_lines(log), "tuning log line 2: missing field 'description'");
}

TEST(SqliteDatabaseError, ImportOfRecordWithoutItsWorkload) {
  auto db = SqliteDatabase::in_memory();
  std::istringstream log(
      "{\"kind\":\"target\",\"target\":\"llvm\",\"device\":\"local\"}\n"
      "{\"kind\":\"record\",\"workload\":\"w\",\"target\":\"llvm\",\"config_index\":1,"
      "\"config\":\"{}\",\"costs_s\":[1e-3],\"mean_s\":1e-3,\"status\":\"ok\","
      "\"error_msg\":\"\",\"timestamp\":1.0,\"tuner\":\"ga\",\"version\":\"0.1\"}\n");
  EXPECT_USER_ERROR(db->import_json_lines(log), "refers to unknown workload 'w'");
  EXPECT_TRUE(db->targets().empty()) << "the whole import is one transaction";
}

}  // namespace
}  // namespace autotune::db

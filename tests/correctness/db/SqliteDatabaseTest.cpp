// SqliteDatabase: schema creation, the queries behind the Database interface, resume after
// reopening, read-only access, and JSON-lines export/import.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <sstream>

#include "db/JsonLines.h"
#include "db/SqliteDatabase.h"
#include "tests/common/RawSqlite.h"
#include "tests/common/TempDir.h"
#include "tests/common/TestUtil.h"

namespace autotune::db {
namespace {

namespace fs = std::filesystem;
using test::raw_query;

const char *kTarget = "llvm -mcpu=znver2";

TuningRecord make_record(const std::string &key, int64_t index, double mean_s,
                         MeasureStatus status = MeasureStatus::Ok, double timestamp = 1000.0) {
  TuningRecord r;
  r.workload_key = key;
  r.target = kTarget;
  r.config_index = index;
  r.config_json = "{\"tile\":" + std::to_string(index) + "}";
  if (status == MeasureStatus::Ok) {
    r.costs_s = {mean_s * 0.9, mean_s * 1.1};
  } else {
    r.error_msg = measure_status_message(status);
  }
  r.mean_s = status == MeasureStatus::Ok ? mean_s : std::numeric_limits<double>::infinity();
  r.status = status;
  r.timestamp = timestamp + static_cast<double>(index);
  r.tuner = "ga";
  r.version = "0.1.0";
  return r;
}

void add_basics(Database &db) {
  db.add_target(Target{kTarget, "local"});
  db.add_workload(Workload{"conv-a", "conv2d", "{\"shape\":[1,64,56,56]}"});
  db.add_workload(Workload{"conv-b", "conv2d", "{\"shape\":[1,128,28,28]}"});
  db.add_workload(Workload{"dense-a", "dense", "{\"m\":1,\"n\":1000,\"k\":512}"});
}

TEST(SqliteDatabase, CreatesSchemaAndParentDirectories) {
  test::TempDir dir;
  std::string path = dir.file("a/b/tuning.db");
  {
    auto db = SqliteDatabase::open(path);
    EXPECT_EQ(db->schema_version(), kTuningDbSchemaVersion);
    EXPECT_EQ(db->path(), path);
    EXPECT_EQ(db->integrity_check(), "ok");
  }
  ASSERT_TRUE(fs::exists(path));
  EXPECT_EQ(raw_query(path, "PRAGMA application_id"), std::to_string(kTuningDbApplicationId));
  EXPECT_EQ(raw_query(path, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw_query(path, "SELECT value FROM meta WHERE key = 'schema_version'"), "1");
  EXPECT_EQ(raw_query(path,
                      "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_schema "
                      "WHERE type = 'table' ORDER BY name)"),
            "meta,records,targets,workloads");
  EXPECT_EQ(raw_query(path,
                      "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_schema "
                      "WHERE type = 'index' AND sql IS NOT NULL ORDER BY name)"),
            "records_best,workloads_op_kind");
}

TEST(SqliteDatabase, RecordsRoundTripEveryField) {
  auto db = SqliteDatabase::in_memory();
  add_basics(*db);
  TuningRecord ok = make_record("conv-a", 7, 2.5e-4);
  ok.timestamp = 1764000000.123456;
  TuningRecord failed = make_record("conv-a", 9, 0, MeasureStatus::RunTimeout);
  failed.error_msg = "timed out after 10 s\nworker replaced";
  TuningRecord nan_mean = make_record("conv-a", 11, 0, MeasureStatus::Unknown);
  nan_mean.mean_s = std::numeric_limits<double>::quiet_NaN();
  nan_mean.costs_s = {std::numeric_limits<double>::infinity(), 1e-3};
  db->add_records({ok, failed, nan_mean});

  std::vector<TuningRecord> got = db->records("conv-a", kTarget);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_GT(got[0].id, 0);
  EXPECT_LT(got[0].id, got[1].id);
  EXPECT_EQ(got[0].workload_key, "conv-a");
  EXPECT_EQ(got[0].target, kTarget);
  EXPECT_EQ(got[0].config_index, 7);
  EXPECT_EQ(got[0].config_json, ok.config_json);
  EXPECT_EQ(got[0].costs_s, ok.costs_s);
  EXPECT_EQ(got[0].mean_s, ok.mean_s);
  EXPECT_EQ(got[0].status, MeasureStatus::Ok);
  EXPECT_EQ(got[0].timestamp, ok.timestamp);
  EXPECT_EQ(got[0].tuner, "ga");
  EXPECT_EQ(got[0].version, "0.1.0");
  EXPECT_EQ(got[1].status, MeasureStatus::RunTimeout);
  EXPECT_EQ(got[1].error_msg, failed.error_msg);
  EXPECT_TRUE(std::isinf(got[1].mean_s));
  EXPECT_TRUE(got[1].costs_s.empty());
  EXPECT_TRUE(std::isnan(got[2].mean_s));
  ASSERT_EQ(got[2].costs_s.size(), 2u);
  EXPECT_TRUE(std::isinf(got[2].costs_s[0]));
  EXPECT_TRUE(db->records("conv-b", kTarget).empty());
  EXPECT_TRUE(db->records("conv-a", "other target").empty());
}

TEST(SqliteDatabase, BestRecordIsLowestOkMean) {
  auto db = SqliteDatabase::in_memory();
  add_basics(*db);
  EXPECT_FALSE(db->best_record("conv-a", kTarget).has_value());
  db->add_records({make_record("conv-a", 1, 0, MeasureStatus::WrongAnswer)});
  EXPECT_FALSE(db->best_record("conv-a", kTarget).has_value()) << "failures are never the best";

  TuningRecord fast_but_wrong = make_record("conv-a", 2, 1e-9, MeasureStatus::WrongAnswer);
  fast_but_wrong.mean_s = 1e-9;  // a failure with a (bogus) time must still not win
  TuningRecord nan_ok = make_record("conv-a", 6, 0);
  nan_ok.mean_s = std::numeric_limits<double>::quiet_NaN();  // NULL sorts first in SQLite
  db->add_records({make_record("conv-a", 3, 3e-3), fast_but_wrong, make_record("conv-a", 4, 1e-3),
                   make_record("conv-a", 5, 2e-3), nan_ok, make_record("conv-b", 1, 1e-6)});
  std::optional<TuningRecord> best = db->best_record("conv-a", kTarget);
  ASSERT_TRUE(best.has_value());
  EXPECT_EQ(best->config_index, 4);
  EXPECT_EQ(best->mean_s, 1e-3);

  db->add_records({make_record("conv-a", 8, 1e-3)});  // a tie keeps the earliest
  EXPECT_EQ(db->best_record("conv-a", kTarget)->config_index, 4);
  EXPECT_EQ(db->best_record("conv-b", kTarget)->config_index, 1);
  EXPECT_FALSE(db->best_record("conv-a", "other target").has_value());
}

TEST(SqliteDatabase, MeasuredIndicesAndCountsIncludeFailures) {
  auto db = SqliteDatabase::in_memory();
  add_basics(*db);
  db->add_records(
      {make_record("conv-a", 3, 1e-3), make_record("conv-a", 5, 0, MeasureStatus::CompileHost),
       make_record("conv-a", 8, 0, MeasureStatus::BuildTimeout), make_record("conv-b", 4, 1e-3)});
  // The same config measured again later (a new timestamp) is a second record.
  db->add_records({make_record("conv-a", 3, 2e-3, MeasureStatus::Ok, 5000.0)});
  EXPECT_EQ(db->measured_indices("conv-a", kTarget), (std::set<int64_t>{3, 5, 8}));
  EXPECT_EQ(db->count_records("conv-a", kTarget), 4);
  EXPECT_EQ(db->count_records("conv-b", kTarget), 1);
  EXPECT_EQ(db->count_records("dense-a", kTarget), 0);
  EXPECT_TRUE(db->measured_indices("dense-a", kTarget).empty());
  EXPECT_TRUE(db->measured_indices("no-such-workload", kTarget).empty());
}

TEST(SqliteDatabase, DuplicateRecordIsStoredOnce) {
  auto db = SqliteDatabase::in_memory();
  add_basics(*db);
  TuningRecord r = make_record("conv-a", 3, 1e-3);
  db->add_records({r, r});
  db->add_records({r});
  EXPECT_EQ(db->count_records("conv-a", kTarget), 1);
}

TEST(SqliteDatabase, AddWorkloadAndTargetKeepTheFirstVersion) {
  auto db = SqliteDatabase::in_memory();
  add_basics(*db);
  db->add_target(Target{kTarget, "rpc:rk3399"});
  db->add_target(Target{"opencl -device=mali", "rpc:rk3399"});
  db->add_workload(Workload{"conv-a", "changed", "{}"});
  db->add_records({make_record("conv-a", 1, 1e-3)});
  std::vector<Target> targets = db->targets();
  ASSERT_EQ(targets.size(), 2u);
  EXPECT_EQ(targets[0].target_string, kTarget);
  EXPECT_EQ(targets[0].device, "local");
  EXPECT_EQ(targets[1].target_string, "opencl -device=mali");
  auto workloads = db->workloads(kTarget);
  ASSERT_EQ(workloads.size(), 1u);
  EXPECT_EQ(workloads[0].first.op_kind, "conv2d");
}

TEST(SqliteDatabase, WorkloadsOfTargetWithCounts) {
  auto db = SqliteDatabase::in_memory();
  add_basics(*db);
  db->add_target(Target{"other", "rpc"});
  db->add_records({make_record("conv-b", 1, 1e-3), make_record("dense-a", 1, 1e-3),
                   make_record("conv-b", 2, 1e-3)});
  TuningRecord elsewhere = make_record("conv-a", 1, 1e-3);
  elsewhere.target = "other";
  db->add_records({elsewhere});
  auto workloads = db->workloads(kTarget);
  ASSERT_EQ(workloads.size(), 2u);
  EXPECT_EQ(workloads[0].first.key, "conv-b");
  EXPECT_EQ(workloads[0].first.description_json, "{\"shape\":[1,128,28,28]}");
  EXPECT_EQ(workloads[0].second, 2);
  EXPECT_EQ(workloads[1].first.key, "dense-a");
  EXPECT_EQ(workloads[1].first.op_kind, "dense");
  EXPECT_EQ(workloads[1].second, 1);
  ASSERT_EQ(db->workloads("other").size(), 1u);
  EXPECT_TRUE(db->workloads("unknown").empty());
}

TEST(SqliteDatabase, RecordsOfKindNewestFirstWithLimit) {
  auto db = SqliteDatabase::in_memory();
  add_basics(*db);
  db->add_records({make_record("conv-a", 1, 1e-3, MeasureStatus::Ok, 100),
                   make_record("conv-b", 1, 1e-3, MeasureStatus::Ok, 300),
                   make_record("dense-a", 1, 1e-3, MeasureStatus::Ok, 500),
                   make_record("conv-a", 2, 0, MeasureStatus::RuntimeDevice, 200)});
  std::vector<TuningRecord> conv = db->records_of_kind("conv2d", kTarget, 10);
  ASSERT_EQ(conv.size(), 3u);
  EXPECT_EQ(conv[0].workload_key, "conv-b");
  EXPECT_EQ(conv[1].workload_key, "conv-a");
  EXPECT_EQ(conv[1].status, MeasureStatus::RuntimeDevice);
  EXPECT_EQ(conv[2].workload_key, "conv-a");
  EXPECT_EQ(db->records_of_kind("conv2d", kTarget, 2).size(), 2u);
  EXPECT_EQ(db->records_of_kind("dense", kTarget, 10).size(), 1u);
  EXPECT_TRUE(db->records_of_kind("pool", kTarget, 10).empty());
  EXPECT_TRUE(db->records_of_kind("conv2d", "other", 10).empty());
}

TEST(SqliteDatabase, ReopenResumesWhereItStopped) {
  test::TempDir dir;
  std::string path = dir.file("tuning.db");
  {
    auto db = SqliteDatabase::open(path);
    add_basics(*db);
    db->add_records({make_record("conv-a", 0, 3e-3), make_record("conv-a", 1, 1e-3),
                     make_record("conv-a", 2, 0, MeasureStatus::InvalidConfig)});
  }
  auto db = SqliteDatabase::open(path);
  std::set<int64_t> done = db->measured_indices("conv-a", kTarget);
  EXPECT_EQ(done, (std::set<int64_t>{0, 1, 2}));
  // The resumed tuner proposes only configs outside `done`.
  std::vector<TuningRecord> next;
  for (int64_t i = 0; i < 6; ++i) {
    if (!done.count(i)) next.push_back(make_record("conv-a", i, 5e-4 * static_cast<double>(i)));
  }
  db->add_records(next);
  EXPECT_EQ(db->count_records("conv-a", kTarget), 6);
  EXPECT_EQ(db->measured_indices("conv-a", kTarget).size(), 6u);
  EXPECT_EQ(db->best_record("conv-a", kTarget)->config_index, 1);
}

TEST(SqliteDatabase, ReadOnlySeesCommittedRecords) {
  test::TempDir dir;
  std::string path = dir.file("tuning.db");
  auto writer = SqliteDatabase::open(path);
  add_basics(*writer);
  writer->add_records({make_record("conv-a", 0, 3e-3)});
  auto reader = SqliteDatabase::open(path, SqliteDatabase::Mode::ReadOnly);
  EXPECT_EQ(reader->count_records("conv-a", kTarget), 1);
  writer->add_records({make_record("conv-a", 1, 1e-3)});
  EXPECT_EQ(reader->best_record("conv-a", kTarget)->config_index, 1);
  EXPECT_USER_ERROR(reader->add_records({make_record("conv-a", 2, 1e-3)}), "readonly");
}

TEST(SqliteDatabase, InMemoryDatabasesAreIndependent) {
  auto a = SqliteDatabase::in_memory();
  auto b = SqliteDatabase::in_memory();
  add_basics(*a);
  a->add_records({make_record("conv-a", 0, 3e-3)});
  EXPECT_EQ(a->count_records("conv-a", kTarget), 1);
  EXPECT_EQ(b->count_records("conv-a", kTarget), 0);
  EXPECT_TRUE(b->targets().empty());
  EXPECT_EQ(a->path(), ":memory:");
}

TEST(SqliteDatabase, ExportImportRoundTripAndDeduplicates) {
  auto a = SqliteDatabase::in_memory();
  add_basics(*a);
  TuningRecord odd = make_record("dense-a", 4, 0, MeasureStatus::CompileDevice);
  odd.error_msg = "ld.lld: error: undefined symbol: \"expf\"\n\ttab";
  odd.config_json = "{\"b\": 1, \"a\": [2, 3]}";  // kept byte for byte, not re-formatted
  a->add_records({make_record("conv-a", 0, 3e-3), make_record("conv-b", 1, 1.0 / 3.0), odd});
  std::stringstream log;
  a->export_json_lines(log);
  std::string text = log.str();
  EXPECT_NE(text.find("{\"kind\":\"target\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"status\":\"compile_device\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"mean_s\":\"inf\""), std::string::npos) << text;

  auto b = SqliteDatabase::in_memory();
  std::istringstream in1(text);
  EXPECT_EQ(b->import_json_lines(in1), 3u);
  std::istringstream in2(text);
  EXPECT_EQ(b->import_json_lines(in2), 0u) << "importing the same log twice adds nothing";
  std::istringstream in3(text);
  EXPECT_EQ(a->import_json_lines(in3), 0u) << "a database already holds its own export";

  for (const char *key : {"conv-a", "conv-b", "dense-a"}) {
    std::vector<TuningRecord> ra = a->records(key, kTarget), rb = b->records(key, kTarget);
    ASSERT_EQ(ra.size(), rb.size()) << key;
    for (size_t i = 0; i < ra.size(); ++i) {
      EXPECT_EQ(ra[i].config_index, rb[i].config_index);
      EXPECT_EQ(ra[i].config_json, rb[i].config_json);
      EXPECT_EQ(ra[i].costs_s, rb[i].costs_s);  // doubles round-trip exactly
      EXPECT_EQ(ra[i].mean_s, rb[i].mean_s);
      EXPECT_EQ(ra[i].status, rb[i].status);
      EXPECT_EQ(ra[i].error_msg, rb[i].error_msg);
      EXPECT_EQ(ra[i].timestamp, rb[i].timestamp);
      EXPECT_EQ(ra[i].tuner, rb[i].tuner);
      EXPECT_EQ(ra[i].version, rb[i].version);
    }
  }
  EXPECT_EQ(b->workloads(kTarget).size(), 3u);
  EXPECT_EQ(b->targets().size(), 1u);
  std::stringstream again;
  b->export_json_lines(again);
  EXPECT_EQ(again.str(), text);
}

TEST(SqliteDatabase, ImportMergesNewRecordsIntoExistingDatabase) {
  auto a = SqliteDatabase::in_memory();
  add_basics(*a);
  a->add_records({make_record("conv-a", 0, 3e-3), make_record("conv-a", 1, 2e-3)});
  auto b = SqliteDatabase::in_memory();
  add_basics(*b);
  b->add_records({make_record("conv-a", 1, 2e-3), make_record("conv-a", 2, 1e-3)});
  std::stringstream log;
  b->export_json_lines(log);
  EXPECT_EQ(a->import_json_lines(log), 1u);
  EXPECT_EQ(a->measured_indices("conv-a", kTarget), (std::set<int64_t>{0, 1, 2}));
  EXPECT_EQ(a->best_record("conv-a", kTarget)->config_index, 2);
}

TEST(SqliteDatabase, MeasureStatusNamesRoundTrip) {
  for (MeasureStatus s :
       {MeasureStatus::Ok, MeasureStatus::InvalidConfig, MeasureStatus::CompileHost,
        MeasureStatus::CompileDevice, MeasureStatus::RuntimeDevice, MeasureStatus::WrongAnswer,
        MeasureStatus::BuildTimeout, MeasureStatus::RunTimeout, MeasureStatus::Unknown}) {
    EXPECT_EQ(measure_status_from_string(to_string(s)), s) << to_string(s);
    EXPECT_STRNE(measure_status_message(s), "");
  }
  EXPECT_STREQ(to_string(MeasureStatus::RunTimeout), "run_timeout");
  EXPECT_FALSE(measure_status_from_string("segfault").has_value());
}

}  // namespace
}  // namespace autotune::db

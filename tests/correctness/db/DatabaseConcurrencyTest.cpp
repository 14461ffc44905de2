// Several connections on one file at once: a reader polling best_record while the tuner writes,
// two writers, several connections creating the same new file, and one object shared by threads.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "db/SqliteDatabase.h"
#include "tests/common/TempDir.h"

namespace autotune::db {
namespace {

constexpr int64_t kBatchSize = 10;
const char *kTarget = "llvm";

/// Batch `b` of workload `key`: its configs get faster with every batch.
std::vector<TuningRecord> make_batch(const std::string &key, int64_t b) {
  std::vector<TuningRecord> out;
  for (int64_t j = 0; j < kBatchSize; ++j) {
    TuningRecord r;
    r.workload_key = key;
    r.target = kTarget;
    r.config_index = b * kBatchSize + j;
    r.config_json = "{}";
    r.mean_s = 1.0 / static_cast<double>(r.config_index + 1);
    r.costs_s = {r.mean_s};
    r.timestamp = static_cast<double>(r.config_index);
    r.tuner = "ga";
    r.version = "0.1.0";
    out.push_back(r);
  }
  return out;
}

void add_basics(Database &db, const std::vector<std::string> &keys) {
  db.add_target(Target{kTarget, "local"});
  for (const std::string &k : keys) db.add_workload(Workload{k, "dense", "{}"});
}

/// Runs `body` and turns an exception into a message (threads must not throw).
template <typename F>
std::string capture_error(F body) {
  try {
    body();
  } catch (const std::exception &e) {
    return e.what();
  }
  return "";
}

TEST(DatabaseConcurrency, ReaderPollsBestRecordWhileTunerWrites) {
  test::TempDir dir;
  std::string path = dir.file("tuning.db");
  add_basics(*SqliteDatabase::open(path), {"w"});
  auto reader = SqliteDatabase::open(path, SqliteDatabase::Mode::ReadOnly);

  constexpr int64_t kBatches = 200;
  std::atomic<bool> done{false};
  std::string writer_error;
  std::thread writer([&] {
    writer_error = capture_error([&] {
      auto db = SqliteDatabase::open(path);
      for (int64_t b = 0; b < kBatches; ++b) db->add_records(make_batch("w", b));
    });
    done = true;
  });

  int reads = 0;
  double last_best = 2.0;
  int64_t last_count = 0;
  std::string reader_error = capture_error([&] {
    while (!done) {
      std::optional<TuningRecord> best = reader->best_record("w", kTarget);
      int64_t count = reader->count_records("w", kTarget);
      ++reads;
      if (best) {
        EXPECT_LE(best->mean_s, last_best) << "the best record got worse";
        last_best = best->mean_s;
      }
      EXPECT_GE(count, last_count);
      EXPECT_EQ(count % kBatchSize, 0) << "a reader saw half a batch";
      last_count = count;
    }
  });
  writer.join();
  EXPECT_EQ(writer_error, "");
  EXPECT_EQ(reader_error, "") << "after " << reads << " reads";
  EXPECT_GT(reads, 10);
  EXPECT_EQ(reader->count_records("w", kTarget), kBatches * kBatchSize);
  EXPECT_EQ(reader->best_record("w", kTarget)->config_index, kBatches * kBatchSize - 1);
}

TEST(DatabaseConcurrency, TwoWritersWaitForEachOther) {
  test::TempDir dir;
  std::string path = dir.file("tuning.db");
  add_basics(*SqliteDatabase::open(path), {"a", "b"});
  constexpr int64_t kBatches = 100;
  std::vector<std::string> errors(2);
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; ++w) {
    writers.emplace_back([&, w] {
      errors[w] = capture_error([&] {
        auto db = SqliteDatabase::open(path);
        std::string key = w == 0 ? "a" : "b";
        for (int64_t b = 0; b < kBatches; ++b) db->add_records(make_batch(key, b));
      });
    });
  }
  for (std::thread &t : writers) t.join();
  EXPECT_EQ(errors[0], "");
  EXPECT_EQ(errors[1], "");
  auto db = SqliteDatabase::open(path, SqliteDatabase::Mode::ReadOnly);
  EXPECT_EQ(db->count_records("a", kTarget), kBatches * kBatchSize);
  EXPECT_EQ(db->count_records("b", kTarget), kBatches * kBatchSize);
  EXPECT_EQ(db->integrity_check(), "ok");
}

TEST(DatabaseConcurrency, SimultaneousOpensOfANewFileCreateOneSchema) {
  test::TempDir dir;
  std::string path = dir.file("new/tuning.db");
  std::vector<std::string> errors(4);
  std::vector<std::thread> openers;
  for (size_t i = 0; i < errors.size(); ++i) {
    openers.emplace_back([&, i] {
      errors[i] = capture_error([&] {
        auto db = SqliteDatabase::open(path);
        add_basics(*db, {"w"});
        db->add_records(make_batch("w", static_cast<int64_t>(i)));
      });
    });
  }
  for (std::thread &t : openers) t.join();
  for (const std::string &e : errors) EXPECT_EQ(e, "");
  auto db = SqliteDatabase::open(path);
  EXPECT_EQ(db->schema_version(), kTuningDbSchemaVersion);
  EXPECT_EQ(db->count_records("w", kTarget), 4 * kBatchSize);
  EXPECT_EQ(db->targets().size(), 1u);
}

TEST(DatabaseConcurrency, OneObjectSharedByThreads) {
  auto db = SqliteDatabase::in_memory();
  add_basics(*db, {"w"});
  std::vector<std::string> errors(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < errors.size(); ++i) {
    threads.emplace_back([&, i] {
      errors[i] = capture_error([&] {
        for (int64_t b = 0; b < 20; ++b) {
          db->add_records(make_batch("w", static_cast<int64_t>(i) * 100 + b));
          db->best_record("w", kTarget);
        }
      });
    });
  }
  for (std::thread &t : threads) t.join();
  for (const std::string &e : errors) EXPECT_EQ(e, "");
  EXPECT_EQ(db->count_records("w", kTarget), 4 * 20 * kBatchSize);
}

}  // namespace
}  // namespace autotune::db

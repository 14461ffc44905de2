// kill -9 of a writing process: a real child process writes measured batches in a loop and is
// killed with SIGKILL mid-way; the reopened database is intact, every committed batch is complete
// (all or nothing), nothing acknowledged is lost, nothing is duplicated, and a resumed writer
// continues where the killed one stopped.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <string>

#include "db/SqliteDatabase.h"
#include "tests/common/TempDir.h"

namespace autotune::db {
namespace {

constexpr int64_t kBatchSize = 50;
const char *kKey = "conv-a";
const char *kTarget = "llvm";

std::vector<TuningRecord> make_batch(int64_t batch) {
  std::vector<TuningRecord> out;
  for (int64_t j = 0; j < kBatchSize; ++j) {
    TuningRecord r;
    r.workload_key = kKey;
    r.target = kTarget;
    r.config_index = batch * kBatchSize + j;
    r.config_json = "{\"tile\":[" + std::to_string(j) + ",4,8],\"unroll\":true}";
    r.costs_s = {1e-3, 1.1e-3, 0.9e-3};
    r.mean_s = 1e-3 + static_cast<double>(r.config_index) * 1e-6;
    r.timestamp = 1764000000.0 + static_cast<double>(r.config_index);
    r.tuner = "batch-" + std::to_string(batch);  // which batch wrote it: checked for completeness
    r.version = "0.1.0";
    out.push_back(r);
  }
  return out;
}

// The child: resumes from what the database holds (like rerunning the same tuning command),
// then commits batches forever. On `ack_fd` it announces -(b+1) before add_records of batch b
// and b after add_records returned (the batch is committed).
[[noreturn]] void run_writer(const std::string &path, int ack_fd) {
  try {
    auto db = SqliteDatabase::open(path);
    db->add_target(Target{kTarget, "local"});
    db->add_workload(Workload{kKey, "conv2d", "{}"});
    std::set<int64_t> done = db->measured_indices(kKey, kTarget);
    int64_t batch = done.empty() ? 0 : *done.rbegin() / kBatchSize + 1;
    for (;; ++batch) {
      int32_t begin = -static_cast<int32_t>(batch) - 1, end = static_cast<int32_t>(batch);
      if (write(ack_fd, &begin, sizeof(begin)) != sizeof(begin)) _exit(3);
      db->add_records(make_batch(batch));
      if (write(ack_fd, &end, sizeof(end)) != sizeof(end)) _exit(3);
    }
  } catch (...) {
    _exit(2);
  }
}

/// Forks a writer, waits for `acks` committed batches and the start of the next one, then
/// `delay_us` later (somewhere inside that batch's transaction) kills it with SIGKILL.
/// Returns the last acknowledged batch number.
int32_t write_and_kill(const std::string &path, int acks, int delay_us) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    run_writer(path, fds[1]);
  }
  close(fds[1]);
  int32_t last = -1;
  for (int committed = 0; committed <= acks;) {
    int32_t msg = 0;
    if (read(fds[0], &msg, sizeof(msg)) != static_cast<ssize_t>(sizeof(msg))) {
      ADD_FAILURE() << "the writer died on its own";
      break;
    }
    if (msg >= 0) {
      last = msg;
      ++committed;
    } else if (committed == acks) {
      break;  // batch -msg-1 has begun
    }
  }
  usleep(static_cast<useconds_t>(delay_us));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;
  close(fds[0]);
  return last;
}

/// Checks the file after a kill; returns the number of complete batches.
int64_t check_after_kill(const std::string &path, int32_t last_acked) {
  auto db = SqliteDatabase::open(path);
  EXPECT_EQ(db->integrity_check(), "ok");
  std::vector<TuningRecord> records = db->records(kKey, kTarget);
  std::map<std::string, int64_t> per_batch;
  for (const TuningRecord &r : records) ++per_batch[r.tuner];
  for (const auto &[tuner, n] : per_batch) {
    EXPECT_EQ(n, kBatchSize) << tuner << " is incomplete";
  }
  auto batches = static_cast<int64_t>(per_batch.size());
  EXPECT_GT(batches, last_acked) << "an acknowledged batch was lost";
  for (int64_t b = 0; b < batches; ++b) {
    EXPECT_TRUE(per_batch.count("batch-" + std::to_string(b))) << "batch " << b << " missing";
  }
  std::set<int64_t> indices = db->measured_indices(kKey, kTarget);
  EXPECT_EQ(indices.size(), records.size()) << "a config was stored twice";
  EXPECT_EQ(static_cast<int64_t>(records.size()), batches * kBatchSize);
  return batches;
}

TEST(DatabaseCrashSafety, KillNineMidBatchLosesAndDuplicatesNothing) {
  test::TempDir dir;
  std::string path = dir.file("tuning.db");
  int64_t batches = 0;
  for (int round = 0; round < 5; ++round) {
    int32_t last = write_and_kill(path, 10 + 7 * round, 150 * round);
    EXPECT_GE(last, batches) << "the resumed writer did not continue where it stopped";
    int64_t now = check_after_kill(path, last);
    EXPECT_GT(now, batches);
    batches = now;
  }
}

}  // namespace
}  // namespace autotune::db

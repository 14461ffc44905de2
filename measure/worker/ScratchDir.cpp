// Scratch directories tagged with their owner's pid, and the sweep of dead owners' leftovers.
#include "measure/worker/ScratchDir.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "ir/support/Error.h"

namespace autotune::measure {

namespace fs = std::filesystem;

namespace {

/// The owner pid in "<prefix>-<pid>-XXXXXX", or 0 when `name` is not of that form.
pid_t owner_pid(const std::string &name, const std::string &prefix) {
  if (name.size() <= prefix.size() + 1 || name.compare(0, prefix.size() + 1, prefix + "-") != 0) {
    return 0;
  }
  size_t begin = prefix.size() + 1, end = name.find('-', begin);
  if (end == std::string::npos || end == begin || end - begin > 9) return 0;
  pid_t pid = 0;
  for (size_t i = begin; i < end; ++i) {
    if (name[i] < '0' || name[i] > '9') return 0;
    pid = pid * 10 + (name[i] - '0');
  }
  return pid;
}

void sweep_dead_owners(const std::string &parent, const std::string &prefix) {
  std::error_code ec;
  for (const fs::directory_entry &entry : fs::directory_iterator(parent, ec)) {
    pid_t pid = owner_pid(entry.path().filename().string(), prefix);
    if (pid <= 0 || pid == getpid()) continue;
    if (kill(pid, 0) == 0 || errno != ESRCH) continue;  // alive, or not ours to judge
    std::error_code ignored;
    if (entry.is_directory(ignored)) fs::remove_all(entry.path(), ignored);
  }
}

}  // namespace

std::string make_scratch_dir(const std::string &parent_opt, const std::string &prefix) {
  std::string parent = parent_opt;
  if (parent.empty()) {
    const char *tmp = std::getenv("TMPDIR");
    parent = tmp && *tmp ? tmp : "/tmp";
  }
  sweep_dead_owners(parent, prefix);
  std::string templ = parent + "/" + prefix + "-" + std::to_string(getpid()) + "-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  user_check(mkdtemp(buf.data()) != nullptr)
      << "cannot create a scratch directory in '" << parent << "': " << std::strerror(errno);
  return buf.data();
}

}  // namespace autotune::measure

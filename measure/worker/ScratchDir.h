// Per-process scratch directories for measurement (object files, uploaded modules) that are
// swept up after processes that died without cleaning (SIGKILL, crash).
#pragma once

#include <string>

namespace autotune::measure {

/// Makes the directory `<parent>/<prefix>-<pid>-XXXXXX` (parent empty: $TMPDIR, else /tmp) and
/// returns its path; UserError naming the parent on failure. First it removes the
/// `<prefix>-<pid>-*` directories in `parent` whose process no longer exists, so that what a
/// killed tuner left behind goes away on the next start. (A process in another PID namespace
/// that shares the directory would look dead: give such setups their own TMPDIR.)
std::string make_scratch_dir(const std::string &parent, const std::string &prefix);

}  // namespace autotune::measure

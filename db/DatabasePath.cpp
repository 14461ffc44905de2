// The default tuning database location, from the environment (see DatabasePath.h).
#include "db/DatabasePath.h"

#include <cstdlib>

#include "ir/support/Error.h"

namespace autotune::db {

namespace {

std::string env(const char *name) {
  const char *v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

}  // namespace

std::string default_database_path() {
  std::string explicit_path = env("AUTOTUNE_DB");
  if (!explicit_path.empty()) return explicit_path;
  std::string xdg = env("XDG_DATA_HOME");
  if (!xdg.empty() && xdg.front() == '/') return xdg + "/autotune/tuning.db";
  std::string home = env("HOME");
  user_check(!home.empty()) << "cannot choose a default tuning database: HOME is not set; pass "
                               "--db FILE or set AUTOTUNE_DB";
  return home + "/.local/share/autotune/tuning.db";
}

}  // namespace autotune::db

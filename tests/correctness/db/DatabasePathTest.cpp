// default_database_path: $AUTOTUNE_DB, then $XDG_DATA_HOME, then ~/.local/share.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <optional>
#include <string>

#include "db/DatabasePath.h"
#include "tests/common/TestUtil.h"

namespace autotune::db {
namespace {

/// Sets (or unsets, for std::nullopt) an environment variable for the scope of the test.
class ScopedEnv {
 public:
  ScopedEnv(const char *name, std::optional<std::string> value) : name_(name) {
    if (const char *old = getenv(name)) old_ = old;
    if (value) {
      setenv(name, value->c_str(), 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char *name_;
  std::optional<std::string> old_;
};

TEST(DatabasePath, AutotuneDbWins) {
  ScopedEnv db("AUTOTUNE_DB", "/data/my.db");
  ScopedEnv xdg("XDG_DATA_HOME", "/xdg");
  EXPECT_EQ(default_database_path(), "/data/my.db");
}

TEST(DatabasePath, XdgDataHome) {
  ScopedEnv db("AUTOTUNE_DB", std::nullopt);
  ScopedEnv xdg("XDG_DATA_HOME", "/xdg/data");
  EXPECT_EQ(default_database_path(), "/xdg/data/autotune/tuning.db");
}

TEST(DatabasePath, HomeWhenXdgUnsetOrRelative) {
  ScopedEnv db("AUTOTUNE_DB", "");
  ScopedEnv home("HOME", "/home/u");
  {
    ScopedEnv xdg("XDG_DATA_HOME", std::nullopt);
    EXPECT_EQ(default_database_path(), "/home/u/.local/share/autotune/tuning.db");
  }
  ScopedEnv xdg("XDG_DATA_HOME", "relative/dir");  // ignored, as the XDG spec says
  EXPECT_EQ(default_database_path(), "/home/u/.local/share/autotune/tuning.db");
}

}  // namespace
}  // namespace autotune::db

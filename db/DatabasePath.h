// Where the tuning database lives when the user does not pass --db.
#pragma once

#include <string>

namespace autotune::db {

/// The default tuning database file, first match wins:
///   1. $AUTOTUNE_DB, if set and non-empty;
///   2. $XDG_DATA_HOME/autotune/tuning.db, if XDG_DATA_HOME is an absolute path
///      (the XDG base-directory spec ignores relative values);
///   3. $HOME/.local/share/autotune/tuning.db.
/// The file and its parent directories need not exist (SqliteDatabase::open creates them).
/// UserError when none applies (HOME unset too).
std::string default_database_path();

}  // namespace autotune::db

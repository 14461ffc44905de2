// Raw SQLite access for database tests: run SQL on a file or read one value from it without going
// through SqliteDatabase, to make files that are not ours or to look at a file as SQLite sees it.
#pragma once

#include <string>

namespace autotune::test {

/// Runs `sql` (one or more statements) on the database file `path`; a test failure when it fails.
void raw_exec(const std::string &path, const std::string &sql);

/// The first column of the first row of `sql` on `path`, opened read-only, as text: "" for no row
/// or NULL, "error: <SQLite's message>" when the query does not compile.
std::string raw_query(const std::string &path, const std::string &sql);

}  // namespace autotune::test

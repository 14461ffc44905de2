// The tuning-log exchange format: one JSON object per line, used to export a database, merge logs
// from several machines and keep human-readable backups.
//
// Every line has a "kind":
//   {"kind":"target","target":"llvm -mcpu=znver2","device":"local"}
//   {"kind":"workload","key":"9f3c..","op_kind":"dense","description":"{\"m\":64}"}
//   {"kind":"record","workload":"9f3c..","target":"llvm -mcpu=znver2","config_index":17,
//    "config":"{\"tile\":8}","costs_s":[1.5e-05,1.4e-05],"mean_s":1.45e-05,"status":"ok",
//    "error_msg":"","timestamp":1764000000.25,"tuner":"ga","version":"0.1.0"}
// JSON texts (description, config) are stored as strings so that they round-trip byte for byte.
// Doubles round-trip exactly; non-finite numbers are written as the strings "inf", "-inf", "nan".
#pragma once

#include <cstddef>
#include <string>
#include <variant>
#include <vector>

#include "db/TuningRecord.h"

namespace autotune::db {

/// One parsed line of a tuning log.
using LogEntry = std::variant<Target, Workload, TuningRecord>;

/// The line for `entry`, without the trailing newline.
std::string to_json_line(const LogEntry &entry);

/// Parses one line (`line_number` counts from 1 and only appears in messages). A line that is not
/// valid JSON, has an unknown kind, or misses or mistypes a field is a UserError naming the line.
LogEntry parse_json_line(const std::string &line, size_t line_number);

/// The JSON array text of a record's costs (as stored in the database), non-finite values as
/// strings: [1.5e-05,"inf"].
std::string costs_to_json(const std::vector<double> &costs_s);
/// Inverse of costs_to_json; UserError naming `context` for a malformed text.
std::vector<double> costs_from_json(const std::string &text, const std::string &context);

}  // namespace autotune::db

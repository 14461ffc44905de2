// Conversion between tuning-log lines and database rows, on top of nlohmann/json.
#include "db/JsonLines.h"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "ir/support/Error.h"

namespace autotune::db {

namespace {

using json = nlohmann::ordered_json;  // keeps "kind" first, fields in a readable order

json number_to_json(double v) {
  if (std::isfinite(v)) return v;
  if (std::isnan(v)) return "nan";
  return v > 0 ? "inf" : "-inf";
}

/// Reads the fields of one object and reports the first problem with the line number.
class FieldReader {
 public:
  FieldReader(const json &obj, size_t line_number) : obj_(obj), line_number_(line_number) {}

  const json &field(const char *name) const {
    auto it = obj_.find(name);
    user_check(it != obj_.end()) << "tuning log line " << line_number_ << ": missing field '"
                                 << name << "'";
    return *it;
  }

  std::string string(const char *name) const {
    const json &v = field(name);
    user_check(v.is_string()) << "tuning log line " << line_number_ << ": field '" << name
                              << "' must be a string, got " << v.dump();
    return v.get<std::string>();
  }

  int64_t integer(const char *name) const {
    const json &v = field(name);
    user_check(v.is_number_integer()) << "tuning log line " << line_number_ << ": field '" << name
                                      << "' must be an integer, got " << v.dump();
    return v.get<int64_t>();
  }

  double number(const json &v, const char *name) const {
    if (v.is_number()) return v.get<double>();
    if (v.is_string()) {
      const std::string &s = v.get_ref<const std::string &>();
      if (s == "inf") return std::numeric_limits<double>::infinity();
      if (s == "-inf") return -std::numeric_limits<double>::infinity();
      if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
    }
    user_error << "tuning log line " << line_number_ << ": field '" << name
               << "' must be a number (or \"inf\", \"-inf\", \"nan\"), got " << v.dump();
    return 0.0;
  }

  double number(const char *name) const { return number(field(name), name); }

  std::vector<double> numbers(const char *name) const {
    const json &v = field(name);
    user_check(v.is_array()) << "tuning log line " << line_number_ << ": field '" << name
                             << "' must be an array of numbers, got " << v.dump();
    std::vector<double> out;
    for (const json &e : v) out.push_back(number(e, name));
    return out;
  }

  MeasureStatus status(const char *name) const {
    std::string s = string(name);
    std::optional<MeasureStatus> st = measure_status_from_string(s);
    user_check(st.has_value()) << "tuning log line " << line_number_ << ": unknown status '" << s
                               << "' (expected ok, invalid_config, compile_host, compile_device, "
                                  "runtime_device, wrong_answer, build_timeout, run_timeout "
                                  "or unknown)";
    return *st;
  }

 private:
  const json &obj_;
  size_t line_number_;
};

json to_json(const Target &t) {
  return json{{"kind", "target"}, {"target", t.target_string}, {"device", t.device}};
}

json to_json(const Workload &w) {
  return json{{"kind", "workload"},
              {"key", w.key},
              {"op_kind", w.op_kind},
              {"description", w.description_json}};
}

json costs_json(const std::vector<double> &costs_s) {
  json costs = json::array();
  for (double c : costs_s) costs.push_back(number_to_json(c));
  return costs;
}

json to_json(const TuningRecord &r) {
  return json{{"kind", "record"},
              {"workload", r.workload_key},
              {"target", r.target},
              {"config_index", r.config_index},
              {"config", r.config_json},
              {"costs_s", costs_json(r.costs_s)},
              {"mean_s", number_to_json(r.mean_s)},
              {"status", to_string(r.status)},
              {"error_msg", r.error_msg},
              {"timestamp", number_to_json(r.timestamp)},
              {"tuner", r.tuner},
              {"version", r.version}};
}

}  // namespace

std::string to_json_line(const LogEntry &entry) {
  // Invalid UTF-8 in an error message must not make the export fail: replace it.
  return std::visit([](const auto &e) { return to_json(e); }, entry)
      .dump(-1, ' ', false, json::error_handler_t::replace);
}

LogEntry parse_json_line(const std::string &line, size_t line_number) {
  json obj = json::parse(line, nullptr, /*allow_exceptions=*/false);
  user_check(!obj.is_discarded()) << "tuning log line " << line_number << " is not valid JSON";
  user_check(obj.is_object()) << "tuning log line " << line_number << " must be a JSON object, got "
                              << obj.dump();
  FieldReader f(obj, line_number);
  std::string kind = f.string("kind");
  if (kind == "target") return Target{f.string("target"), f.string("device")};
  if (kind == "workload") {
    return Workload{f.string("key"), f.string("op_kind"), f.string("description")};
  }
  user_check(kind == "record") << "tuning log line " << line_number << ": unknown kind '" << kind
                               << "' (expected target, workload or record)";
  TuningRecord r;
  r.workload_key = f.string("workload");
  r.target = f.string("target");
  r.config_index = f.integer("config_index");
  r.config_json = f.string("config");
  r.costs_s = f.numbers("costs_s");
  r.mean_s = f.number("mean_s");
  r.status = f.status("status");
  r.error_msg = f.string("error_msg");
  r.timestamp = f.number("timestamp");
  r.tuner = f.string("tuner");
  r.version = f.string("version");
  return r;
}

std::string costs_to_json(const std::vector<double> &costs_s) { return costs_json(costs_s).dump(); }

std::vector<double> costs_from_json(const std::string &text, const std::string &context) {
  json v = json::parse(text, nullptr, /*allow_exceptions=*/false);
  std::vector<double> out;
  bool ok = v.is_array();
  if (ok) {
    for (const json &e : v) {
      if (e.is_number()) {
        out.push_back(e.get<double>());
      } else if (e == "inf" || e == "-inf" || e == "nan") {
        const std::string &s = e.get_ref<const std::string &>();
        out.push_back(s == "nan"   ? std::numeric_limits<double>::quiet_NaN()
                      : s == "inf" ? std::numeric_limits<double>::infinity()
                                   : -std::numeric_limits<double>::infinity());
      } else {
        ok = false;
      }
    }
  }
  user_check(ok) << context << ": malformed costs '" << text
                 << "' (expected a JSON array of seconds)";
  return out;
}

}  // namespace autotune::db

// Names and messages of the measurement statuses stored in tuning records.
#include "db/TuningRecord.h"

namespace autotune::db {

namespace {

struct StatusInfo {
  MeasureStatus status;
  const char *name;
  const char *message;
};

// The names are part of the database format and the exported logs: never rename one.
constexpr StatusInfo kStatuses[] = {
    {MeasureStatus::Ok, "ok", "ok"},
    {MeasureStatus::InvalidConfig, "invalid_config", "invalid config"},
    {MeasureStatus::CompileHost, "compile_host", "compile error on the host"},
    {MeasureStatus::CompileDevice, "compile_device", "compile error for the device"},
    {MeasureStatus::RuntimeDevice, "runtime_device", "runtime error on the device"},
    {MeasureStatus::WrongAnswer, "wrong_answer", "wrong answer"},
    {MeasureStatus::BuildTimeout, "build_timeout", "build timeout"},
    {MeasureStatus::RunTimeout, "run_timeout", "run timeout"},
    {MeasureStatus::Unknown, "unknown", "unknown error"},
};

const StatusInfo &info(MeasureStatus status) {
  for (const StatusInfo &s : kStatuses) {
    if (s.status == status) return s;
  }
  return kStatuses[sizeof(kStatuses) / sizeof(kStatuses[0]) - 1];
}

}  // namespace

const char *to_string(MeasureStatus status) { return info(status).name; }

const char *measure_status_message(MeasureStatus status) { return info(status).message; }

std::optional<MeasureStatus> measure_status_from_string(std::string_view name) {
  for (const StatusInfo &s : kStatuses) {
    if (name == s.name) return s.status;
  }
  return std::nullopt;
}

}  // namespace autotune::db

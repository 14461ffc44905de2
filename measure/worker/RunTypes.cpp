// Names of measurement statuses, as stored in tuning records and printed in logs.
#include "measure/worker/RunTypes.h"

#include "ir/support/Error.h"

namespace autotune::measure {
namespace {

struct StatusName {
  MeasureStatus status;
  const char *name;
};

constexpr StatusName kStatusNames[] = {
    {MeasureStatus::Ok, "ok"},
    {MeasureStatus::InvalidConfig, "invalid_config"},
    {MeasureStatus::CompileHost, "compile_host"},
    {MeasureStatus::CompileDevice, "compile_device"},
    {MeasureStatus::RuntimeDevice, "runtime_device"},
    {MeasureStatus::WrongAnswer, "wrong_answer"},
    {MeasureStatus::BuildTimeout, "build_timeout"},
    {MeasureStatus::RunTimeout, "run_timeout"},
    {MeasureStatus::Unknown, "unknown"},
};

}  // namespace

const char *status_name(MeasureStatus s) {
  for (const StatusName &n : kStatusNames) {
    if (n.status == s) return n.name;
  }
  return "unknown";
}

MeasureStatus status_from_name(const std::string &s) {
  std::string known;
  for (const StatusName &n : kStatusNames) {
    if (s == n.name) return n.status;
    known += known.empty() ? "" : ", ";
    known += n.name;
  }
  user_error << "unknown measurement status '" << s << "' (expected one of: " << known << ")";
  return MeasureStatus::Unknown;
}

}  // namespace autotune::measure

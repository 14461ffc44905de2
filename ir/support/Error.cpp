// Turns collected error reports into exceptions or warning lines.
#include "ir/support/Error.h"

#include <atomic>
#include <iostream>

namespace autotune {
namespace {
std::atomic<int> g_warnings{0};
}

int warning_count() { return g_warnings.load(); }

namespace detail {

ErrorReport::ErrorReport(ReportKind kind, const char *file, int line, const char *condition)
    : kind_(kind), file_(file), line_(line), condition_(condition) {}

ErrorReport::~ErrorReport() noexcept(false) {
  switch (kind_) {
    case ReportKind::User:
      throw UserError(msg_.str());
    case ReportKind::Internal: {
      std::ostringstream full;
      full << "internal error at " << file_ << ":" << line_;
      if (condition_) full << " (condition failed: " << condition_ << ")";
      full << ": " << msg_.str() << " [this is a compiler bug in autotune]";
      throw InternalError(full.str());
    }
    case ReportKind::Warning:
      ++g_warnings;
      std::cerr << "autotune: warning: " << msg_.str() << "\n";
      return;
  }
}

}  // namespace detail
}  // namespace autotune

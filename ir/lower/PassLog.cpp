// Pass logging controlled by AUTOTUNE_DEBUG and AUTOTUNE_TIME_PASSES.
#include "ir/lower/PassLog.h"

#include <cstdlib>
#include <iostream>

#include "ir/core/IRPrinter.h"

namespace autotune::lower {

PassLog::PassLog(std::string pipeline) : pipeline_(std::move(pipeline)) {
  if (const char *d = std::getenv("AUTOTUNE_DEBUG")) level_ = std::atoi(d);
  if (const char *t = std::getenv("AUTOTUNE_TIME_PASSES")) time_ = std::atoi(t) != 0;
  last_ = std::chrono::steady_clock::now();
}

void PassLog::operator()(const char *pass, const ir::Stmt &result) {
  auto now = std::chrono::steady_clock::now();
  if (time_) {
    double ms = std::chrono::duration<double, std::milli>(now - last_).count();
    std::cerr << "[" << pipeline_ << "] " << pass << ": " << ms << " ms\n";
  }
  if (level_ >= 1) std::cerr << "[" << pipeline_ << "] " << pass << "\n";
  if (level_ >= 2) std::cerr << result << "\n";
  last_ = std::chrono::steady_clock::now();
}

}  // namespace autotune::lower

// Debug output of a pass pipeline: with AUTOTUNE_DEBUG=1 it prints each pass name, with
// AUTOTUNE_DEBUG>=2 the IR after it; AUTOTUNE_TIME_PASSES=1 prints each pass's time.
#pragma once

#include <chrono>
#include <string>

#include "ir/core/IR.h"

namespace autotune::lower {

class PassLog {
 public:
  explicit PassLog(std::string pipeline);
  /// Call after each pass with its name and result.
  void operator()(const char *pass, const ir::Stmt &result);

 private:
  std::string pipeline_;
  int level_ = 0;
  bool time_ = false;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace autotune::lower

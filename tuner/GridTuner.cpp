// Grid search in index order, skipping invalid and already visited configs.
#include "tuner/GridTuner.h"

namespace autotune::tuner {

std::vector<int64_t> GridTuner::next_batch(int n) {
  std::vector<int64_t> out;
  int64_t size = space_.size();
  while (static_cast<int>(out.size()) < n && cursor_ < size) {
    int64_t i = cursor_++;
    if (visited_.count(i) || !space_.is_valid(space_.get(i))) continue;
    visit(i);
    out.push_back(i);
  }
  return out;
}

}  // namespace autotune::tuner

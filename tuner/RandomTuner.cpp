// Random search over the valid configs.
#include "tuner/RandomTuner.h"

namespace autotune::tuner {

int64_t sample_unvisited(const searchspace::ConfigSpace &space, const std::set<int64_t> &visited,
                         std::mt19937_64 &rng, int attempts) {
  int64_t size = space.size();
  std::uniform_int_distribution<int64_t> dist(0, size - 1);
  for (int a = 0; a < attempts; ++a) {
    int64_t i = dist(rng);
    if (!visited.count(i) && space.is_valid(space.get(i))) return i;
  }
  // Dense spaces near exhaustion: scan from a random start.
  int64_t start = dist(rng);
  for (int64_t k = 0; k < size; ++k) {
    int64_t i = (start + k) % size;
    if (!visited.count(i) && space.is_valid(space.get(i))) return i;
  }
  return -1;
}

std::vector<int64_t> RandomTuner::next_batch(int n) {
  std::vector<int64_t> out;
  while (static_cast<int>(out.size()) < n) {
    int64_t i = sample_unvisited(space_, visited_, rng_);
    if (i < 0) break;
    visit(i);
    out.push_back(i);
  }
  return out;
}

}  // namespace autotune::tuner

// Shared helpers of the cost-model interface: feature rows, throughput labels and the ranking
// metrics used for early stopping and for reporting model quality.
#include "costmodel/CostModel.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "ir/support/Error.h"

namespace autotune::costmodel {

void FeatureMatrix::add_row(const float *values, size_t n) {
  if (rows == 0 && data.empty()) cols = n;
  user_check(n == cols) << "feature row of length " << n << " added to a matrix of " << cols
                        << " columns";
  data.insert(data.end(), values, values + n);
  ++rows;
}

std::vector<float> normalized_throughput(const std::vector<double> &costs_s,
                                         const std::vector<unsigned> &group_sizes) {
  std::vector<float> labels(costs_s.size(), 0.0f);
  size_t begin = 0;
  for (unsigned size : group_sizes) {
    size_t end = std::min(costs_s.size(), begin + size);
    double best = 0;
    for (size_t i = begin; i < end; ++i) {
      double c = costs_s[i];
      if (std::isfinite(c) && c > 0) best = std::max(best, 1.0 / c);
    }
    for (size_t i = begin; i < end && best > 0; ++i) {
      double c = costs_s[i];
      if (std::isfinite(c) && c > 0) labels[i] = static_cast<float>((1.0 / c) / best);
    }
    begin = end;
  }
  return labels;
}

namespace {

/// Row positions sorted by decreasing value (stable: earlier rows first on ties).
std::vector<size_t> order_desc(const std::vector<float> &v) {
  std::vector<size_t> order(v.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return v[a] > v[b]; });
  return order;
}

/// Ranks 1..n with ties sharing their average rank.
std::vector<double> average_ranks(const std::vector<double> &v) {
  std::vector<size_t> order(v.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
  std::vector<double> rank(v.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
    double r = 0.5 * static_cast<double>(i + j) + 1.0;
    for (size_t k = i; k <= j; ++k) rank[order[k]] = r;
    i = j + 1;
  }
  return rank;
}

}  // namespace

double recall_at_k(const std::vector<float> &scores, const std::vector<float> &labels, int k) {
  size_t n = std::min(scores.size(), labels.size());
  if (k <= 0 || n == 0) return 1.0;
  size_t kk = std::min<size_t>(static_cast<size_t>(k), n);
  std::vector<size_t> by_label = order_desc(labels), by_score = order_desc(scores);
  std::vector<char> top(n, 0);
  for (size_t i = 0; i < kk; ++i) top[by_label[i]] = 1;
  size_t hit = 0;
  for (size_t i = 0; i < kk; ++i) hit += top[by_score[i]];
  return static_cast<double>(hit) / static_cast<double>(kk);
}

double spearman(const std::vector<double> &a, const std::vector<double> &b) {
  size_t n = std::min(a.size(), b.size());
  if (n < 2) return 0;
  std::vector<double> ra = average_ranks({a.begin(), a.begin() + n});
  std::vector<double> rb = average_ranks({b.begin(), b.begin() + n});
  double ma = std::accumulate(ra.begin(), ra.end(), 0.0) / n;
  double mb = std::accumulate(rb.begin(), rb.end(), 0.0) / n;
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < n; ++i) {
    sab += (ra[i] - ma) * (rb[i] - mb);
    saa += (ra[i] - ma) * (ra[i] - ma);
    sbb += (rb[i] - mb) * (rb[i] - mb);
  }
  if (saa <= 0 || sbb <= 0) return 0;
  return sab / std::sqrt(saa * sbb);
}

}  // namespace autotune::costmodel

#include "bench/engine/bench_stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace radixlm::bench {

double Percentile(std::vector<double> samples, double fraction) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  const double rank = std::clamp(fraction, 0.0, 1.0) * static_cast<double>(samples.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(rank));
  const std::size_t above = std::min(below + 1, samples.size() - 1);
  const double weight = rank - static_cast<double>(below);
  return samples[below] * (1 - weight) + samples[above] * weight;
}

double Sum(const std::vector<double>& samples) {
  return std::accumulate(samples.begin(), samples.end(), 0.0);
}

}  // namespace radixlm::bench

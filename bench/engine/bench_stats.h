// Order statistics for benchmark samples: medians of repeated runs and latency percentiles.
//
// Percentiles interpolate linearly between the two nearest ranks (numpy's default), so a p95 of a
// handful of samples is still a value between real samples rather than the maximum.
#ifndef RADIXLM_BENCH_ENGINE_BENCH_STATS_H_
#define RADIXLM_BENCH_ENGINE_BENCH_STATS_H_

#include <utility>
#include <vector>

namespace radixlm::bench {

// Percentile() returns the `fraction` (0..1) quantile of `samples`; 0 for no samples.
double Percentile(std::vector<double> samples, double fraction);

inline double Median(std::vector<double> samples) { return Percentile(std::move(samples), 0.5); }

// Sum() of the samples.
double Sum(const std::vector<double>& samples);

}  // namespace radixlm::bench

#endif  // RADIXLM_BENCH_ENGINE_BENCH_STATS_H_

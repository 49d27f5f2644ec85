// Bytes of weights a decode step streams from memory, and the tokens/s that the memory bandwidth
// allows at batch 1.
//
// Decode at batch 1 reads every linear-layer weight once per token (q, k, v, o, gate, up, down of
// every layer, and the LM head, which for tied models is the embedding matrix), so tokens/s can
// not exceed bandwidth ÷ those bytes. The count follows PackedWeights::StreamedBytes(): bf16 rows
// of cols × 2 bytes; int8 rows padded to kInt8BlockSize (64) bytes plus one f32 scale per row
// (int8) or per 64 values (int8-block). The embedding row and the KV cache reads are left out:
// a few kB per token at the contexts benchmarked here.
#ifndef RADIXLM_BENCH_ENGINE_WEIGHT_TRAFFIC_H_
#define RADIXLM_BENCH_ENGINE_WEIGHT_TRAFFIC_H_

#include <cstdint>
#include <filesystem>
#include <string>

#include "absl/status/statusor.h"

namespace radixlm::bench {

// Read bandwidth of the reference machine with both cores (issue 3: ~64 GB/s).
inline constexpr double kMemoryBandwidthBytesPerSecond = 64e9;

// WeightBytesPerToken() reads `model_dir`/config.json and counts the bytes for `weights`
// ("bf16", "int8", "int8-block").
absl::StatusOr<std::int64_t> WeightBytesPerToken(const std::filesystem::path& model_dir,
                                                 const std::string& weights);

}  // namespace radixlm::bench

#endif  // RADIXLM_BENCH_ENGINE_WEIGHT_TRAFFIC_H_

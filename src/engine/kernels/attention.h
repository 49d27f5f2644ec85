// Causal grouped-query attention over a paged KV cache, for a batch of sequences that mixes
// prefill chunks and single decode tokens.
//
// KV cache layout (one layer): K and V are separate pools of `num_pages` pages; a page holds
// page_size consecutive tokens of one sequence for every kv head:
//   element (page, kv_head, slot, d) at index ((page * num_kv_heads + kv_head) * page_size + slot)
//   * head_dim + d, in f32 or bf16.
// So the keys of one head within a page are contiguous, which is what the attention loop streams.
// A token's cache slot is page * page_size + slot_in_page; a sequence's page table maps its
// logical page (position / page_size) to a physical page.
//
// Attention() computes, for every new token t of every sequence (at position p = start_position
// + t) and every query head h, softmax(q . k_j / sqrt(head_dim)) over keys j = 0..p of its
// sequence, times the values; query head h reads kv head h / (num_heads / num_kv_heads). It never
// materializes the score matrix: keys are processed in tiles with an online softmax (as in
// FlashAttention), split over threads by (sequence, kv head, block of query tokens).
//
// Thread safety: Attention() only reads the cache; StoreKv() writes the given slots. Calls that
// touch disjoint slots may run concurrently.
#ifndef RADIXLM_SRC_ENGINE_KERNELS_ATTENTION_H_
#define RADIXLM_SRC_ENGINE_KERNELS_ATTENTION_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "absl/status/status.h"
#include "src/engine/kernels/dtype.h"
#include "src/engine/kernels/thread_pool.h"

namespace radixlm::engine {

// The largest head_dim the kernels accept.
inline constexpr int64_t kMaxAttentionHeadDim = 256;

struct KvCacheLayout {
  int64_t num_kv_heads = 0;
  int64_t head_dim = 0;        // a multiple of 16, at most kMaxAttentionHeadDim
  int64_t page_size = 0;       // tokens per page, >= 1
  DType dtype = DType::kBF16;  // kF32 or kBF16
};

// ValidateKvCacheLayout() checks the constraints above (call once when the cache is created).
absl::Status ValidateKvCacheLayout(const KvCacheLayout& layout);

// KvCachePageBytes() is the size of one K (or V) page: num_kv_heads * page_size * head_dim values.
int64_t KvCachePageBytes(const KvCacheLayout& layout);

// One layer's pools; k and v each hold num_pages pages.
struct KvCacheLayer {
  std::byte* k = nullptr;
  std::byte* v = nullptr;
  int64_t num_pages = 0;
  KvCacheLayout layout;
};

// StoreKv() writes the keys and values of `tokens` new tokens, k and v as
// [tokens][num_kv_heads][head_dim] f32 (the K/V projection outputs after RoPE), into the cache
// slots slots[t] (page * page_size + slot_in_page), rounding to the cache's dtype.
void StoreKv(const float* k, const float* v, int64_t tokens, const int64_t* slots,
             const KvCacheLayer& cache, ThreadPool* pool = nullptr);

struct AttentionSequence {
  // Logical page -> physical page, covering positions [0, start_position + num_tokens).
  const int32_t* page_table = nullptr;
  // Position of the first new token (= tokens of this sequence already in the cache before it).
  int64_t start_position = 0;
  // New tokens (queries) of this sequence: rows [token_offset, token_offset + num_tokens) of q
  // and out. Their K/V must already be stored (StoreKv) at positions start_position onwards.
  int64_t num_tokens = 0;
  int64_t token_offset = 0;
};

// Attention() reads q[tokens][num_heads][head_dim] and writes out[tokens][num_heads][head_dim]
// (the input of the output projection) for the rows of every sequence. Requires num_heads to be a
// multiple of cache.layout.num_kv_heads and every page table entry to be < cache.num_pages.
// Allocates nothing (each thread uses ~80 KB of stack).
void Attention(const float* q, int64_t num_heads, std::span<const AttentionSequence> sequences,
               const KvCacheLayer& cache, float* out, ThreadPool* pool = nullptr);

}  // namespace radixlm::engine

#endif  // RADIXLM_SRC_ENGINE_KERNELS_ATTENTION_H_

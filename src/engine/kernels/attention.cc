// Invariants of one work item (a sequence, a kv head, a block of its new tokens and a range of
// the query heads that share the kv head):
//  - its rows are (token, head) pairs, token-major; at most kMaxRows of them;
//  - after the tile of keys [0, end) was processed, row r holds max[r] = the largest visible score,
//    sum[r] = sum of exp(score - max[r]) and out[r] = the same exp-weighted sum of values, over the
//    visible keys (position <= the row's token position) below `end`; the final output is
//    out[r] / sum[r]. Key 0 is visible to every row, so sum[r] > 0 at the end.
#include "src/engine/kernels/attention.h"

#include <algorithm>
#include <cmath>

#include "src/common/strings.h"
#include "src/engine/kernels/attention_kernels.h"
#include "src/engine/kernels/cpu_features.h"

namespace radixlm::engine {
namespace {

using kernels::kKeyTile;

// Query rows per work item: enough to reuse each loaded key for several heads and tokens, few
// enough for the item's buffers (~80 KB) to stay in L2 and for items to balance across threads.
constexpr int64_t kMaxRows = 32;
static_assert(kMaxAttentionHeadDim == kernels::kMaxHeadDim);

const kernels::AttentionKernels& Kernels() {
#if defined(RADIXLM_KERNELS_X86)
  switch (ActiveIsa()) {
    case Isa::kAvx512:
      return kernels::Avx512AttentionKernels();
    case Isa::kAvx2:
      return kernels::Avx2AttentionKernels();
    case Isa::kScalar:
      break;
  }
#endif
  return kernels::ScalarAttentionKernels();
}

int64_t CeilDiv(int64_t value, int64_t divisor) { return (value + divisor - 1) / divisor; }

// How a sequence's (kv head, token block, head block) items are numbered.
struct ItemShape {
  int64_t group;            // query heads per kv head
  int64_t heads_per_item;   // query heads of one kv head in one item
  int64_t head_blocks;      // ceil(group / heads_per_item)
  int64_t tokens_per_item;  // new tokens in one item
};

ItemShape MakeItemShape(int64_t num_heads, int64_t num_kv_heads) {
  ItemShape shape;
  shape.group = num_heads / num_kv_heads;
  shape.head_blocks = CeilDiv(shape.group, kMaxRows);
  shape.heads_per_item = CeilDiv(shape.group, shape.head_blocks);
  shape.tokens_per_item = std::max<int64_t>(1, kMaxRows / shape.heads_per_item);
  return shape;
}

int64_t ItemsOf(const AttentionSequence& sequence, const ItemShape& shape, int64_t num_kv_heads) {
  return num_kv_heads * shape.head_blocks * CeilDiv(sequence.num_tokens, shape.tokens_per_item);
}

struct Item {
  const AttentionSequence* sequence;
  int64_t kv_head;
  int64_t first_token;  // relative to the sequence's new tokens
  int64_t tokens;
  int64_t first_head;  // within the kv head's group
  int64_t heads;
};

void RunItem(const kernels::AttentionKernels& kernels, const float* q, int64_t num_heads,
             const KvCacheLayer& cache, const ItemShape& shape, const Item& item, float* out) {
  const KvCacheLayout& layout = cache.layout;
  const int64_t head_dim = layout.head_dim;
  const int64_t rows = item.tokens * item.heads;
  const float scale = 1.0f / std::sqrt(static_cast<float>(head_dim));
  const AttentionSequence& sequence = *item.sequence;

  alignas(64) float q_rows[kMaxRows * kMaxAttentionHeadDim];
  alignas(64) float out_rows[kMaxRows * kMaxAttentionHeadDim];
  alignas(64) float scores[kMaxRows * kKeyTile];
  float max[kMaxRows];
  float sum[kMaxRows];
  float rescale[kMaxRows];
  const std::byte* keys[kKeyTile];
  const std::byte* values[kKeyTile];

  auto query_row = [&](int64_t r) {
    const int64_t token = sequence.token_offset + item.first_token + r / item.heads;
    const int64_t head = item.kv_head * shape.group + item.first_head + r % item.heads;
    return (token * num_heads + head) * head_dim;
  };
  for (int64_t r = 0; r < rows; ++r) {
    const float* source = q + query_row(r);
    for (int64_t i = 0; i < head_dim; ++i) q_rows[r * head_dim + i] = source[i] * scale;
    std::fill_n(out_rows + r * head_dim, head_dim, 0.0f);
    max[r] = -INFINITY;
    sum[r] = 0.0f;
  }

  const int64_t element_bytes = FloatDTypeBytes(layout.dtype);
  const int64_t page_bytes = KvCachePageBytes(layout);
  const int64_t head_bytes = item.kv_head * layout.page_size * head_dim * element_bytes;
  const int64_t first_position = sequence.start_position + item.first_token;
  const int64_t end_position = first_position + item.tokens;  // keys [0, end_position)
  const int64_t vector_bytes = head_dim * element_bytes;
  // The keys and values of a tile are scattered over pages (a few KB each), too short for the
  // hardware prefetcher: without software prefetches attention runs at half the bandwidth.
  auto prefetch = [&](int64_t offset) {
    for (int64_t line = 0; line < vector_bytes; line += 64) {
      __builtin_prefetch(cache.k + offset + line);
      __builtin_prefetch(cache.v + offset + line);
    }
  };
  for (int64_t tile = 0; tile < end_position; tile += kKeyTile) {
    const int64_t keys_count = std::min(kKeyTile, end_position - tile);
    int64_t page_index = tile / layout.page_size;
    int64_t slot = tile % layout.page_size;
    for (int64_t j = 0; j < keys_count; ++j) {
      const int64_t offset =
          sequence.page_table[page_index] * page_bytes + head_bytes + slot * vector_bytes;
      keys[j] = cache.k + offset;
      values[j] = cache.v + offset;
      prefetch(offset);
      if (++slot == layout.page_size) {
        slot = 0;
        ++page_index;
      }
    }
    kernels.score_tile(q_rows, rows, keys, keys_count, head_dim, layout.dtype, scores);
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t position = first_position + r / item.heads;
      const int64_t visible = std::clamp<int64_t>(position - tile + 1, 0, keys_count);
      rescale[r] =
          kernels.softmax_row(scores + r * kKeyTile, visible, keys_count, &max[r], &sum[r]);
    }
    kernels.value_tile(scores, rows, values, keys_count, head_dim, layout.dtype, rescale, out_rows);
  }
  for (int64_t r = 0; r < rows; ++r) {
    const float inverse = 1.0f / sum[r];
    float* destination = out + query_row(r);
    for (int64_t i = 0; i < head_dim; ++i) destination[i] = out_rows[r * head_dim + i] * inverse;
  }
}

}  // namespace

absl::Status ValidateKvCacheLayout(const KvCacheLayout& layout) {
  if (layout.num_kv_heads <= 0 || layout.page_size <= 0) {
    return absl::InvalidArgumentError(
        StrCat("KV cache needs num_kv_heads >= 1 and page_size >= 1; got ", layout.num_kv_heads,
               " and ", layout.page_size));
  }
  if (layout.head_dim <= 0 || layout.head_dim % 16 != 0 || layout.head_dim > kMaxAttentionHeadDim) {
    return absl::InvalidArgumentError(
        StrCat("attention head_dim ", layout.head_dim,
               " is not supported; it must be a multiple of 16 up to ", kMaxAttentionHeadDim));
  }
  if (layout.dtype != DType::kF32 && layout.dtype != DType::kBF16) {
    return absl::InvalidArgumentError(
        StrCat("KV cache type ", DTypeName(layout.dtype), " is not supported; use f32 or bf16"));
  }
  return absl::OkStatus();
}

int64_t KvCachePageBytes(const KvCacheLayout& layout) {
  return layout.num_kv_heads * layout.page_size * layout.head_dim * FloatDTypeBytes(layout.dtype);
}

void StoreKv(const float* k, const float* v, int64_t tokens, const int64_t* slots,
             const KvCacheLayer& cache, ThreadPool* pool) {
  const KvCacheLayout& layout = cache.layout;
  const int64_t element_bytes = FloatDTypeBytes(layout.dtype);
  const int64_t page_bytes = KvCachePageBytes(layout);
  const int64_t token_values = layout.num_kv_heads * layout.head_dim;
  auto store = [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) {
      const int64_t page = slots[t] / layout.page_size;
      const int64_t slot = slots[t] % layout.page_size;
      for (int64_t head = 0; head < layout.num_kv_heads; ++head) {
        const int64_t offset = page * page_bytes +
                               ((head * layout.page_size) + slot) * layout.head_dim * element_bytes;
        const int64_t source = t * token_values + head * layout.head_dim;
        ConvertFromF32(k + source, layout.head_dim, layout.dtype, cache.k + offset);
        ConvertFromF32(v + source, layout.head_dim, layout.dtype, cache.v + offset);
      }
    }
  };
  if (pool == nullptr || tokens * token_values < (int64_t{1} << 16)) {
    store(0, tokens);
  } else {
    pool->ParallelFor(tokens, store);
  }
}

void Attention(const float* q, int64_t num_heads, std::span<const AttentionSequence> sequences,
               const KvCacheLayer& cache, float* out, ThreadPool* pool) {
  const kernels::AttentionKernels& kernels = Kernels();
  const int64_t num_kv_heads = cache.layout.num_kv_heads;
  const ItemShape shape = MakeItemShape(num_heads, num_kv_heads);
  int64_t total_items = 0;
  for (const AttentionSequence& sequence : sequences)
    total_items += ItemsOf(sequence, shape, num_kv_heads);

  auto run = [&](int64_t begin, int64_t end) {
    // Find the sequence holding item `begin`, then walk forward.
    size_t s = 0;
    int64_t first_of_sequence = 0;
    while (first_of_sequence + ItemsOf(sequences[s], shape, num_kv_heads) <= begin) {
      first_of_sequence += ItemsOf(sequences[s], shape, num_kv_heads);
      ++s;
    }
    for (int64_t index = begin; index < end; ++index) {
      while (index - first_of_sequence >= ItemsOf(sequences[s], shape, num_kv_heads)) {
        first_of_sequence += ItemsOf(sequences[s], shape, num_kv_heads);
        ++s;
      }
      const AttentionSequence& sequence = sequences[s];
      // Within a sequence: kv head, then head block, then token block.
      const int64_t local = index - first_of_sequence;
      const int64_t token_blocks = CeilDiv(sequence.num_tokens, shape.tokens_per_item);
      const int64_t token_block = local % token_blocks;
      const int64_t head_block = (local / token_blocks) % shape.head_blocks;
      Item item;
      item.sequence = &sequence;
      item.kv_head = local / (token_blocks * shape.head_blocks);
      item.first_token = token_block * shape.tokens_per_item;
      item.tokens = std::min(shape.tokens_per_item, sequence.num_tokens - item.first_token);
      item.first_head = head_block * shape.heads_per_item;
      item.heads = std::min(shape.heads_per_item, shape.group - item.first_head);
      RunItem(kernels, q, num_heads, cache, shape, item, out);
    }
  };
  if (pool == nullptr) {
    run(0, total_items);
  } else {
    pool->ParallelFor(total_items, 1, run);
  }
}

}  // namespace radixlm::engine

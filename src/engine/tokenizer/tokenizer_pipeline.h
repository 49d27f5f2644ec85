// The parsed components of a tokenizer.json, shared by Tokenizer and IncrementalDetokenizer.
#ifndef RADIXLM_SRC_ENGINE_TOKENIZER_TOKENIZER_PIPELINE_H_
#define RADIXLM_SRC_ENGINE_TOKENIZER_TOKENIZER_PIPELINE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "src/engine/tokenizer/added_vocabulary.h"
#include "src/engine/tokenizer/bpe_model.h"
#include "src/engine/tokenizer/decoders.h"
#include "src/engine/tokenizer/normalizers.h"
#include "src/engine/tokenizer/post_processor.h"
#include "src/engine/tokenizer/pre_tokenizers.h"
#include "src/engine/tokenizer/tokenizer_config.h"

namespace radixlm::engine::internal {

struct TokenizerPipeline {
  std::unique_ptr<Normalizer> normalizer;       // May be null.
  std::unique_ptr<PreTokenizer> pre_tokenizer;  // May be null.
  std::unique_ptr<BpeModel> model;
  AddedVocabulary added;
  PostProcessor post_processor;
  DecoderChain decoder;
  TokenizerConfig config;
  std::optional<int32_t> bos_id;
  std::vector<int32_t> eos_ids;
  int32_t vocab_size = 0;

  // The string the decoder receives for `id` (nullptr for an unknown id).
  const std::string* DecodingToken(int32_t id) const;
  bool IsSpecial(int32_t id) const;
};

// Parses tokenizer.json text into a pipeline (config fields left empty).
absl::StatusOr<std::unique_ptr<TokenizerPipeline>> ParseTokenizerJson(std::string_view json_text);

}  // namespace radixlm::engine::internal

#endif  // RADIXLM_SRC_ENGINE_TOKENIZER_TOKENIZER_PIPELINE_H_

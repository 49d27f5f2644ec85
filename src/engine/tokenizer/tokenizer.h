// Tokenizer: Hugging Face `tokenizer.json` tokenizers, with ids equal to those of the
// `tokenizers` library for the same files and text.
//
// Supported: BPE models (byte-level as in GPT-2, Llama-3, Qwen2, SmolLM2; SentencePiece-style
// with byte fallback as in Llama-2, Mistral, TinyLlama, Phi-3), their normalizers,
// pre-tokenizers, post-processors and decoders, and added/special tokens. Anything else in a
// file is reported as an error naming its JSON path (see docs/TOKENIZER.md).
//
//   absl::StatusOr<Tokenizer> tokenizer = Tokenizer::FromFolder("/models/llama-3.2-1b");
//   absl::StatusOr<std::vector<int32_t>> ids = tokenizer->Encode("Hello", true);
//   std::string text = tokenizer->Decode(*ids, /*skip_special_tokens=*/true);
//
// Thread safety: a Tokenizer is immutable after loading (its word cache is internally
// synchronized); any number of threads may call its const methods at once.
#ifndef RADIXLM_SRC_ENGINE_TOKENIZER_TOKENIZER_H_
#define RADIXLM_SRC_ENGINE_TOKENIZER_TOKENIZER_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "src/engine/tokenizer/tokenizer_config.h"

namespace radixlm::engine {

namespace internal {
struct TokenizerPipeline;
}  // namespace internal

class Tokenizer {
 public:
  // Loads `dir`/tokenizer.json, `dir`/tokenizer_config.json (optional) and
  // `dir`/chat_template.jinja (optional; when present it is the default chat template, as in
  // current transformers).
  static absl::StatusOr<Tokenizer> FromFolder(const std::filesystem::path& dir);
  // Loads from file contents; an empty `tokenizer_config_json` means no config.
  static absl::StatusOr<Tokenizer> FromJson(std::string_view tokenizer_json,
                                            std::string_view tokenizer_config_json);

  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;
  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;
  ~Tokenizer();

  // The ids of `text`. With `add_special_tokens`, the post-processor's template is applied
  // (e.g. BOS for Llama). Special tokens written in the text are always recognized, as in
  // `tokenizers`. Text that is not valid UTF-8 is an InvalidArgument error (the server answers
  // it with a 400) rather than being silently repaired.
  absl::StatusOr<std::vector<int32_t>> Encode(std::string_view text, bool add_special_tokens) const;

  // The text of `ids`, as `tokenizers`' decode: unknown ids are skipped, special tokens too
  // when `skip_special_tokens`; bytes that do not form UTF-8 become U+FFFD.
  std::string Decode(std::span<const int32_t> ids, bool skip_special_tokens) const;

  // The vocabulary string of `id` (added tokens included), or nullopt for an unknown id.
  std::optional<std::string_view> IdToToken(int32_t id) const;
  // The id of vocabulary string `token` (added tokens first), or nullopt.
  std::optional<int32_t> TokenToId(std::string_view token) const;

  // One more than the largest id (model vocabulary and added tokens): the embedding rows the
  // tokenizer can address. A model's vocab_size may be larger (padding rows).
  int32_t vocab_size() const;
  // The id of tokenizer_config.json's bos_token, when it has one that is in the vocabulary.
  std::optional<int32_t> bos_id() const;
  // The id of tokenizer_config.json's eos_token (generation_config.json may add more).
  const std::vector<int32_t>& eos_ids() const;
  // Whether `id` is an added token marked special (skipped by skip_special_tokens).
  bool IsSpecial(int32_t id) const;
  const TokenizerConfig& config() const;

 private:
  friend class IncrementalDetokenizer;
  explicit Tokenizer(std::unique_ptr<internal::TokenizerPipeline> pipeline);

  std::unique_ptr<internal::TokenizerPipeline> pipeline_;
};

}  // namespace radixlm::engine

#endif  // RADIXLM_SRC_ENGINE_TOKENIZER_TOKENIZER_H_

#include "src/engine/tokenizer/incremental_detokenizer.h"

#include <utility>

#include "src/engine/tokenizer/tokenizer_pipeline.h"

namespace radixlm::engine {

IncrementalDetokenizer::IncrementalDetokenizer(const Tokenizer& tokenizer, bool skip_special_tokens)
    : pipeline_(tokenizer.pipeline_.get()), skip_special_tokens_(skip_special_tokens) {}

std::string IncrementalDetokenizer::Push(int32_t id) {
  if (skip_special_tokens_ && pipeline_->IsSpecial(id)) return "";
  const std::string* token = pipeline_->DecodingToken(id);
  if (token == nullptr) return "";  // Decode skips unknown ids too.
  window_.push_back(*token);

  const internal::DecoderChain& decoder = pipeline_->decoder;
  const size_t held = decoder.UnstableSuffixTokens(window_);
  std::vector<std::string> stable(window_.begin(), window_.end() - static_cast<ptrdiff_t>(held));
  const std::string text = decoder.Decode(std::move(stable), window_starts_sequence_);
  // Decoding a longer stable prefix only appends text (see DecoderChain); the size check keeps
  // a violation from ever emitting garbage.
  std::string fresh;
  if (text.size() > emitted_bytes_) {
    fresh = text.substr(emitted_bytes_);
    emitted_bytes_ = text.size();
  }
  // A stable point: nothing held and some text produced, so that sequence-start rules
  // (Strip after Fuse, Metaspace's first token) have been settled inside this window.
  if (held == 0 && !text.empty() && decoder.splittable()) {
    window_.clear();
    emitted_bytes_ = 0;
    window_starts_sequence_ = false;
  }
  return fresh;
}

std::string IncrementalDetokenizer::Flush() {
  std::string rest;
  if (!window_.empty()) {
    const std::string text = pipeline_->decoder.Decode(std::move(window_), window_starts_sequence_);
    if (text.size() > emitted_bytes_) rest = text.substr(emitted_bytes_);
  }
  window_.clear();
  emitted_bytes_ = 0;
  window_starts_sequence_ = true;
  return rest;
}

}  // namespace radixlm::engine

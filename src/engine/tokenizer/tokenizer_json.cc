// Parsing of tokenizer.json into a TokenizerPipeline.
#include <algorithm>
#include <exception>
#include <utility>

#include "nlohmann/json.hpp"
#include "src/common/strings.h"
#include "src/engine/tokenizer/json_fields.h"
#include "src/engine/tokenizer/tokenizer_pipeline.h"

namespace radixlm::engine::internal {
namespace {

const nlohmann::json* OptionalField(const nlohmann::json& root, const char* key) {
  const auto it = root.find(key);
  if (it == root.end() || it->is_null()) return nullptr;
  return &*it;
}

absl::StatusOr<std::unique_ptr<TokenizerPipeline>> ParseRoot(const nlohmann::json& root) {
  if (!root.is_object()) return JsonError("", "tokenizer.json must be a JSON object");
  if (const nlohmann::json* version = OptionalField(root, "version")) {
    if (!version->is_string() || version->get<std::string>() != "1.0") {
      return JsonError("version", "unknown tokenizer.json version (expected \"1.0\")");
    }
  }
  auto pipeline = std::make_unique<TokenizerPipeline>();
  const nlohmann::json* model = OptionalField(root, "model");
  if (model == nullptr) return JsonError("model", "missing; tokenizer.json needs a model");
  auto bpe = BpeModel::Parse(*model, "model");
  if (!bpe.ok()) return bpe.status();
  pipeline->model = *std::move(bpe);

  if (const nlohmann::json* normalizer = OptionalField(root, "normalizer")) {
    auto parsed = ParseNormalizer(*normalizer, "normalizer");
    if (!parsed.ok()) return parsed.status();
    pipeline->normalizer = *std::move(parsed);
  }
  if (const nlohmann::json* pre_tokenizer = OptionalField(root, "pre_tokenizer")) {
    auto parsed = ParsePreTokenizer(*pre_tokenizer, "pre_tokenizer");
    if (!parsed.ok()) return parsed.status();
    pipeline->pre_tokenizer = *std::move(parsed);
  }
  auto post_processor =
      PostProcessor::Parse(OptionalField(root, "post_processor"), "post_processor");
  if (!post_processor.ok()) return post_processor.status();
  pipeline->post_processor = *std::move(post_processor);
  auto decoder = DecoderChain::Parse(OptionalField(root, "decoder"), "decoder");
  if (!decoder.ok()) return decoder.status();
  pipeline->decoder = *std::move(decoder);

  auto added = AddedVocabulary::Parse(OptionalField(root, "added_tokens"), "added_tokens",
                                      *pipeline->model, pipeline->normalizer.get());
  if (!added.ok()) return added.status();
  pipeline->added = *std::move(added);

  pipeline->vocab_size = pipeline->model->id_limit();
  for (const AddedToken& token : pipeline->added.tokens()) {
    pipeline->vocab_size = std::max(pipeline->vocab_size, token.id + 1);
  }
  for (const int32_t id : pipeline->post_processor.prefix_ids()) {
    if (id >= pipeline->vocab_size) {
      return JsonError("post_processor",
                       StrCat("special token id ", id, " is outside the vocabulary"));
    }
  }
  for (const int32_t id : pipeline->post_processor.suffix_ids()) {
    if (id >= pipeline->vocab_size) {
      return JsonError("post_processor",
                       StrCat("special token id ", id, " is outside the vocabulary"));
    }
  }
  return pipeline;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TokenizerPipeline>> ParseTokenizerJson(std::string_view json_text) {
  const nlohmann::json root = nlohmann::json::parse(json_text.begin(), json_text.end(), nullptr,
                                                    /*allow_exceptions=*/false);
  if (root.is_discarded()) {
    return absl::InvalidArgumentError("tokenizer.json is not valid JSON (or not valid UTF-8)");
  }
  // The readers check types before converting, so nlohmann should not throw; this keeps a
  // library exception from ever crossing our API.
  try {
    return ParseRoot(root);
  } catch (const std::exception& error) {
    return absl::InvalidArgumentError(StrCat("tokenizer.json is malformed: ", error.what()));
  }
}

const std::string* TokenizerPipeline::DecodingToken(int32_t id) const {
  if (const std::string* added_form = added.DecodingForm(id)) return added_form;
  return model->IdToToken(id);
}

bool TokenizerPipeline::IsSpecial(int32_t id) const {
  const AddedToken* token = added.FindById(id);
  return token != nullptr && token->special;
}

}  // namespace radixlm::engine::internal

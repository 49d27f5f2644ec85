#include "src/engine/tokenizer/tokenizer.h"

#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>

#include "src/common/strings.h"
#include "src/engine/tokenizer/tokenizer_pipeline.h"
#include "src/engine/tokenizer/utf8.h"

namespace radixlm::engine {
namespace {

absl::StatusOr<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return absl::NotFoundError(StrCat("cannot open ", path.string()));
  std::ostringstream contents;
  contents << file.rdbuf();
  if (file.bad()) return absl::DataLossError(StrCat("cannot read ", path.string()));
  return contents.str();
}

absl::Status WithFile(const absl::Status& status, const std::filesystem::path& path) {
  return absl::Status(status.code(), StrCat(path.string(), ": ", status.message()));
}

}  // namespace

Tokenizer::Tokenizer(std::unique_ptr<internal::TokenizerPipeline> pipeline)
    : pipeline_(std::move(pipeline)) {}
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

absl::StatusOr<Tokenizer> Tokenizer::FromFolder(const std::filesystem::path& dir) {
  const std::filesystem::path tokenizer_path = dir / "tokenizer.json";
  std::error_code error;
  if (!std::filesystem::is_regular_file(tokenizer_path, error)) {
    return absl::NotFoundError(StrCat(dir.string(),
                                      " has no tokenizer.json; radixlm needs a Hugging Face fast "
                                      "tokenizer file (a tokenizer.model alone is not supported)"));
  }
  auto tokenizer_json = ReadFile(tokenizer_path);
  if (!tokenizer_json.ok()) return tokenizer_json.status();
  std::string config_json;
  const std::filesystem::path config_path = dir / "tokenizer_config.json";
  if (std::filesystem::is_regular_file(config_path, error)) {
    auto contents = ReadFile(config_path);
    if (!contents.ok()) return contents.status();
    config_json = *std::move(contents);
  }
  auto tokenizer = FromJson(*tokenizer_json, config_json);
  if (!tokenizer.ok()) {
    const bool config_error = ToStd(tokenizer.status().message()).starts_with("tokenizer_config");
    return WithFile(tokenizer.status(), config_error ? config_path : tokenizer_path);
  }
  const std::filesystem::path template_path = dir / "chat_template.jinja";
  if (std::filesystem::is_regular_file(template_path, error)) {
    auto chat_template = ReadFile(template_path);
    if (!chat_template.ok()) return chat_template.status();
    tokenizer->pipeline_->config.chat_template = *std::move(chat_template);
  }
  return tokenizer;
}

absl::StatusOr<Tokenizer> Tokenizer::FromJson(std::string_view tokenizer_json,
                                              std::string_view tokenizer_config_json) {
  auto pipeline = internal::ParseTokenizerJson(tokenizer_json);
  if (!pipeline.ok()) return pipeline.status();
  if (!tokenizer_config_json.empty()) {
    auto config = ParseTokenizerConfig(tokenizer_config_json);
    if (!config.ok()) return config.status();
    (*pipeline)->config = *std::move(config);
  }
  Tokenizer tokenizer(*std::move(pipeline));
  internal::TokenizerPipeline& parts = *tokenizer.pipeline_;
  if (parts.config.bos_token.has_value())
    parts.bos_id = tokenizer.TokenToId(*parts.config.bos_token);
  if (parts.config.eos_token.has_value()) {
    if (const std::optional<int32_t> eos = tokenizer.TokenToId(*parts.config.eos_token)) {
      parts.eos_ids.push_back(*eos);
    }
  }
  return tokenizer;
}

absl::StatusOr<std::vector<int32_t>> Tokenizer::Encode(std::string_view text,
                                                       bool add_special_tokens) const {
  if (const size_t invalid = internal::FindInvalidUtf8(text); invalid != std::string_view::npos) {
    return absl::InvalidArgumentError(
        StrCat("text is not valid UTF-8 (bad byte sequence at offset ", invalid, ")"));
  }
  const internal::TokenizerPipeline& parts = *pipeline_;
  std::vector<int32_t> ids;
  ids.reserve(text.size() / 3 + 4);
  std::vector<internal::PreToken> pieces;
  for (internal::AddedSplit& split : parts.added.Split(text, parts.normalizer.get())) {
    if (split.added_id.has_value()) {
      ids.push_back(*split.added_id);
      continue;
    }
    pieces.clear();
    pieces.push_back({std::move(split.text), split.at_input_start});
    if (parts.pre_tokenizer != nullptr) parts.pre_tokenizer->PreTokenize(&pieces);
    for (const internal::PreToken& piece : pieces) parts.model->Tokenize(piece.text, &ids);
  }
  if (add_special_tokens) return parts.post_processor.Apply(std::move(ids));
  return ids;
}

std::string Tokenizer::Decode(std::span<const int32_t> ids, bool skip_special_tokens) const {
  const internal::TokenizerPipeline& parts = *pipeline_;
  std::vector<std::string> tokens;
  tokens.reserve(ids.size());
  for (const int32_t id : ids) {
    if (skip_special_tokens && parts.IsSpecial(id)) continue;
    if (const std::string* token = parts.DecodingToken(id)) tokens.push_back(*token);
  }
  return parts.decoder.Decode(std::move(tokens), /*starts_sequence=*/true);
}

std::optional<std::string_view> Tokenizer::IdToToken(int32_t id) const {
  if (const internal::AddedToken* added = pipeline_->added.FindById(id)) return added->content;
  if (const std::string* token = pipeline_->model->IdToToken(id)) return *token;
  return std::nullopt;
}

std::optional<int32_t> Tokenizer::TokenToId(std::string_view token) const {
  if (const std::optional<int32_t> added = pipeline_->added.FindByContent(token)) return added;
  return pipeline_->model->TokenToId(token);
}

int32_t Tokenizer::vocab_size() const { return pipeline_->vocab_size; }
std::optional<int32_t> Tokenizer::bos_id() const { return pipeline_->bos_id; }
const std::vector<int32_t>& Tokenizer::eos_ids() const { return pipeline_->eos_ids; }
bool Tokenizer::IsSpecial(int32_t id) const { return pipeline_->IsSpecial(id); }
const TokenizerConfig& Tokenizer::config() const { return pipeline_->config; }

}  // namespace radixlm::engine

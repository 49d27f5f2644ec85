#include "src/server/server_context.h"

#include <utility>

namespace radixlm::server {
namespace {

std::string ServedModelName(const engine::Engine& engine) {
  const engine::EngineModelInfo& info = engine.model_info();
  return info.served_model_name.empty() ? info.model_path : info.served_model_name;
}

std::optional<std::int32_t> FindBosToken(const engine::Engine& engine) {
  // The tokenizer's post-processor adds BOS (if the model has one) even to an empty text.
  absl::StatusOr<std::vector<std::int32_t>> ids = engine.Tokenize("", true);
  if (ids.ok() && ids->size() == 1) return (*ids)[0];
  return std::nullopt;
}

}  // namespace

ServerContext::ServerContext(engine::Engine& engine_ref, ServeSettings serve_settings)
    : engine(engine_ref),
      settings(std::move(serve_settings)),
      served_model_name(ServedModelName(engine_ref)),
      metrics(served_model_name),
      tracker(engine_ref, metrics),
      bos_token_id(FindBosToken(engine_ref)) {}

std::string ServerContext::TokenText(std::int32_t token) const {
  const std::int32_t ids[] = {token};
  absl::StatusOr<std::string> text = engine.Detokenize(ids, /*skip_special_tokens=*/false);
  return text.ok() ? *std::move(text) : std::string();
}

}  // namespace radixlm::server

// GenerationDefaults: the sampling defaults a model folder ships in generation_config.json.
//
// Every field is optional because the file sets only what its authors chose; an unset field means
// "use the server's own default". When the file is absent, the special token ids come from
// config.json, as transformers' GenerationConfig.from_model_config does.
//
// Thread safety: GenerationDefaults is a value; the functions are pure.
#ifndef RADIXLM_SRC_ENGINE_MODEL_GENERATION_CONFIG_H_
#define RADIXLM_SRC_ENGINE_MODEL_GENERATION_CONFIG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "src/engine/model/model_config.h"

namespace radixlm::engine {

// GenerationDefaults holds the fields of generation_config.json the engine uses.
struct GenerationDefaults {
  std::vector<std::int64_t> eos_token_ids;  // `eos_token_id`: an int or a list
  std::optional<std::int64_t> bos_token_id;
  std::optional<std::int64_t> pad_token_id;  // a negative id in the file reads as unset
  std::optional<bool> do_sample;  // transformers ignores temperature/top_p/top_k when false
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<std::int64_t> top_k;
  std::optional<double> min_p;
  std::optional<double> repetition_penalty;
  std::optional<std::int64_t> max_new_tokens;
  std::optional<std::int64_t> max_length;  // prompt + generated tokens

  bool operator==(const GenerationDefaults&) const = default;
};

// ParseGenerationConfig() parses generation_config.json text; `source` names the file in errors.
// InvalidArgument for malformed JSON or out-of-range values (negative temperature, top_p outside
// (0, 1], negative top_k, non-positive repetition_penalty or token counts, negative bos/eos ids).
absl::StatusOr<GenerationDefaults> ParseGenerationConfig(std::string_view json_text,
                                                         std::string_view source);

// ReadGenerationConfig() reads and parses the file at `path` (NotFound when it does not exist).
absl::StatusOr<GenerationDefaults> ReadGenerationConfig(const std::string& path);

// GenerationDefaultsFromModelConfig() is what applies when a folder has no generation_config.json:
// the bos, eos and pad ids of config.json and nothing else.
GenerationDefaults GenerationDefaultsFromModelConfig(const ModelConfig& config);

}  // namespace radixlm::engine

#endif  // RADIXLM_SRC_ENGINE_MODEL_GENERATION_CONFIG_H_

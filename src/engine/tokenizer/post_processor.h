// Post-processors (tokenizer.json "post_processor"): add special tokens such as BOS around an
// encoded sequence when the caller asks for special tokens.
//
// Supported types: TemplateProcessing (its "single" template: the engine encodes one sequence
// at a time), ByteLevel (adjusts offsets only, so no change to ids), Sequence.
#ifndef RADIXLM_SRC_ENGINE_TOKENIZER_POST_PROCESSOR_H_
#define RADIXLM_SRC_ENGINE_TOKENIZER_POST_PROCESSOR_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace radixlm::engine::internal {

class PostProcessor {
 public:
  // Parses `json`; a null `json` gives a processor that adds nothing.
  static absl::StatusOr<PostProcessor> Parse(const nlohmann::json* json, std::string_view path);

  // `ids` wrapped in the single-sequence template.
  std::vector<int32_t> Apply(std::vector<int32_t> ids) const;

  // The ids the template puts before and after the sequence.
  const std::vector<int32_t>& prefix_ids() const { return prefix_ids_; }
  const std::vector<int32_t>& suffix_ids() const { return suffix_ids_; }

 private:
  absl::Status ParseInto(const nlohmann::json& json, std::string_view path);
  absl::Status ParseTemplate(const nlohmann::json& json, std::string_view path);

  // Invariant: at most one TemplateProcessing contributes; a Sequence with two is rejected,
  // because the second would wrap the first's output, which the engine has no use for.
  bool has_template_ = false;
  std::vector<int32_t> prefix_ids_;
  std::vector<int32_t> suffix_ids_;
};

}  // namespace radixlm::engine::internal

#endif  // RADIXLM_SRC_ENGINE_TOKENIZER_POST_PROCESSOR_H_

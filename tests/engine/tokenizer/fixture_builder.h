// Builds the test tokenizers committed under testdata/: byte-level BPEs made by the trainer
// (GPT-2, SmolLM2, Llama-3 and Qwen2 styles) and hand-assembled SentencePiece-style BPEs
// (Llama-2 legacy and Mistral/Metaspace styles) plus a "misc" tokenizer exercising the other
// components, all trained on the bundled English corpus.
//
// testdata/<name>/expected.json holds the ids @huggingface/tokenizers produced for
// testdata/hard_strings.json; reference/regenerate.sh rewrites both.
#ifndef RADIXLM_TESTS_ENGINE_TOKENIZER_FIXTURE_BUILDER_H_
#define RADIXLM_TESTS_ENGINE_TOKENIZER_FIXTURE_BUILDER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace radixlm::engine::tokenizer_fixtures {

struct Fixture {
  std::string name;  // Folder under testdata/.
  std::string tokenizer_json;
  std::string tokenizer_config_json;
};

absl::StatusOr<std::vector<Fixture>> BuildFixtures();

}  // namespace radixlm::engine::tokenizer_fixtures

#endif  // RADIXLM_TESTS_ENGINE_TOKENIZER_FIXTURE_BUILDER_H_

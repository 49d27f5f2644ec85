#include "src/engine/maker/model_maker.h"

#include "src/common/strings.h"
#include "src/engine/tokenizer/bpe_trainer.h"
#include "src/engine/tokenizer/english_corpus.h"
#include "src/engine/tokenizer/tokenizer.h"

namespace radixlm::engine {
namespace {

// The chat templates the real models of these shapes ship (tokenizer_config.json of
// HuggingFaceTB/SmolLM2-135M-Instruct and meta-llama/Meta-Llama-3-8B-Instruct).
constexpr const char* kSmolLm2ChatTemplate =
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\\nYou are a helpful AI assistant named SmolLM, trained by Hugging "
    "Face<|im_end|>\\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\\n' + "
    "message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}"
    "{{ '<|im_start|>assistant\\n' }}{% endif %}";

constexpr const char* kLlama3ChatTemplate =
    "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = "
    "'<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ "
    "message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = "
    "bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}"
    "{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";

}  // namespace

absl::Status MakeModelFolder(const MakeModelOptions& options, const std::filesystem::path& dir,
                             const WriteProgressCallback& progress) {
  absl::StatusOr<ModelShape> shape = FindModelShape(options.shape);
  if (!shape.ok()) return shape.status();
  const auto vocab = static_cast<std::int32_t>(shape->config.vocab_size);
  const bool llama3 = options.shape == "llama-1b";
  BpeTrainerOptions trainer =
      llama3 ? Llama3TokenizerOptions(vocab) : SmolLm2TokenizerOptions(vocab);
  trainer.chat_template = llama3 ? kLlama3ChatTemplate : kSmolLm2ChatTemplate;
  trainer.model_max_length = shape->config.max_position_embeddings;
  absl::StatusOr<TrainedTokenizer> trained = TrainByteLevelBpe(EnglishTrainingCorpus(), trainer);
  if (!trained.ok()) return trained.status();

  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    return absl::PermissionDeniedError(
        StrCat("cannot create the model folder ", dir.string(), ": ", error.message()));
  }
  RandomModelOptions model_options;
  model_options.dtype = options.dtype;
  model_options.seed = options.seed;
  model_options.overwrite = options.overwrite;
  model_options.vocab_size = shape->config.vocab_size;
  absl::StatusOr<Tokenizer> tokenizer =
      Tokenizer::FromJson(trained->tokenizer_json, trained->tokenizer_config_json);
  if (!tokenizer.ok()) return tokenizer.status();
  if (tokenizer->bos_id().has_value()) model_options.bos_token_id = *tokenizer->bos_id();
  for (std::int32_t eos : tokenizer->eos_ids()) model_options.eos_token_ids.push_back(eos);
  if (absl::Status written = WriteRandomModel(*shape, model_options, dir.string(), progress);
      !written.ok()) {
    return written;
  }
  return WriteTokenizerFiles(*trained, dir);
}

}  // namespace radixlm::engine

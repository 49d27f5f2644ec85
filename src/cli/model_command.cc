// `radixlm model make|info|tokenize|detokenize`: make a model folder in the real Hugging Face
// format, describe one, and run its tokenizer.
#include <iostream>
#include <memory>

#include "nlohmann/json.hpp"
#include "src/cli/commands.h"
#include "src/cli/progress_bar.h"
#include "src/engine/maker/model_maker.h"
#include "src/engine/model/model_folder.h"
#include "src/engine/tokenizer/tokenizer.h"

namespace radixlm::cli {
namespace {

[[noreturn]] void Fail(const absl::Status& status, int code = 1) {
  std::cerr << "radixlm model: " << status.message() << "\n";
  throw CLI::RuntimeError(code);
}

void AddMake(CLI::App& model) {
  struct Options {
    std::string shape = "tiny";
    std::string dtype = "bf16";
    std::uint64_t seed = 0;
    std::string out;
    bool force = false;
  };
  auto options = std::make_shared<Options>();
  CLI::App* make = model.add_subcommand(
      "make", "Write a model folder (HF format, random weights, trained BPE tokenizer)");
  make->add_option("--shape", options->shape, "tiny | smollm2-135m | llama-1b")
      ->check(CLI::IsMember({"tiny", "smollm2-135m", "llama-1b"}));
  make->add_option("--dtype", options->dtype, "Weight type: f32 | f16 | bf16")
      ->check(CLI::IsMember({"f32", "f16", "bf16"}));
  make->add_option("--seed", options->seed, "Random seed (same seed, same bytes)");
  make->add_option("--out", options->out, "Folder to write")->required();
  make->add_flag("--force", options->force, "Replace a model already in the folder");
  make->callback([options] {
    std::optional<engine::DType> dtype = engine::ParseDType(options->dtype);
    if (!dtype.has_value()) {
      Fail(absl::InvalidArgumentError("--dtype must be f32, f16 or bf16"), 2);
    }
    ProgressBar bar("writing weights");
    absl::Status made = engine::MakeModelFolder(
        {.shape = options->shape, .dtype = *dtype, .seed = options->seed,
         .overwrite = options->force},
        options->out, [&bar](const engine::WriteProgress& progress) {
          bar.Update(progress.bytes_written, progress.total_bytes);
        });
    bar.Finish();
    if (!made.ok()) Fail(made);
    std::cout << "wrote " << options->shape << " (" << options->dtype << ", seed " << options->seed
              << ") to " << options->out
              << "\nThe weights are random: the model's text is gibberish, but formats, tokenizer, "
                 "chat template and speed are those of a real checkpoint of this shape.\n";
  });
}

void AddInfo(CLI::App& model) {
  auto dir = std::make_shared<std::string>();
  CLI::App* info = model.add_subcommand("info", "Architecture, parameters and memory of a model");
  info->add_option("dir", *dir, "Model folder")->required();
  info->callback([dir] {
    absl::StatusOr<engine::LoadedModel> loaded = engine::LoadModelFolder(*dir);
    if (!loaded.ok()) Fail(loaded.status());
    std::cout << engine::FormatModelInfo(loaded->config,
                                         engine::DescribeModel(loaded->config, loaded->weights));
  });
}

void AddTokenize(CLI::App& model) {
  struct Options {
    std::string dir;
    std::string text;
    bool no_special = false;
  };
  auto options = std::make_shared<Options>();
  CLI::App* tokenize = model.add_subcommand("tokenize", "Print the token ids of TEXT as JSON");
  tokenize->add_option("dir", options->dir, "Model folder")->required();
  tokenize->add_option("text", options->text, "Text to encode")->required();
  tokenize->add_flag("--no-special", options->no_special, "Do not add BOS/EOS special tokens");
  tokenize->callback([options] {
    absl::StatusOr<engine::Tokenizer> tokenizer = engine::Tokenizer::FromFolder(options->dir);
    if (!tokenizer.ok()) Fail(tokenizer.status());
    absl::StatusOr<std::vector<std::int32_t>> ids =
        tokenizer->Encode(options->text, !options->no_special);
    if (!ids.ok()) Fail(ids.status(), 2);
    std::cout << nlohmann::json{{"ids", *ids}, {"count", ids->size()}}.dump() << "\n";
  });
}

void AddDetokenize(CLI::App& model) {
  struct Options {
    std::string dir;
    std::string ids;
    bool keep_special = false;
  };
  auto options = std::make_shared<Options>();
  CLI::App* detokenize = model.add_subcommand("detokenize", "Print the text of IDS (a JSON list)");
  detokenize->add_option("dir", options->dir, "Model folder")->required();
  detokenize->add_option("ids", options->ids, "Token ids, e.g. [1, 2, 3]")->required();
  detokenize->add_flag("--keep-special", options->keep_special, "Keep special tokens in the text");
  detokenize->callback([options] {
    absl::StatusOr<engine::Tokenizer> tokenizer = engine::Tokenizer::FromFolder(options->dir);
    if (!tokenizer.ok()) Fail(tokenizer.status());
    nlohmann::json parsed = nlohmann::json::parse(options->ids, nullptr, false);
    std::vector<std::int32_t> ids;
    bool valid = parsed.is_array();
    for (const nlohmann::json& id : valid ? parsed : nlohmann::json::array()) {
      if (!id.is_number_integer() || id.get<std::int64_t>() < 0 ||
          id.get<std::int64_t>() >= tokenizer->vocab_size()) {
        valid = false;
        break;
      }
      ids.push_back(id.get<std::int32_t>());
    }
    if (!valid) {
      Fail(absl::InvalidArgumentError("IDS must be a JSON list of token ids inside the vocabulary"),
           2);
    }
    std::cout << nlohmann::json{{"text", tokenizer->Decode(ids, !options->keep_special)}}.dump()
              << "\n";
  });
}

}  // namespace

void AddModelCommand(CLI::App& app) {
  CLI::App* model = app.add_subcommand("model", "Make, inspect and tokenize with model folders");
  model->require_subcommand(1);
  AddMake(*model);
  AddInfo(*model);
  AddTokenize(*model);
  AddDetokenize(*model);
}

}  // namespace radixlm::cli

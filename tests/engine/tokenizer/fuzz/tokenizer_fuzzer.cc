// libFuzzer target: tokenizer.json loading and encoding/decoding.
//
// An input starting with '{' is a tokenizer.json (up to the first NUL byte) followed by text
// to encode with it; loading may fail but must never crash. Any other input is text encoded
// with every committed test tokenizer, checking the invariants the engine relies on:
// Decode(Encode(text)) gives the text back for byte-level tokenizers, and streaming
// detokenization equals Decode.
//
// Build: CC=clang CXX=clang++ cmake -B build/fuzz -DRADIXLM_BUILD_FUZZERS=ON
//        -DRADIXLM_SANITIZE=address,undefined && cmake --build build/fuzz --target
//        engine_tokenizer_fuzzer
// Run:   build/fuzz/tests/engine/tokenizer/engine_tokenizer_fuzzer -max_total_time=60
//        tests/engine/tokenizer/testdata
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "src/engine/tokenizer/incremental_detokenizer.h"
#include "src/engine/tokenizer/tokenizer.h"
#include "src/engine/tokenizer/utf8.h"

namespace {

using radixlm::engine::IncrementalDetokenizer;
using radixlm::engine::Tokenizer;

struct Loaded {
  std::string name;
  Tokenizer tokenizer;
  bool lossless;  // Byte-level without a normalizer.
};

const std::vector<Loaded>& Tokenizers() {
  static const std::vector<Loaded>* const loaded = [] {
    auto* out = new std::vector<Loaded>();
    for (const char* name : {"gpt2_style", "smollm2_style", "llama3_style", "qwen2_style",
                             "llama2_style", "mistral_style", "misc"}) {
      auto tokenizer =
          Tokenizer::FromFolder(std::filesystem::path(RADIXLM_TOKENIZER_TESTDATA) / name);
      if (!tokenizer.ok()) {
        std::fprintf(stderr, "cannot load %s\n", name);
        std::abort();
      }
      const std::string_view view = name;
      out->push_back({name, *std::move(tokenizer),
                      view == "gpt2_style" || view == "smollm2_style" || view == "llama3_style"});
    }
    return out;
  }();
  return *loaded;
}

void Check(bool condition, const char* what, const std::string& name) {
  if (condition) return;
  std::fprintf(stderr, "invariant broken for %s: %s\n", name.c_str(), what);
  std::abort();
}

void Exercise(const Tokenizer& tokenizer, std::string_view text, const std::string& name,
              bool lossless) {
  auto ids = tokenizer.Encode(text, /*add_special_tokens=*/true);
  const bool valid = radixlm::engine::internal::FindInvalidUtf8(text) == std::string_view::npos;
  Check(ids.ok() == valid, "Encode accepts exactly valid UTF-8", name);
  if (!ids.ok()) return;
  for (const bool skip : {false, true}) {
    const std::string decoded = tokenizer.Decode(*ids, skip);
    Check(radixlm::engine::internal::FindInvalidUtf8(decoded) == std::string_view::npos,
          "Decode returns valid UTF-8", name);
    IncrementalDetokenizer stream(tokenizer, skip);
    std::string streamed;
    for (const int32_t id : *ids) streamed += stream.Push(id);
    streamed += stream.Flush();
    Check(streamed == decoded, "streaming equals Decode", name);
  }
  if (lossless) {
    auto plain = tokenizer.Encode(text, false);
    Check(plain.ok() && tokenizer.Decode(*plain, false) == text, "byte-level round trip", name);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (!input.empty() && input.front() == '{') {
    const size_t split = input.find('\0');
    const std::string_view json = input.substr(0, split);
    const std::string_view text =
        split == std::string_view::npos ? std::string_view("Hello world") : input.substr(split + 1);
    auto tokenizer = Tokenizer::FromJson(json, "");
    if (tokenizer.ok()) Exercise(*tokenizer, text, "fuzzed tokenizer.json", false);
    return 0;
  }
  for (const Loaded& loaded : Tokenizers()) {
    Exercise(loaded.tokenizer, input, loaded.name, loaded.lossless);
  }
  return 0;
}

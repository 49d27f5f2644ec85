// Prompt log probabilities (SamplingParams::logprob_start_len, SGLang's input_token_logprobs): what
// they hold, that they agree with the log probabilities the same tokens had when generated, and
// that the prefix cache, chunked prefill and max_new_tokens = 0 do not change them.
#include <cmath>
#include <cstdint>
#include <future>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "radixlm/engine/engine.h"
#include "tests/support/tiny_model.h"

namespace radixlm::engine {
namespace {

using ::testing::HasSubstr;

EngineOptions Options(std::int64_t chunked_prefill_size = 512) {
  EngineOptions options;
  options.model_dir = radixlm::testing::MadeTinyModel(7);
  options.threads = 2;
  options.max_kv_tokens = 4096;
  options.page_size = 4;
  options.kv_cache_dtype = "f32";
  options.chunked_prefill_size = chunked_prefill_size;
  return options;
}

std::unique_ptr<Engine> MakeEngine(const EngineOptions& options) {
  absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Create(options);
  EXPECT_TRUE(engine.ok()) << engine.status();
  return engine.ok() ? *std::move(engine) : nullptr;
}

std::vector<std::int32_t> Prompt(std::int32_t length) {
  std::vector<std::int32_t> ids;
  for (std::int32_t i = 0; i < length; ++i) ids.push_back((i * 37 + 11) % 400 + 3);
  return ids;
}

GenerateRequest Scoring(std::vector<std::int32_t> ids, std::int64_t start,
                        std::int64_t max_new_tokens = 1, std::int32_t top = 0) {
  GenerateRequest request;
  request.input_ids = std::move(ids);
  request.sampling.temperature = 0;
  request.sampling.max_new_tokens = max_new_tokens;
  request.sampling.ignore_eos = true;
  request.sampling.return_logprob = true;
  request.sampling.logprob_start_len = start;
  request.sampling.top_logprobs = top;
  return request;
}

void ExpectSameLogprobs(const std::vector<OutputLogprob>& a, const std::vector<OutputLogprob>& b,
                        float tolerance) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].token, b[i].token) << i;
    EXPECT_NEAR(a[i].logprob, b[i].logprob, tolerance) << i;
    ASSERT_EQ(a[i].top.size(), b[i].top.size()) << i;
    for (std::size_t k = 0; k < a[i].top.size(); ++k) {
      EXPECT_NEAR(a[i].top[k].logprob, b[i].top[k].logprob, tolerance) << i << "/" << k;
    }
  }
}

TEST(PromptLogprobsTest, CoverThePromptFromTheStartPositionOn) {
  auto engine = MakeEngine(Options());
  ASSERT_NE(engine, nullptr);
  const std::vector<std::int32_t> prompt = Prompt(20);
  for (std::int64_t start : {0, 5, 19}) {
    absl::StatusOr<GenerateResult> result = engine->Generate(Scoring(prompt, start, 1, 3));
    ASSERT_TRUE(result.ok()) << result.status();
    // Positions start + 1 .. 19: the token at `start` has nothing before it that was computed.
    ASSERT_EQ(result->prompt_logprobs.size(), static_cast<std::size_t>(19 - start)) << start;
    for (std::size_t i = 0; i < result->prompt_logprobs.size(); ++i) {
      const OutputLogprob& entry = result->prompt_logprobs[i];
      EXPECT_EQ(entry.token, prompt[static_cast<std::size_t>(start) + 1 + i]);
      EXPECT_LE(entry.logprob, 0.0f);
      ASSERT_EQ(entry.top.size(), 3u);
      EXPECT_GE(entry.top[0].logprob, entry.top[1].logprob);
      EXPECT_GE(entry.top[0].logprob + 1e-6f, entry.logprob);
    }
    EXPECT_EQ(result->completion_tokens, 1);
  }
  // -1 (the default) asks for none; without return_logprob there are none either.
  absl::StatusOr<GenerateResult> none = engine->Generate(Scoring(prompt, -1));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->prompt_logprobs.empty());
  GenerateRequest plain = Scoring(prompt, 0);
  plain.sampling.return_logprob = false;
  absl::StatusOr<GenerateResult> unasked = engine->Generate(plain);
  ASSERT_TRUE(unasked.ok());
  EXPECT_TRUE(unasked->prompt_logprobs.empty());
}

// Scoring a greedy generation as a prompt gives back the log probabilities its tokens were
// generated with (no penalties: the sampler reports raw log_softmax too).
TEST(PromptLogprobsTest, ScoringAGenerationGivesBackItsOutputLogprobs) {
  auto engine = MakeEngine(Options());
  ASSERT_NE(engine, nullptr);
  const std::vector<std::int32_t> context = Prompt(12);
  absl::StatusOr<GenerateResult> generated = engine->Generate(Scoring(context, -1, 16, 4));
  ASSERT_TRUE(generated.ok()) << generated.status();
  ASSERT_EQ(generated->logprobs.size(), 16u);
  std::vector<std::int32_t> text = context;
  text.insert(text.end(), generated->output_ids.begin(), generated->output_ids.end());
  // Start at the context's last token: the entries are exactly the 16 generated tokens.
  absl::StatusOr<GenerateResult> scored = engine->Generate(Scoring(text, 11, 1, 4));
  ASSERT_TRUE(scored.ok()) << scored.status();
  ExpectSameLogprobs(scored->prompt_logprobs, generated->logprobs, 2e-3f);
}

TEST(PromptLogprobsTest, CachedPrefixChunkingAndZeroOutputDoNotChangeThem) {
  const std::vector<std::int32_t> prompt = Prompt(40);
  auto engine = MakeEngine(Options());
  ASSERT_NE(engine, nullptr);
  absl::StatusOr<GenerateResult> reference = engine->Generate(Scoring(prompt, 3, 2, 2));
  ASSERT_TRUE(reference.ok()) << reference.status();
  ASSERT_EQ(reference->prompt_logprobs.size(), 36u);

  // The whole prompt is cached now; the cache still supplies only what precedes position 3.
  absl::StatusOr<GenerateResult> cached = engine->Generate(Scoring(prompt, 3, 2, 2));
  ASSERT_TRUE(cached.ok()) << cached.status();
  EXPECT_LE(cached->cached_tokens, 3);
  ExpectSameLogprobs(cached->prompt_logprobs, reference->prompt_logprobs, 1e-4f);
  EXPECT_EQ(cached->output_ids, reference->output_ids);
  // Without prompt logprobs the same prompt hits the cache in full, and outputs stay the same.
  absl::StatusOr<GenerateResult> hit = engine->Generate(Scoring(prompt, -1, 2, 2));
  ASSERT_TRUE(hit.ok());
  EXPECT_GE(hit->cached_tokens, 36);
  EXPECT_EQ(hit->output_ids, reference->output_ids);

  // Chunks of 7 tokens: the rows come from six forward passes.
  auto chunked_engine = MakeEngine(Options(7));
  ASSERT_NE(chunked_engine, nullptr);
  absl::StatusOr<GenerateResult> chunked = chunked_engine->Generate(Scoring(prompt, 3, 2, 2));
  ASSERT_TRUE(chunked.ok()) << chunked.status();
  ExpectSameLogprobs(chunked->prompt_logprobs, reference->prompt_logprobs, 2e-3f);

  // max_new_tokens = 0: a pure scoring request.
  absl::StatusOr<GenerateResult> scored_only = chunked_engine->Generate(Scoring(prompt, 3, 0, 2));
  ASSERT_TRUE(scored_only.ok()) << scored_only.status();
  EXPECT_EQ(scored_only->completion_tokens, 0);
  EXPECT_EQ(scored_only->finish_reason, FinishReason::kLength);
  ExpectSameLogprobs(scored_only->prompt_logprobs, reference->prompt_logprobs, 2e-3f);
}

// Requests scoring their prompts share steps with decoding ones: every request gets its own rows.
TEST(PromptLogprobsTest, ConcurrentRequestsGetTheirOwnRows) {
  auto engine = MakeEngine(Options(16));
  ASSERT_NE(engine, nullptr);
  std::vector<GenerateRequest> requests;
  for (int i = 0; i < 6; ++i) {
    std::vector<std::int32_t> prompt = Prompt(10 + 7 * i);
    prompt[0] = 100 + i;  // nothing shared
    requests.push_back(Scoring(prompt, i % 2 == 0 ? -1 : i, 6, 2));
  }
  std::vector<GenerateResult> solo;
  for (const GenerateRequest& request : requests) {
    absl::StatusOr<GenerateResult> result = engine->Generate(request);
    ASSERT_TRUE(result.ok()) << result.status();
    solo.push_back(*std::move(result));
  }
  ASSERT_TRUE(engine->FlushCache().ok());
  std::vector<std::promise<GenerateResult>> done(requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    ASSERT_TRUE(engine
                    ->Submit(requests[i], {nullptr,
                                           [&done, i](const GenerateResult& result) {
                                             done[i].set_value(result);
                                           }})
                    .ok());
  }
  for (std::size_t i = 0; i < requests.size(); ++i) {
    GenerateResult together = done[i].get_future().get();
    EXPECT_EQ(together.output_ids, solo[i].output_ids) << i;
    ExpectSameLogprobs(together.prompt_logprobs, solo[i].prompt_logprobs, 2e-3f);
    ExpectSameLogprobs(together.logprobs, solo[i].logprobs, 2e-3f);
  }
}

TEST(PromptLogprobsTest, TheFirstDeltaCarriesThem) {
  auto engine = MakeEngine(Options());
  ASSERT_NE(engine, nullptr);
  std::vector<std::size_t> sizes;
  std::promise<GenerateResult> done;
  ASSERT_TRUE(engine
                  ->Submit(Scoring(Prompt(10), 0, 3),
                           {[&](const GenerateDelta& delta) {
                              sizes.push_back(delta.prompt_logprobs.size());
                            },
                            [&](const GenerateResult& result) { done.set_value(result); }})
                  .ok());
  GenerateResult result = done.get_future().get();
  EXPECT_EQ(sizes, (std::vector<std::size_t>{9, 0, 0}));
  EXPECT_EQ(result.prompt_logprobs.size(), 9u);
}

TEST(PromptLogprobsTest, AStartPastThePromptIsAClearError) {
  auto engine = MakeEngine(Options());
  ASSERT_NE(engine, nullptr);
  absl::StatusOr<GenerateResult> past = engine->Generate(Scoring(Prompt(10), 10));
  EXPECT_EQ(past.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(past.status().message(),
              HasSubstr("logprob_start_len (10) is higher than the number of input tokens (10)"));
  absl::StatusOr<GenerateResult> negative = engine->Generate(Scoring(Prompt(10), -2));
  EXPECT_EQ(negative.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(negative.status().message(), HasSubstr("logprob_start_len must be -1"));
}

}  // namespace
}  // namespace radixlm::engine

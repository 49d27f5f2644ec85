#include "src/engine/sampling/sampler.h"

#include <cmath>
#include <vector>

#include "gtest/gtest.h"

namespace radixlm::engine {
namespace {

std::vector<float> Logits(std::initializer_list<double> probabilities) {
  std::vector<float> logits;
  for (double p : probabilities) logits.push_back(static_cast<float>(std::log(p)));
  return logits;
}

std::int32_t SampleOnce(const SamplingParams& params, std::vector<float> logits,
                        std::uint64_t seed = 7) {
  Sampler sampler(params, static_cast<std::int32_t>(logits.size()), seed);
  return sampler.Sample(logits, {}).token;
}

TEST(SamplerTest, TemperatureZeroIsArgmax) {
  SamplingParams params;
  params.temperature = 0;
  EXPECT_EQ(SampleOnce(params, Logits({0.1, 0.6, 0.3})), 1);
}

TEST(SamplerTest, SameSeedSameTokens) {
  SamplingParams params;
  params.seed = 42;
  const std::vector<float> logits = Logits({0.25, 0.25, 0.25, 0.25});
  Sampler first(params, 4, 1);
  Sampler second(params, 4, 2);  // the explicit seed wins over the fallback
  for (int i = 0; i < 50; ++i) {
    std::vector<float> a = logits;
    std::vector<float> b = logits;
    ASSERT_EQ(first.Sample(a, {}).token, second.Sample(b, {}).token);
  }
}

TEST(SamplerTest, SamplesFromTheDistribution) {
  SamplingParams params;
  Sampler sampler(params, 3, 99);
  const std::vector<float> logits = Logits({0.5, 0.3, 0.2});
  std::vector<int> counts(3, 0);
  const int draws = 30000;
  for (int i = 0; i < draws; ++i) {
    std::vector<float> scratch = logits;
    ++counts[sampler.Sample(scratch, {}).token];
  }
  EXPECT_NEAR(counts[0] / double(draws), 0.5, 0.015);
  EXPECT_NEAR(counts[1] / double(draws), 0.3, 0.015);
  EXPECT_NEAR(counts[2] / double(draws), 0.2, 0.015);
}

TEST(SamplerTest, TopKTopPAndMinPRestrictTheCandidates) {
  const std::vector<float> logits = Logits({0.4, 0.3, 0.2, 0.1});
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    SamplingParams top_k;
    top_k.top_k = 2;
    EXPECT_LT(SampleOnce(top_k, logits, seed), 2);
    SamplingParams top_p;
    top_p.top_p = 0.65;  // 0.4 + 0.3 reaches it: tokens 0 and 1
    EXPECT_LT(SampleOnce(top_p, logits, seed), 2);
    SamplingParams min_p;
    min_p.min_p = 0.6;  // 0.6 × 0.4 = 0.24: tokens 0 and 1
    EXPECT_LT(SampleOnce(min_p, logits, seed), 2);
    SamplingParams tiny_p;
    tiny_p.top_p = 1e-9;
    EXPECT_EQ(SampleOnce(tiny_p, logits, seed), 0);
  }
}

TEST(SamplerTest, PenaltiesChangeTheChoice) {
  SamplingParams params;
  params.temperature = 0;
  params.repetition_penalty = 2.0;
  Sampler repeated(params, 3, 0);
  repeated.ObservePrompt(std::vector<std::int32_t>{1});
  std::vector<float> logits = {1.0f, 1.5f, 0.2f};  // 1.5 / 2 = 0.75 < 1.0
  EXPECT_EQ(repeated.Sample(logits, {}).token, 0);

  SamplingParams frequency;
  frequency.temperature = 0;
  frequency.frequency_penalty = 0.4;
  Sampler counted(frequency, 3, 0);
  counted.ObservePrompt(std::vector<std::int32_t>{0, 0, 0});  // prompt tokens do not count
  counted.ObserveOutput(0);
  counted.ObserveOutput(0);
  logits = {1.0f, 0.5f, 0.2f};  // 1.0 - 2 × 0.4 = 0.2 < 0.5
  EXPECT_EQ(counted.Sample(logits, {}).token, 1);
}

TEST(SamplerTest, SuppressedTokensAreNeverChosen) {
  SamplingParams params;
  params.temperature = 0;
  Sampler sampler(params, 3, 0);
  std::vector<float> logits = {5.0f, 1.0f, 0.0f};
  EXPECT_EQ(sampler.Sample(logits, std::vector<std::int32_t>{0}).token, 1);
}

TEST(SamplerTest, LogprobsAreLogSoftmaxOfPenalizedLogits) {
  SamplingParams params;
  params.temperature = 0;
  params.return_logprob = true;
  params.top_logprobs = 2;
  Sampler sampler(params, 3, 0);
  std::vector<float> logits = Logits({0.2, 0.5, 0.3});
  SampledToken picked = sampler.Sample(logits, {});
  EXPECT_EQ(picked.token, 1);
  EXPECT_NEAR(picked.logprob, std::log(0.5), 1e-5);
  ASSERT_EQ(picked.top.size(), 2u);
  EXPECT_EQ(picked.top[0].token, 1);
  EXPECT_EQ(picked.top[1].token, 2);
  EXPECT_NEAR(picked.top[1].logprob, std::log(0.3), 1e-5);
}

TEST(SamplingParamsTest, ValidationNamesTheFieldAndTheRange) {
  SamplingParams params;
  params.top_p = 0;
  EXPECT_EQ(Validate(params, 10).message(), "top_p must be in (0, 1], got 0.");
  params = {};
  params.max_new_tokens = -1;
  EXPECT_EQ(Validate(params, 10).code(), absl::StatusCode::kInvalidArgument);
  params = {};
  params.stop_token_ids = {10};
  EXPECT_EQ(Validate(params, 10).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Validate(SamplingParams{}, 10).ok());
}

}  // namespace
}  // namespace radixlm::engine

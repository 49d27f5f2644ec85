// The embedded engine end to end on a made tiny model: generation, streaming, stop conditions,
// prefix-cache accounting, cached == uncached generation, memory pressure, aborts, limits.
#include "radixlm/engine/engine.h"

#include <atomic>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "src/engine/maker/model_maker.h"
#include "tests/support/tiny_model.h"

namespace radixlm::engine {
namespace {

using ::testing::HasSubstr;

const std::string& TinyModel() { return radixlm::testing::MadeTinyModel(7); }

EngineOptions TinyOptions() {
  EngineOptions options;
  options.model_dir = TinyModel();
  options.threads = 2;
  options.max_kv_tokens = 8192;
  options.page_size = 4;
  options.kv_cache_dtype = "f32";
  return options;
}

std::unique_ptr<Engine> MakeEngine(const EngineOptions& options) {
  absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Create(options);
  EXPECT_TRUE(engine.ok()) << engine.status();
  return engine.ok() ? *std::move(engine) : nullptr;
}

GenerateRequest Greedy(std::vector<std::int32_t> ids, std::int64_t max_new_tokens) {
  GenerateRequest request;
  request.input_ids = std::move(ids);
  request.sampling.temperature = 0;
  request.sampling.max_new_tokens = max_new_tokens;
  request.sampling.ignore_eos = true;
  return request;
}

std::vector<std::int32_t> Range(std::int32_t begin, std::int32_t end) {
  std::vector<std::int32_t> ids;
  for (std::int32_t i = begin; i < end; ++i) ids.push_back(i % 500 + 3);
  return ids;
}

// Each thread's requests: a shared system prefix, then its own turns.
std::vector<std::int32_t> Concat(std::vector<std::int32_t> a, const std::vector<std::int32_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST(EngineTest, GeneratesFromTextAndReportsCounts) {
  auto engine = MakeEngine(TinyOptions());
  ASSERT_NE(engine, nullptr);
  GenerateRequest request;
  request.text = "The capital of France is";
  request.sampling.max_new_tokens = 12;
  request.sampling.ignore_eos = true;
  request.sampling.seed = 3;
  absl::StatusOr<GenerateResult> result = engine->Generate(request);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->finish_reason, FinishReason::kLength);
  EXPECT_EQ(result->completion_tokens, 12);
  EXPECT_EQ(result->output_ids.size(), 12u);
  absl::StatusOr<std::vector<std::int32_t>> prompt = engine->Tokenize(request.text);
  ASSERT_TRUE(prompt.ok());
  EXPECT_EQ(result->prompt_tokens, static_cast<std::int64_t>(prompt->size()));
  EXPECT_EQ(result->cached_tokens, 0);
  absl::StatusOr<std::string> decoded = engine->Detokenize(result->output_ids);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(result->text, *decoded);
  EXPECT_GE(result->time_to_first_token, absl::ZeroDuration());

  // Same seed, same output.
  absl::StatusOr<GenerateResult> again = engine->Generate(request);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->output_ids, result->output_ids);
}

TEST(EngineTest, RepeatedPromptHitsTheCacheExceptItsLastToken) {
  auto engine = MakeEngine(TinyOptions());
  ASSERT_NE(engine, nullptr);
  const std::vector<std::int32_t> prompt = Range(0, 41);
  ASSERT_TRUE(engine->Generate(Greedy(prompt, 4)).ok());
  absl::StatusOr<GenerateResult> second = engine->Generate(Greedy(prompt, 4));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->cached_tokens, 40);  // (41 - 1) rounded down to pages of 4
  // A longer prompt through the same prefix hits it, and the first answer's tokens too.
  const std::vector<std::int32_t> next_turn =
      Concat(Concat(prompt, second->output_ids), Range(100, 130));
  absl::StatusOr<GenerateResult> third = engine->Generate(Greedy(next_turn, 4));
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->cached_tokens, 44);  // the prompt + 3 computed output tokens, page-aligned
  EngineStats stats = engine->stats();
  EXPECT_EQ(stats.prompt_tokens_total, 41 + 41 + 75);
  EXPECT_EQ(stats.cached_tokens_total, 84);
  ASSERT_TRUE(engine->FlushCache().ok());
  absl::StatusOr<GenerateResult> after_flush = engine->Generate(Greedy(prompt, 4));
  ASSERT_TRUE(after_flush.ok());
  EXPECT_EQ(after_flush->cached_tokens, 0);
  EXPECT_EQ(after_flush->output_ids, second->output_ids);
}

TEST(EngineTest, StreamingDeltasAddUpToTheResult) {
  auto engine = MakeEngine(TinyOptions());
  ASSERT_NE(engine, nullptr);
  GenerateRequest request;
  request.text = "Once upon a time";
  request.sampling.max_new_tokens = 20;
  request.sampling.ignore_eos = true;
  request.sampling.return_logprob = true;
  request.sampling.top_logprobs = 3;
  std::string streamed;
  std::vector<std::int32_t> streamed_ids;
  int deltas_with_cached = 0;
  std::promise<GenerateResult> done;
  absl::StatusOr<std::string> rid =
      engine->Submit(request, {[&](const GenerateDelta& delta) {
                                 streamed += delta.text;
                                 streamed_ids.insert(streamed_ids.end(), delta.token_ids.begin(),
                                                     delta.token_ids.end());
                                 EXPECT_EQ(delta.logprobs.size(), delta.token_ids.size());
                                 if (delta.cached_tokens.has_value()) ++deltas_with_cached;
                               },
                               [&](const GenerateResult& result) { done.set_value(result); }});
  ASSERT_TRUE(rid.ok());
  GenerateResult result = done.get_future().get();
  EXPECT_EQ(result.rid, *rid);
  EXPECT_EQ(streamed, result.text);
  EXPECT_EQ(streamed_ids, result.output_ids);
  EXPECT_EQ(deltas_with_cached, 1);
  ASSERT_EQ(result.logprobs.size(), 20u);
  for (const OutputLogprob& logprob : result.logprobs) {
    EXPECT_LE(logprob.logprob, 0.0f);
    ASSERT_EQ(logprob.top.size(), 3u);
    EXPECT_GE(logprob.top[0].logprob, logprob.top[1].logprob);
    EXPECT_GE(logprob.top[0].logprob, logprob.logprob);
  }
}

TEST(EngineTest, StopStringsStopTokensAndZeroMaxTokens) {
  auto engine = MakeEngine(TinyOptions());
  ASSERT_NE(engine, nullptr);
  // Learn what greedy generation says, then stop on a piece of it.
  absl::StatusOr<GenerateResult> free_run = engine->Generate(Greedy(Range(5, 25), 30));
  ASSERT_TRUE(free_run.ok());
  // The third generated token as a stop token id.
  GenerateRequest by_token = Greedy(Range(5, 25), 30);
  by_token.sampling.stop_token_ids = {free_run->output_ids[2]};
  absl::StatusOr<GenerateResult> stopped = engine->Generate(by_token);
  ASSERT_TRUE(stopped.ok());
  EXPECT_EQ(stopped->finish_reason, FinishReason::kStop);
  const auto first_hit =
      std::find(free_run->output_ids.begin(), free_run->output_ids.end(), free_run->output_ids[2]);
  EXPECT_EQ(stopped->completion_tokens, (first_hit - free_run->output_ids.begin()) + 1);
  EXPECT_EQ(stopped->matched_stop, free_run->output_ids[2]);

  // A stop string spanning tokens, taken from the middle of the text.
  if (free_run->text.size() >= 12) {
    const std::string stop = free_run->text.substr(6, 4);
    GenerateRequest by_string = Greedy(Range(5, 25), 30);
    by_string.sampling.stop = {stop};
    absl::StatusOr<GenerateResult> cut = engine->Generate(by_string);
    ASSERT_TRUE(cut.ok());
    EXPECT_EQ(cut->finish_reason, FinishReason::kStop);
    EXPECT_EQ(cut->matched_stop, stop);
    EXPECT_EQ(cut->text, free_run->text.substr(0, free_run->text.find(stop)));
    by_string.sampling.no_stop_trim = true;
    absl::StatusOr<GenerateResult> kept = engine->Generate(by_string);
    ASSERT_TRUE(kept.ok());
    EXPECT_EQ(kept->text, free_run->text.substr(0, free_run->text.find(stop) + stop.size()));
  }

  // max_new_tokens 0 only fills the cache (the seed's prefix warming).
  absl::StatusOr<GenerateResult> warm = engine->Generate(Greedy(Range(300, 340), 0));
  ASSERT_TRUE(warm.ok());
  EXPECT_EQ(warm->completion_tokens, 0);
  EXPECT_EQ(warm->finish_reason, FinishReason::kLength);
  absl::StatusOr<GenerateResult> warmed = engine->Generate(Greedy(Range(300, 350), 2));
  ASSERT_TRUE(warmed.ok());
  EXPECT_EQ(warmed->cached_tokens, 40);
}

TEST(EngineTest, RejectsBadRequestsWithClearErrors) {
  EngineOptions options = TinyOptions();
  options.context_length = 64;
  auto engine = MakeEngine(options);
  ASSERT_NE(engine, nullptr);
  auto submit = [&](GenerateRequest request) {
    return engine->Submit(std::move(request), {}).status();
  };
  EXPECT_THAT(submit(Greedy(Range(0, 64), 1)).message(),
              HasSubstr("The input (64 tokens) is longer than the model's context length (64 "
                        "tokens)."));
  EXPECT_THAT(submit(Greedy({}, 1)).message(), HasSubstr("prompt is empty"));
  EXPECT_THAT(submit(Greedy({1, 2, 512}, 1)).message(), HasSubstr("outside the vocabulary"));
  GenerateRequest bad_sampling = Greedy({1, 2, 3}, 1);
  bad_sampling.sampling.top_p = 0;
  EXPECT_EQ(submit(bad_sampling).code(), absl::StatusCode::kInvalidArgument);
  // Output is clipped to the context.
  absl::StatusOr<GenerateResult> clipped = engine->Generate(Greedy(Range(0, 60), 100));
  ASSERT_TRUE(clipped.ok());
  EXPECT_EQ(clipped->completion_tokens, 4);
  EXPECT_EQ(clipped->finish_reason, FinishReason::kLength);

  EngineOptions broken = TinyOptions();
  broken.model_dir = "/nonexistent/model";
  EXPECT_THAT(Engine::Create(broken).status().message(), HasSubstr("/nonexistent/model"));
  broken = TinyOptions();
  broken.page_size = 65;
  EXPECT_THAT(Engine::Create(broken).status().message(), HasSubstr("page_size"));
}

// Greedy generation of `prompts` one at a time on a cache-less engine: the reference.
std::vector<std::vector<std::int32_t>> SoloOutputs(
    const std::vector<std::vector<std::int32_t>>& prompts, std::int64_t max_new_tokens) {
  EngineOptions options = TinyOptions();
  options.enable_radix_cache = false;
  auto engine = MakeEngine(options);
  std::vector<std::vector<std::int32_t>> outputs;
  for (const auto& prompt : prompts) {
    absl::StatusOr<GenerateResult> result = engine->Generate(Greedy(prompt, max_new_tokens));
    EXPECT_TRUE(result.ok()) << result.status();
    outputs.push_back(result.ok() ? result->output_ids : std::vector<std::int32_t>{});
  }
  return outputs;
}

// Submits all prompts at once and waits for every result.
std::vector<GenerateResult> RunConcurrently(Engine& engine,
                                            const std::vector<std::vector<std::int32_t>>& prompts,
                                            std::int64_t max_new_tokens) {
  std::vector<std::promise<GenerateResult>> done(prompts.size());
  for (std::size_t i = 0; i < prompts.size(); ++i) {
    absl::StatusOr<std::string> rid =
        engine.Submit(Greedy(prompts[i], max_new_tokens),
                      {nullptr, [&done, i](const GenerateResult& r) { done[i].set_value(r); }});
    EXPECT_TRUE(rid.ok()) << rid.status();
    if (!rid.ok()) done[i].set_value(GenerateResult{});
  }
  std::vector<GenerateResult> results;
  for (auto& promise : done) results.push_back(promise.get_future().get());
  return results;
}

// Prompts that share prefixes in several ways: one system prompt, branches, exact repeats.
std::vector<std::vector<std::int32_t>> SharedPrefixPrompts() {
  const std::vector<std::int32_t> system = Range(0, 37);
  std::vector<std::vector<std::int32_t>> prompts;
  for (int i = 0; i < 12; ++i) {
    prompts.push_back(Concat(system, Range(100 + 7 * i, 100 + 7 * i + 5 + 3 * (i % 4))));
  }
  prompts.push_back(system);
  prompts.push_back(prompts[3]);
  prompts.push_back(Concat(prompts[5], Range(400, 423)));
  prompts.push_back(Range(200, 203));
  return prompts;
}

class CachedEqualsUncachedTest : public ::testing::TestWithParam<int> {};

TEST_P(CachedEqualsUncachedTest, ConcurrentRequestsSharingPrefixes) {
  const std::vector<std::vector<std::int32_t>> prompts = SharedPrefixPrompts();
  const std::vector<std::vector<std::int32_t>> expected = SoloOutputs(prompts, 24);
  EngineOptions options = TinyOptions();
  options.page_size = GetParam();
  options.max_running_requests = 6;
  options.chunked_prefill_size = 32;
  auto engine = MakeEngine(options);
  ASSERT_NE(engine, nullptr);
  // Twice: the second round hits what the first cached.
  for (int round = 0; round < 2; ++round) {
    std::vector<GenerateResult> results = RunConcurrently(*engine, prompts, 24);
    for (std::size_t i = 0; i < prompts.size(); ++i) {
      EXPECT_EQ(results[i].output_ids, expected[i]) << "prompt " << i << " round " << round;
      if (round == 1) {
        EXPECT_GE(results[i].cached_tokens,
                  (static_cast<std::int64_t>(prompts[i].size()) - 1) / GetParam() * GetParam())
            << "prompt " << i;
      }
    }
  }
  EngineStats stats = engine->stats();
  EXPECT_GT(stats.cache_hit_rate, 0.5);
  EXPECT_EQ(stats.running_requests, 0);
  // Nothing but the cache holds pages once every request is done.
  EXPECT_EQ(stats.kv_pages_used, stats.kv_pages_cached);
}

TEST_P(CachedEqualsUncachedTest, PoolFarSmallerThanTheWorkload) {
  const std::vector<std::vector<std::int32_t>> prompts = SharedPrefixPrompts();
  const std::vector<std::vector<std::int32_t>> expected = SoloOutputs(prompts, 24);
  EngineOptions options = TinyOptions();
  options.page_size = GetParam();
  options.max_kv_tokens = 160;  // the workload needs ~1000 tokens at once
  options.max_running_requests = 8;
  options.chunked_prefill_size = 16;
  auto engine = MakeEngine(options);
  ASSERT_NE(engine, nullptr);
  std::vector<GenerateResult> results = RunConcurrently(*engine, prompts, 24);
  for (std::size_t i = 0; i < prompts.size(); ++i) {
    EXPECT_EQ(results[i].finish_reason, FinishReason::kLength) << results[i].error;
    EXPECT_EQ(results[i].output_ids, expected[i]) << "prompt " << i;
  }
  EngineStats stats = engine->stats();
  EXPECT_GT(stats.evicted_tokens_total, 0);
  EXPECT_EQ(stats.kv_pages_used, stats.kv_pages_cached);
  ASSERT_TRUE(engine->FlushCache().ok());
  EXPECT_EQ(engine->stats().kv_pages_used, 0);
}

INSTANTIATE_TEST_SUITE_P(PageSizes, CachedEqualsUncachedTest, ::testing::Values(1, 4, 16));

TEST_P(CachedEqualsUncachedTest, MultiTurnConversationComputesOnlyNewTokens) {
  EngineOptions options = TinyOptions();
  options.page_size = GetParam();
  auto engine = MakeEngine(options);
  ASSERT_NE(engine, nullptr);
  std::vector<std::int32_t> history = Range(0, 50);
  std::vector<std::vector<std::int32_t>> prompts, outputs;
  for (int turn = 0; turn < 5; ++turn) {
    history = Concat(history, Range(200 + 10 * turn, 208 + 10 * turn));  // the user's message
    absl::StatusOr<GenerateResult> result = engine->Generate(Greedy(history, 6));
    ASSERT_TRUE(result.ok());
    if (turn > 0) {
      // Everything before this turn's message was computed last turn, whatever the page size
      // (the partial last page is copied), but the answer's last token, whose KV is computed now.
      const std::int64_t new_tokens = 8 + 1;
      EXPECT_EQ(result->cached_tokens, result->prompt_tokens - new_tokens) << "turn " << turn;
    }
    prompts.push_back(history);
    outputs.push_back(result->output_ids);
    history = Concat(history, result->output_ids);
  }
  EXPECT_EQ(outputs, SoloOutputs(prompts, 6));
}

TEST(EngineTest, AbortMidPrefillAndMidDecodeReturnsEveryPage) {
  EngineOptions options = TinyOptions();
  options.chunked_prefill_size = 8;  // a long prompt takes many steps
  auto engine = MakeEngine(options);
  ASSERT_NE(engine, nullptr);
  std::promise<GenerateResult> prefill_done;
  std::promise<GenerateResult> decode_done;
  std::atomic<int> decoded{0};
  GenerateRequest long_prompt = Greedy(Range(0, 1500), 4);
  long_prompt.rid = "in-prefill";
  GenerateRequest long_output = Greedy(Range(10, 20), 1000);
  long_output.rid = "in-decode";
  std::promise<void> decoding;
  ASSERT_TRUE(
      engine
          ->Submit(long_output, {[&](const GenerateDelta&) {
                                   if (++decoded == 5) decoding.set_value();
                                 },
                                 [&](const GenerateResult& r) { decode_done.set_value(r); }})
          .ok());
  ASSERT_TRUE(engine
                  ->Submit(long_prompt,
                           {nullptr, [&](const GenerateResult& r) { prefill_done.set_value(r); }})
                  .ok());
  decoding.get_future().wait();
  EXPECT_TRUE(engine->Abort("in-prefill"));
  EXPECT_TRUE(engine->Abort("in-decode"));
  GenerateResult prefill = prefill_done.get_future().get();
  GenerateResult decode = decode_done.get_future().get();
  EXPECT_EQ(prefill.finish_reason, FinishReason::kAbort);
  EXPECT_EQ(prefill.completion_tokens, 0);
  EXPECT_EQ(decode.finish_reason, FinishReason::kAbort);
  EXPECT_LT(decode.completion_tokens, 1000);
  EXPECT_FALSE(engine->Abort("in-decode"));  // gone
  EngineStats stats = engine->stats();
  EXPECT_EQ(stats.requests_aborted_total, 2);
  EXPECT_EQ(stats.kv_pages_used, stats.kv_pages_cached);
  ASSERT_TRUE(engine->FlushCache().ok());
  EXPECT_EQ(engine->stats().kv_pages_used, 0);
}

TEST(EngineTest, FullQueueIsResourceExhausted) {
  EngineOptions options = TinyOptions();
  options.max_running_requests = 1;
  options.max_queued_requests = 2;
  auto engine = MakeEngine(options);
  ASSERT_NE(engine, nullptr);
  std::mutex mutex;
  int finished = 0;
  int accepted = 0;
  int rejected = 0;
  for (int i = 0; i < 12; ++i) {
    absl::StatusOr<std::string> rid =
        engine->Submit(Greedy(Range(i, i + 10), 200), {nullptr, [&](const GenerateResult&) {
                                                         std::lock_guard lock(mutex);
                                                         ++finished;
                                                       }});
    if (rid.ok()) {
      ++accepted;
    } else {
      EXPECT_EQ(rid.status().code(), absl::StatusCode::kResourceExhausted);
      EXPECT_EQ(rid.status().message(), "The request queue is full.");
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 0);
  engine->AbortAll();
  engine.reset();  // joins; every accepted request got its on_done
  EXPECT_EQ(finished, accepted);
}

// A request on its way from Submit() into the scheduler's queue still counts against
// max_queued_requests: once the loop thread took it in, until the step after it published the
// queue's new length, a second request used to find the queue empty (a flaky e2e 503 test).
TEST(EngineTest, ARequestEnteringTheQueueKeepsItFull) {
  EngineOptions options = TinyOptions();
  options.max_running_requests = 1;
  options.max_queued_requests = 1;
  auto engine = MakeEngine(options);
  ASSERT_NE(engine, nullptr);
  // A long generation holds the one running slot: to the end of the tiny model's context, a few
  // tens of milliseconds. If one ends while a check runs, that check proves nothing (the waiting
  // request may run and the queue empty) and is repeated with a new one.
  std::atomic<int> long_runs_ended = 0;
  int long_runs = 0;
  auto start_long_run = [&] {
    GenerateRequest running = Greedy(Range(0, 10), 1 << 20);
    running.rid = "running-" + std::to_string(long_runs++);
    ASSERT_TRUE(
        engine->Submit(running, {nullptr, [&](const GenerateResult&) { ++long_runs_ended; }}).ok());
    while (engine->stats().running_requests == 0) std::this_thread::yield();
  };
  int checks = 0;
  for (int cycle = 0; checks < 20 && cycle < 200; ++cycle) {
    if (long_runs_ended == long_runs) ASSERT_NO_FATAL_FAILURE(start_long_run());
    std::promise<void> queued_done;
    GenerateRequest queued = Greedy(Range(cycle, cycle + 10), 1);
    queued.rid = "queued";
    absl::StatusOr<std::string> accepted =
        engine->Submit(queued, {nullptr, [&](const GenerateResult&) { queued_done.set_value(); }});
    ASSERT_TRUE(accepted.ok()) << "cycle " << cycle << ": " << accepted.status();
    // While "queued" waits behind the long run, every other request is refused.
    bool long_run_ended = false;
    for (int attempt = 0; attempt < 200 && !long_run_ended; ++attempt) {
      absl::StatusOr<std::string> extra = engine->Submit(Greedy(Range(1, 5), 1), {});
      if (extra.ok() && long_runs_ended == long_runs) {
        long_run_ended = true;  // its on_done ran before the queue could empty: not a finding
        engine->Abort(*extra);
        break;
      }
      ASSERT_EQ(extra.status().code(), absl::StatusCode::kResourceExhausted)
          << "cycle " << cycle << ", attempt " << attempt;
    }
    engine->Abort("queued");
    queued_done.get_future().wait();
    if (!long_run_ended) ++checks;
  }
  EXPECT_EQ(checks, 20);
  engine->AbortAll();
}

TEST(EngineTest, DuplicateLiveRidIsRejected) {
  auto engine = MakeEngine(TinyOptions());
  ASSERT_NE(engine, nullptr);
  GenerateRequest request = Greedy(Range(0, 10), 500);
  request.rid = "same";
  ASSERT_TRUE(engine->Submit(request, {}).ok());
  EXPECT_THAT(engine->Submit(request, {}).status().message(), HasSubstr("already in use"));
  EXPECT_TRUE(engine->Abort("same"));
}

TEST(EngineTest, ChatTemplateRendersMessages) {
  auto engine = MakeEngine(TinyOptions());
  ASSERT_NE(engine, nullptr);
  EXPECT_TRUE(engine->model_info().has_chat_template);
  nlohmann::ordered_json messages = nlohmann::ordered_json::array(
      {{{"role", "system"}, {"content", "Be brief."}}, {{"role", "user"}, {"content", "Hi"}}});
  absl::StatusOr<std::string> prompt = engine->ApplyChatTemplate(messages);
  ASSERT_TRUE(prompt.ok()) << prompt.status();
  EXPECT_THAT(*prompt, HasSubstr("Be brief."));
  EXPECT_THAT(*prompt, HasSubstr("Hi"));
}

TEST(EngineTest, DestroyingTheEngineAbortsWhatRuns) {
  auto engine = MakeEngine(TinyOptions());
  ASSERT_NE(engine, nullptr);
  std::promise<GenerateResult> done;
  ASSERT_TRUE(engine
                  ->Submit(Greedy(Range(0, 10), 100000),
                           {nullptr, [&](const GenerateResult& r) { done.set_value(r); }})
                  .ok());
  engine.reset();
  GenerateResult result = done.get_future().get();
  EXPECT_EQ(result.finish_reason, FinishReason::kAbort);
  EXPECT_EQ(result.error.code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace radixlm::engine

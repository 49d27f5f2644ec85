#include "bench/engine/multi_turn_bench.h"

#include <cstdio>
#include <initializer_list>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "bench/engine/bench_stats.h"
#include "bench/engine/machine_info.h"
#include "bench/engine/markdown_table.h"
#include "bench/engine/request_driver.h"
#include "bench/engine/token_prompts.h"

namespace radixlm::bench {
namespace {

// Per turn index, over sessions.
struct TurnSamples {
  std::vector<double> prompt_tokens;
  std::vector<double> cached_tokens;
  std::vector<double> ttft_ms;
};

struct ModeResult {
  std::vector<TurnSamples> turns;
  // The first session's prompt and cached-token count per turn, to price its new tokens later.
  std::vector<std::vector<std::int32_t>> first_session_prompts;
  std::vector<std::int64_t> first_session_cached;
  double wall_seconds = 0;
  std::string load_average;  // after the run
};

struct Session {
  std::vector<std::int32_t> history;  // system prompt and every finished turn
  int next_turn = 0;
};

// The user message of `turn` in `session`: a fresh stream per (session, turn).
std::vector<std::int32_t> UserMessage(const TokenPrompts& prompts, const MultiTurnParams& params,
                                      int session, int turn) {
  const auto stream = static_cast<std::uint64_t>(1 + session * params.turns + turn);
  return prompts.Tokens(stream, params.user_tokens);
}

absl::Status RunSessions(engine::Engine& engine, const MultiTurnParams& params,
                         ModeResult& result) {
  const TokenPrompts prompts(params.seed);
  const std::vector<std::int32_t> system = prompts.Tokens(0, params.system_tokens);
  std::vector<Session> sessions(static_cast<std::size_t>(params.sessions));
  result.turns.assign(static_cast<std::size_t>(params.turns), {});
  RequestDriver driver(&engine);
  std::vector<int> session_of_request;

  auto submit_turn = [&](int session_index) -> absl::Status {
    Session& session = sessions[static_cast<std::size_t>(session_index)];
    if (session.next_turn == 0) session.history = system;
    std::vector<std::int32_t> user = UserMessage(prompts, params, session_index, session.next_turn);
    session.history.insert(session.history.end(), user.begin(), user.end());
    absl::StatusOr<int> index = driver.Submit(GreedyRequest(session.history, params.reply_tokens));
    if (!index.ok()) return index.status();
    session_of_request.resize(static_cast<std::size_t>(*index) + 1, -1);
    session_of_request[static_cast<std::size_t>(*index)] = session_index;
    return absl::OkStatus();
  };

  const absl::Time start = absl::Now();
  int started = 0;
  while (started < params.sessions && started < params.in_flight) {
    if (absl::Status status = submit_turn(started++); !status.ok()) return status;
  }
  while (driver.in_flight() > 0) {
    const int index = driver.WaitNext();
    const int session_index = session_of_request[static_cast<std::size_t>(index)];
    Session& session = sessions[static_cast<std::size_t>(session_index)];
    const engine::GenerateResult& done = driver.trace(index).result;
    if (done.finish_reason == engine::FinishReason::kAbort) {
      return absl::InternalError("a multi-turn request was aborted: " + done.error.ToString());
    }
    TurnSamples& turn = result.turns[static_cast<std::size_t>(session.next_turn)];
    turn.prompt_tokens.push_back(static_cast<double>(done.prompt_tokens));
    turn.cached_tokens.push_back(static_cast<double>(done.cached_tokens));
    turn.ttft_ms.push_back(absl::ToDoubleMilliseconds(done.time_to_first_token));
    if (session_index == 0) {
      result.first_session_prompts.push_back(session.history);
      result.first_session_cached.push_back(done.cached_tokens);
    }
    session.history.insert(session.history.end(), done.output_ids.begin(), done.output_ids.end());
    ++session.next_turn;
    if (session.next_turn < params.turns) {
      if (absl::Status status = submit_turn(session_index); !status.ok()) return status;
    } else if (started < params.sessions) {
      if (absl::Status status = submit_turn(started++); !status.ok()) return status;
    }
  }
  result.wall_seconds = absl::ToDoubleSeconds(absl::Now() - start);
  result.load_average = LoadAverage();
  return absl::OkStatus();
}

// TTFT of fresh `tokens`-token prompts with nothing cached: the cost of the new tokens alone.
absl::StatusOr<double> FreshPromptTtftMs(engine::Engine& engine, std::int64_t tokens, int repeats) {
  const TokenPrompts prompts(0xf5e54);
  std::vector<double> ttft_ms;
  for (int i = 0; i < repeats; ++i) {
    RequestDriver driver(&engine);
    absl::StatusOr<int> index =
        driver.Submit(GreedyRequest(prompts.Tokens(static_cast<std::uint64_t>(i), tokens), 1));
    if (!index.ok()) return index.status();
    driver.WaitAll();
    ttft_ms.push_back(absl::ToDoubleMilliseconds(driver.trace(*index).result.time_to_first_token));
  }
  return Median(ttft_ms);
}

// The cost of `new_tokens` new tokens where they stand — after their context, attending to it —
// with nothing else computed: the prompt's context (all but its last `new_tokens` tokens) is run
// first and cached, then an unrelated request decodes `reply_tokens` tokens (as the previous turn's
// reply does before a real turn: without it the context's KV would still be in the CPU caches and
// the reference ~10% faster than any real turn can be), then the whole prompt, whose TTFT is
// measured. The first token is replaced by a fresh one per repeat so that nothing else in the
// cache is shared; the cache copies a partial last page, so exactly the new tokens are computed
// at any page size.
absl::StatusOr<double> NewTokensTtftMs(engine::Engine& engine, std::vector<std::int32_t> prompt,
                                       std::int64_t new_tokens, std::int64_t reply_tokens,
                                       int repeats, int salt) {
  std::vector<double> ttft_ms;
  for (int i = 0; i < repeats; ++i) {
    prompt[0] = 31000 + salt * 97 + i;  // one first token per (turn, repeat): nothing shared
    const std::vector<std::int32_t> context(prompt.begin(), prompt.end() - new_tokens);
    std::vector<std::int32_t> unrelated(16, 30000 + salt * 97 + i);
    for (const std::vector<std::int32_t>* request :
         std::initializer_list<const std::vector<std::int32_t>*>{&context, &unrelated, &prompt}) {
      RequestDriver driver(&engine);
      absl::StatusOr<int> index =
          driver.Submit(GreedyRequest(*request, request == &unrelated ? reply_tokens : 1));
      if (!index.ok()) return index.status();
      driver.WaitAll();
      const engine::GenerateResult& done = driver.trace(*index).result;
      if (request == &prompt) {
        if (done.prompt_tokens - done.cached_tokens != new_tokens) {
          return absl::InternalError("the reference request did not compute exactly its new tokens");
        }
        ttft_ms.push_back(absl::ToDoubleMilliseconds(done.time_to_first_token));
      }
    }
  }
  return Median(ttft_ms);
}

absl::Status Warm(engine::Engine& engine) {
  RequestDriver driver(&engine);
  absl::StatusOr<int> index = driver.Submit(GreedyRequest(TokenPrompts(99).Tokens(0, 32), 8));
  if (!index.ok()) return index.status();
  driver.WaitAll();
  return absl::OkStatus();
}

std::string Share(double computed, double prompt) {
  return prompt > 0 ? Fixed(100 * computed / prompt, 1) + "%" : "-";
}

}  // namespace

absl::Status RunMultiTurnBench(const BenchOptions& options, const MultiTurnParams& params,
                               nlohmann::json& report) {
  std::printf(
      "### multi-turn chat: %s, %s weights; %d sessions x %d turns, system %lld, user %lld, "
      "reply %lld tokens, seed %llu, %d session(s) in flight\n\n",
      options.shape.c_str(), options.weights.c_str(), params.sessions, params.turns,
      static_cast<long long>(params.system_tokens), static_cast<long long>(params.user_tokens),
      static_cast<long long>(params.reply_tokens), static_cast<unsigned long long>(params.seed),
      params.in_flight);
  ModeResult on, off;
  double fresh_ttft_ms = 0;
  std::int64_t new_tokens = 0;
  // Per cached turn of the first session: the TTFT of its new tokens alone, and its own TTFT over
  // that.
  std::vector<double> reference_ms, reference_ratio;
  for (const bool cache : {true, false}) {
    absl::StatusOr<std::unique_ptr<engine::Engine>> engine = CreateBenchEngine(options, cache);
    if (!engine.ok()) return engine.status();
    if (absl::Status status = Warm(**engine); !status.ok()) return status;
    if (absl::Status status = RunSessions(**engine, params, cache ? on : off); !status.ok()) {
      return status;
    }
    if (cache) {
      // What a cached turn computes: its user message, the previous reply's last token (whose KV
      // was never computed) and the tail of the page the cache could not share.
      std::vector<double> computed;
      for (std::size_t turn = 1; turn < on.turns.size(); ++turn) {
        for (std::size_t i = 0; i < on.turns[turn].prompt_tokens.size(); ++i) {
          computed.push_back(on.turns[turn].prompt_tokens[i] - on.turns[turn].cached_tokens[i]);
        }
      }
      new_tokens = static_cast<std::int64_t>(Median(computed));
    } else if (new_tokens > 0) {
      absl::StatusOr<double> fresh = FreshPromptTtftMs(**engine, new_tokens, 5);
      if (!fresh.ok()) return fresh.status();
      fresh_ttft_ms = *fresh;
    }
  }
  {
    // The reference runs on a fresh engine like the measured one, with the cache on.
    absl::StatusOr<std::unique_ptr<engine::Engine>> engine = CreateBenchEngine(options, true);
    if (!engine.ok()) return engine.status();
    if (absl::Status status = Warm(**engine); !status.ok()) return status;
    for (std::size_t turn = 1; turn < on.first_session_prompts.size(); ++turn) {
      absl::StatusOr<double> reference =
          NewTokensTtftMs(**engine, on.first_session_prompts[turn], params.user_tokens,
                          params.reply_tokens, params.reference_repeats, static_cast<int>(turn));
      if (!reference.ok()) return reference.status();
      reference_ms.push_back(*reference);
      // Every session's turn has the same lengths: the turn's TTFT is their median.
      reference_ratio.push_back(*reference > 0 ? Median(on.turns[turn].ttft_ms) / *reference : 0);
    }
  }

  MarkdownTable table({"turn", "prompt tokens", "cached (on)", "computed (on)",
                       "TTFT p50/p95 ms (on)", "cached (off)", "computed (off)",
                       "TTFT p50/p95 ms (off)", "guide", "floor (new tokens)"});
  double prompt_total = 0, cached_on_total = 0, cached_off_total = 0;
  std::vector<double> cached_turn_ttft;
  for (int turn = 0; turn < params.turns; ++turn) {
    const TurnSamples& a = on.turns[static_cast<std::size_t>(turn)];
    const TurnSamples& b = off.turns[static_cast<std::size_t>(turn)];
    const double prompt = Median(a.prompt_tokens);
    const double cached_on = Median(a.cached_tokens);
    const double cached_off = Median(b.cached_tokens);
    prompt_total += Sum(a.prompt_tokens);
    cached_on_total += Sum(a.cached_tokens);
    cached_off_total += Sum(b.cached_tokens);
    if (turn > 0)
      cached_turn_ttft.insert(cached_turn_ttft.end(), a.ttft_ms.begin(), a.ttft_ms.end());
    // The guide's table (docs/RADIX_ATTENTION.md of SGLang): turn 2 computes ~60%, turn 5 ~30%.
    const std::string guide = turn == 1 ? "~60%" : turn == 4 ? "~30%" : "";
    table.AddRow(
        {std::to_string(turn + 1), Fixed(prompt, 0), Fixed(cached_on, 0),
         Share(prompt - cached_on, prompt),
         Fixed(Percentile(a.ttft_ms, 0.5), 1) + " / " + Fixed(Percentile(a.ttft_ms, 0.95), 1),
         Fixed(cached_off, 0), Share(prompt - cached_off, prompt),
         Fixed(Percentile(b.ttft_ms, 0.5), 1) + " / " + Fixed(Percentile(b.ttft_ms, 0.95), 1),
         guide, Share(static_cast<double>(params.user_tokens), prompt)});
  }
  table.AddRow({"total", Fixed(prompt_total, 0), Fixed(cached_on_total, 0),
                Share(prompt_total - cached_on_total, prompt_total),
                "wall " + Fixed(on.wall_seconds, 1) + " s", Fixed(cached_off_total, 0),
                Share(prompt_total - cached_off_total, prompt_total),
                "wall " + Fixed(off.wall_seconds, 1) + " s", "", ""});
  table.Print();
  const double cached_p50 = Percentile(cached_turn_ttft, 0.5);
  std::printf(
      "Speed-up of the whole workload, cache on vs off: %.2fx. TTFT of cached turns (2..%d, p50) "
      "%.1f ms vs a fresh %lld-token prompt without context (the new tokens alone, p50 of 5) "
      "%.1f ms: %.2fx. Load average after: on %s, off %s.\n\n",
      off.wall_seconds / on.wall_seconds, params.turns, cached_p50,
      static_cast<long long>(new_tokens), fresh_ttft_ms,
      fresh_ttft_ms > 0 ? cached_p50 / fresh_ttft_ms : 0.0, on.load_average.c_str(),
      off.load_average.c_str());
  MarkdownTable reference_table({"turn", "cached tokens", "computed tokens",
                                 "TTFT p50 ms (all sessions)", "new tokens",
                                 "TTFT of the new tokens alone ms", "ratio"});
  for (std::size_t i = 0; i < reference_ms.size(); ++i) {
    const std::size_t turn = i + 1;
    const auto prompt = static_cast<std::int64_t>(on.first_session_prompts[turn].size());
    reference_table.AddRow({std::to_string(turn + 1),
                            std::to_string(on.first_session_cached[turn]),
                            std::to_string(prompt - on.first_session_cached[turn]),
                            Fixed(Median(on.turns[turn].ttft_ms), 1),
                            std::to_string(params.user_tokens), Fixed(reference_ms[i], 1),
                            Fixed(reference_ratio[i], 2) + "x"});
  }
  if (!reference_ms.empty()) {
    std::printf(
        "Cached-turn TTFT against the cost of its new tokens alone where they stand: session 1's "
        "prompt with a fresh first token, its context run and cached first (then an unrelated "
        "request decodes a reply's worth of tokens, as before a real turn), so that exactly the %lld new tokens are computed (attention to the "
        "context included), median of %d:\n\n",
        static_cast<long long>(params.user_tokens), params.reference_repeats);
    reference_table.Print();
    std::printf("Median ratio %.2fx (target <= 1.10x).\n\n", Median(reference_ratio));
  }
  report["multi_turn"] = {{"params",
                           {{"sessions", params.sessions},
                            {"turns", params.turns},
                            {"system_tokens", params.system_tokens},
                            {"user_tokens", params.user_tokens},
                            {"reply_tokens", params.reply_tokens},
                            {"seed", params.seed},
                            {"in_flight", params.in_flight}}},
                          {"table", table.ToJson()},
                          {"wall_seconds_on", on.wall_seconds},
                          {"wall_seconds_off", off.wall_seconds},
                          {"cached_turn_ttft_p50_ms", cached_p50},
                          {"new_tokens", new_tokens},
                          {"fresh_prompt_ttft_ms", fresh_ttft_ms},
                          {"reference_table", reference_table.ToJson()},
                          {"reference_ratio_median",
                           reference_ratio.empty() ? 0.0 : Median(reference_ratio)}};
  return absl::OkStatus();
}

}  // namespace radixlm::bench

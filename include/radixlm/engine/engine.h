// radixlm/engine/engine.h — the embedded engine: a Hugging Face Llama-family checkpoint running on
// the CPU, with a RadixAttention prefix cache and continuous batching, in-process.
//
//   radixlm::engine::EngineOptions options;
//   options.model_dir = "/models/SmolLM2-135M-Instruct";
//   auto engine = radixlm::engine::Engine::Create(options);
//   if (!engine.ok()) return engine.status();
//   radixlm::engine::GenerateRequest request;
//   request.text = "The capital of France is";
//   request.sampling.max_new_tokens = 16;
//   auto result = (*engine)->Generate(std::move(request));   // blocking
//   // result->text, result->cached_tokens, result->finish_reason ...
//
// One scheduler thread owns the model, the KV page pool and the radix cache. Submit() queues a
// request and returns at once; the scheduler batches it with the others (chunked prefill mixed
// with decode steps, longest cached prefix first) and reports through the request's callbacks.
// Generate() is Submit() plus a wait.
//
// Thread safety: every method may be called from any thread. Callbacks run on the scheduler
// thread, one request's in order; they must return quickly and may call only Abort() (which only
// records the wish) and the const tokenizer methods (Tokenize, Detokenize, ApplyChatTemplate),
// which never wait for the scheduler. The engine destroys a request's callbacks on the scheduler
// thread right after its on_done returns.
#ifndef RADIXLM_ENGINE_ENGINE_H_
#define RADIXLM_ENGINE_ENGINE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "radixlm/engine/sampling_params.h"

namespace radixlm::engine {

enum class SchedulePolicy {
  kLongestPrefix,  // SGLang's "lpm": waiting requests with the longest cached prefix first
  kFcfs,           // first come, first served
};

struct EngineOptions {
  // A Hugging Face model folder (config.json, *.safetensors, tokenizer.json, ...).
  std::string model_dir;
  // Name reported to clients (/v1/models); empty: the folder's name.
  std::string served_model_name;
  // Worker threads for the kernels; 0: one per core.
  int threads = 0;
  // Linear-layer weights: "stored" (the checkpoint's own type), "int8" (per output channel) or
  // "int8-block" (per 32-element block).
  std::string weight_type = "stored";
  // KV cache element type: "bf16" or "f32".
  std::string kv_cache_dtype = "bf16";
  // Tokens per KV page (1..64).
  int page_size = 16;
  // KV pool size in tokens; 0: max_kv_memory_bytes decides.
  std::int64_t max_kv_tokens = 0;
  // KV pool budget when max_kv_tokens is 0.
  std::int64_t max_kv_memory_bytes = std::int64_t{1} << 30;
  // Longest prompt + output; 0: the model's max_position_embeddings.
  std::int64_t context_length = 0;
  // Requests decoding or prefilling at once.
  int max_running_requests = 32;
  // Requests waiting for admission; Submit() beyond it fails with kResourceExhausted.
  int max_queued_requests = 1024;
  // Prompt tokens prefilled per step (one long prompt is split into chunks of this size).
  std::int64_t chunked_prefill_size = 512;
  SchedulePolicy schedule_policy = SchedulePolicy::kLongestPrefix;
  // false: every prompt is computed from scratch (the "cache off" baseline).
  bool enable_radix_cache = true;
  // Seed for requests without SamplingParams::seed.
  std::uint64_t random_seed = 0;
};

// Where a request's prompt comes from: `input_ids` when not empty, else `text` (tokenized with the
// tokenizer's special tokens, e.g. BOS), else `messages` rendered by the chat template.
struct GenerateRequest {
  // Request id for Abort(); empty: the engine makes one.
  std::string rid;
  std::string text;
  std::vector<std::int32_t> input_ids;
  SamplingParams sampling;
};

enum class FinishReason {
  kStop,    // EOS, a stop token or a stop string
  kLength,  // max_new_tokens or the context length
  kAbort,   // Abort(), shutdown, or an error mid-generation (see GenerateResult::error)
};
std::string_view FinishReasonName(FinishReason reason);  // "stop", "length", "abort"

struct TopLogprob {
  std::int32_t token = 0;
  float logprob = 0;
};

struct OutputLogprob {
  std::int32_t token = 0;
  float logprob = 0;
  std::vector<TopLogprob> top;  // SamplingParams::top_logprobs alternatives, most likely first
};

// What one scheduler step added to a request.
struct GenerateDelta {
  std::string_view rid;
  // New output text: complete UTF-8 characters only, and none of a possible stop string until
  // it is known not to be one.
  std::string text;
  std::vector<std::int32_t> token_ids;
  std::vector<OutputLogprob> logprobs;  // when SamplingParams::return_logprob, per token
  // Set on the first delta: how many prompt tokens the cache supplied, and the prompt's log
  // probabilities (GenerateResult::prompt_logprobs).
  std::optional<std::int64_t> cached_tokens;
  std::vector<OutputLogprob> prompt_logprobs;
};

struct GenerateResult {
  std::string rid;
  std::string text;  // the whole output (stop string trimmed unless no_stop_trim)
  std::vector<std::int32_t> output_ids;
  std::vector<OutputLogprob> logprobs;
  // With return_logprob and SamplingParams::logprob_start_len = k >= 0: the prompt tokens at
  // positions k + 1 .. prompt_tokens - 1, in order, each with its log probability given the
  // tokens before it. The token at position k has none: nothing computed predicts it (SGLang
  // reports it with a null log probability).
  std::vector<OutputLogprob> prompt_logprobs;
  FinishReason finish_reason = FinishReason::kStop;
  // The stop string or token id that ended generation (null otherwise), as SGLang reports it.
  nlohmann::json matched_stop;
  // Why an aborted request stopped: kCancelled for Abort()/AbortAll(), kUnavailable when the
  // engine shut down, kResourceExhausted when the KV cache could not hold it, kInternal for a
  // failed forward pass. OK unless finish_reason is kAbort.
  absl::Status error;
  std::int64_t prompt_tokens = 0;
  std::int64_t cached_tokens = 0;
  std::int64_t completion_tokens = 0;
  absl::Duration queue_time;           // submit → first scheduled
  absl::Duration prefill_time;         // first scheduled → first output token
  absl::Duration decode_time;          // first output token → finish
  absl::Duration time_to_first_token;  // submit → first output token
  absl::Duration latency;              // submit → finish
  // Times the request was preempted for memory and resumed.
  std::int64_t retractions = 0;
};

struct RequestCallbacks {
  // Called for every step that produced output (optional).
  std::function<void(const GenerateDelta&)> on_delta;
  // Called exactly once, last.
  std::function<void(const GenerateResult&)> on_done;
};

// Counters for /metrics; a consistent snapshot.
struct EngineStats {
  std::int64_t running_requests = 0;
  std::int64_t queued_requests = 0;
  std::int64_t kv_pages_total = 0;
  std::int64_t kv_pages_used = 0;    // by requests and the cache together
  std::int64_t kv_pages_cached = 0;  // held by the radix cache
  std::int64_t page_size = 0;
  std::int64_t prompt_tokens_total = 0;
  std::int64_t cached_tokens_total = 0;  // prompt tokens served from the cache
  std::int64_t generated_tokens_total = 0;
  std::int64_t requests_total = 0;
  std::int64_t requests_aborted_total = 0;
  std::int64_t evicted_tokens_total = 0;
  std::int64_t preemptions_total = 0;
  std::int64_t forward_steps_total = 0;
  // cached_tokens_total / prompt_tokens_total (0 when nothing was asked yet).
  double cache_hit_rate = 0;
};

// What clients can learn about the served model (/get_model_info, /v1/models, /get_server_info).
struct EngineModelInfo {
  std::string model_path;
  std::string served_model_name;
  std::string architecture;  // e.g. "LlamaForCausalLM"
  std::int64_t context_length = 0;
  std::int64_t vocab_size = 0;
  std::int64_t max_kv_tokens = 0;
  std::vector<std::int32_t> eos_token_ids;
  bool has_chat_template = false;
  std::string weight_type;
  std::string kv_cache_dtype;
};

class Engine {
 public:
  // Loads the model and starts the scheduler thread. Errors name the file or option at fault.
  static absl::StatusOr<std::unique_ptr<Engine>> Create(const EngineOptions& options);
  // Aborts what is still running (on_done with kAbort) and joins the scheduler thread.
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Queues `request`; returns its rid. kInvalidArgument for bad sampling parameters, an empty
  // prompt, out-of-vocabulary ids, a prompt (+ min_new_tokens) over the context length or a
  // duplicate rid of a live request; kResourceExhausted when the waiting queue is full;
  // kUnavailable after shutdown began. On error no callback is ever called.
  absl::StatusOr<std::string> Submit(GenerateRequest request, RequestCallbacks callbacks);

  // Submit() and wait for the end. Errors are Submit()'s; an aborted request is a result.
  absl::StatusOr<GenerateResult> Generate(GenerateRequest request);

  // Asks the scheduler to stop request `rid` (its pages are freed at the next step; on_done
  // gets kAbort). false when no live request has that id.
  bool Abort(std::string_view rid);
  // Aborts every live request.
  void AbortAll();

  // Drops the radix cache. kFailedPrecondition while requests are running (as SGLang).
  absl::Status FlushCache();

  // Tokenizer and chat template of the model (thread-safe, no scheduler involvement).
  absl::StatusOr<std::vector<std::int32_t>> Tokenize(std::string_view text,
                                                     bool add_special_tokens = true) const;
  absl::StatusOr<std::string> Detokenize(std::span<const std::int32_t> ids,
                                         bool skip_special_tokens = true) const;
  // transformers' apply_chat_template(messages, tools=tools, add_generation_prompt=...,
  // tokenize=False, **extra_kwargs). kFailedPrecondition when the model has no chat template;
  // kInvalidArgument for messages the template rejects (its raise_exception message).
  absl::StatusOr<std::string> ApplyChatTemplate(
      const nlohmann::ordered_json& messages, const nlohmann::ordered_json& tools = nullptr,
      bool add_generation_prompt = true,
      const nlohmann::ordered_json& extra_kwargs = nlohmann::ordered_json::object()) const;

  // Sampling defaults from generation_config.json applied over SGLang's defaults (as SGLang's
  // --sampling-defaults model).
  SamplingParams DefaultSamplingParams() const;

  EngineStats stats() const;
  const EngineModelInfo& model_info() const;
  const EngineOptions& options() const;

 private:
  class Impl;
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace radixlm::engine

#endif  // RADIXLM_ENGINE_ENGINE_H_

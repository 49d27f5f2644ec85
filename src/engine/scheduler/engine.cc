// Engine: the public face of the embedded engine. It loads the model folder, owns the scheduler
// thread, and turns calls from any thread into messages for that thread (an inbox under one
// mutex), so the model, the page pool and the radix cache are only ever touched by one thread.
#include "radixlm/engine/engine.h"

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <utility>

#include "absl/time/clock.h"
#include "fmt/format.h"
#include "src/common/strings.h"
#include "src/engine/cache/page_pool.h"
#include "src/engine/chat/chat_template.h"
#include "src/engine/kernels/thread_pool.h"
#include "src/engine/model/model_folder.h"
#include "src/engine/scheduler/request.h"
#include "src/engine/scheduler/scheduler.h"
#include "src/engine/tokenizer/tokenizer.h"
#include "src/engine/transformer/transformer.h"

namespace radixlm::engine {
namespace {

absl::Status ValidateOptions(const EngineOptions& options) {
  auto invalid = [](auto&&... parts) {
    return absl::InvalidArgumentError(StrCat("engine options: ", parts...));
  };
  if (options.model_dir.empty()) return invalid("model_dir is empty; give a model folder");
  if (options.threads < 0) return invalid("threads must be >= 0 (0: one per core)");
  if (options.page_size < 1 || options.page_size > 64) {
    return invalid("page_size must be in 1..64, got ", options.page_size);
  }
  if (options.max_kv_tokens < 0) return invalid("max_kv_tokens must be >= 0");
  if (options.max_kv_tokens == 0 && options.max_kv_memory_bytes <= 0) {
    return invalid("max_kv_memory_bytes must be > 0 when max_kv_tokens is 0");
  }
  if (options.context_length < 0) return invalid("context_length must be >= 0");
  if (options.max_running_requests < 1) return invalid("max_running_requests must be >= 1");
  if (options.max_queued_requests < 0) return invalid("max_queued_requests must be >= 0");
  if (options.chunked_prefill_size < 1) return invalid("chunked_prefill_size must be >= 1");
  if (options.weight_type != "stored" && options.weight_type != "int8" &&
      options.weight_type != "int8-block") {
    return invalid("weight_type must be stored, int8 or int8-block, got '", options.weight_type,
                   "'");
  }
  if (options.kv_cache_dtype != "bf16" && options.kv_cache_dtype != "f32") {
    return invalid("kv_cache_dtype must be bf16 or f32, got '", options.kv_cache_dtype, "'");
  }
  return absl::OkStatus();
}

// SplitMix64: spreads consecutive request numbers over the seed space.
std::uint64_t MixSeed(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

}  // namespace

std::string_view FinishReasonName(FinishReason reason) {
  switch (reason) {
    case FinishReason::kStop:
      return "stop";
    case FinishReason::kLength:
      return "length";
    case FinishReason::kAbort:
      return "abort";
  }
  return "abort";
}

class Engine::Impl {
 public:
  static absl::StatusOr<std::unique_ptr<Impl>> Create(const EngineOptions& options);
  ~Impl();

  absl::StatusOr<std::string> Submit(GenerateRequest request, RequestCallbacks callbacks);
  bool Abort(std::string_view rid);
  void AbortAll();
  absl::Status FlushCache();
  absl::StatusOr<std::vector<std::int32_t>> Tokenize(std::string_view text,
                                                     bool add_special_tokens) const;
  absl::StatusOr<std::string> Detokenize(std::span<const std::int32_t> ids,
                                         bool skip_special_tokens) const;
  absl::StatusOr<std::string> ApplyChatTemplate(const nlohmann::ordered_json& messages,
                                                const nlohmann::ordered_json& tools,
                                                bool add_generation_prompt,
                                                const nlohmann::ordered_json& extra_kwargs) const;
  SamplingParams DefaultSamplingParams() const;
  EngineStats stats() const;
  const EngineModelInfo& model_info() const { return info_; }
  const EngineOptions& options() const { return options_; }

 private:
  Impl(const EngineOptions& options, LoadedModel model, Tokenizer tokenizer)
      : options_(options), model_(std::move(model)), tokenizer_(std::move(tokenizer)) {}

  void Loop();
  void PublishStats();
  std::int64_t pool_tokens() const {
    return static_cast<std::int64_t>(page_pool_->capacity()) * page_pool_->page_size();
  }

  const EngineOptions options_;
  LoadedModel model_;
  Tokenizer tokenizer_;
  std::optional<ChatTemplate> chat_template_;
  absl::Status chat_template_error_;
  EngineModelInfo info_;
  std::vector<std::int32_t> eos_ids_;
  std::int64_t context_length_ = 0;

  std::unique_ptr<ThreadPool> threads_;
  std::unique_ptr<Transformer> transformer_;
  std::unique_ptr<PagePool> page_pool_;
  std::unique_ptr<Scheduler> scheduler_;  // touched by the loop thread only
  std::thread loop_;

  // The inbox: everything other threads ask of the loop. std::mutex (TSan sees it).
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<std::unique_ptr<Request>> incoming_;
  std::vector<std::pair<std::string, absl::Status>> aborts_;
  std::vector<std::function<void()>> tasks_;
  std::unordered_set<std::string>
      live_rids_;  // (absl::flat_hash_set cannot look up std::string_view in Debian 12)
  bool stopping_ = false;
  std::uint64_t next_request_ = 0;
  EngineStats published_;
};

absl::StatusOr<std::unique_ptr<Engine::Impl>> Engine::Impl::Create(const EngineOptions& options) {
  if (absl::Status status = ValidateOptions(options); !status.ok()) return status;
  absl::StatusOr<LoadedModel> model = LoadModelFolder(options.model_dir);
  if (!model.ok()) return model.status();
  absl::StatusOr<Tokenizer> tokenizer = Tokenizer::FromFolder(options.model_dir);
  if (!tokenizer.ok()) {
    return absl::Status(tokenizer.status().code(), StrCat("model folder ", options.model_dir, ": ",
                                                          tokenizer.status().message()));
  }
  std::unique_ptr<Impl> impl(new Impl(options, *std::move(model), *std::move(tokenizer)));
  const ModelConfig& config = impl->model_.config;

  // The chat template is optional: a model without one still serves raw prompts.
  if (const auto& source = impl->tokenizer_.config().chat_template; source.has_value()) {
    absl::StatusOr<ChatTemplate> parsed = ChatTemplate::Parse(*source);
    if (parsed.ok()) {
      impl->chat_template_ = *std::move(parsed);
    } else {
      impl->chat_template_error_ = parsed.status();
    }
  } else {
    impl->chat_template_error_ = absl::FailedPreconditionError(
        "the model has no chat template (chat_template.jinja or tokenizer_config.json's "
        "chat_template); send a plain prompt instead");
  }

  for (std::int64_t id : impl->model_.generation.eos_token_ids) {
    impl->eos_ids_.push_back(static_cast<std::int32_t>(id));
  }
  for (std::int32_t id : impl->tokenizer_.eos_ids()) {
    if (std::find(impl->eos_ids_.begin(), impl->eos_ids_.end(), id) == impl->eos_ids_.end()) {
      impl->eos_ids_.push_back(id);
    }
  }

  impl->context_length_ = config.max_position_embeddings;
  if (options.context_length > 0) {
    if (options.context_length > config.max_position_embeddings) {
      return absl::InvalidArgumentError(
          StrCat("context length ", options.context_length,
                 " is longer than the model's max_position_embeddings (",
                 config.max_position_embeddings, ")"));
    }
    impl->context_length_ = options.context_length;
  }

  const DType kv_dtype = options.kv_cache_dtype == "f32" ? DType::kF32 : DType::kBF16;
  const std::int64_t kv_bytes_per_token = 2 * config.num_hidden_layers *
                                          config.num_key_value_heads * config.head_dim *
                                          (kv_dtype == DType::kF32 ? 4 : 2);
  std::int64_t kv_tokens = options.max_kv_tokens > 0
                               ? options.max_kv_tokens
                               : options.max_kv_memory_bytes / kv_bytes_per_token;
  const std::int64_t kv_pages = kv_tokens / options.page_size;
  if (kv_pages < 1) {
    return absl::InvalidArgumentError(StrCat("the KV cache budget holds ", kv_tokens,
                                             " tokens, less than one page of ", options.page_size,
                                             "; raise --max-kv-tokens"));
  }
  if (kv_pages + 1 > std::numeric_limits<std::int32_t>::max()) {
    return absl::InvalidArgumentError("the KV cache budget is too large (over 2^31 pages)");
  }

  impl->threads_ = std::make_unique<ThreadPool>(options.threads);
  TransformerOptions transformer_options;
  transformer_options.quantize = options.weight_type != "stored";
  transformer_options.quantized_type =
      options.weight_type == "int8-block" ? DType::kInt8Block : DType::kInt8;
  transformer_options.kv_dtype = kv_dtype;
  transformer_options.page_size = options.page_size;
  transformer_options.num_pages = kv_pages + 1;  // + the reserved page 0
  transformer_options.max_batch_tokens =
      options.chunked_prefill_size + options.max_running_requests;
  transformer_options.max_batch_sequences = options.max_running_requests;
  transformer_options.max_positions = impl->context_length_;
  const Checkpoint& checkpoint = impl->model_.checkpoint;
  transformer_options.on_tensor_packed = [&checkpoint](const TensorView& tensor) {
    checkpoint.ReleasePages(tensor);
  };
  absl::StatusOr<std::unique_ptr<Transformer>> transformer =
      Transformer::Create(config, impl->model_.weights, transformer_options, impl->threads_.get());
  if (!transformer.ok()) return transformer.status();
  impl->transformer_ = *std::move(transformer);
  impl->page_pool_ =
      std::make_unique<PagePool>(static_cast<std::int32_t>(kv_pages + 1), options.page_size);
  SchedulerOptions scheduler_options{
      .max_running_requests = options.max_running_requests,
      .chunked_prefill_size = options.chunked_prefill_size,
      .policy = options.schedule_policy,
      .enable_radix_cache = options.enable_radix_cache,
      .eos_ids = impl->eos_ids_,
  };
  impl->scheduler_ = std::make_unique<Scheduler>(impl->transformer_.get(), impl->page_pool_.get(),
                                                 scheduler_options);

  EngineModelInfo& info = impl->info_;
  info.model_path = options.model_dir;
  info.served_model_name = options.served_model_name;
  if (info.served_model_name.empty()) {
    info.served_model_name =
        std::filesystem::path(options.model_dir).lexically_normal().filename().string();
    if (info.served_model_name.empty()) {
      info.served_model_name = std::filesystem::path(options.model_dir)
                                   .lexically_normal()
                                   .parent_path()
                                   .filename()
                                   .string();
    }
  }
  info.architecture = std::string(ArchitectureName(config.architecture));
  info.context_length = impl->context_length_;
  info.vocab_size = config.vocab_size;
  info.max_kv_tokens = impl->pool_tokens();
  info.eos_token_ids = impl->eos_ids_;
  info.has_chat_template = impl->chat_template_.has_value();
  info.weight_type = options.weight_type;
  info.kv_cache_dtype = options.kv_cache_dtype;
  impl->PublishStats();
  impl->loop_ = std::thread([raw = impl.get()] { raw->Loop(); });
  return impl;
}

Engine::Impl::~Impl() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (loop_.joinable()) loop_.join();
}

void Engine::Impl::Loop() {
  while (true) {
    std::vector<std::unique_ptr<Request>> incoming;
    std::vector<std::pair<std::string, absl::Status>> aborts;
    std::vector<std::function<void()>> tasks;
    bool stopping = false;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] {
        return stopping_ || !incoming_.empty() || !aborts_.empty() || !tasks_.empty() ||
               !scheduler_->idle();
      });
      incoming.swap(incoming_);
      // Until the step's PublishStats(), the taken requests count as queued (Submit's limit
      // and stats() read published_ + incoming_; they would otherwise vanish from both).
      published_.queued_requests += static_cast<std::int64_t>(incoming.size());
      aborts.swap(aborts_);
      tasks.swap(tasks_);
      stopping = stopping_;
    }
    for (auto& request : incoming) scheduler_->Add(std::move(request));
    for (const auto& [rid, reason] : aborts) scheduler_->Abort(rid, reason);
    for (auto& task : tasks) task();
    if (stopping) {
      scheduler_->AbortAll(absl::UnavailableError("the engine is shutting down"));
      scheduler_->Step();  // applies the aborts; nothing is left to run
      PublishStats();
      return;
    }
    scheduler_->Step();
    PublishStats();
  }
}

void Engine::Impl::PublishStats() {
  const SchedulerCounters& counters = scheduler_->counters();
  const RadixCache::Stats cache = scheduler_->cache().stats();
  EngineStats stats;
  stats.running_requests = scheduler_->running();
  stats.queued_requests = scheduler_->waiting();
  stats.kv_pages_total = page_pool_->capacity();
  stats.kv_pages_used = page_pool_->used_pages();
  stats.kv_pages_cached = cache.cached_pages;
  stats.page_size = page_pool_->page_size();
  stats.prompt_tokens_total = counters.prompt_tokens;
  stats.cached_tokens_total = counters.cached_tokens;
  stats.generated_tokens_total = counters.generated_tokens;
  stats.requests_total = counters.finished_requests;
  stats.requests_aborted_total = counters.aborted_requests;
  stats.evicted_tokens_total = cache.evicted_tokens;
  stats.preemptions_total = counters.preemptions;
  stats.forward_steps_total = counters.forward_steps;
  stats.cache_hit_rate = counters.prompt_tokens == 0
                             ? 0.0
                             : static_cast<double>(counters.cached_tokens) /
                                   static_cast<double>(counters.prompt_tokens);
  std::lock_guard lock(mutex_);
  published_ = stats;
}

absl::StatusOr<std::string> Engine::Impl::Submit(GenerateRequest request,
                                                 RequestCallbacks callbacks) {
  const std::int64_t vocab = model_.config.vocab_size;
  if (absl::Status status = Validate(request.sampling, vocab); !status.ok()) return status;
  std::vector<std::int32_t> prompt;
  if (!request.input_ids.empty()) {
    for (std::int32_t id : request.input_ids) {
      if (id < 0 || id >= vocab) {
        return absl::InvalidArgumentError(
            StrCat("input_ids holds token id ", id, ", outside the vocabulary [0, ", vocab, ")"));
      }
    }
    prompt = std::move(request.input_ids);
  } else if (!request.text.empty()) {
    absl::StatusOr<std::vector<std::int32_t>> ids = tokenizer_.Encode(request.text, true);
    if (!ids.ok()) return ids.status();
    prompt = *std::move(ids);
  }
  if (prompt.empty()) {
    return absl::InvalidArgumentError("the prompt is empty; give text or input_ids");
  }
  const auto prompt_length = static_cast<std::int64_t>(prompt.size());
  if (request.sampling.return_logprob && request.sampling.logprob_start_len >= prompt_length) {
    return absl::InvalidArgumentError(
        StrCat("logprob_start_len (", request.sampling.logprob_start_len,
               ") is higher than the number of input tokens (", prompt_length,
               "). Request with a lower logprob_start_len."));
  }
  if (prompt_length >= context_length_) {
    return absl::InvalidArgumentError(StrCat("The input (", prompt_length,
                                             " tokens) is longer than the model's context length (",
                                             context_length_, " tokens)."));
  }
  if (prompt_length >= pool_tokens()) {
    return absl::InvalidArgumentError(StrCat("The input (", prompt_length,
                                             " tokens) does not fit the KV cache (", pool_tokens(),
                                             " tokens); raise --max-kv-tokens."));
  }
  const SamplingParams& params = request.sampling;
  const std::int64_t max_output = std::min(
      {params.max_new_tokens, context_length_ - prompt_length, pool_tokens() - prompt_length});

  std::lock_guard lock(mutex_);
  if (stopping_) return absl::UnavailableError("the engine is shutting down");
  const std::uint64_t number = next_request_++;
  std::string rid = request.rid.empty() ? fmt::format("{:016x}{:016x}", MixSeed(number),
                                                      MixSeed(number ^ options_.random_seed))
                                        : std::move(request.rid);
  if (live_rids_.contains(rid)) {
    return absl::InvalidArgumentError(StrCat("request id '", rid, "' is already in use"));
  }
  const std::int64_t queued =
      published_.queued_requests + static_cast<std::int64_t>(incoming_.size());
  if (queued >= options_.max_queued_requests) {
    return absl::ResourceExhaustedError("The request queue is full.");
  }
  // on_done (on the loop thread, with the request's pages already released) also retires the
  // rid, so Abort() stops finding it, and publishes the stats, so a caller woken by on_done sees
  // its request's effect on them.
  RequestCallbacks wrapped{
      std::move(callbacks.on_delta),
      [this, user_done = std::move(callbacks.on_done)](const GenerateResult& result) {
        PublishStats();
        {
          std::lock_guard retire(mutex_);
          live_rids_.erase(result.rid);
        }
        if (user_done) user_done(result);
      }};
  auto entry = std::make_unique<Request>(
      rid, std::move(prompt), params, static_cast<std::int32_t>(vocab),
      MixSeed(options_.random_seed + number), tokenizer_, std::move(wrapped));
  entry->max_output_tokens = max_output;
  entry->submitted = absl::Now();
  entry->arrival = number;
  live_rids_.insert(rid);
  incoming_.push_back(std::move(entry));
  wake_.notify_one();
  return rid;
}

bool Engine::Impl::Abort(std::string_view rid) {
  std::lock_guard lock(mutex_);
  if (!live_rids_.contains(std::string(rid))) return false;
  aborts_.emplace_back(std::string(rid), absl::CancelledError("the request was aborted"));
  wake_.notify_one();
  return true;
}

void Engine::Impl::AbortAll() {
  std::lock_guard lock(mutex_);
  for (const std::string& rid : live_rids_) {
    aborts_.emplace_back(rid, absl::CancelledError("the request was aborted"));
  }
  wake_.notify_one();
}

absl::Status Engine::Impl::FlushCache() {
  std::promise<absl::Status> done;
  std::future<absl::Status> result = done.get_future();
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return absl::UnavailableError("the engine is shutting down");
    if (!incoming_.empty()) {
      return absl::FailedPreconditionError("Cache not flushed because there are pending requests.");
    }
    tasks_.push_back([this, &done] {
      absl::Status status = scheduler_->FlushCache();
      PublishStats();
      done.set_value(std::move(status));
    });
  }
  wake_.notify_one();
  return result.get();
}

absl::StatusOr<std::vector<std::int32_t>> Engine::Impl::Tokenize(std::string_view text,
                                                                 bool add_special_tokens) const {
  return tokenizer_.Encode(text, add_special_tokens);
}

absl::StatusOr<std::string> Engine::Impl::Detokenize(std::span<const std::int32_t> ids,
                                                     bool skip_special_tokens) const {
  for (std::int32_t id : ids) {
    if (id < 0 || id >= tokenizer_.vocab_size()) {
      return absl::InvalidArgumentError(
          StrCat("token id ", id, " is outside the vocabulary [0, ", tokenizer_.vocab_size(), ")"));
    }
  }
  return tokenizer_.Decode(ids, skip_special_tokens);
}

absl::StatusOr<std::string> Engine::Impl::ApplyChatTemplate(
    const nlohmann::ordered_json& messages, const nlohmann::ordered_json& tools,
    bool add_generation_prompt, const nlohmann::ordered_json& extra_kwargs) const {
  if (!chat_template_.has_value()) return chat_template_error_;
  ChatTemplateInputs inputs;
  inputs.messages = messages;
  inputs.tools = tools;
  inputs.add_generation_prompt = add_generation_prompt;
  const TokenizerConfig& config = tokenizer_.config();
  inputs.bos_token = config.bos_token;
  inputs.eos_token = config.eos_token;
  inputs.unk_token = config.unk_token;
  inputs.pad_token = config.pad_token;
  inputs.extra_kwargs = extra_kwargs;
  return chat_template_->Render(inputs);
}

SamplingParams Engine::Impl::DefaultSamplingParams() const {
  SamplingParams params;
  const GenerationDefaults& defaults = model_.generation;
  if (defaults.temperature.has_value()) params.temperature = *defaults.temperature;
  if (defaults.top_p.has_value()) params.top_p = *defaults.top_p;
  if (defaults.top_k.has_value()) params.top_k = static_cast<std::int32_t>(*defaults.top_k);
  if (defaults.min_p.has_value()) params.min_p = *defaults.min_p;
  if (defaults.repetition_penalty.has_value()) {
    params.repetition_penalty = *defaults.repetition_penalty;
  }
  return params;
}

EngineStats Engine::Impl::stats() const {
  std::lock_guard lock(mutex_);
  EngineStats stats = published_;
  stats.queued_requests += static_cast<std::int64_t>(incoming_.size());
  return stats;
}

// --- Engine: forwards to Impl. ---

absl::StatusOr<std::unique_ptr<Engine>> Engine::Create(const EngineOptions& options) {
  absl::StatusOr<std::unique_ptr<Impl>> impl = Impl::Create(options);
  if (!impl.ok()) return impl.status();
  return std::unique_ptr<Engine>(new Engine(*std::move(impl)));
}

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Engine::~Engine() = default;

absl::StatusOr<std::string> Engine::Submit(GenerateRequest request, RequestCallbacks callbacks) {
  return impl_->Submit(std::move(request), std::move(callbacks));
}

absl::StatusOr<GenerateResult> Engine::Generate(GenerateRequest request) {
  std::promise<GenerateResult> done;
  std::future<GenerateResult> result = done.get_future();
  absl::StatusOr<std::string> rid = impl_->Submit(
      std::move(request),
      RequestCallbacks{nullptr, [&done](const GenerateResult& r) { done.set_value(r); }});
  if (!rid.ok()) return rid.status();
  return result.get();
}

bool Engine::Abort(std::string_view rid) { return impl_->Abort(rid); }
void Engine::AbortAll() { impl_->AbortAll(); }
absl::Status Engine::FlushCache() { return impl_->FlushCache(); }

absl::StatusOr<std::vector<std::int32_t>> Engine::Tokenize(std::string_view text,
                                                           bool add_special_tokens) const {
  return impl_->Tokenize(text, add_special_tokens);
}

absl::StatusOr<std::string> Engine::Detokenize(std::span<const std::int32_t> ids,
                                               bool skip_special_tokens) const {
  return impl_->Detokenize(ids, skip_special_tokens);
}

absl::StatusOr<std::string> Engine::ApplyChatTemplate(
    const nlohmann::ordered_json& messages, const nlohmann::ordered_json& tools,
    bool add_generation_prompt, const nlohmann::ordered_json& extra_kwargs) const {
  return impl_->ApplyChatTemplate(messages, tools, add_generation_prompt, extra_kwargs);
}

SamplingParams Engine::DefaultSamplingParams() const { return impl_->DefaultSamplingParams(); }
EngineStats Engine::stats() const { return impl_->stats(); }
const EngineModelInfo& Engine::model_info() const { return impl_->model_info(); }
const EngineOptions& Engine::options() const { return impl_->options(); }

}  // namespace radixlm::engine

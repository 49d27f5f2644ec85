// The Scheduler driven step by step, without the Engine's thread: page ownership is checked with
// Validate() after every step, under random workloads, memory pressure, preemption and aborts.
#include "src/engine/scheduler/scheduler.h"

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/engine/kernels/thread_pool.h"
#include "src/engine/maker/model_maker.h"
#include "src/engine/model/model_folder.h"
#include "src/engine/tokenizer/tokenizer.h"
#include "tests/support/tiny_model.h"

namespace radixlm::engine {
namespace {

struct TinyModel {
  TinyModel() {
    dir = radixlm::testing::MadeTinyModel(11);
    absl::StatusOr<LoadedModel> loaded = LoadModelFolder(dir);
    absl::StatusOr<Tokenizer> loaded_tokenizer = Tokenizer::FromFolder(dir);
    if (!loaded.ok() || !loaded_tokenizer.ok()) {
      status = absl::InternalError("cannot load the tiny model");
      return;
    }
    model = std::make_unique<LoadedModel>(*std::move(loaded));
    tokenizer = std::make_unique<Tokenizer>(*std::move(loaded_tokenizer));
  }
  std::string dir;
  absl::Status status;
  std::unique_ptr<LoadedModel> model;
  std::unique_ptr<Tokenizer> tokenizer;
};

TinyModel& Model() {
  static TinyModel* model = new TinyModel();
  return *model;
}

struct SchedulerRig {
  SchedulerRig(std::int32_t page_size, std::int32_t pages, const SchedulerOptions& options)
      : threads(1), pool(pages + 1, page_size) {
    TransformerOptions transformer_options;
    transformer_options.kv_dtype = DType::kF32;
    transformer_options.page_size = page_size;
    transformer_options.num_pages = pages + 1;
    transformer_options.max_batch_tokens = options.chunked_prefill_size + options.max_running_requests;
    transformer_options.max_batch_sequences = options.max_running_requests;
    transformer_options.max_positions = 2048;
    auto created = Transformer::Create(Model().model->config, Model().model->weights,
                                       transformer_options, &threads);
    EXPECT_TRUE(created.ok()) << created.status();
    transformer = *std::move(created);
    scheduler = std::make_unique<Scheduler>(transformer.get(), &pool, options);
  }
  ThreadPool threads;
  PagePool pool;
  std::unique_ptr<Transformer> transformer;
  std::unique_ptr<Scheduler> scheduler;
};

std::unique_ptr<Request> MakeRequest(std::string rid, std::vector<std::int32_t> prompt,
                                     std::int64_t max_new_tokens, std::vector<GenerateResult>* out) {
  SamplingParams params;
  params.temperature = 0;
  params.ignore_eos = true;
  params.max_new_tokens = max_new_tokens;
  auto request = std::make_unique<Request>(
      std::move(rid), std::move(prompt), params, 512, 1, *Model().tokenizer,
      RequestCallbacks{nullptr, [out](const GenerateResult& result) { out->push_back(result); }});
  request->max_output_tokens = max_new_tokens;
  request->submitted = absl::Now();
  return request;
}

void RunToCompletion(Scheduler& scheduler, int max_steps = 20000) {
  for (int step = 0; step < max_steps && !scheduler.idle(); ++step) {
    scheduler.Step();
    absl::Status status = scheduler.Validate();
    ASSERT_TRUE(status.ok()) << "after step " << step << ": " << status;
  }
  ASSERT_TRUE(scheduler.idle());
}

TEST(SchedulerTest, RandomWorkloadsKeepEveryPageOwnedOnce) {
  ASSERT_TRUE(Model().status.ok()) << Model().status;
  std::mt19937 random(1234);
  for (std::int32_t page_size : {1, 4, 16}) {
    for (std::int32_t pages_in_tokens : {96, 256, 4096}) {
      SchedulerOptions options;
      options.max_running_requests = 6;
      options.chunked_prefill_size = 24;
      SchedulerRig setup(page_size, pages_in_tokens / page_size, options);
      Scheduler& scheduler = *setup.scheduler;
      std::vector<GenerateResult> results;
      std::vector<std::vector<std::int32_t>> prefixes = {{}, {}, {}};
      for (auto& prefix : prefixes) {
        for (int i = 0; i < 30; ++i) prefix.push_back(static_cast<std::int32_t>(random() % 500) + 3);
      }
      int submitted = 0;
      for (int round = 0; round < 40; ++round) {
        const int arrivals = static_cast<int>(random() % 3);
        for (int a = 0; a < arrivals; ++a) {
          std::vector<std::int32_t> prompt = prefixes[random() % 3];
          prompt.resize(random() % prompt.size() + 1);
          const int extra = static_cast<int>(random() % 20);
          for (int i = 0; i < extra; ++i) prompt.push_back(static_cast<std::int32_t>(random() % 500) + 3);
          scheduler.Add(MakeRequest("r" + std::to_string(submitted++), prompt,
                                    static_cast<std::int64_t>(random() % 30), &results));
        }
        if (random() % 7 == 0 && submitted > 0) {
          scheduler.Abort("r" + std::to_string(random() % submitted), absl::CancelledError("test"));
        }
        for (int s = 0; s < 3 && !scheduler.idle(); ++s) {
          scheduler.Step();
          absl::Status status = scheduler.Validate();
          ASSERT_TRUE(status.ok()) << "page size " << page_size << ", pool " << pages_in_tokens
                                   << ", round " << round << ": " << status;
        }
      }
      RunToCompletion(scheduler);
      EXPECT_EQ(static_cast<int>(results.size()), submitted);
      for (const GenerateResult& result : results) {
        if (result.finish_reason != FinishReason::kAbort) {
          EXPECT_TRUE(result.error.ok()) << result.error;
        }
      }
      ASSERT_TRUE(scheduler.FlushCache().ok());
      EXPECT_EQ(setup.pool.used_pages(), 0);
    }
  }
}

TEST(SchedulerTest, PreemptedRequestsResumeWithTheSameOutput) {
  ASSERT_TRUE(Model().status.ok()) << Model().status;
  SchedulerOptions options;
  options.max_running_requests = 8;
  options.chunked_prefill_size = 64;
  std::vector<GenerateResult> reference;
  {
    SchedulerRig roomy(4, 1024, options);
    for (int i = 0; i < 8; ++i) {
      std::vector<std::int32_t> prompt;
      for (int t = 0; t < 20; ++t) prompt.push_back(3 + (i * 31 + t * 7) % 500);
      roomy.scheduler->Add(MakeRequest("r" + std::to_string(i), prompt, 40, &reference));
      RunToCompletion(*roomy.scheduler);
    }
  }
  SchedulerRig tight(4, 48, options);  // 192 tokens for 8 × 60
  std::vector<GenerateResult> results;
  for (int i = 0; i < 8; ++i) {
    std::vector<std::int32_t> prompt;
    for (int t = 0; t < 20; ++t) prompt.push_back(3 + (i * 31 + t * 7) % 500);
    tight.scheduler->Add(MakeRequest("r" + std::to_string(i), prompt, 40, &results));
  }
  RunToCompletion(*tight.scheduler);
  EXPECT_GT(tight.scheduler->counters().preemptions, 0);
  ASSERT_EQ(results.size(), 8u);
  for (const GenerateResult& result : results) {
    const int index = std::stoi(result.rid.substr(1));
    EXPECT_EQ(result.output_ids, reference[static_cast<std::size_t>(index)].output_ids) << result.rid;
  }
}

}  // namespace
}  // namespace radixlm::engine

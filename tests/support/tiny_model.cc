#include "tests/support/tiny_model.h"

#include <map>
#include <memory>
#include <mutex>

#include "gtest/gtest.h"
#include "src/engine/maker/model_maker.h"
#include "tests/support/scratch_dir.h"

namespace radixlm::testing {
namespace {

struct MadeModel {
  ScratchDir scratch{"radixlm_tiny_model"};
  std::string dir = scratch.PathOf("model");
};

}  // namespace

const std::string& MadeTinyModel(std::uint64_t seed) {
  // Static holders: the folders go when the process exits.
  static std::mutex mutex;
  static std::map<std::uint64_t, std::unique_ptr<MadeModel>> models;
  std::lock_guard<std::mutex> lock(mutex);
  std::unique_ptr<MadeModel>& model = models[seed];
  if (model == nullptr) {
    model = std::make_unique<MadeModel>();
    const absl::Status made = engine::MakeModelFolder(
        {.shape = "tiny", .dtype = engine::DType::kBF16, .seed = seed, .overwrite = true},
        model->dir);
    if (!made.ok()) ADD_FAILURE() << "making the tiny model: " << made;
  }
  return model->dir;
}

}  // namespace radixlm::testing

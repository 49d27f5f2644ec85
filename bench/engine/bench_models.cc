#include "bench/engine/bench_models.h"

#include <cstdio>
#include <optional>
#include <system_error>

#include "src/engine/kernels/dtype.h"
#include "src/engine/maker/model_maker.h"

namespace radixlm::bench {

absl::StatusOr<std::filesystem::path> EnsureBenchModel(const std::filesystem::path& models_dir,
                                                       const std::string& shape,
                                                       const std::string& dtype) {
  const std::filesystem::path dir = models_dir / (shape + "-" + dtype);
  if (std::filesystem::exists(dir / "config.json")) return dir;

  const std::optional<engine::DType> parsed = engine::ParseDType(dtype);
  if (!parsed.has_value() || !engine::IsFloatDType(*parsed)) {
    return absl::InvalidArgumentError("model dtype must be f32, f16 or bf16, got " + dtype);
  }
  std::fprintf(stderr, "making the %s %s model in %s (once)...\n", shape.c_str(), dtype.c_str(),
               dir.c_str());
  const std::filesystem::path partial = models_dir / (shape + "-" + dtype + ".partial");
  engine::MakeModelOptions options;
  options.shape = shape;
  options.dtype = *parsed;
  options.seed = kBenchModelSeed;
  options.overwrite = true;
  if (absl::Status made = engine::MakeModelFolder(options, partial); !made.ok()) return made;
  std::error_code error;
  std::filesystem::rename(partial, dir, error);
  if (error) {
    return absl::InternalError("cannot rename " + partial.string() + " to " + dir.string() + ": " +
                               error.message());
  }
  return dir;
}

}  // namespace radixlm::bench

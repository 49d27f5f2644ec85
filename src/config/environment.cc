#include "src/config/environment.h"

#include <cstdlib>

#include "radixlm/optimization/config.h"
#include "src/common/strings.h"
#include "src/config/fields.h"

namespace radixlm::optimization::internal {
namespace {
constexpr std::string_view kKeyRoot = "optimization.";
}  // namespace

std::string EnvironmentVariable(std::string_view key) {
  if (key.starts_with(kKeyRoot)) key.remove_prefix(kKeyRoot.size());
  std::string variable = radixlm::StrCat("RADIXLM_", key);
  for (char& c : variable) {
    if (c == '.') c = '_';
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return variable;
}

std::optional<std::string> ProcessEnvironment(std::string_view name) {
  const char* value = std::getenv(std::string(name).c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

}  // namespace radixlm::optimization::internal

namespace radixlm::optimization {

absl::Status ApplyEnvironment(
    Config& config, const std::function<std::optional<std::string>(std::string_view)>& getenv) {
  for (const internal::Field& field : internal::Fields()) {
    if (field.kind == internal::Kind::kStringList) continue;  // a list has no one-line spelling
    const std::string variable = internal::EnvironmentVariable(field.key);
    const std::optional<std::string> value = getenv(variable);
    // Compose files and CI pass unset variables through as empty ones; treat both alike.
    if (!value.has_value() || value->empty()) continue;
    const absl::Status status = internal::SetField(field, {.text = *value}, config);
    if (!status.ok()) {
      return absl::InvalidArgumentError(radixlm::StrCat("environment variable ", variable, " (",
                                                        field.key, "): ", status.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace radixlm::optimization

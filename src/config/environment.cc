#include "src/config/environment.h"

#include <cstdlib>
#include <set>

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
  std::set<std::string_view, std::less<>> overridden_keys;
  for (const internal::Field& field : internal::Fields()) {
    if (internal::IsList(field.kind)) continue;  // a list has no one-line spelling
    const std::string variable = internal::EnvironmentVariable(field.key);
    const std::optional<std::string> value = getenv(variable);
    // Compose files and CI pass unset variables through as empty ones; treat both alike.
    if (!value.has_value() || value->empty()) continue;
    const absl::Status status = internal::SetField(field, {.text = *value}, config);
    if (!status.ok()) {
      return absl::InvalidArgumentError(radixlm::StrCat("environment variable ", variable, " (",
                                                        field.key, "): ", status.message()));
    }
    overridden_keys.insert(field.key);
  }
  // The rules between two keys hold for the result, so a variable may move both bounds at once.
  // The error blames a key its variable set, preferring the upper one.
  for (const internal::DurationOrder& order : internal::DurationOrders()) {
    const std::string_view blamed_key =
        !overridden_keys.contains(order.upper_key) && overridden_keys.contains(order.lower_key)
            ? order.lower_key
            : order.upper_key;
    const absl::Status status = internal::CheckDurationOrder(order, blamed_key, config);
    if (status.ok()) continue;
    const std::string where =
        overridden_keys.contains(blamed_key)
            ? radixlm::StrCat("environment variable ", internal::EnvironmentVariable(blamed_key),
                              " (", blamed_key, ")")
            : std::string(blamed_key);
    return absl::InvalidArgumentError(radixlm::StrCat(where, ": ", status.message()));
  }
  return absl::OkStatus();
}

}  // namespace radixlm::optimization

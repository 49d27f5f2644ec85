// Environment variables that override single config keys.
#ifndef RADIXLM_SRC_CONFIG_ENVIRONMENT_H_
#define RADIXLM_SRC_CONFIG_ENVIRONMENT_H_

#include <optional>
#include <string>
#include <string_view>

namespace radixlm::optimization::internal {

// EnvironmentVariable() names the variable that overrides `key`:
// "optimization.sglang.retry.max_attempts" -> "RADIXLM_SGLANG_RETRY_MAX_ATTEMPTS".
std::string EnvironmentVariable(std::string_view key);

// ProcessEnvironment() is the real getenv() in the shape ApplyEnvironment() takes.
std::optional<std::string> ProcessEnvironment(std::string_view name);

}  // namespace radixlm::optimization::internal

#endif  // RADIXLM_SRC_CONFIG_ENVIRONMENT_H_

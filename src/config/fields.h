// The table of every setting in the `optimization:` block, and how each one's value is read.
//
// The YAML loader, the environment overrides and the tests all go through this table, so a key
// exists in exactly one place; sections (optimization.sglang.retry, ...) are implied by the keys.
// Values are parsed from text because YAML scalars and environment variables are both text; the
// YAML loader additionally says whether the scalar was quoted, since `enabled: "true"` is a string
// in YAML and we do not silently turn strings into booleans or numbers.
#ifndef RADIXLM_SRC_CONFIG_FIELDS_H_
#define RADIXLM_SRC_CONFIG_FIELDS_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "radixlm/optimization/config.h"

namespace radixlm::optimization::internal {

// What a key accepts; the kind fixes both the value type and its allowed range.
enum class Kind {
  kBool,              // true or false
  kString,            // any scalar
  kNonEmptyString,    // any scalar but ""
  kHttpUrl,           // http://host... or https://host...
  kDuration,          // Go duration >= 0
  kPositiveDuration,  // Go duration > 0
  kCount,             // whole number >= 0
  kPositiveCount,     // whole number >= 1
  kMultiplier,        // real number >= 1
  kFraction,          // real number in [0, 1]
  kStringList,        // YAML sequence of scalars; not settable from the environment
};

// Where a key's value lives inside a Config.
using Slot = std::variant<bool*, std::string*, absl::Duration*, int*, std::int64_t*, std::size_t*,
                          double*, std::vector<std::string>*>;

struct Field {
  // Full dotted key, e.g. "optimization.sglang.retry.max_attempts".
  std::string_view key;
  Kind kind;
  Slot (*slot)(Config& config);
};

// A scalar as written: its text, and whether YAML made it a string (quoted or tagged !!str).
struct ScalarValue {
  std::string_view text;
  bool is_string = false;
};

// Fields() lists every key, in the order of docs/CONFIG.md.
std::span<const Field> Fields();

// FindField() returns the field with this full dotted key, or nullptr.
const Field* FindField(std::string_view key);

// IsSection() says whether `key` is a mapping of further keys ("optimization.sglang"); "" is the
// document root.
bool IsSection(std::string_view key);

// ChildNames() lists the names directly below the section `key`, for "expected one of" messages.
std::vector<std::string_view> ChildNames(std::string_view section);

// Expected() describes in a few words what a key of this kind accepts ("a duration, e.g.
// \"120s\"").
std::string_view Expected(Kind kind);

// SetField() parses `value` as `field` requires and stores it in `config`. Its error message
// describes only the value ("\"12x\" is not a duration; use ..."); the caller adds where it came
// from. Not for kStringList fields.
absl::Status SetField(const Field& field, const ScalarValue& value, Config& config);

}  // namespace radixlm::optimization::internal

#endif  // RADIXLM_SRC_CONFIG_FIELDS_H_

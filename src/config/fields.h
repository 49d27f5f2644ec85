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
  kChoice,            // one of Field::choices, exactly as spelled there
  kDuration,          // Go duration >= 0
  kPositiveDuration,  // Go duration > 0
  kCount,             // whole number >= 0
  kPositiveCount,     // whole number >= 1
  kMultiplier,        // real number >= 1
  kFraction,          // real number in [0, 1]
  kStringList,        // YAML sequence of scalars; not settable from the environment
  kHttpUrlList,       // YAML sequence of kHttpUrl values; not settable from the environment
};

// IsList() says whether a key of this kind is a YAML sequence rather than a scalar.
bool IsList(Kind kind);

// Where a key's value lives inside a Config.
using Slot = std::variant<bool*, std::string*, absl::Duration*, int*, std::int64_t*, std::size_t*,
                          double*, std::vector<std::string>*>;

struct Field {
  // Full dotted key, e.g. "optimization.sglang.retry.max_attempts".
  std::string_view key;
  Kind kind;
  Slot (*slot)(Config& config);
  // The allowed values of a kChoice key; empty for every other kind.
  std::span<const std::string_view> choices = {};
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

// Expected() describes in a few words what `field` accepts ("a duration, e.g. \"120s\"").
std::string Expected(const Field& field);

// SetField() parses `value` as `field` requires and stores it in `config`. Its error message
// describes only the value ("\"12x\" is not a duration; use ..."); the caller adds where it came
// from. Not for list fields.
absl::Status SetField(const Field& field, const ScalarValue& value, Config& config);

// CheckListItem() checks one element of the list field `field` (each kHttpUrlList element must be
// a URL); the error describes only the value, like SetField()'s.
absl::Status CheckListItem(const Field& field, std::string_view item);

// DurationOrder is a rule between two duration keys that SetField(), seeing one key at a time,
// cannot check: the value of `lower_key` must not exceed the value of `upper_key`.
struct DurationOrder {
  std::string_view lower_key;
  std::string_view upper_key;
};

// DurationOrders() lists every such rule (health_backoff_initial <= health_backoff_max).
std::span<const DurationOrder> DurationOrders();

// CheckDurationOrder() says whether `config` keeps `order`. The error describes the value of
// `blamed_key`, one of the pair, and names the other key ("\"1s\" is less than
// optimization.sglang.health_backoff_initial (\"2s\"); raise it or lower ..."); the caller adds
// where `blamed_key` came from.
absl::Status CheckDurationOrder(const DurationOrder& order, std::string_view blamed_key,
                                const Config& config);

}  // namespace radixlm::optimization::internal

#endif  // RADIXLM_SRC_CONFIG_FIELDS_H_

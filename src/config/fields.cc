#include "src/config/fields.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>
#include <type_traits>

#include "absl/status/statusor.h"
#include "src/common/duration.h"
#include "src/common/strings.h"

namespace radixlm::optimization::internal {
namespace {

// engine::EngineOptions::weight_type.
constexpr std::string_view kWeightTypes[] = {"stored", "int8", "int8-block"};

// Order and grouping follow docs/CONFIG.md; the first four are the seed's own keys.
constexpr Field kFields[] = {
    {"optimization.sglang.enabled", Kind::kBool,
     [](Config& c) -> Slot { return &c.sglang.enabled; }},
    {"optimization.sglang.endpoint", Kind::kHttpUrl,
     [](Config& c) -> Slot { return &c.sglang.endpoint; }},
    {"optimization.sglang.timeout", Kind::kPositiveDuration,
     [](Config& c) -> Slot { return &c.sglang.timeout; }},
    {"optimization.sglang.fallback_on_unavailable", Kind::kBool,
     [](Config& c) -> Slot { return &c.sglang.fallback_on_unavailable; }},
    {"optimization.sglang.connect_timeout", Kind::kPositiveDuration,
     [](Config& c) -> Slot { return &c.sglang.connect_timeout; }},
    {"optimization.sglang.api_key", Kind::kString,
     [](Config& c) -> Slot { return &c.sglang.api_key; }},
    {"optimization.sglang.model", Kind::kNonEmptyString,
     [](Config& c) -> Slot { return &c.sglang.model; }},
    {"optimization.sglang.max_idle_connections", Kind::kCount,
     [](Config& c) -> Slot { return &c.sglang.max_idle_connections; }},
    {"optimization.sglang.max_response_bytes", Kind::kPositiveCount,
     [](Config& c) -> Slot { return &c.sglang.max_response_bytes; }},
    {"optimization.sglang.warm_concurrency", Kind::kPositiveCount,
     [](Config& c) -> Slot { return &c.sglang.warm_concurrency; }},
    {"optimization.sglang.warm_prefixes", Kind::kStringList,
     [](Config& c) -> Slot { return &c.sglang.warm_prefixes; }},
    {"optimization.sglang.endpoints", Kind::kHttpUrlList,
     [](Config& c) -> Slot { return &c.sglang.endpoints; }},
    {"optimization.sglang.health_check_interval", Kind::kPositiveDuration,
     [](Config& c) -> Slot { return &c.sglang.health_check_interval; }},
    {"optimization.sglang.health_backoff_initial", Kind::kPositiveDuration,
     [](Config& c) -> Slot { return &c.sglang.health_backoff_initial; }},
    {"optimization.sglang.health_backoff_max", Kind::kPositiveDuration,
     [](Config& c) -> Slot { return &c.sglang.health_backoff_max; }},
    {"optimization.sglang.retry.max_attempts", Kind::kPositiveCount,
     [](Config& c) -> Slot { return &c.sglang.retry.max_attempts; }},
    {"optimization.sglang.retry.initial_backoff", Kind::kDuration,
     [](Config& c) -> Slot { return &c.sglang.retry.initial_backoff; }},
    {"optimization.sglang.retry.max_backoff", Kind::kDuration,
     [](Config& c) -> Slot { return &c.sglang.retry.max_backoff; }},
    {"optimization.sglang.retry.multiplier", Kind::kMultiplier,
     [](Config& c) -> Slot { return &c.sglang.retry.multiplier; }},
    {"optimization.sglang.retry.jitter", Kind::kFraction,
     [](Config& c) -> Slot { return &c.sglang.retry.jitter; }},
    {"optimization.sglang.retry.honor_retry_after", Kind::kBool,
     [](Config& c) -> Slot { return &c.sglang.retry.honor_retry_after; }},
    {"optimization.engine.model", Kind::kString, [](Config& c) -> Slot { return &c.engine.model; }},
    {"optimization.engine.threads", Kind::kCount,
     [](Config& c) -> Slot { return &c.engine.threads; }},
    {"optimization.engine.weight_type", Kind::kChoice,
     [](Config& c) -> Slot { return &c.engine.weight_type; }, kWeightTypes},
    {"optimization.engine.max_kv_tokens", Kind::kCount,
     [](Config& c) -> Slot { return &c.engine.max_kv_tokens; }},
    {"optimization.engine.context_length", Kind::kCount,
     [](Config& c) -> Slot { return &c.engine.context_length; }},
    {"optimization.sessions.max_history_turns", Kind::kCount,
     [](Config& c) -> Slot { return &c.sessions.max_history_turns; }},
    {"optimization.sessions.max_prompt_tokens", Kind::kCount,
     [](Config& c) -> Slot { return &c.sessions.max_prompt_tokens; }},
    {"optimization.sessions.idle_ttl", Kind::kPositiveDuration,
     [](Config& c) -> Slot { return &c.sessions.idle_ttl; }},
    {"optimization.sessions.max_sessions", Kind::kPositiveCount,
     [](Config& c) -> Slot { return &c.sessions.max_sessions; }},
    {"optimization.sessions.store_path", Kind::kString,
     [](Config& c) -> Slot { return &c.sessions.store_path; }},
    {"optimization.sessions.cleanup_interval", Kind::kPositiveDuration,
     [](Config& c) -> Slot { return &c.sessions.cleanup_interval; }},
};

constexpr DurationOrder kDurationOrders[] = {
    {"optimization.sglang.health_backoff_initial", "optimization.sglang.health_backoff_max"},
};

// Whether `key` lies inside `section`: "a.b.c" is below "a.b" and "a", not below "a.b.c" or "a.bc".
bool IsBelow(std::string_view key, std::string_view section) {
  return key.size() > section.size() && key.starts_with(section) && key[section.size()] == '.';
}

std::string Quoted(std::string_view text) { return radixlm::StrCat("\"", text, "\""); }

// YAML 1.2's core schema spells booleans only these ways; "yes"/"on" are YAML 1.1 and rejected,
// so that `enabled: no` (a string in YAML 1.2 parsers) cannot mean different things to different
// tools.
absl::StatusOr<bool> ParseBool(const ScalarValue& value) {
  if (value.is_string) {
    return absl::InvalidArgumentError(radixlm::StrCat(
        Quoted(value.text), " is quoted, so it is a string; write true or false without quotes"));
  }
  for (std::string_view yes : {"true", "True", "TRUE"}) {
    if (value.text == yes) return true;
  }
  for (std::string_view no : {"false", "False", "FALSE"}) {
    if (value.text == no) return false;
  }
  return absl::InvalidArgumentError(
      radixlm::StrCat(Quoted(value.text), " is not a boolean; write true or false"));
}

absl::Status NumberIsString(const ScalarValue& value) {
  return absl::InvalidArgumentError(radixlm::StrCat(
      Quoted(value.text), " is quoted, so it is a string; write the number without quotes"));
}

// Parses a whole number into T and checks it is at least `minimum` (0 or 1).
template <typename T>
absl::StatusOr<T> ParseCount(const ScalarValue& value, T minimum) {
  if (value.is_string) return NumberIsString(value);
  std::string_view digits = value.text;
  if (digits.starts_with('+')) digits.remove_prefix(1);
  const bool negative = digits.starts_with('-');
  // Negative numbers are parsed only to say "negative" rather than "not a whole number".
  std::conditional_t<std::is_signed_v<T>, T, std::int64_t> signed_result = 0;
  T result = 0;
  const char* const end = digits.data() + digits.size();
  const std::from_chars_result parsed = negative
                                            ? std::from_chars(digits.data(), end, signed_result)
                                            : std::from_chars(digits.data(), end, result);
  if (digits.empty() || parsed.ptr != end ||
      (parsed.ec != std::errc() && parsed.ec != std::errc::result_out_of_range)) {
    return absl::InvalidArgumentError(
        radixlm::StrCat(Quoted(value.text), " is not a whole number; write digits only, e.g. 8"));
  }
  if (parsed.ec == std::errc::result_out_of_range && !negative) {
    return absl::InvalidArgumentError(
        radixlm::StrCat(value.text, " is too large; the most is ", std::numeric_limits<T>::max()));
  }
  // "-0" is zero; every other negative number is below the minimums we use (0 and 1).
  if ((negative && (parsed.ec != std::errc() || signed_result != 0)) || result < minimum) {
    return absl::InvalidArgumentError(radixlm::StrCat(
        value.text, " is less than ", minimum, "; use a whole number from ", minimum, " up"));
  }
  return result;
}

// Parses a real number and checks it is in [minimum, maximum].
absl::StatusOr<double> ParseReal(const ScalarValue& value, double minimum, double maximum) {
  if (value.is_string) return NumberIsString(value);
  std::string_view digits = value.text;
  if (digits.starts_with('+')) digits.remove_prefix(1);
  double result = 0;
  const char* const end = digits.data() + digits.size();
  const std::from_chars_result parsed = std::from_chars(digits.data(), end, result);
  if (digits.empty() || parsed.ec != std::errc() || parsed.ptr != end || !std::isfinite(result)) {
    return absl::InvalidArgumentError(
        radixlm::StrCat(Quoted(value.text), " is not a number; write e.g. 1.5"));
  }
  if (result < minimum || result > maximum) {
    const std::string range = maximum == std::numeric_limits<double>::infinity()
                                  ? radixlm::StrCat("of at least ", minimum)
                                  : radixlm::StrCat("from ", minimum, " to ", maximum);
    return absl::InvalidArgumentError(
        radixlm::StrCat(value.text, " is out of range; use a number ", range));
  }
  return result;
}

bool IsBareNumber(std::string_view text) {
  if (text.starts_with('-') || text.starts_with('+')) text.remove_prefix(1);
  return !text.empty() && text.find_first_not_of("0123456789.") == std::string_view::npos;
}

absl::StatusOr<absl::Duration> ParseDuration(const ScalarValue& value, bool positive) {
  // A bare "0" is a valid Go duration; any other bare number is a forgotten unit, and guessing
  // seconds would turn a mistaken `timeout: 120000` (milliseconds meant) into 33 hours.
  if (value.text != "0" && IsBareNumber(value.text)) {
    return absl::InvalidArgumentError(radixlm::StrCat(value.text, " has no unit; add one, e.g. \"",
                                                      value.text, "s\" for seconds"));
  }
  absl::StatusOr<absl::Duration> duration = ParseGoDuration(value.text);
  if (!duration.ok()) {
    return absl::InvalidArgumentError(radixlm::StrCat(
        Quoted(value.text),
        " is not a duration; use a number followed by ns, us, ms, s, m or h, e.g. \"120s\""));
  }
  if (*duration < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        radixlm::StrCat(Quoted(value.text), " is negative; use a duration of ",
                        positive ? "more than" : "at least", " 0, e.g. \"120s\""));
  }
  if (positive && *duration == absl::ZeroDuration()) {
    return absl::InvalidArgumentError(radixlm::StrCat(
        Quoted(value.text), " is zero; use a duration of more than 0, e.g. \"120s\""));
  }
  return duration;
}

absl::Status CheckHttpUrl(std::string_view url) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (url.size() > scheme.size() && AsciiToLower(url.substr(0, scheme.size())) == scheme &&
        url[scheme.size()] != '/') {
      return absl::OkStatus();
    }
  }
  return absl::InvalidArgumentError(
      radixlm::StrCat(Quoted(url), " is not an http:// or https:// URL with a host; write e.g. ",
                      "\"http://localhost:30000\""));
}

// "\"a\", \"b\" or \"c\"".
std::string QuotedChoices(std::span<const std::string_view> choices) {
  std::string out;
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (i > 0) out += i + 1 == choices.size() ? " or " : ", ";
    out += Quoted(choices[i]);
  }
  return out;
}

absl::Status CheckChoice(std::string_view text, std::span<const std::string_view> choices) {
  if (std::find(choices.begin(), choices.end(), text) != choices.end()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      radixlm::StrCat(Quoted(text), " is not an allowed value; use ", QuotedChoices(choices)));
}

// The duration stored under `key`, which must be a duration field.
absl::Duration DurationAt(const Config& config, std::string_view key) {
  const Field* field = FindField(key);
  // slot() only forms a pointer into the Config; nothing is written through it here.
  return *std::get<absl::Duration*>(field->slot(const_cast<Config&>(config)));
}

// Stores a parsed value, or passes its error on.
template <typename T, typename U>
absl::Status Store(absl::StatusOr<U> parsed, Slot slot) {
  if (!parsed.ok()) return parsed.status();
  *std::get<T*>(slot) = static_cast<T>(*parsed);
  return absl::OkStatus();
}

// ParseCount for whichever integer type the slot holds.
absl::Status StoreCount(const ScalarValue& value, int minimum, Slot slot) {
  if (std::holds_alternative<int*>(slot)) return Store<int>(ParseCount<int>(value, minimum), slot);
  if (std::holds_alternative<std::int64_t*>(slot)) {
    return Store<std::int64_t>(ParseCount<std::int64_t>(value, minimum), slot);
  }
  return Store<std::size_t>(ParseCount<std::size_t>(value, minimum), slot);
}

}  // namespace

bool IsList(Kind kind) { return kind == Kind::kStringList || kind == Kind::kHttpUrlList; }

std::span<const Field> Fields() { return kFields; }

const Field* FindField(std::string_view key) {
  for (const Field& field : kFields) {
    if (field.key == key) return &field;
  }
  return nullptr;
}

bool IsSection(std::string_view key) {
  if (key.empty()) return true;
  for (const Field& field : kFields) {
    if (IsBelow(field.key, key)) return true;
  }
  return false;
}

std::vector<std::string_view> ChildNames(std::string_view section) {
  std::vector<std::string_view> names;
  for (const Field& field : kFields) {
    std::string_view rest = field.key;
    if (!section.empty()) {
      if (!IsBelow(rest, section)) continue;
      rest.remove_prefix(section.size() + 1);
    }
    const std::string_view name = rest.substr(0, rest.find('.'));
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  return names;
}

std::string Expected(const Field& field) {
  switch (field.kind) {
    case Kind::kBool:
      return "true or false";
    case Kind::kString:
      return "a string";
    case Kind::kNonEmptyString:
      return "a non-empty string";
    case Kind::kHttpUrl:
      return "an http:// or https:// URL, e.g. \"http://localhost:30000\"";
    case Kind::kChoice:
      return radixlm::StrCat("one of ", QuotedChoices(field.choices));
    case Kind::kDuration:
    case Kind::kPositiveDuration:
      return "a duration, e.g. \"120s\"";
    case Kind::kCount:
    case Kind::kPositiveCount:
      return "a whole number";
    case Kind::kMultiplier:
      return "a number of at least 1";
    case Kind::kFraction:
      return "a number from 0 to 1";
    case Kind::kStringList:
      return "a list of strings";
    case Kind::kHttpUrlList:
      return "a list of http:// or https:// URLs";
  }
  return "a value";
}

absl::Status SetField(const Field& field, const ScalarValue& value, Config& config) {
  const Slot slot = field.slot(config);
  switch (field.kind) {
    case Kind::kBool:
      return Store<bool>(ParseBool(value), slot);
    case Kind::kString:
      *std::get<std::string*>(slot) = std::string(value.text);
      return absl::OkStatus();
    case Kind::kNonEmptyString:
      if (value.text.empty()) return absl::InvalidArgumentError("must not be empty");
      *std::get<std::string*>(slot) = std::string(value.text);
      return absl::OkStatus();
    case Kind::kHttpUrl:
      if (absl::Status status = CheckHttpUrl(value.text); !status.ok()) return status;
      *std::get<std::string*>(slot) = std::string(value.text);
      return absl::OkStatus();
    case Kind::kChoice:
      if (absl::Status status = CheckChoice(value.text, field.choices); !status.ok()) {
        return status;
      }
      *std::get<std::string*>(slot) = std::string(value.text);
      return absl::OkStatus();
    case Kind::kDuration:
      return Store<absl::Duration>(ParseDuration(value, /*positive=*/false), slot);
    case Kind::kPositiveDuration:
      return Store<absl::Duration>(ParseDuration(value, /*positive=*/true), slot);
    case Kind::kCount:
      return StoreCount(value, 0, slot);
    case Kind::kPositiveCount:
      return StoreCount(value, 1, slot);
    case Kind::kMultiplier:
      return Store<double>(ParseReal(value, 1, std::numeric_limits<double>::infinity()), slot);
    case Kind::kFraction:
      return Store<double>(ParseReal(value, 0, 1), slot);
    case Kind::kStringList:
    case Kind::kHttpUrlList:
      break;
  }
  return absl::InternalError(radixlm::StrCat(field.key, " is a list, not a scalar"));
}

absl::Status CheckListItem(const Field& field, std::string_view item) {
  if (field.kind == Kind::kHttpUrlList) return CheckHttpUrl(item);
  return absl::OkStatus();
}

std::span<const DurationOrder> DurationOrders() { return kDurationOrders; }

absl::Status CheckDurationOrder(const DurationOrder& order, std::string_view blamed_key,
                                const Config& config) {
  const absl::Duration lower = DurationAt(config, order.lower_key);
  const absl::Duration upper = DurationAt(config, order.upper_key);
  if (lower <= upper) return absl::OkStatus();
  if (blamed_key == order.lower_key) {
    return absl::InvalidArgumentError(
        radixlm::StrCat(Quoted(FormatGoDuration(lower)), " is more than ", order.upper_key, " (",
                        Quoted(FormatGoDuration(upper)), "); lower it or raise ", order.upper_key));
  }
  return absl::InvalidArgumentError(
      radixlm::StrCat(Quoted(FormatGoDuration(upper)), " is less than ", order.lower_key, " (",
                      Quoted(FormatGoDuration(lower)), "); raise it or lower ", order.lower_key));
}

}  // namespace radixlm::optimization::internal

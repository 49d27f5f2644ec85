#include "src/common/duration.h"

#include <cstdint>
#include <limits>
#include <string>

#include "absl/status/status.h"
#include "src/common/strings.h"

// Both functions follow Go's src/time/format.go (ParseDuration, Duration.String) step for step,
// including its int64-nanosecond range (about ±292 years) and its integer arithmetic, so that a
// value written by Go, by FormatGoDuration or by hand means exactly the same number of nanoseconds.
// The one deliberate difference: we write microseconds as ASCII "us", not "µs", so that config
// files and logs stay ASCII; both spellings are still accepted on input.

namespace radixlm {
namespace {

constexpr std::uint64_t kMaxMagnitude = std::uint64_t{1} << 63;  // |INT64_MIN| in nanoseconds
constexpr std::string_view kUnitHelp =
    "use a number followed by ns, us, ms, s, m or h, e.g. \"120s\"";

std::uint64_t UnitNanoseconds(std::string_view unit) {
  if (unit == "ns") return 1;
  if (unit == "us" || unit == "\xC2\xB5s" /* U+00B5 micro sign */ ||
      unit == "\xCE\xBCs" /* U+03BC Greek mu */) {
    return 1'000;
  }
  if (unit == "ms") return 1'000'000;
  if (unit == "s") return 1'000'000'000;
  if (unit == "m") return 60'000'000'000;
  if (unit == "h") return 3'600'000'000'000;
  return 0;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Consumes leading digits into `value`; false on overflow past 2^63.
bool ConsumeInteger(std::string_view& rest, std::uint64_t& value) {
  value = 0;
  while (!rest.empty() && IsDigit(rest.front())) {
    if (value > kMaxMagnitude / 10) return false;
    value = value * 10 + static_cast<std::uint64_t>(rest.front() - '0');
    if (value > kMaxMagnitude) return false;
    rest.remove_prefix(1);
  }
  return true;
}

// Consumes the digits after a '.', keeping as many as fit: value / scale is the fraction. Digits
// beyond 2^63 are below a nanosecond for every unit and are dropped, as Go does.
void ConsumeFraction(std::string_view& rest, std::uint64_t& value, double& scale) {
  value = 0;
  scale = 1;
  bool overflow = false;
  while (!rest.empty() && IsDigit(rest.front())) {
    const auto digit = static_cast<std::uint64_t>(rest.front() - '0');
    rest.remove_prefix(1);
    if (overflow) continue;
    if (value > (kMaxMagnitude - 1) / 10 || value * 10 + digit > kMaxMagnitude) {
      overflow = true;
      continue;
    }
    value = value * 10 + digit;
    scale *= 10;
  }
}

// Writes v / 10^precision with trailing zeros (and a bare '.') dropped, as Go's fmtFrac + fmtInt.
std::string FormatFraction(std::uint64_t v, int precision) {
  std::string fraction;
  bool significant = false;
  for (int i = 0; i < precision; ++i) {
    const auto digit = static_cast<char>('0' + v % 10);
    significant = significant || digit != '0';
    if (significant) fraction.insert(fraction.begin(), digit);
    v /= 10;
  }
  return fraction.empty() ? std::to_string(v) : radixlm::StrCat(v, ".", fraction);
}

}  // namespace

absl::StatusOr<absl::Duration> ParseGoDuration(std::string_view text) {
  const auto invalid = [text](std::string_view why) {
    return absl::InvalidArgumentError(radixlm::StrCat("invalid duration \"", text, "\": ", why));
  };
  std::string_view rest = text;
  bool negative = false;
  if (!rest.empty() && (rest.front() == '-' || rest.front() == '+')) {
    negative = rest.front() == '-';
    rest.remove_prefix(1);
  }
  if (rest == "0") return absl::ZeroDuration();
  if (rest.empty()) return invalid(kUnitHelp);

  std::uint64_t total = 0;
  while (!rest.empty()) {
    if (!IsDigit(rest.front()) && rest.front() != '.') return invalid(kUnitHelp);
    const std::size_t before_integer = rest.size();
    std::uint64_t whole = 0;
    if (!ConsumeInteger(rest, whole)) return invalid("out of range");
    const bool has_integer = rest.size() != before_integer;
    std::uint64_t fraction = 0;
    double scale = 1;
    bool has_fraction = false;
    if (!rest.empty() && rest.front() == '.') {
      rest.remove_prefix(1);
      const std::size_t before_fraction = rest.size();
      ConsumeFraction(rest, fraction, scale);
      has_fraction = rest.size() != before_fraction;
    }
    if (!has_integer && !has_fraction) return invalid(kUnitHelp);  // ".s", "-."

    // A unit is everything up to the next number, so "1h-2m" fails on the unit "h-".
    std::size_t unit_length = 0;
    while (unit_length < rest.size() && !IsDigit(rest[unit_length]) && rest[unit_length] != '.') {
      ++unit_length;
    }
    if (unit_length == 0) return invalid(radixlm::StrCat("missing unit; ", kUnitHelp));
    const std::string_view unit_name = rest.substr(0, unit_length);
    rest.remove_prefix(unit_length);
    const std::uint64_t unit = UnitNanoseconds(unit_name);
    if (unit == 0) return invalid(radixlm::StrCat("unknown unit \"", unit_name, "\"; ", kUnitHelp));

    if (whole > kMaxMagnitude / unit) return invalid("out of range");
    std::uint64_t value = whole * unit;
    if (fraction > 0) {
      // Go computes this in double too: it is nanosecond-exact for fractions of an hour and below.
      value += static_cast<std::uint64_t>(static_cast<double>(fraction) *
                                          (static_cast<double>(unit) / scale));
      if (value > kMaxMagnitude) return invalid("out of range");
    }
    total += value;
    if (total > kMaxMagnitude) return invalid("out of range");
  }
  if (negative) {
    if (total == kMaxMagnitude) return absl::Nanoseconds(std::numeric_limits<std::int64_t>::min());
    return -absl::Nanoseconds(static_cast<std::int64_t>(total));
  }
  if (total > kMaxMagnitude - 1) return invalid("out of range");
  return absl::Nanoseconds(static_cast<std::int64_t>(total));
}

std::string FormatGoDuration(absl::Duration d) {
  // Saturates beyond the int64 range and drops sub-nanosecond parts, the values Go cannot hold.
  const std::int64_t nanoseconds = absl::ToInt64Nanoseconds(d);
  if (nanoseconds == 0) return "0s";
  const std::string sign = nanoseconds < 0 ? "-" : "";
  // Negating through unsigned arithmetic keeps INT64_MIN exact.
  std::uint64_t magnitude = static_cast<std::uint64_t>(nanoseconds);
  if (nanoseconds < 0) magnitude = ~magnitude + 1;

  if (magnitude < 1'000) return radixlm::StrCat(sign, magnitude, "ns");
  if (magnitude < 1'000'000) return radixlm::StrCat(sign, FormatFraction(magnitude, 3), "us");
  if (magnitude < 1'000'000'000) return radixlm::StrCat(sign, FormatFraction(magnitude, 6), "ms");

  const std::string seconds = FormatFraction(magnitude % 60'000'000'000, 9);
  const std::uint64_t minutes = magnitude / 60'000'000'000;
  if (minutes == 0) return radixlm::StrCat(sign, seconds, "s");
  if (minutes < 60) return radixlm::StrCat(sign, minutes, "m", seconds, "s");
  return radixlm::StrCat(sign, minutes / 60, "h", minutes % 60, "m", seconds, "s");
}

}  // namespace radixlm

// Go-style duration strings ("120s", "1h30m", "1.5h", "250ms", "10us", "-2m").
//
// The seed's YAML (`timeout: "120s"`) uses Go's time.ParseDuration syntax, so we accept exactly that
// grammar: an optional sign, then one or more <decimal number><unit> pairs, units ns, us, µs, μs,
// ms, s, m, h. "0" alone is allowed (Go allows it too). Anything else is an error that quotes the
// input.
#ifndef RADIXLM_SRC_COMMON_DURATION_H_
#define RADIXLM_SRC_COMMON_DURATION_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace radixlm {

absl::StatusOr<absl::Duration> ParseGoDuration(std::string_view text);

// FormatGoDuration() writes `d` the way Go's Duration.String() does ("2m0s", "1.5s", "250ms").
std::string FormatGoDuration(absl::Duration d);

}  // namespace radixlm

#endif  // RADIXLM_SRC_COMMON_DURATION_H_

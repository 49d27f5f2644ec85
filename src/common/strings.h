// Small string helpers that work with std::string_view.
//
// Debian 12's Abseil is built with its own absl::string_view (not an alias of std::string_view),
// so absl::StrCat and absl/strings/* do not accept std::string_view. These helpers use fmt
// instead; absl::Status still takes std::string (implicitly converted).
#ifndef RADIXLM_SRC_COMMON_STRINGS_H_
#define RADIXLM_SRC_COMMON_STRINGS_H_

#include <iterator>
#include <string>
#include <string_view>

#include "absl/strings/string_view.h"
#include "fmt/format.h"

namespace radixlm {

// Concatenates the fmt "{}" rendering of every argument (numbers in their shortest form).
template <typename... Args>
std::string StrCat(const Args&... args) {
  std::string out;
  (fmt::format_to(std::back_inserter(out), "{}", args), ...);
  return out;
}

// absl::string_view → std::string_view (Status::message() returns the former).
inline std::string_view ToStd(absl::string_view text) { return {text.data(), text.size()}; }
inline absl::string_view ToAbsl(std::string_view text) { return {text.data(), text.size()}; }

std::string_view StripAsciiWhitespace(std::string_view text);
std::string AsciiToLower(std::string_view text);

}  // namespace radixlm

// Lets StrCat take absl::string_view (e.g. Status::message()).
template <>
struct fmt::formatter<absl::string_view> : fmt::formatter<std::string_view> {
  template <typename FormatContext>
  auto format(absl::string_view text, FormatContext& context) const {
    return fmt::formatter<std::string_view>::format(std::string_view(text.data(), text.size()),
                                                    context);
  }
};

#endif  // RADIXLM_SRC_COMMON_STRINGS_H_

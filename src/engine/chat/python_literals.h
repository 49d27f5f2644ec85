// Python's literal forms: repr() of strings and floats, markupsafe's escaping, and the parsing of
// int()/float() from strings — what a template's output shows of numbers and quoted strings.
#ifndef RADIXLM_SRC_ENGINE_CHAT_PYTHON_LITERALS_H_
#define RADIXLM_SRC_ENGINE_CHAT_PYTHON_LITERALS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace radixlm::engine::jinja {

// repr() of a str, quotes included: 'abc', "it's", '\n'.
std::string PythonStringRepr(std::string_view text);
// repr() / str() of a float: shortest round-trip digits, "1.0", "1e+16", "inf", "nan".
std::string PythonFloatRepr(double value);
// markupsafe.escape: & < > " ' become entities.
std::string HtmlEscape(std::string_view text);
// int(text, base) and float(text) as Python parses strings (surrounding whitespace, signs,
// underscores between digits, base prefixes, "inf"/"nan"); nullopt where Python raises.
std::optional<int64_t> ParsePythonInt(std::string_view text, int64_t base);
std::optional<double> ParsePythonFloat(std::string_view text);

}  // namespace radixlm::engine::jinja

#endif  // RADIXLM_SRC_ENGINE_CHAT_PYTHON_LITERALS_H_

// Python's str semantics over UTF-8 text: what chat templates do to message content (strip,
// split, case changes, repr) must give byte for byte what CPython gives, including for non-ASCII
// text. Strings are UTF-8 throughout the interpreter; Python indexes them by code point, so the
// helpers here that take or return positions count code points, not bytes.
#ifndef RADIXLM_SRC_ENGINE_CHAT_TEXT_H_
#define RADIXLM_SRC_ENGINE_CHAT_TEXT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace radixlm::engine::jinja {

bool IsValidUtf8(std::string_view text);
std::u32string DecodeUtf8(std::string_view text);  // `text` must be valid UTF-8.
std::string EncodeUtf8(std::u32string_view code_points);
void AppendUtf8(char32_t code_point, std::string* out);
size_t CodePointCount(std::string_view text);

// str.isspace() of one character (also what `\s` matches in Python's re).
bool IsPythonSpace(char32_t c);

std::string PythonUpper(std::string_view text);
std::string PythonLower(std::string_view text);
std::string PythonTitle(std::string_view text);       // str.title()
std::string PythonCapitalize(std::string_view text);  // str.capitalize()
std::string JinjaTitle(std::string_view text);        // The `title` filter (word starts only).
bool PythonIsLower(std::string_view text);
bool PythonIsUpper(std::string_view text);

// str.strip/lstrip/rstrip; `chars` absent strips whitespace.
std::string PythonStrip(std::string_view text, const std::optional<std::string>& chars, bool left,
                        bool right);
// str.split / str.rsplit; `separator` absent splits on whitespace runs. An empty separator is the
// caller's error to report. `max_split` < 0 means no limit.
std::vector<std::string> PythonSplit(std::string_view text,
                                     const std::optional<std::string>& separator, int64_t max_split,
                                     bool from_right);
std::vector<std::string> PythonSplitLines(std::string_view text, bool keep_ends);
std::string PythonCenter(std::string_view text, int64_t width);
std::string PythonReplace(std::string_view text, std::string_view old_text,
                          std::string_view new_text, int64_t count);
// str.find / str.count over code points; `start`/`end` already clamped by the caller.
int64_t PythonFind(std::string_view text, std::string_view needle, bool from_right);
int64_t PythonCount(std::string_view text, std::string_view needle);

// Number of `\w+` runs, as Jinja's wordcount filter counts them.
int64_t WordCount(std::string_view text);

}  // namespace radixlm::engine::jinja

#endif  // RADIXLM_SRC_ENGINE_CHAT_TEXT_H_

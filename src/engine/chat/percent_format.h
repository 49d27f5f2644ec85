// Python's printf-style string formatting (`'%s: %d' % (name, n)`), which templates reach
// through the `%` operator on strings and the `format` filter.
#ifndef RADIXLM_SRC_ENGINE_CHAT_PERCENT_FORMAT_H_
#define RADIXLM_SRC_ENGINE_CHAT_PERCENT_FORMAT_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "src/engine/chat/value.h"

namespace radixlm::engine::jinja {

// format % args. A tuple supplies positional arguments, a dict named ones (`%(name)s`), anything
// else is the single argument. Conversions: s r a d i u o x X e E f F g G c %, with flags, width
// and precision. Errors carry CPython's messages ("not enough arguments for format string"); a
// result longer than `max_bytes` is kResourceExhausted.
absl::StatusOr<std::string> PercentFormat(std::string_view format, const Value& args,
                                          size_t max_bytes);

}  // namespace radixlm::engine::jinja

#endif  // RADIXLM_SRC_ENGINE_CHAT_PERCENT_FORMAT_H_

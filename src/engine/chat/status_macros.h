// Early-return helpers for absl::Status / absl::StatusOr inside the chat template interpreter,
// whose every evaluation step can fail.
#ifndef RADIXLM_SRC_ENGINE_CHAT_STATUS_MACROS_H_
#define RADIXLM_SRC_ENGINE_CHAT_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define RADIXLM_CHAT_CONCAT_INNER(a, b) a##b
#define RADIXLM_CHAT_CONCAT(a, b) RADIXLM_CHAT_CONCAT_INNER(a, b)

// Returns the status of `expr` from the enclosing function when it is not OK.
#define CHAT_RETURN_IF_ERROR(expr)                             \
  do {                                                         \
    ::absl::Status radixlm_chat_status = (expr);               \
    if (!radixlm_chat_status.ok()) return radixlm_chat_status; \
  } while (false)

// `lhs = *expr` when `expr` (a StatusOr) holds a value, else returns its status.
#define CHAT_ASSIGN_OR_RETURN(lhs, expr) \
  CHAT_ASSIGN_OR_RETURN_IMPL(RADIXLM_CHAT_CONCAT(radixlm_chat_or_, __LINE__), lhs, expr)

// `tmp` is an identifier and `lhs` may be a declaration, so neither can be parenthesized.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define CHAT_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return std::move(tmp).status();   \
  lhs = std::move(*tmp)
// NOLINTEND(bugprone-macro-parentheses)

#endif  // RADIXLM_SRC_ENGINE_CHAT_STATUS_MACROS_H_

#include "src/client/sse_parser.h"

namespace radixlm::sglang::internal {

bool SseParser::Feed(std::string_view bytes) {
  for (char c : bytes) {
    if (after_carriage_return_) {
      after_carriage_return_ = false;
      if (c == '\n') continue;
    }
    if (c == '\r' || c == '\n') {
      after_carriage_return_ = c == '\r';
      const bool keep_going = ProcessLine(line_);
      line_.clear();
      if (!keep_going) return false;
      continue;
    }
    line_.push_back(c);
  }
  return true;
}

bool SseParser::Finish() {
  if (!line_.empty()) {
    const bool keep_going = ProcessLine(line_);
    line_.clear();
    if (!keep_going) return false;
  }
  return Dispatch();
}

bool SseParser::ProcessLine(std::string_view line) {
  if (line.empty()) return Dispatch();
  if (line.front() == ':') return true;  // comment / keep-alive
  std::string_view field = line;
  std::string_view value;
  if (const size_t colon = line.find(':'); colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field == "data") {
    if (has_data_) pending_.data.push_back('\n');
    pending_.data.append(value);
    has_data_ = true;
  } else if (field == "event") {
    pending_.event = std::string(value);
  }
  // "id" and "retry" are meaningless for a one-shot HTTP response and are ignored.
  return true;
}

bool SseParser::Dispatch() {
  if (!has_data_) {
    pending_ = SseEvent();
    return true;
  }
  SseEvent event = std::move(pending_);
  pending_ = SseEvent();
  has_data_ = false;
  return on_event_(event);
}

}  // namespace radixlm::sglang::internal

// SseParser: incremental parser for text/event-stream (WHATWG "server-sent events").
//
// Bytes arrive in arbitrary pieces — a network read may end in the middle of a line, of a "\r\n"
// pair or of a UTF-8 sequence — so the parser keeps the unfinished line and only dispatches an
// event at its blank line. Supports "data:" (multi-line, joined with '\n'), "event:", comments
// (":"), and the three line endings "\n", "\r\n", "\r".
//
// Thread safety: none; one parser per stream.
#ifndef RADIXLM_SRC_CLIENT_SSE_PARSER_H_
#define RADIXLM_SRC_CLIENT_SSE_PARSER_H_

#include <functional>
#include <string>
#include <string_view>
#include <utility>

namespace radixlm::sglang::internal {

struct SseEvent {
  std::string event;  // "" unless the stream named it
  std::string data;
};

class SseParser {
 public:
  // Return false to stop parsing; Feed() then returns false and ignores the rest of its input.
  using EventHandler = std::function<bool(const SseEvent&)>;

  explicit SseParser(EventHandler on_event) : on_event_(std::move(on_event)) {}

  // Consumes `bytes`; returns false when the handler asked to stop.
  bool Feed(std::string_view bytes);
  // Dispatches an event left without its final blank line when the stream ended; returns false
  // when the handler asked to stop.
  bool Finish();

 private:
  bool ProcessLine(std::string_view line);
  bool Dispatch();

  EventHandler on_event_;
  std::string line_;
  SseEvent pending_;
  bool has_data_ = false;
  // The previous piece ended with '\r'; a '\n' that starts the next piece belongs to it.
  bool after_carriage_return_ = false;
};

}  // namespace radixlm::sglang::internal

#endif  // RADIXLM_SRC_CLIENT_SSE_PARSER_H_

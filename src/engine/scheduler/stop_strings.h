// StopStrings: finds the user's stop strings in a request's output text as it grows token by
// token, so a stop string split across tokens ("\n" + "User:") is still found, and text that might
// be the start of a stop string is held back from streaming until it is known not to be one.
//
// Thread safety: none; one per request.
#ifndef RADIXLM_SRC_ENGINE_SCHEDULER_STOP_STRINGS_H_
#define RADIXLM_SRC_ENGINE_SCHEDULER_STOP_STRINGS_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace radixlm::engine {

class StopStrings {
 public:
  // Empty strings in `stops` are ignored. `keep_stop`: the matched stop string stays in the
  // output (SGLang's no_stop_trim).
  StopStrings(std::vector<std::string> stops, bool keep_stop);

  struct Step {
    // Text that is final and may be shown.
    std::string text;
    // The stop string found in this step, if any; generation must end.
    std::optional<std::string> matched;
  };

  // Adds newly decoded text. After a match, further calls return nothing.
  Step Push(std::string_view text);
  // Releases the held-back text (generation ended for another reason).
  std::string Flush();

 private:
  // Length of the longest suffix of pending_ that is a proper prefix of some stop string.
  std::size_t HeldBackLength() const;

  std::vector<std::string> stops_;
  bool keep_stop_;
  bool matched_ = false;
  std::size_t longest_stop_ = 0;
  std::string pending_;  // text not yet released, shorter than the longest stop string
};

}  // namespace radixlm::engine

#endif  // RADIXLM_SRC_ENGINE_SCHEDULER_STOP_STRINGS_H_

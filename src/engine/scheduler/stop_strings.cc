#include "src/engine/scheduler/stop_strings.h"

#include <algorithm>
#include <utility>

namespace radixlm::engine {

StopStrings::StopStrings(std::vector<std::string> stops, bool keep_stop) : keep_stop_(keep_stop) {
  for (std::string& stop : stops) {
    if (stop.empty()) continue;
    longest_stop_ = std::max(longest_stop_, stop.size());
    stops_.push_back(std::move(stop));
  }
}

StopStrings::Step StopStrings::Push(std::string_view text) {
  Step step;
  if (matched_) return step;
  if (stops_.empty()) {
    step.text = std::string(text);
    return step;
  }
  // Only the held-back tail plus the new text can contain a stop string that was not seen yet,
  // and a new match must end inside the new text.
  pending_.append(text);
  std::size_t best = std::string::npos;
  const std::string* best_stop = nullptr;
  for (const std::string& stop : stops_) {
    const std::size_t at = pending_.find(stop);
    if (at != std::string::npos && (at < best || (at == best && stop.size() > best_stop->size()))) {
      best = at;
      best_stop = &stop;
    }
  }
  if (best_stop != nullptr) {
    matched_ = true;
    step.matched = *best_stop;
    step.text = pending_.substr(0, keep_stop_ ? best + best_stop->size() : best);
    pending_.clear();
    return step;
  }
  const std::size_t hold = HeldBackLength();
  step.text = pending_.substr(0, pending_.size() - hold);
  pending_.erase(0, pending_.size() - hold);
  return step;
}

std::string StopStrings::Flush() {
  std::string text;
  if (!matched_) text.swap(pending_);
  pending_.clear();
  return text;
}

std::size_t StopStrings::HeldBackLength() const {
  const std::size_t limit = std::min(pending_.size(), longest_stop_ - 1);
  for (std::size_t length = limit; length > 0; --length) {
    const std::string_view tail = std::string_view(pending_).substr(pending_.size() - length);
    for (const std::string& stop : stops_) {
      if (stop.size() > length && std::string_view(stop).substr(0, length) == tail) return length;
    }
  }
  return 0;
}

}  // namespace radixlm::engine

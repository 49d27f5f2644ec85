// A one-line progress bar on stderr for long steps (writing and loading weights). Draws only when
// stderr is a terminal, so logs and tests stay clean.
#ifndef RADIXLM_SRC_CLI_PROGRESS_BAR_H_
#define RADIXLM_SRC_CLI_PROGRESS_BAR_H_

#include <cstdint>
#include <string>

namespace radixlm::cli {

class ProgressBar {
 public:
  explicit ProgressBar(std::string label);
  void Update(std::uint64_t done, std::uint64_t total);
  // Ends the line (if anything was drawn).
  void Finish();

 private:
  const std::string label_;
  const bool enabled_;
  int last_percent_ = -1;
};

}  // namespace radixlm::cli

#endif  // RADIXLM_SRC_CLI_PROGRESS_BAR_H_

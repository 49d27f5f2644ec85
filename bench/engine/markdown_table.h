// MarkdownTable: the benchmark's output format. Tables go to stdout as GitHub markdown, so that a
// run's output pastes into docs/PERFORMANCE.md unchanged, and to the JSON report as an array of
// objects keyed by column name, for scripts (bench/llama_cpp/compare.sh reads it).
#ifndef RADIXLM_BENCH_ENGINE_MARKDOWN_TABLE_H_
#define RADIXLM_BENCH_ENGINE_MARKDOWN_TABLE_H_

#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace radixlm::bench {

class MarkdownTable {
 public:
  explicit MarkdownTable(std::vector<std::string> columns);

  // Adds a row; it must have one cell per column.
  void AddRow(std::vector<std::string> cells);

  // Print() writes the table (with a blank line after it) to stdout.
  void Print() const;
  nlohmann::json ToJson() const;

 private:
  std::vector<std::string> columns_;
  std::vector<std::vector<std::string>> rows_;
};

// Fixed() formats `value` with `digits` decimals ("12.35").
std::string Fixed(double value, int digits);

}  // namespace radixlm::bench

#endif  // RADIXLM_BENCH_ENGINE_MARKDOWN_TABLE_H_

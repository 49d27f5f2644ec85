#include "bench/engine/markdown_table.h"

#include <cassert>
#include <cstdio>
#include <utility>

#include "fmt/format.h"

namespace radixlm::bench {

MarkdownTable::MarkdownTable(std::vector<std::string> columns) : columns_(std::move(columns)) {}

void MarkdownTable::AddRow(std::vector<std::string> cells) {
  assert(cells.size() == columns_.size());
  rows_.push_back(std::move(cells));
}

void MarkdownTable::Print() const {
  auto print_row = [](const std::vector<std::string>& cells) {
    std::string line = "|";
    for (const std::string& cell : cells) line += " " + cell + " |";
    std::puts(line.c_str());
  };
  print_row(columns_);
  std::string rule = "|";
  for (std::size_t i = 0; i < columns_.size(); ++i) rule += "---|";
  std::puts(rule.c_str());
  for (const auto& row : rows_) print_row(row);
  std::puts("");
  std::fflush(stdout);
}

nlohmann::json MarkdownTable::ToJson() const {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& row : rows_) {
    nlohmann::json object = nlohmann::json::object();
    for (std::size_t i = 0; i < columns_.size(); ++i) object[columns_[i]] = row[i];
    rows.push_back(std::move(object));
  }
  return rows;
}

std::string Fixed(double value, int digits) { return fmt::format("{:.{}f}", value, digits); }

}  // namespace radixlm::bench

#include "src/engine/tokenizer/utf8.h"

namespace radixlm::engine::internal {
namespace {

constexpr char kReplacementCharacter[] = "\xEF\xBF\xBD";

// Length of the sequence `lead` starts and the valid range of its second byte (Unicode Table
// 3-7, "Well-Formed UTF-8 Byte Sequences"); 0 for a byte that cannot start a sequence.
struct LeadInfo {
  int length;
  uint8_t second_low;
  uint8_t second_high;
};

LeadInfo InspectLead(uint8_t lead) {
  if (lead < 0x80) return {1, 0, 0};
  if (lead >= 0xC2 && lead <= 0xDF) return {2, 0x80, 0xBF};
  if (lead == 0xE0) return {3, 0xA0, 0xBF};
  if ((lead >= 0xE1 && lead <= 0xEC) || lead == 0xEE || lead == 0xEF) return {3, 0x80, 0xBF};
  if (lead == 0xED) return {3, 0x80, 0x9F};
  if (lead == 0xF0) return {4, 0x90, 0xBF};
  if (lead >= 0xF1 && lead <= 0xF3) return {4, 0x80, 0xBF};
  if (lead == 0xF4) return {4, 0x80, 0x8F};
  return {0, 0, 0};
}

// Number of bytes from `pos` that belong to a well-formed prefix of the sequence starting
// there (at least 1), and whether that prefix is a complete character.
struct SequenceScan {
  size_t valid_bytes;
  bool complete;
};

SequenceScan ScanSequence(std::string_view bytes, size_t pos) {
  const LeadInfo info = InspectLead(static_cast<uint8_t>(bytes[pos]));
  if (info.length == 0) return {1, false};
  if (info.length == 1) return {1, true};
  size_t valid = 1;
  for (int i = 1; i < info.length; ++i) {
    if (pos + i >= bytes.size()) return {valid, false};
    const auto byte = static_cast<uint8_t>(bytes[pos + i]);
    const uint8_t low = i == 1 ? info.second_low : 0x80;
    const uint8_t high = i == 1 ? info.second_high : 0xBF;
    if (byte < low || byte > high) return {valid, false};
    ++valid;
  }
  return {valid, true};
}

}  // namespace

size_t FindInvalidUtf8(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    if (static_cast<uint8_t>(text[pos]) < 0x80) {
      ++pos;
      continue;
    }
    const SequenceScan scan = ScanSequence(text, pos);
    if (!scan.complete) return pos;
    pos += scan.valid_bytes;
  }
  return std::string_view::npos;
}

char32_t DecodeUtf8(std::string_view text, size_t* pos) {
  const auto lead = static_cast<uint8_t>(text[*pos]);
  const size_t length = Utf8CharLength(text, *pos);
  char32_t code_point = length == 1   ? lead
                        : length == 2 ? lead & 0x1F
                        : length == 3 ? lead & 0x0F
                                      : lead & 0x07;
  for (size_t i = 1; i < length; ++i) {
    code_point = (code_point << 6) | (static_cast<uint8_t>(text[*pos + i]) & 0x3F);
  }
  *pos += length;
  return code_point;
}

void AppendUtf8(char32_t code_point, std::string* out) {
  if (code_point < 0x80) {
    out->push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else if (code_point < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (code_point >> 18)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

size_t CountCodePoints(std::string_view text) {
  size_t count = 0;
  for (const char byte : text) {
    if ((static_cast<uint8_t>(byte) & 0xC0) != 0x80) ++count;
  }
  return count;
}

std::string Utf8Lossy(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  size_t pos = 0;
  while (pos < bytes.size()) {
    if (static_cast<uint8_t>(bytes[pos]) < 0x80) {
      out.push_back(bytes[pos++]);
      continue;
    }
    const SequenceScan scan = ScanSequence(bytes, pos);
    if (scan.complete) {
      out.append(bytes.substr(pos, scan.valid_bytes));
    } else {
      out.append(kReplacementCharacter);
    }
    pos += scan.valid_bytes;
  }
  return out;
}

size_t IncompleteUtf8Suffix(std::string_view bytes) {
  // A character is at most 4 bytes, so an incomplete one starts within the last 3.
  const size_t earliest = bytes.size() >= 3 ? bytes.size() - 3 : 0;
  for (size_t start = bytes.size(); start-- > earliest;) {
    const auto byte = static_cast<uint8_t>(bytes[start]);
    if ((byte & 0xC0) == 0x80) continue;  // A continuation byte: look further left.
    const SequenceScan scan = ScanSequence(bytes, start);
    const bool reaches_end = start + scan.valid_bytes == bytes.size();
    return (!scan.complete && reaches_end && InspectLead(byte).length > 1) ? bytes.size() - start
                                                                           : 0;
  }
  return 0;
}

}  // namespace radixlm::engine::internal

#include "src/engine/tokenizer/byte_level.h"

#include <array>

#include "src/engine/tokenizer/utf8.h"

namespace radixlm::engine::internal {
namespace {

// Invariant: `byte_to_char` is a bijection from 0..255 onto the mapped characters, and
// `char_to_byte` (indexed by code point, all of which are below 0x144) is its inverse, holding
// -1 for unmapped code points.
struct ByteTables {
  std::array<char32_t, 256> byte_to_char{};
  std::array<int16_t, 0x144> char_to_byte{};
  std::array<std::string, 256> byte_to_utf8{};

  ByteTables() {
    char_to_byte.fill(-1);
    auto printable = [](int byte) {
      return (byte >= '!' && byte <= '~') || (byte >= 0xA1 && byte <= 0xAC) ||
             (byte >= 0xAE && byte <= 0xFF);
    };
    char32_t next_unprintable = 0x100;
    for (int byte = 0; byte < 256; ++byte) {
      const char32_t mapped = printable(byte) ? static_cast<char32_t>(byte) : next_unprintable++;
      byte_to_char[byte] = mapped;
      char_to_byte[mapped] = static_cast<int16_t>(byte);
      AppendUtf8(mapped, &byte_to_utf8[byte]);
    }
  }
};

const ByteTables& Tables() {
  static const ByteTables* const tables = new ByteTables();
  return *tables;
}

}  // namespace

char32_t ByteToChar(uint8_t byte) { return Tables().byte_to_char[byte]; }

std::optional<uint8_t> CharToByte(char32_t code_point) {
  if (code_point >= Tables().char_to_byte.size()) return std::nullopt;
  const int16_t byte = Tables().char_to_byte[code_point];
  if (byte < 0) return std::nullopt;
  return static_cast<uint8_t>(byte);
}

std::string BytesToByteLevel(std::string_view bytes) {
  const ByteTables& tables = Tables();
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char byte : bytes) out.append(tables.byte_to_utf8[static_cast<uint8_t>(byte)]);
  return out;
}

std::string ByteLevelToBytes(std::string_view token) {
  std::string bytes;
  bytes.reserve(token.size());
  size_t pos = 0;
  while (pos < token.size()) {
    const std::optional<uint8_t> byte = CharToByte(DecodeUtf8(token, &pos));
    if (!byte.has_value()) return std::string(token);
    bytes.push_back(static_cast<char>(*byte));
  }
  return bytes;
}

}  // namespace radixlm::engine::internal

// GPT-2's reversible byte ↔ printable-character mapping used by byte-level BPE.
//
// Every byte 0..255 maps to one code point: printable Latin-1 bytes map to themselves and the
// rest to U+0100 upwards, so that every token is a printable string (openai/gpt-2 encoder.py,
// bytes_to_unicode).
#ifndef RADIXLM_SRC_ENGINE_TOKENIZER_BYTE_LEVEL_H_
#define RADIXLM_SRC_ENGINE_TOKENIZER_BYTE_LEVEL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace radixlm::engine::internal {

// The regex GPT-2 splits words with; the ByteLevel pre-tokenizer's `use_regex` applies it.
inline constexpr std::string_view kGpt2SplitPattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

// The code point byte `byte` maps to.
char32_t ByteToChar(uint8_t byte);
// The byte `code_point` stands for, if it is one of the 256 mapped characters.
std::optional<uint8_t> CharToByte(char32_t code_point);

// Each byte of `bytes` replaced by the UTF-8 encoding of its mapped character.
std::string BytesToByteLevel(std::string_view bytes);

// The bytes a byte-level token stands for. A token with any character outside the mapping is
// taken as its own UTF-8 bytes, as the ByteLevel decoder does.
std::string ByteLevelToBytes(std::string_view token);

}  // namespace radixlm::engine::internal

#endif  // RADIXLM_SRC_ENGINE_TOKENIZER_BYTE_LEVEL_H_

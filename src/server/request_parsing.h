// Reading request bodies: JSON parsing, typed field access with pydantic-like messages, and the
// native `sampling_params` object (SGLang's SamplingParams, protocol §1.4) mapped onto the
// engine's SamplingParams. Every failure is a ValidationError (400 on every route).
//
// FieldReader keeps the first error instead of returning StatusOr from every accessor, so that a
// route reads its fields in a straight line and checks reader.status() once.
#ifndef RADIXLM_SRC_SERVER_REQUEST_PARSING_H_
#define RADIXLM_SRC_SERVER_REQUEST_PARSING_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "radixlm/engine/sampling_params.h"

namespace radixlm::server {

using Json = nlohmann::ordered_json;

// Parses a request body that must be a JSON object. An empty body is `{}` when `empty_ok`.
absl::StatusOr<Json> ParseJsonObject(std::string_view body, bool empty_ok = false);

// Typed, optional access to the fields of one JSON object. A field that is absent or JSON null
// reads as nullopt ("use the default", as SGLang treats explicit nulls).
class FieldReader {
 public:
  // `object` must outlive the reader; `where` names it in messages ("body", "sampling_params").
  FieldReader(const Json& object, std::string where);

  std::optional<std::int64_t> Int(std::string_view name);
  std::optional<double> Number(std::string_view name);
  std::optional<bool> Bool(std::string_view name);
  std::optional<std::string> String(std::string_view name);
  // A string or a list of strings (OpenAI's `stop`).
  std::optional<std::vector<std::string>> StringOrList(std::string_view name);
  std::optional<std::vector<std::int32_t>> IntList(std::string_view name);
  // The raw value (any type), nullopt when absent or null.
  const Json* Raw(std::string_view name);

  // Records an error about field `name` (the first error wins).
  void Fail(std::string_view name, std::string_view message);
  // Records an error when `value` is present and outside [low, high].
  void CheckRange(std::string_view name, std::optional<double> value, double low, double high,
                  std::string_view range_text);

  bool ok() const { return status_.ok(); }
  const absl::Status& status() const { return status_; }
  // Names read so far (for rejecting unknown fields).
  const std::set<std::string, std::less<>>& seen() const { return seen_; }

 private:
  const Json* Find(std::string_view name);

  const Json& object_;
  std::string where_;
  absl::Status status_;
  std::set<std::string, std::less<>> seen_;
};

// A short rendering of a JSON value for messages (strings quoted, long values cut).
std::string Preview(const Json& value);

// Applies SGLang's native `sampling_params` object over `params`. `context_length` bounds a null
// max_new_tokens ("rest of the context"). Unknown keys and the grammar/logit-bias features the
// engine does not have are 400s.
// Reads the sampling fields that SGLang's `sampling_params` and the OpenAI request bodies name
// alike (temperature, top_p, top_k, min_p, the three penalties, stop, stop_token_ids, ignore_eos,
// skip_special_tokens, no_stop_trim) into `params`; errors go to `reader`.
void ReadSharedSamplingFields(FieldReader& reader, engine::SamplingParams& params);

absl::Status ApplyNativeSamplingParams(const Json& object, std::int64_t context_length,
                                       engine::SamplingParams& params);

// True when `text` is valid UTF-8.
bool IsValidUtf8(std::string_view text);

}  // namespace radixlm::server

#endif  // RADIXLM_SRC_SERVER_REQUEST_PARSING_H_

#include "src/engine/chat/json.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "src/common/strings.h"
#include "src/engine/chat/python_literals.h"
#include "src/engine/chat/status_macros.h"
#include "src/engine/chat/text.h"
#include "src/engine/chat/value_ops.h"

namespace radixlm::engine::jinja {
namespace {

void AppendHex4(uint32_t unit, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->append("\\u");
  for (int shift = 12; shift >= 0; shift -= 4) out->push_back(kHex[(unit >> shift) & 0xf]);
}

// CPython's encode_basestring(_ascii).
void AppendJsonString(std::string_view text, bool ensure_ascii, std::string* out) {
  out->push_back('"');
  for (char32_t c : DecodeUtf8(text)) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      default:
        if (c < 0x20 || (ensure_ascii && c > 0x7e)) {
          if (c > 0xffff) {
            char32_t v = c - 0x10000;
            AppendHex4(0xd800 | ((v >> 10) & 0x3ff), out);
            AppendHex4(0xdc00 | (v & 0x3ff), out);
          } else {
            AppendHex4(c, out);
          }
        } else {
          AppendUtf8(c, out);
        }
    }
  }
  out->push_back('"');
}

std::string FloatJson(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  return PythonFloatRepr(value);
}

class Dumper {
 public:
  explicit Dumper(const JsonDumpOptions& options) : options_(options) {}

  absl::Status Dump(const Value& value, int level, std::string* out) {
    if (level > kMaxValueNesting) {
      return TemplateRuntimeError("maximum recursion depth exceeded while encoding a JSON object");
    }
    switch (value.kind()) {
      case Value::Kind::kNone:
        out->append("null");
        return absl::OkStatus();
      case Value::Kind::kBool:
        out->append(value.bool_value() ? "true" : "false");
        return absl::OkStatus();
      case Value::Kind::kInt:
        out->append(std::to_string(value.int_value()));
        return absl::OkStatus();
      case Value::Kind::kFloat:
        out->append(FloatJson(value.float_value()));
        return absl::OkStatus();
      case Value::Kind::kString:
        AppendJsonString(value.string_value(), options_.ensure_ascii, out);
        return absl::OkStatus();
      case Value::Kind::kList:
      case Value::Kind::kTuple:
        return DumpList(value.items(), level, out);
      case Value::Kind::kDict:
        return DumpDict(value.dict(), level, out);
      default:
        return TemplateRuntimeError(
            StrCat("Object of type ", TypeName(value), " is not JSON serializable"));
    }
  }

 private:
  void Newline(int level, std::string* out) const {
    out->push_back('\n');
    for (int i = 0; i < level; ++i) out->append(*options_.indent);
  }

  absl::Status DumpList(const std::vector<Value>& items, int level, std::string* out) {
    if (items.empty()) {
      out->append("[]");
      return absl::OkStatus();
    }
    out->push_back('[');
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) out->append(options_.item_separator);
      if (options_.indent.has_value()) Newline(level + 1, out);
      CHAT_RETURN_IF_ERROR(Dump(items[i], level + 1, out));
    }
    if (options_.indent.has_value()) Newline(level, out);
    out->push_back(']');
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> KeyText(const Value& key) const {
    switch (key.kind()) {
      case Value::Kind::kString:
        return key.string_value();
      case Value::Kind::kInt:
        return std::to_string(key.int_value());
      case Value::Kind::kFloat:
        return FloatJson(key.float_value());
      case Value::Kind::kBool:
        return std::string(key.bool_value() ? "true" : "false");
      case Value::Kind::kNone:
        return std::string("null");
      default:
        return TemplateRuntimeError(
            StrCat("keys must be str, int, float, bool or None, not ", TypeName(key)));
    }
  }

  absl::Status DumpDict(const Dict& dict, int level, std::string* out) {
    if (dict.empty()) {
      out->append("{}");
      return absl::OkStatus();
    }
    std::vector<const std::pair<Value, Value>*> entries;
    for (const auto& entry : dict.entries()) entries.push_back(&entry);
    if (options_.sort_keys) {
      absl::Status status;
      std::stable_sort(entries.begin(), entries.end(), [&](const auto* a, const auto* b) {
        absl::StatusOr<bool> less = Compare(CompareOp::kLt, a->first, b->first);
        if (!less.ok()) {
          status.Update(less.status());
          return false;
        }
        return *less;
      });
      CHAT_RETURN_IF_ERROR(status);
    }
    out->push_back('{');
    bool first = true;
    for (const auto* entry : entries) {
      if (!first) out->append(options_.item_separator);
      first = false;
      if (options_.indent.has_value()) Newline(level + 1, out);
      CHAT_ASSIGN_OR_RETURN(std::string key, KeyText(entry->first));
      AppendJsonString(key, options_.ensure_ascii, out);
      out->append(options_.key_separator);
      CHAT_RETURN_IF_ERROR(Dump(entry->second, level + 1, out));
    }
    if (options_.indent.has_value()) Newline(level, out);
    out->push_back('}');
    return absl::OkStatus();
  }

  const JsonDumpOptions& options_;
};

absl::StatusOr<Value> Convert(const nlohmann::ordered_json& json, const std::string& what,
                              int depth) {
  if (depth > kMaxValueNesting) {
    return absl::InvalidArgumentError(
        StrCat(what, " is nested more than ", kMaxValueNesting, " levels deep"));
  }
  switch (json.type()) {
    case nlohmann::ordered_json::value_t::null:
    case nlohmann::ordered_json::value_t::discarded:
      return Value::None();
    case nlohmann::ordered_json::value_t::boolean:
      return Value::Bool(json.get<bool>());
    case nlohmann::ordered_json::value_t::number_integer:
      return Value::Int(json.get<int64_t>());
    case nlohmann::ordered_json::value_t::number_unsigned: {
      auto value = json.get<uint64_t>();
      if (value > static_cast<uint64_t>(INT64_MAX)) return Value::Float(static_cast<double>(value));
      return Value::Int(static_cast<int64_t>(value));
    }
    case nlohmann::ordered_json::value_t::number_float:
      return Value::Float(json.get<double>());
    case nlohmann::ordered_json::value_t::string: {
      const auto& text = json.get_ref<const std::string&>();
      if (!IsValidUtf8(text))
        return absl::InvalidArgumentError(StrCat(what, " is not valid UTF-8"));
      return Value::String(text);
    }
    case nlohmann::ordered_json::value_t::array: {
      std::vector<Value> items;
      items.reserve(json.size());
      for (size_t i = 0; i < json.size(); ++i) {
        CHAT_ASSIGN_OR_RETURN(Value item, Convert(json[i], StrCat(what, "[", i, "]"), depth + 1));
        items.push_back(std::move(item));
      }
      return Value::List(std::move(items));
    }
    case nlohmann::ordered_json::value_t::object: {
      Dict dict;
      for (const auto& [key, item] : json.items()) {
        if (!IsValidUtf8(key)) {
          return absl::InvalidArgumentError(StrCat("a key of ", what, " is not valid UTF-8"));
        }
        CHAT_ASSIGN_OR_RETURN(Value value, Convert(item, StrCat(what, ".", key), depth + 1));
        dict.Set(Value::String(key), std::move(value));
      }
      return Value::MakeDict(std::move(dict));
    }
    case nlohmann::ordered_json::value_t::binary:
      break;
  }
  return absl::InvalidArgumentError(StrCat(what, " holds binary data, which has no JSON form"));
}

}  // namespace

absl::StatusOr<std::string> JsonDumps(const Value& value, const JsonDumpOptions& options) {
  std::string out;
  CHAT_RETURN_IF_ERROR(Dumper(options).Dump(value, 0, &out));
  return out;
}

absl::StatusOr<Value> FromJson(const nlohmann::ordered_json& json, const std::string& what) {
  return Convert(json, what, 0);
}

}  // namespace radixlm::engine::jinja

// str()/repr(), len(), iteration and the sandboxed attribute, item and slice access of Values.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "src/common/strings.h"
#include "src/engine/chat/methods.h"
#include "src/engine/chat/python_literals.h"
#include "src/engine/chat/status_macros.h"
#include "src/engine/chat/text.h"
#include "src/engine/chat/value_ops.h"

namespace radixlm::engine::jinja {
namespace {

bool IsIntLike(const Value& v) { return v.is_int() || v.is_bool(); }

std::string ReprAt(const Value& value, int depth);

std::string JoinRepr(const std::vector<Value>& items, int depth) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    out += ReprAt(items[i], depth);
  }
  return out;
}

std::string CallableText(const Value& value) {
  const CallableData& callable = value.callable();
  if (callable.type_name == "Macro") return StrCat("<Macro ", PythonStringRepr(callable.name), ">");
  return StrCat("<", callable.type_name, " ", callable.name, ">");
}

// Python index normalisation for a subscript; false when out of range.
bool NormalizeIndex(int64_t size, int64_t* index) {
  if (*index < 0) *index += size;
  return *index >= 0 && *index < size;
}

absl::StatusOr<int64_t> SliceBound(const std::optional<Value>& bound, int64_t fallback) {
  if (!bound.has_value() || bound->is_none()) return fallback;
  if (bound->is_undefined()) return UndefinedError(*bound);
  if (!IsIntLike(*bound)) {
    return TemplateRuntimeError(
        "slice indices must be integers or None or have an __index__ method");
  }
  return bound->AsInt();
}

}  // namespace

std::string ToStr(const Value& value) {
  switch (value.kind()) {
    case Value::Kind::kUndefined:
      return "";
    case Value::Kind::kString:
      return value.string_value();
    case Value::Kind::kNamespace: {
      Value as_dict = Value::MakeDict(value.namespace_attributes());
      return StrCat("<Namespace ", Repr(as_dict), ">");
    }
    case Value::Kind::kCallable:
      return CallableText(value);
    case Value::Kind::kIterator:
      return StrCat("<", value.iterator().type_name, " object>");
    case Value::Kind::kLoop:
      return StrCat("<LoopContext ", value.loop().index0 + 1, "/", value.loop().items->size(), ">");
    default:
      return Repr(value);
  }
}

std::string Repr(const Value& value) { return ReprAt(value, 0); }

namespace {

std::string ReprAt(const Value& value, int depth) {
  if (depth > kMaxValueNesting) return "...";
  switch (value.kind()) {
    case Value::Kind::kUndefined:
      return "Undefined";
    case Value::Kind::kNone:
      return "None";
    case Value::Kind::kBool:
      return value.bool_value() ? "True" : "False";
    case Value::Kind::kInt:
      return std::to_string(value.int_value());
    case Value::Kind::kFloat:
      return PythonFloatRepr(value.float_value());
    case Value::Kind::kString:
      if (value.is_markup()) return StrCat("Markup(", PythonStringRepr(value.string_value()), ")");
      return PythonStringRepr(value.string_value());
    case Value::Kind::kList:
      return StrCat("[", JoinRepr(value.items(), depth + 1), "]");
    case Value::Kind::kTuple:
      return StrCat("(", JoinRepr(value.items(), depth + 1),
                    value.items().size() == 1 ? ",)" : ")");
    case Value::Kind::kDict: {
      std::string out = "{";
      bool first = true;
      for (const auto& [key, item] : value.dict().entries()) {
        if (!first) out += ", ";
        first = false;
        out += ReprAt(key, depth + 1) + ": " + ReprAt(item, depth + 1);
      }
      return out + "}";
    }
    default:
      return ToStr(value);
  }
}

}  // namespace

absl::StatusOr<int64_t> Length(const Value& value) {
  switch (value.kind()) {
    case Value::Kind::kUndefined:
      return 0;
    case Value::Kind::kString:
      return static_cast<int64_t>(CodePointCount(value.string_value()));
    case Value::Kind::kList:
    case Value::Kind::kTuple:
      return static_cast<int64_t>(value.items().size());
    case Value::Kind::kDict:
      return static_cast<int64_t>(value.dict().size());
    case Value::Kind::kLoop:
      return static_cast<int64_t>(value.loop().items->size());
    default:
      return TemplateRuntimeError(StrCat("object of type '", TypeName(value), "' has no len()"));
  }
}

absl::StatusOr<std::vector<Value>> Iterate(const Value& value) {
  switch (value.kind()) {
    case Value::Kind::kUndefined:
      return std::vector<Value>();
    case Value::Kind::kString: {
      std::vector<Value> characters;
      for (char32_t c : DecodeUtf8(value.string_value())) {
        std::string character;
        AppendUtf8(c, &character);
        // Iterating a Markup yields plain str characters (str.__iter__).
        characters.push_back(Value::String(std::move(character)));
      }
      return characters;
    }
    case Value::Kind::kList:
    case Value::Kind::kTuple:
      return value.items();
    case Value::Kind::kDict: {
      std::vector<Value> keys;
      keys.reserve(value.dict().size());
      for (const auto& entry : value.dict().entries()) keys.push_back(entry.first);
      return keys;
    }
    case Value::Kind::kIterator: {
      IteratorState& state = value.iterator();
      std::vector<Value> rest(state.items.begin() + static_cast<std::ptrdiff_t>(state.position),
                              state.items.end());
      state.position = state.items.size();
      return rest;
    }
    default:
      return TemplateRuntimeError(StrCat("'", TypeName(value), "' object is not iterable"));
  }
}

absl::StatusOr<Value> GetAttr(const Value& object, std::string_view name) {
  if (object.is_undefined()) return UndefinedError(object);
  std::optional<absl::StatusOr<Value>> attribute = LookupAttribute(object, name);
  if (attribute.has_value()) return *std::move(attribute);
  // No such Python attribute: fall back to the item, as jinja2 does.
  if (object.is_dict()) {
    const Value* found = object.dict().Find(name);
    if (found != nullptr) return *found;
  } else if (object.is_namespace()) {
    const Value* found = object.namespace_attributes().Find(name);
    if (found != nullptr) return *found;
  }
  return MissingAttribute(object, name);
}

absl::StatusOr<Value> GetItem(const Value& object, const Value& key) {
  if (object.is_undefined()) return UndefinedError(object);
  switch (object.kind()) {
    case Value::Kind::kDict: {
      if (!key.is_list() && !key.is_dict() && !key.is_namespace()) {
        const Value* found = object.dict().Find(key);
        if (found != nullptr) return *found;
      }
      break;
    }
    case Value::Kind::kList:
    case Value::Kind::kTuple:
      if (IsIntLike(key)) {
        int64_t index = key.AsInt();
        if (NormalizeIndex(static_cast<int64_t>(object.items().size()), &index)) {
          return object.items()[static_cast<size_t>(index)];
        }
      }
      break;
    case Value::Kind::kString:
      if (IsIntLike(key)) {
        std::u32string code_points = DecodeUtf8(object.string_value());
        int64_t index = key.AsInt();
        if (NormalizeIndex(static_cast<int64_t>(code_points.size()), &index)) {
          std::string character;
          AppendUtf8(code_points[static_cast<size_t>(index)], &character);
          return Value::String(std::move(character), object.is_markup());
        }
      }
      break;
    default:
      break;
  }
  if (key.is_string()) {
    std::optional<absl::StatusOr<Value>> attribute = LookupAttribute(object, key.string_value());
    if (attribute.has_value()) return *std::move(attribute);
    if (object.is_namespace()) {
      const Value* found = object.namespace_attributes().Find(key.string_value());
      if (found != nullptr) return *found;
    }
  }
  return MissingElement(object, key);
}

absl::StatusOr<Value> GetSlice(const Value& object, const std::optional<Value>& start,
                               const std::optional<Value>& stop, const std::optional<Value>& step) {
  if (object.is_undefined()) return UndefinedError(object);
  CHAT_ASSIGN_OR_RETURN(int64_t step_value, SliceBound(step, 1));
  if (step_value == 0) return TemplateRuntimeError("slice step cannot be zero");
  if (!object.is_string() && !object.is_sequence()) {
    auto text = [](const std::optional<Value>& bound) {
      return bound.has_value() ? Repr(*bound) : std::string("None");
    };
    return Value::Undefined(StrCat(ObjectTypeRepr(object), " has no element slice(", text(start),
                                   ", ", text(stop), ", ", text(step), ")"));
  }
  std::u32string code_points;
  int64_t size;
  if (object.is_string()) {
    code_points = DecodeUtf8(object.string_value());
    size = static_cast<int64_t>(code_points.size());
  } else {
    size = static_cast<int64_t>(object.items().size());
  }
  // CPython's PySlice_AdjustIndices.
  int64_t low = step_value < 0 ? -1 : 0;
  int64_t high = step_value < 0 ? size - 1 : size;
  auto adjust = [&](int64_t index) {
    if (index < 0) {
      index += size;
      if (index < 0) index = low;
    } else if (index >= size) {
      index = high;
    }
    return index;
  };
  CHAT_ASSIGN_OR_RETURN(int64_t first, SliceBound(start, step_value < 0 ? size - 1 : 0));
  CHAT_ASSIGN_OR_RETURN(int64_t last, SliceBound(stop, step_value < 0 ? -1 : size));
  if (start.has_value() && !start->is_none()) first = adjust(first);
  if (stop.has_value() && !stop->is_none()) last = adjust(last);
  std::vector<int64_t> indices;
  for (int64_t i = first; step_value > 0 ? i < last : i > last; i += step_value) {
    if (i >= 0 && i < size) indices.push_back(i);
  }
  if (object.is_string()) {
    std::u32string out;
    for (int64_t i : indices) out.push_back(code_points[static_cast<size_t>(i)]);
    return Value::String(EncodeUtf8(out), object.is_markup());
  }
  std::vector<Value> out;
  for (int64_t i : indices) out.push_back(object.items()[static_cast<size_t>(i)]);
  return object.is_tuple() ? Value::Tuple(std::move(out)) : Value::List(std::move(out));
}

}  // namespace radixlm::engine::jinja

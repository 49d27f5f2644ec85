#include "src/engine/chat/value.h"

#include <utility>

namespace radixlm::engine::jinja {
namespace {

struct UndefinedData {
  std::string message;
  bool security;
};

// Python key equality for the hashable values a dict can be keyed by.
bool KeysEqual(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_float() || b.is_float()) return a.AsDouble() == b.AsDouble();
    return a.AsInt() == b.AsInt();
  }
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Value::Kind::kNone:
    case Value::Kind::kUndefined:
      return true;
    case Value::Kind::kString:
      return a.string_value() == b.string_value();
    case Value::Kind::kTuple: {
      if (a.items().size() != b.items().size()) return false;
      for (size_t i = 0; i < a.items().size(); ++i) {
        if (!KeysEqual(a.items()[i], b.items()[i])) return false;
      }
      return true;
    }
    default:
      return a.identity() == b.identity();
  }
}

}  // namespace

const Value* Dict::Find(const Value& key) const {
  for (const auto& [k, v] : entries_) {
    if (KeysEqual(k, key)) return &v;
  }
  return nullptr;
}

const Value* Dict::Find(std::string_view key) const {
  for (const auto& [k, v] : entries_) {
    if (k.is_string() && k.string_value() == key) return &v;
  }
  return nullptr;
}

void Dict::Set(Value key, Value value) {
  for (auto& [k, v] : entries_) {
    if (KeysEqual(k, key)) {
      v = std::move(value);
      return;
    }
  }
  entries_.emplace_back(std::move(key), std::move(value));
}

Value Value::Undefined(std::string message, bool security) {
  Value v;
  v.kind_ = Kind::kUndefined;
  v.object_ = std::make_shared<UndefinedData>(UndefinedData{std::move(message), security});
  return v;
}

Value Value::Bool(bool value) {
  Value v;
  v.kind_ = Kind::kBool;
  v.bool_ = value;
  return v;
}

Value Value::Int(int64_t value) {
  Value v;
  v.kind_ = Kind::kInt;
  v.int_ = value;
  return v;
}

Value Value::Float(double value) {
  Value v;
  v.kind_ = Kind::kFloat;
  v.float_ = value;
  return v;
}

Value Value::String(std::string value, bool markup) {
  Value v;
  v.kind_ = Kind::kString;
  v.markup_ = markup;
  v.object_ = std::make_shared<std::string>(std::move(value));
  return v;
}

Value Value::List(std::vector<Value> items) {
  Value v;
  v.kind_ = Kind::kList;
  v.object_ = std::make_shared<std::vector<Value>>(std::move(items));
  return v;
}

Value Value::Tuple(std::vector<Value> items) {
  Value v = List(std::move(items));
  v.kind_ = Kind::kTuple;
  return v;
}

Value Value::MakeDict(Dict dict) {
  Value v;
  v.kind_ = Kind::kDict;
  v.object_ = std::make_shared<Dict>(std::move(dict));
  return v;
}

Value Value::MakeNamespace(Dict attributes) {
  Value v;
  v.kind_ = Kind::kNamespace;
  v.object_ = std::make_shared<Dict>(std::move(attributes));
  return v;
}

Value Value::Callable(std::string name, std::string type_name, NativeFunction function) {
  Value v;
  v.kind_ = Kind::kCallable;
  v.object_ = std::make_shared<CallableData>(
      CallableData{std::move(name), std::move(type_name), std::move(function)});
  return v;
}

Value Value::Iterator(std::string type_name, std::vector<Value> items) {
  Value v;
  v.kind_ = Kind::kIterator;
  v.object_ =
      std::make_shared<IteratorState>(IteratorState{std::move(type_name), std::move(items), 0});
  return v;
}

Value Value::Loop(std::shared_ptr<LoopState> state) {
  Value v;
  v.kind_ = Kind::kLoop;
  v.object_ = std::move(state);
  return v;
}

double Value::AsDouble() const {
  if (is_float()) return float_;
  return static_cast<double>(AsInt());
}

const std::string& Value::string_value() const {
  return *static_cast<const std::string*>(object_.get());
}

const std::vector<Value>& Value::items() const {
  return *static_cast<const std::vector<Value>*>(object_.get());
}

const Dict& Value::dict() const { return *static_cast<const Dict*>(object_.get()); }

Dict& Value::namespace_attributes() const { return *static_cast<Dict*>(object_.get()); }

const CallableData& Value::callable() const {
  return *static_cast<const CallableData*>(object_.get());
}

IteratorState& Value::iterator() const { return *static_cast<IteratorState*>(object_.get()); }

LoopState& Value::loop() const { return *static_cast<LoopState*>(object_.get()); }

const std::string& Value::undefined_message() const {
  return static_cast<const UndefinedData*>(object_.get())->message;
}

bool Value::undefined_is_security() const {
  return static_cast<const UndefinedData*>(object_.get())->security;
}

}  // namespace radixlm::engine::jinja

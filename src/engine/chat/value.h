// The values a chat template computes with: a model of the Python objects Jinja2 hands around.
//
// Templates are written against Python semantics (truthiness, `==` across int/float, str() of a
// list printing `['a', 1]`, dict insertion order), so Value mirrors the Python types a chat
// template can meet: None, bool, int, float, str (optionally Markup, Jinja's "safe" string), list,
// tuple, dict, jinja2's Namespace, its Undefined, callables (macros, globals, bound methods),
// single-pass iterators (what Jinja filters such as `map` or `items` return) and the `loop`
// object of a for loop.
//
// Values are cheap to copy: everything larger than a number is shared and immutable, as
// ImmutableSandboxedEnvironment forbids mutating lists and dicts. The exceptions are a Namespace
// (`{% set ns.x = ... %}` assigns into it), an iterator (iterating consumes it) and the loop
// object (advanced by its for loop); those are shared by reference exactly like the Python objects.
#ifndef RADIXLM_SRC_ENGINE_CHAT_VALUE_H_
#define RADIXLM_SRC_ENGINE_CHAT_VALUE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace radixlm::engine::jinja {

class Value;
class Dict;
class Interpreter;
struct CallArgs;
struct LoopState;
struct IteratorState;
struct CallableData;

// What a callable does when called. The interpreter is passed so that macros can render.
using NativeFunction = std::function<absl::StatusOr<Value>(Interpreter&, CallArgs&)>;

class Value {
 public:
  enum class Kind : uint8_t {
    kUndefined,
    kNone,
    kBool,
    kInt,
    kFloat,
    kString,
    kList,
    kTuple,
    kDict,
    kNamespace,
    kCallable,
    kIterator,
    kLoop,
  };

  // An undefined value; `message` is what a jinja2 UndefinedError would say if it is used
  // (e.g. "'x' is undefined"). `security` marks values standing for a sandbox-forbidden
  // attribute, whose use is a SecurityError rather than an UndefinedError.
  static Value Undefined(std::string message, bool security = false);
  Value() : kind_(Kind::kNone) {}  // None.
  static Value None() { return Value(); }
  static Value Bool(bool value);
  static Value Int(int64_t value);
  static Value Float(double value);
  static Value String(std::string value, bool markup = false);
  static Value List(std::vector<Value> items);
  static Value Tuple(std::vector<Value> items);
  static Value MakeDict(Dict dict);
  static Value MakeNamespace(Dict attributes);
  static Value Callable(std::string name, std::string type_name, NativeFunction function);
  static Value Iterator(std::string type_name, std::vector<Value> items);
  static Value Loop(std::shared_ptr<LoopState> state);

  Kind kind() const { return kind_; }
  bool is_undefined() const { return kind_ == Kind::kUndefined; }
  bool is_none() const { return kind_ == Kind::kNone; }
  bool is_bool() const { return kind_ == Kind::kBool; }
  bool is_int() const { return kind_ == Kind::kInt; }
  bool is_float() const { return kind_ == Kind::kFloat; }
  // Python's numbers.Number: bool, int and float.
  bool is_number() const { return is_bool() || is_int() || is_float(); }
  bool is_string() const { return kind_ == Kind::kString; }
  bool is_markup() const { return is_string() && markup_; }
  bool is_list() const { return kind_ == Kind::kList; }
  bool is_tuple() const { return kind_ == Kind::kTuple; }
  bool is_sequence() const { return is_list() || is_tuple(); }
  bool is_dict() const { return kind_ == Kind::kDict; }
  bool is_namespace() const { return kind_ == Kind::kNamespace; }
  bool is_callable() const { return kind_ == Kind::kCallable; }
  bool is_iterator() const { return kind_ == Kind::kIterator; }
  bool is_loop() const { return kind_ == Kind::kLoop; }

  bool bool_value() const { return bool_; }
  int64_t int_value() const { return int_; }
  double float_value() const { return float_; }
  // bool and int as int64 (Python's bool is an int).
  int64_t AsInt() const { return is_bool() ? static_cast<int64_t>(bool_) : int_; }
  // Any number as double.
  double AsDouble() const;
  const std::string& string_value() const;
  const std::vector<Value>& items() const;  // List or tuple elements.
  const Dict& dict() const;
  Dict& namespace_attributes() const;
  const CallableData& callable() const;
  IteratorState& iterator() const;
  LoopState& loop() const;
  const std::string& undefined_message() const;
  bool undefined_is_security() const;

  // Identity of shared objects (Python's `is`), for `sameas` and namespace equality.
  const void* identity() const { return object_.get(); }
  // A weak reference to the shared object, for breaking reference cycles after a render.
  std::weak_ptr<void> WeakObject() const { return object_; }

 private:
  Kind kind_;
  bool markup_ = false;
  bool bool_ = false;
  int64_t int_ = 0;
  double float_ = 0;
  std::shared_ptr<void> object_;  // Typed by kind_.
};

// Arguments of a call: positional values, then keyword values in call order.
struct CallArgs {
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> keyword;
};

struct CallableData {
  std::string name;       // For messages: "macro 'x' takes ...", "<Macro 'x'>".
  std::string type_name;  // Python type name: "Macro", "builtin_function_or_method", ...
  NativeFunction function;
};

// An insertion-ordered mapping with Python key equality (1 == 1.0 == True).
class Dict {
 public:
  // Returns the value stored under `key`, or nullptr.
  const Value* Find(const Value& key) const;
  const Value* Find(std::string_view key) const;
  // Inserts or replaces, keeping the first insertion's position (as Python dicts do).
  void Set(Value key, Value value);
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  const std::vector<std::pair<Value, Value>>& entries() const { return entries_; }
  void Clear() { entries_.clear(); }

 private:
  std::vector<std::pair<Value, Value>> entries_;
};

// The state of one for loop, shared by every `loop` value handed out in its body.
struct LoopState {
  std::shared_ptr<const std::vector<Value>> items;
  int64_t index0 = 0;
  // `loop.changed(...)` compares against the arguments of its previous call.
  std::shared_ptr<std::vector<Value>> last_changed;
};

// A single-pass sequence, as produced by generator-returning Jinja filters.
struct IteratorState {
  std::string type_name;  // "generator", "list_reverseiterator", ...
  std::vector<Value> items;
  size_t position = 0;
};

}  // namespace radixlm::engine::jinja

#endif  // RADIXLM_SRC_ENGINE_CHAT_VALUE_H_

#include "src/engine/chat/methods.h"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "src/common/strings.h"
#include "src/engine/chat/args.h"
#include "src/engine/chat/python_literals.h"
#include "src/engine/chat/status_macros.h"
#include "src/engine/chat/text.h"
#include "src/engine/chat/value_ops.h"

namespace radixlm::engine::jinja {
namespace {

using Method = absl::StatusOr<Value> (*)(const Value& self, const CallArgs& args);

Value StringLike(const Value& self, std::string text) {
  return Value::String(std::move(text), self.is_markup());
}

// Markup methods escape their plain-string arguments before using them.
std::string ArgumentText(const Value& self, const std::string& text) {
  return self.is_markup() ? HtmlEscape(text) : text;
}

absl::StatusOr<Value> Strip(const Value& self, const CallArgs& args, bool left, bool right,
                            std::string_view name) {
  CHAT_ASSIGN_OR_RETURN(auto bound, BindArgs(name, {{"chars", Value::None()}}, args));
  CHAT_ASSIGN_OR_RETURN(std::optional<std::string> chars, OptionalString(name, bound[0]));
  return StringLike(self, PythonStrip(self.string_value(), chars, left, right));
}

absl::StatusOr<Value> Split(const Value& self, const CallArgs& args, bool from_right,
                            std::string_view name) {
  CHAT_ASSIGN_OR_RETURN(
      auto bound, BindArgs(name, {{"sep", Value::None()}, {"maxsplit", Value::Int(-1)}}, args));
  CHAT_ASSIGN_OR_RETURN(std::optional<std::string> separator, OptionalString(name, bound[0]));
  CHAT_ASSIGN_OR_RETURN(int64_t max_split, IntArg(name, bound[1]));
  if (separator.has_value() && separator->empty()) return TemplateRuntimeError("empty separator");
  std::vector<Value> parts;
  for (std::string& part : PythonSplit(self.string_value(), separator, max_split, from_right)) {
    parts.push_back(StringLike(self, std::move(part)));
  }
  return Value::List(std::move(parts));
}

// The code points of `self` between optional start/end arguments, as str.find(sub, start, end)
// and str.startswith(prefix, start, end) see them.
absl::StatusOr<std::string> Window(const Value& self, const Value& start, const Value& end) {
  if (start.is_none() && end.is_none()) return self.string_value();
  CHAT_ASSIGN_OR_RETURN(Value window,
                        GetSlice(self, start, end, std::optional<Value>(Value::None())));
  return window.string_value();
}

absl::StatusOr<Value> AffixTest(const Value& self, const CallArgs& args, bool prefix) {
  std::string_view name = prefix ? "startswith" : "endswith";
  CHAT_ASSIGN_OR_RETURN(
      auto bound,
      BindArgs(name, {{"affix", std::nullopt}, {"start", Value::None()}, {"end", Value::None()}},
               args));
  CHAT_ASSIGN_OR_RETURN(std::string text, Window(self, bound[1], bound[2]));
  std::vector<Value> candidates;
  if (bound[0].is_tuple()) {
    candidates = bound[0].items();
  } else {
    candidates.push_back(bound[0]);
  }
  for (const Value& candidate : candidates) {
    if (!candidate.is_string()) {
      return TemplateRuntimeError(
          StrCat(name, " first arg must be str or a tuple of str, not ", TypeName(candidate)));
    }
    const std::string& affix = candidate.string_value();
    if (affix.size() <= text.size() &&
        (prefix ? text.compare(0, affix.size(), affix) == 0
                : text.compare(text.size() - affix.size(), affix.size(), affix) == 0)) {
      return Value::Bool(true);
    }
  }
  return Value::Bool(false);
}

absl::StatusOr<Value> Find(const Value& self, const CallArgs& args, bool from_right, bool raise,
                           std::string_view name) {
  CHAT_ASSIGN_OR_RETURN(
      auto bound,
      BindArgs(name, {{"sub", std::nullopt}, {"start", Value::None()}, {"end", Value::None()}},
               args));
  CHAT_ASSIGN_OR_RETURN(std::string needle, StringArg(name, bound[0]));
  CHAT_ASSIGN_OR_RETURN(std::string text, Window(self, bound[1], bound[2]));
  int64_t found = PythonFind(text, needle, from_right);
  if (found >= 0 && bound[1].is_int()) {
    int64_t start = bound[1].int_value();
    int64_t size = static_cast<int64_t>(CodePointCount(self.string_value()));
    found += start < 0 ? std::max<int64_t>(0, start + size) : std::min(start, size);
  }
  if (found < 0 && raise) return TemplateRuntimeError("substring not found");
  return Value::Int(found);
}

absl::StatusOr<Value> Justify(const Value& self, const CallArgs& args, std::string_view name) {
  CHAT_ASSIGN_OR_RETURN(
      auto bound,
      BindArgs(name, {{"width", std::nullopt}, {"fillchar", Value::String(" ")}}, args));
  CHAT_ASSIGN_OR_RETURN(int64_t width, IntArg(name, bound[0]));
  CHAT_ASSIGN_OR_RETURN(std::string fill, StringArg(name, bound[1]));
  if (CodePointCount(fill) != 1) {
    return TemplateRuntimeError("The fill character must be exactly one character long");
  }
  const std::string& text = self.string_value();
  auto length = static_cast<int64_t>(CodePointCount(text));
  if (width <= length) return self;
  int64_t padding = width - length;
  int64_t left = name == "ljust"   ? 0
                 : name == "rjust" ? padding
                                   : padding / 2 + (padding & width & 1);
  std::string out;
  for (int64_t i = 0; i < left; ++i) out += fill;
  out += text;
  for (int64_t i = left; i < padding; ++i) out += fill;
  return StringLike(self, std::move(out));
}

absl::StatusOr<Value> StrJoin(const Value& self, const CallArgs& args) {
  CHAT_ASSIGN_OR_RETURN(auto bound, BindArgs("join", {{"iterable", std::nullopt}}, args));
  CHAT_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(bound[0]));
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (!items[i].is_string()) {
      return TemplateRuntimeError(
          StrCat("sequence item ", i, ": expected str instance, ", TypeName(items[i]), " found"));
    }
    if (i > 0) out += self.string_value();
    out += self.is_markup() && !items[i].is_markup() ? HtmlEscape(items[i].string_value())
                                                     : items[i].string_value();
  }
  return StringLike(self, std::move(out));
}

absl::StatusOr<Value> Partition(const Value& self, const CallArgs& args, bool from_right) {
  std::string_view name = from_right ? "rpartition" : "partition";
  CHAT_ASSIGN_OR_RETURN(auto bound, BindArgs(name, {{"sep", std::nullopt}}, args));
  CHAT_ASSIGN_OR_RETURN(std::string sep, StringArg(name, bound[0]));
  if (sep.empty()) return TemplateRuntimeError("empty separator");
  const std::string& text = self.string_value();
  size_t found = from_right ? text.rfind(sep) : text.find(sep);
  if (found == std::string::npos) {
    return from_right ? Value::Tuple({StringLike(self, ""), StringLike(self, ""), self})
                      : Value::Tuple({self, StringLike(self, ""), StringLike(self, "")});
  }
  return Value::Tuple({StringLike(self, text.substr(0, found)), StringLike(self, sep),
                       StringLike(self, text.substr(found + sep.size()))});
}

template <bool (*Predicate)(char32_t)>
absl::StatusOr<Value> CharacterClass(const Value& self, const CallArgs& args) {
  CHAT_RETURN_IF_ERROR(BindArgs("is...", {}, args).status());
  std::u32string text = DecodeUtf8(self.string_value());
  return Value::Bool(!text.empty() && std::all_of(text.begin(), text.end(), Predicate));
}

bool IsDigit(char32_t c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= 0x80 && !IsPythonSpace(c) &&
          PythonUpper(EncodeUtf8(std::u32string(1, c))) !=
              PythonLower(EncodeUtf8(std::u32string(1, c))));
}
bool IsAlnum(char32_t c) { return IsDigit(c) || IsAlpha(c); }
bool IsSpace(char32_t c) { return IsPythonSpace(c); }
bool IsAscii(char32_t c) { return c < 0x80; }

const std::unordered_map<std::string_view, Method>& StringMethods() {
  static const auto* methods = new std::unordered_map<std::string_view, Method>{
      {"strip", [](const Value& s, const CallArgs& a) { return Strip(s, a, true, true, "strip"); }},
      {"lstrip",
       [](const Value& s, const CallArgs& a) { return Strip(s, a, true, false, "lstrip"); }},
      {"rstrip",
       [](const Value& s, const CallArgs& a) { return Strip(s, a, false, true, "rstrip"); }},
      {"split", [](const Value& s, const CallArgs& a) { return Split(s, a, false, "split"); }},
      {"rsplit", [](const Value& s, const CallArgs& a) { return Split(s, a, true, "rsplit"); }},
      {"splitlines",
       [](const Value& s, const CallArgs& a) -> absl::StatusOr<Value> {
         CHAT_ASSIGN_OR_RETURN(auto bound,
                               BindArgs("splitlines", {{"keepends", Value::Bool(false)}}, a));
         std::vector<Value> lines;
         for (std::string& line : PythonSplitLines(s.string_value(), Truthy(bound[0]))) {
           lines.push_back(StringLike(s, std::move(line)));
         }
         return Value::List(std::move(lines));
       }},
      {"startswith", [](const Value& s, const CallArgs& a) { return AffixTest(s, a, true); }},
      {"endswith", [](const Value& s, const CallArgs& a) { return AffixTest(s, a, false); }},
      {"lower",
       [](const Value& s, const CallArgs& a) -> absl::StatusOr<Value> {
         CHAT_RETURN_IF_ERROR(BindArgs("lower", {}, a).status());
         return StringLike(s, PythonLower(s.string_value()));
       }},
      {"casefold",
       [](const Value& s, const CallArgs& a) -> absl::StatusOr<Value> {
         CHAT_RETURN_IF_ERROR(BindArgs("casefold", {}, a).status());
         return Value::String(PythonLower(s.string_value()));
       }},
      {"upper",
       [](const Value& s, const CallArgs& a) -> absl::StatusOr<Value> {
         CHAT_RETURN_IF_ERROR(BindArgs("upper", {}, a).status());
         return StringLike(s, PythonUpper(s.string_value()));
       }},
      {"title",
       [](const Value& s, const CallArgs& a) -> absl::StatusOr<Value> {
         CHAT_RETURN_IF_ERROR(BindArgs("title", {}, a).status());
         return StringLike(s, PythonTitle(s.string_value()));
       }},
      {"capitalize",
       [](const Value& s, const CallArgs& a) -> absl::StatusOr<Value> {
         CHAT_RETURN_IF_ERROR(BindArgs("capitalize", {}, a).status());
         return StringLike(s, PythonCapitalize(s.string_value()));
       }},
      {"replace",
       [](const Value& s, const CallArgs& a) -> absl::StatusOr<Value> {
         CHAT_ASSIGN_OR_RETURN(
             auto bound,
             BindArgs("replace",
                      {{"old", std::nullopt}, {"new", std::nullopt}, {"count", Value::Int(-1)}},
                      a));
         CHAT_ASSIGN_OR_RETURN(std::string old_text, StringArg("replace", bound[0]));
         CHAT_ASSIGN_OR_RETURN(std::string new_text, StringArg("replace", bound[1]));
         CHAT_ASSIGN_OR_RETURN(int64_t count, IntArg("replace", bound[2]));
         return StringLike(s, PythonReplace(s.string_value(), ArgumentText(s, old_text),
                                            ArgumentText(s, new_text), count));
       }},
      {"find", [](const Value& s, const CallArgs& a) { return Find(s, a, false, false, "find"); }},
      {"rfind", [](const Value& s, const CallArgs& a) { return Find(s, a, true, false, "rfind"); }},
      {"index", [](const Value& s, const CallArgs& a) { return Find(s, a, false, true, "index"); }},
      {"rindex",
       [](const Value& s, const CallArgs& a) { return Find(s, a, true, true, "rindex"); }},
      {"count",
       [](const Value& s, const CallArgs& a) -> absl::StatusOr<Value> {
         CHAT_ASSIGN_OR_RETURN(auto bound, BindArgs("count", {{"sub", std::nullopt}}, a));
         CHAT_ASSIGN_OR_RETURN(std::string needle, StringArg("count", bound[0]));
         return Value::Int(PythonCount(s.string_value(), needle));
       }},
      {"join", StrJoin},
      {"center", [](const Value& s, const CallArgs& a) { return Justify(s, a, "center"); }},
      {"ljust", [](const Value& s, const CallArgs& a) { return Justify(s, a, "ljust"); }},
      {"rjust", [](const Value& s, const CallArgs& a) { return Justify(s, a, "rjust"); }},
      {"partition", [](const Value& s, const CallArgs& a) { return Partition(s, a, false); }},
      {"rpartition", [](const Value& s, const CallArgs& a) { return Partition(s, a, true); }},
      {"removeprefix",
       [](const Value& s, const CallArgs& a) -> absl::StatusOr<Value> {
         CHAT_ASSIGN_OR_RETURN(auto bound, BindArgs("removeprefix", {{"prefix", std::nullopt}}, a));
         CHAT_ASSIGN_OR_RETURN(std::string prefix, StringArg("removeprefix", bound[0]));
         const std::string& text = s.string_value();
         if (text.compare(0, prefix.size(), prefix) == 0)
           return StringLike(s, text.substr(prefix.size()));
         return s;
       }},
      {"removesuffix",
       [](const Value& s, const CallArgs& a) -> absl::StatusOr<Value> {
         CHAT_ASSIGN_OR_RETURN(auto bound, BindArgs("removesuffix", {{"suffix", std::nullopt}}, a));
         CHAT_ASSIGN_OR_RETURN(std::string suffix, StringArg("removesuffix", bound[0]));
         const std::string& text = s.string_value();
         if (!suffix.empty() && suffix.size() <= text.size() &&
             text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0) {
           return StringLike(s, text.substr(0, text.size() - suffix.size()));
         }
         return s;
       }},
      {"isdigit", CharacterClass<IsDigit>},
      {"isdecimal", CharacterClass<IsDigit>},
      {"isnumeric", CharacterClass<IsDigit>},
      {"isalpha", CharacterClass<IsAlpha>},
      {"isalnum", CharacterClass<IsAlnum>},
      {"isspace", CharacterClass<IsSpace>},
      {"isascii",
       [](const Value& s, const CallArgs& a) -> absl::StatusOr<Value> {
         CHAT_RETURN_IF_ERROR(BindArgs("isascii", {}, a).status());
         std::u32string text = DecodeUtf8(s.string_value());
         return Value::Bool(std::all_of(text.begin(), text.end(), IsAscii));
       }},
      {"islower",
       [](const Value& s, const CallArgs& a) -> absl::StatusOr<Value> {
         CHAT_RETURN_IF_ERROR(BindArgs("islower", {}, a).status());
         return Value::Bool(PythonIsLower(s.string_value()));
       }},
      {"isupper",
       [](const Value& s, const CallArgs& a) -> absl::StatusOr<Value> {
         CHAT_RETURN_IF_ERROR(BindArgs("isupper", {}, a).status());
         return Value::Bool(PythonIsUpper(s.string_value()));
       }},
  };
  return *methods;
}

absl::StatusOr<Value> SequenceIndex(const Value& self, const CallArgs& args) {
  CHAT_ASSIGN_OR_RETURN(auto bound, BindArgs("index", {{"value", std::nullopt}}, args));
  for (size_t i = 0; i < self.items().size(); ++i) {
    if (Equals(self.items()[i], bound[0])) return Value::Int(static_cast<int64_t>(i));
  }
  return TemplateRuntimeError(StrCat(Repr(bound[0]), " is not in ", TypeName(self)));
}

absl::StatusOr<Value> SequenceCount(const Value& self, const CallArgs& args) {
  CHAT_ASSIGN_OR_RETURN(auto bound, BindArgs("count", {{"value", std::nullopt}}, args));
  int64_t count = 0;
  for (const Value& item : self.items()) count += Equals(item, bound[0]) ? 1 : 0;
  return Value::Int(count);
}

const std::unordered_map<std::string_view, Method>& SequenceMethods() {
  static const auto* methods = new std::unordered_map<std::string_view, Method>{
      {"index", SequenceIndex},
      {"count", SequenceCount},
      {"copy",
       [](const Value& s, const CallArgs& a) -> absl::StatusOr<Value> {
         CHAT_RETURN_IF_ERROR(BindArgs("copy", {}, a).status());
         return Value::List(s.items());
       }},
  };
  return *methods;
}

// dict views are modelled as lists (of keys, values or (key, value) tuples).
const std::unordered_map<std::string_view, Method>& DictMethods() {
  static const auto* methods = new std::unordered_map<std::string_view, Method>{
      {"items",
       [](const Value& s, const CallArgs& a) -> absl::StatusOr<Value> {
         CHAT_RETURN_IF_ERROR(BindArgs("items", {}, a).status());
         std::vector<Value> pairs;
         for (const auto& [key, value] : s.dict().entries())
           pairs.push_back(Value::Tuple({key, value}));
         return Value::List(std::move(pairs));
       }},
      {"keys",
       [](const Value& s, const CallArgs& a) -> absl::StatusOr<Value> {
         CHAT_RETURN_IF_ERROR(BindArgs("keys", {}, a).status());
         return Value::List(*Iterate(s));
       }},
      {"values",
       [](const Value& s, const CallArgs& a) -> absl::StatusOr<Value> {
         CHAT_RETURN_IF_ERROR(BindArgs("values", {}, a).status());
         std::vector<Value> values;
         for (const auto& entry : s.dict().entries()) values.push_back(entry.second);
         return Value::List(std::move(values));
       }},
      {"get",
       [](const Value& s, const CallArgs& a) -> absl::StatusOr<Value> {
         CHAT_ASSIGN_OR_RETURN(
             auto bound, BindArgs("get", {{"key", std::nullopt}, {"default", Value::None()}}, a));
         if (bound[0].is_list() || bound[0].is_dict()) {
           return TemplateRuntimeError(StrCat("unhashable type: '", TypeName(bound[0]), "'"));
         }
         const Value* found = s.dict().Find(bound[0]);
         return found != nullptr ? *found : bound[1];
       }},
      {"copy",
       [](const Value& s, const CallArgs& a) -> absl::StatusOr<Value> {
         CHAT_RETURN_IF_ERROR(BindArgs("copy", {}, a).status());
         return Value::MakeDict(s.dict());
       }},
  };
  return *methods;
}

// Attributes that exist on the Python type but that we do not implement: using one is an error
// rather than a silently different rendering.
bool IsUnimplementedAttribute(const Value& object, std::string_view name) {
  static const auto* kString = new std::unordered_set<std::string_view>{
      "encode",  "expandtabs", "format",   "format_map", "isidentifier", "isprintable",
      "istitle", "maketrans",  "swapcase", "translate",  "zfill"};
  static const auto* kNumber = new std::unordered_set<std::string_view>{
      "real",       "imag",      "numerator", "denominator", "conjugate",
      "bit_length", "bit_count", "to_bytes",  "from_bytes",  "as_integer_ratio",
      "is_integer", "hex",       "fromhex"};
  if (object.is_string()) return kString->count(name) > 0;
  if (object.is_number()) return kNumber->count(name) > 0;
  if (object.is_dict()) return name == "fromkeys";
  return false;
}

// Mutating methods ImmutableSandboxedEnvironment refuses (jinja2.sandbox._mutable_spec).
bool IsUnsafeMutator(const Value& object, std::string_view name) {
  static const auto* kList = new std::unordered_set<std::string_view>{
      "append", "clear", "extend", "insert", "pop", "remove", "reverse", "sort"};
  static const auto* kDict =
      new std::unordered_set<std::string_view>{"clear", "pop", "popitem", "setdefault", "update"};
  if (object.is_list()) return kList->count(name) > 0;
  if (object.is_dict()) return kDict->count(name) > 0;
  return false;
}

Value Bind(const Value& self, std::string_view name, Method method) {
  return Value::Callable(
      StrCat(name, " of ", TypeName(self), " object"), "builtin_function_or_method",
      [self, method](Interpreter&, CallArgs& args) { return method(self, args); });
}

std::optional<absl::StatusOr<Value>> LoopAttribute(const Value& loop, std::string_view name) {
  LoopState& state = loop.loop();
  auto length = static_cast<int64_t>(state.items->size());
  int64_t index0 = state.index0;
  if (name == "index") return Value::Int(index0 + 1);
  if (name == "index0") return Value::Int(index0);
  if (name == "revindex") return Value::Int(length - index0);
  if (name == "revindex0") return Value::Int(length - index0 - 1);
  if (name == "first") return Value::Bool(index0 == 0);
  if (name == "last") return Value::Bool(index0 == length - 1);
  if (name == "length") return Value::Int(length);
  if (name == "depth") return Value::Int(1);
  if (name == "depth0") return Value::Int(0);
  if (name == "previtem") {
    if (index0 == 0) return Value::Undefined("there is no previous item");
    return (*state.items)[static_cast<size_t>(index0 - 1)];
  }
  if (name == "nextitem") {
    if (index0 + 1 >= length) return Value::Undefined("there is no next item");
    return (*state.items)[static_cast<size_t>(index0 + 1)];
  }
  if (name == "cycle") {
    return Value::Callable(
        "LoopContext.cycle", "method",
        [loop](Interpreter&, CallArgs& args) -> absl::StatusOr<Value> {
          if (args.positional.empty()) {
            return TemplateRuntimeError("no items for cycling given");
          }
          auto count = static_cast<int64_t>(args.positional.size());
          return args.positional[static_cast<size_t>(loop.loop().index0 % count)];
        });
  }
  if (name == "changed") {
    return Value::Callable("LoopContext.changed", "method",
                           [loop](Interpreter&, CallArgs& args) -> absl::StatusOr<Value> {
                             LoopState& loop_state = loop.loop();
                             Value current = Value::List(args.positional);
                             if (loop_state.last_changed != nullptr &&
                                 Equals(Value::List(*loop_state.last_changed), current)) {
                               return Value::Bool(false);
                             }
                             loop_state.last_changed =
                                 std::make_shared<std::vector<Value>>(args.positional);
                             return Value::Bool(true);
                           });
  }
  return std::nullopt;
}

}  // namespace

std::optional<absl::StatusOr<Value>> LookupAttribute(const Value& object, std::string_view name) {
  if (name.size() > 1 && name[0] == '_' && name[1] == '_') {
    return Value::Undefined(StrCat("access to attribute ", PythonStringRepr(name), " of ",
                                   PythonStringRepr(TypeName(object)), " object is unsafe."),
                            /*security=*/true);
  }
  if (object.is_loop()) return LoopAttribute(object, name);
  if (IsUnsafeMutator(object, name)) {
    return Value::Undefined(StrCat("access to attribute ", PythonStringRepr(name), " of ",
                                   PythonStringRepr(TypeName(object)), " object is unsafe."),
                            /*security=*/true);
  }
  if (IsUnimplementedAttribute(object, name)) {
    return absl::StatusOr<Value>(TemplateRuntimeError(StrCat(
        "the ", TypeName(object), " attribute '", name, "' is not supported in chat templates")));
  }
  const std::unordered_map<std::string_view, Method>* methods = nullptr;
  if (object.is_string()) {
    methods = &StringMethods();
  } else if (object.is_sequence()) {
    methods = &SequenceMethods();
    if (object.is_tuple() && name == "copy") return std::nullopt;
  } else if (object.is_dict()) {
    methods = &DictMethods();
  }
  if (methods == nullptr) return std::nullopt;
  auto found = methods->find(name);
  if (found == methods->end()) return std::nullopt;
  return Bind(object, name, found->second);
}

}  // namespace radixlm::engine::jinja

#include "src/engine/chat/sequence_filters.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "src/common/strings.h"
#include "src/engine/chat/args.h"
#include "src/engine/chat/builtins.h"
#include "src/engine/chat/filter_support.h"
#include "src/engine/chat/status_macros.h"
#include "src/engine/chat/text.h"
#include "src/engine/chat/value_ops.h"

namespace radixlm::engine::jinja {
namespace {

// select / reject / selectattr / rejectattr.
absl::StatusOr<Value> SelectOrReject(Interpreter& interpreter, const Value& input,
                                     const CallArgs& args, bool keep_matches, bool by_attribute) {
  std::vector<Value> out;
  if (!Truthy(input) && !input.is_iterator()) return Value::Iterator("generator", {});
  CHAT_ASSIGN_OR_RETURN(std::vector<Value> items, Items(interpreter, input));
  size_t offset = 0;
  Value attribute = Value::None();
  if (by_attribute) {
    if (args.positional.empty())
      return TemplateRuntimeError("Missing parameter for attribute name");
    attribute = args.positional[0];
    offset = 1;
  }
  std::optional<std::string> test;
  if (args.positional.size() > offset) {
    CHAT_ASSIGN_OR_RETURN(test, StringArg("select", args.positional[offset]));
    if (TestStatus(*test) != BuiltinStatus::kImplemented) {
      return TemplateRuntimeError(StrCat("No test named '", *test, "'."));
    }
  }
  CallArgs rest;
  if (args.positional.size() > offset + 1) {
    rest.positional.assign(args.positional.begin() + static_cast<std::ptrdiff_t>(offset + 1),
                           args.positional.end());
  }
  rest.keyword = args.keyword;
  for (const Value& item : items) {
    CHAT_ASSIGN_OR_RETURN(Value subject, GetAttribute(item, attribute));
    bool passed;
    if (test.has_value()) {
      CHAT_ASSIGN_OR_RETURN(passed, ApplyTest(interpreter, *test, subject, rest));
    } else {
      passed = Truthy(subject);
    }
    if (passed == keep_matches) out.push_back(item);
  }
  return Value::Iterator("generator", std::move(out));
}

absl::StatusOr<Value> MinOrMax(Interpreter& interpreter, const Value& input, const CallArgs& args,
                               bool want_max) {
  CHAT_ASSIGN_OR_RETURN(
      auto bound,
      BindArgs(want_max ? "max" : "min",
               {{"case_sensitive", Value::Bool(false)}, {"attribute", Value::None()}}, args));
  CHAT_ASSIGN_OR_RETURN(std::vector<Value> items, Items(interpreter, input));
  if (items.empty()) return Value::Undefined("No aggregated item, sequence was empty.");
  size_t best = 0;
  Value best_key;
  for (size_t i = 0; i < items.size(); ++i) {
    CHAT_ASSIGN_OR_RETURN(Value key, GetAttribute(items[i], bound[1]));
    if (!Truthy(bound[0])) key = IgnoreCase(key);
    if (i > 0) {
      CHAT_ASSIGN_OR_RETURN(bool better,
                            Compare(want_max ? CompareOp::kGt : CompareOp::kLt, key, best_key));
      if (!better) continue;
    }
    best = i;
    best_key = key;
  }
  return items[best];
}

}  // namespace

absl::StatusOr<Value> FilterBatch(Interpreter& interpreter, const Value& input,
                                  const CallArgs& args) {
  CHAT_ASSIGN_OR_RETURN(
      auto bound,
      BindArgs("batch", {{"linecount", std::nullopt}, {"fill_with", Value::None()}}, args));
  CHAT_ASSIGN_OR_RETURN(int64_t count, IntArg("batch", bound[0]));
  if (count <= 0) return TemplateRuntimeError("batch() linecount must be positive");
  CHAT_ASSIGN_OR_RETURN(std::vector<Value> items, Items(interpreter, input));
  std::vector<Value> batches;
  for (size_t start = 0; start < items.size(); start += static_cast<size_t>(count)) {
    size_t end = std::min(items.size(), start + static_cast<size_t>(count));
    std::vector<Value> batch(items.begin() + static_cast<std::ptrdiff_t>(start),
                             items.begin() + static_cast<std::ptrdiff_t>(end));
    while (!bound[1].is_none() && batch.size() < static_cast<size_t>(count)) {
      batch.push_back(bound[1]);
    }
    batches.push_back(Value::List(std::move(batch)));
  }
  return Value::Iterator("generator", std::move(batches));
}

absl::StatusOr<Value> FilterDictsort(Interpreter&, const Value& input, const CallArgs& args) {
  CHAT_ASSIGN_OR_RETURN(auto bound, BindArgs("dictsort",
                                             {{"case_sensitive", Value::Bool(false)},
                                              {"by", Value::String("key")},
                                              {"reverse", Value::Bool(false)}},
                                             args));
  if (input.is_undefined()) return UndefinedError(input);
  if (!input.is_dict()) {
    return TemplateRuntimeError(StrCat("'", TypeName(input), "' object has no attribute 'items'"));
  }
  int position;
  if (bound[1].is_string() && bound[1].string_value() == "key") {
    position = 0;
  } else if (bound[1].is_string() && bound[1].string_value() == "value") {
    position = 1;
  } else {
    return TemplateRuntimeError("You can only sort by either \"key\" or \"value\"");
  }
  std::vector<Value> pairs;
  std::vector<Value> keys;
  for (const auto& [key, value] : input.dict().entries()) {
    pairs.push_back(Value::Tuple({key, value}));
    const Value& sort_key = position == 0 ? key : value;
    keys.push_back(Truthy(bound[0]) ? sort_key : IgnoreCase(sort_key));
  }
  CHAT_RETURN_IF_ERROR(SortByKeys(&pairs, keys, Truthy(bound[2])));
  return Value::List(std::move(pairs));
}

absl::StatusOr<Value> FilterFirst(Interpreter&, const Value& input, const CallArgs& args) {
  CHAT_RETURN_IF_ERROR(BindArgs("first", {}, args).status());
  if (input.is_iterator()) {
    IteratorState& state = input.iterator();
    if (state.position < state.items.size()) return state.items[state.position++];
    return Value::Undefined("No first item, sequence was empty.");
  }
  CHAT_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(input));
  if (items.empty()) return Value::Undefined("No first item, sequence was empty.");
  return items.front();
}

absl::StatusOr<Value> FilterLast(Interpreter&, const Value& input, const CallArgs& args) {
  CHAT_RETURN_IF_ERROR(BindArgs("last", {}, args).status());
  // reversed() needs a sequence (or a mapping's keys); undefined counts, being empty.
  if (!input.is_string() && !input.is_sequence() && !input.is_dict() && !input.is_undefined()) {
    return TemplateRuntimeError(StrCat("'", TypeName(input), "' object is not reversible"));
  }
  CHAT_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(input));
  if (items.empty()) return Value::Undefined("No last item, sequence was empty.");
  return items.back();
}

absl::StatusOr<Value> FilterItems(Interpreter&, const Value& input, const CallArgs& args) {
  CHAT_RETURN_IF_ERROR(BindArgs("items", {}, args).status());
  if (input.is_undefined()) return Value::Iterator("generator", {});
  if (!input.is_dict()) return TemplateRuntimeError("Can only get item pairs from a mapping.");
  std::vector<Value> pairs;
  for (const auto& [key, value] : input.dict().entries())
    pairs.push_back(Value::Tuple({key, value}));
  return Value::Iterator("generator", std::move(pairs));
}

absl::StatusOr<Value> FilterJoin(Interpreter& interpreter, const Value& input,
                                 const CallArgs& args) {
  CHAT_ASSIGN_OR_RETURN(
      auto bound, BindArgs("join", {{"d", Value::String("")}, {"attribute", Value::None()}}, args));
  CHAT_ASSIGN_OR_RETURN(std::vector<Value> items, Items(interpreter, input));
  std::string separator = ToStr(bound[0]);
  std::vector<std::string> texts;
  size_t total = 0;
  for (const Value& item : items) {
    CHAT_ASSIGN_OR_RETURN(Value part, GetAttribute(item, bound[1]));
    texts.push_back(ToStr(part));
    total += texts.back().size() + separator.size();
  }
  CHAT_RETURN_IF_ERROR(CheckSize(interpreter, total));
  std::string out;
  for (size_t i = 0; i < texts.size(); ++i) {
    if (i > 0) out += separator;
    out += texts[i];
  }
  return Value::String(std::move(out));
}

absl::StatusOr<Value> FilterList(Interpreter& interpreter, const Value& input,
                                 const CallArgs& args) {
  CHAT_RETURN_IF_ERROR(BindArgs("list", {}, args).status());
  CHAT_ASSIGN_OR_RETURN(std::vector<Value> items, Items(interpreter, input));
  return Value::List(std::move(items));
}

absl::StatusOr<Value> FilterMap(Interpreter& interpreter, const Value& input,
                                const CallArgs& args) {
  // jinja2's map yields nothing for a falsy input, without iterating it.
  if (!Truthy(input) && !input.is_iterator()) return Value::Iterator("generator", {});
  CHAT_ASSIGN_OR_RETURN(std::vector<Value> items, Items(interpreter, input));
  std::vector<Value> out;
  if (args.positional.empty() && !args.keyword.empty() &&
      args.keyword.front().first == "attribute") {
    CHAT_ASSIGN_OR_RETURN(
        auto bound,
        BindArgs("map", {{"attribute", std::nullopt}, {"default", Value::None()}}, args));
    for (const Value& item : items) {
      CHAT_ASSIGN_OR_RETURN(Value value, GetAttribute(item, bound[0]));
      if (value.is_undefined() && !bound[1].is_none()) value = bound[1];
      out.push_back(std::move(value));
    }
    return Value::Iterator("generator", std::move(out));
  }
  bool has_attribute = std::any_of(args.keyword.begin(), args.keyword.end(),
                                   [](const auto& kw) { return kw.first == "attribute"; });
  if (args.positional.empty() || has_attribute) {
    return TemplateRuntimeError(args.positional.empty()
                                    ? "map requires a filter argument"
                                    : "Unexpected keyword argument 'attribute'");
  }
  CHAT_ASSIGN_OR_RETURN(std::string filter, StringArg("map", args.positional[0]));
  if (FilterStatus(filter) != BuiltinStatus::kImplemented) {
    return TemplateRuntimeError(StrCat("No filter named '", filter, "'."));
  }
  CallArgs rest{{args.positional.begin() + 1, args.positional.end()}, args.keyword};
  for (const Value& item : items) {
    CHAT_ASSIGN_OR_RETURN(Value value, ApplyFilter(interpreter, filter, item, rest));
    out.push_back(std::move(value));
  }
  return Value::Iterator("generator", std::move(out));
}

absl::StatusOr<Value> FilterSelect(Interpreter& i, const Value& v, const CallArgs& a) {
  return SelectOrReject(i, v, a, true, false);
}

absl::StatusOr<Value> FilterReject(Interpreter& i, const Value& v, const CallArgs& a) {
  return SelectOrReject(i, v, a, false, false);
}

absl::StatusOr<Value> FilterSelectAttr(Interpreter& i, const Value& v, const CallArgs& a) {
  return SelectOrReject(i, v, a, true, true);
}

absl::StatusOr<Value> FilterRejectAttr(Interpreter& i, const Value& v, const CallArgs& a) {
  return SelectOrReject(i, v, a, false, true);
}

absl::StatusOr<Value> FilterMax(Interpreter& i, const Value& v, const CallArgs& a) {
  return MinOrMax(i, v, a, true);
}

absl::StatusOr<Value> FilterMin(Interpreter& i, const Value& v, const CallArgs& a) {
  return MinOrMax(i, v, a, false);
}

absl::StatusOr<Value> FilterReverse(Interpreter&, const Value& input, const CallArgs& args) {
  CHAT_RETURN_IF_ERROR(BindArgs("reverse", {}, args).status());
  if (input.is_string()) {
    std::u32string code_points = DecodeUtf8(input.string_value());
    std::reverse(code_points.begin(), code_points.end());
    return Value::String(EncodeUtf8(code_points), input.is_markup());
  }
  if (!input.is_undefined() && !input.is_sequence() && !input.is_dict() && !input.is_iterator()) {
    return TemplateRuntimeError("argument must be iterable");
  }
  CHAT_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(input));
  std::reverse(items.begin(), items.end());
  // reversed() fails on iterators, so jinja2 reverses a list copy of them.
  if (input.is_iterator()) return Value::List(std::move(items));
  std::string type_name = input.is_dict() ? "dict_reversekeyiterator" : "list_reverseiterator";
  return Value::Iterator(std::move(type_name), std::move(items));
}

absl::StatusOr<Value> FilterSort(Interpreter& interpreter, const Value& input,
                                 const CallArgs& args) {
  CHAT_ASSIGN_OR_RETURN(auto bound, BindArgs("sort",
                                             {{"reverse", Value::Bool(false)},
                                              {"case_sensitive", Value::Bool(false)},
                                              {"attribute", Value::None()}},
                                             args));
  CHAT_ASSIGN_OR_RETURN(std::vector<Value> items, Items(interpreter, input));
  std::vector<Value> attributes;
  if (bound[2].is_string()) {
    for (std::string& part : PythonSplit(bound[2].string_value(), std::string(","), -1, false)) {
      attributes.push_back(Value::String(std::move(part)));
    }
  } else {
    attributes.push_back(bound[2]);
  }
  std::vector<Value> keys;
  for (const Value& item : items) {
    std::vector<Value> key;
    for (const Value& attribute : attributes) {
      CHAT_ASSIGN_OR_RETURN(Value part, GetAttribute(item, attribute));
      key.push_back(Truthy(bound[1]) ? part : IgnoreCase(part));
    }
    keys.push_back(key.size() == 1 && attributes[0].is_none() ? key[0] : Value::List(key));
  }
  CHAT_RETURN_IF_ERROR(SortByKeys(&items, keys, Truthy(bound[0])));
  return Value::List(std::move(items));
}

absl::StatusOr<Value> FilterSum(Interpreter& interpreter, const Value& input,
                                const CallArgs& args) {
  CHAT_ASSIGN_OR_RETURN(
      auto bound, BindArgs("sum", {{"attribute", Value::None()}, {"start", Value::Int(0)}}, args));
  CHAT_ASSIGN_OR_RETURN(std::vector<Value> items, Items(interpreter, input));
  Value total = bound[1];
  for (const Value& item : items) {
    CHAT_ASSIGN_OR_RETURN(Value part, GetAttribute(item, bound[0]));
    CHAT_ASSIGN_OR_RETURN(
        total, Arithmetic(BinaryOp::kAdd, total, part, interpreter.limits().max_output_bytes));
  }
  return total;
}

absl::StatusOr<Value> FilterUnique(Interpreter& interpreter, const Value& input,
                                   const CallArgs& args) {
  CHAT_ASSIGN_OR_RETURN(
      auto bound,
      BindArgs("unique", {{"case_sensitive", Value::Bool(false)}, {"attribute", Value::None()}},
               args));
  CHAT_ASSIGN_OR_RETURN(std::vector<Value> items, Items(interpreter, input));
  std::vector<Value> seen;
  std::vector<Value> out;
  for (const Value& item : items) {
    CHAT_ASSIGN_OR_RETURN(Value key, GetAttribute(item, bound[1]));
    if (!Truthy(bound[0])) key = IgnoreCase(key);
    if (key.is_list() || key.is_dict() || key.is_namespace()) {
      return TemplateRuntimeError(StrCat("unhashable type: '", TypeName(key), "'"));
    }
    if (std::any_of(seen.begin(), seen.end(), [&](const Value& s) { return Equals(s, key); })) {
      continue;
    }
    seen.push_back(key);
    out.push_back(item);
  }
  return Value::Iterator("generator", std::move(out));
}

}  // namespace radixlm::engine::jinja

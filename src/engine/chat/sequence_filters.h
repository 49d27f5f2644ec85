// The built-in filters over collections (jinja2/filters.py): batch, dictsort, first, last, items,
// join, list, map, select, reject, selectattr, rejectattr, max, min, reverse, sort, sum, unique.
// Those that return generators in jinja2 return single-pass iterator values here.
#ifndef RADIXLM_SRC_ENGINE_CHAT_SEQUENCE_FILTERS_H_
#define RADIXLM_SRC_ENGINE_CHAT_SEQUENCE_FILTERS_H_

#include "absl/status/statusor.h"
#include "src/engine/chat/interpreter.h"
#include "src/engine/chat/value.h"

namespace radixlm::engine::jinja {

absl::StatusOr<Value> FilterBatch(Interpreter& interpreter, const Value& input,
                                  const CallArgs& args);
absl::StatusOr<Value> FilterDictsort(Interpreter& interpreter, const Value& input,
                                     const CallArgs& args);
absl::StatusOr<Value> FilterFirst(Interpreter& interpreter, const Value& input,
                                  const CallArgs& args);
absl::StatusOr<Value> FilterLast(Interpreter& interpreter, const Value& input,
                                 const CallArgs& args);
absl::StatusOr<Value> FilterItems(Interpreter& interpreter, const Value& input,
                                  const CallArgs& args);
absl::StatusOr<Value> FilterJoin(Interpreter& interpreter, const Value& input,
                                 const CallArgs& args);
absl::StatusOr<Value> FilterList(Interpreter& interpreter, const Value& input,
                                 const CallArgs& args);
absl::StatusOr<Value> FilterMap(Interpreter& interpreter, const Value& input, const CallArgs& args);
absl::StatusOr<Value> FilterSelect(Interpreter& interpreter, const Value& input,
                                   const CallArgs& args);
absl::StatusOr<Value> FilterReject(Interpreter& interpreter, const Value& input,
                                   const CallArgs& args);
absl::StatusOr<Value> FilterSelectAttr(Interpreter& interpreter, const Value& input,
                                       const CallArgs& args);
absl::StatusOr<Value> FilterRejectAttr(Interpreter& interpreter, const Value& input,
                                       const CallArgs& args);
absl::StatusOr<Value> FilterMax(Interpreter& interpreter, const Value& input, const CallArgs& args);
absl::StatusOr<Value> FilterMin(Interpreter& interpreter, const Value& input, const CallArgs& args);
absl::StatusOr<Value> FilterReverse(Interpreter& interpreter, const Value& input,
                                    const CallArgs& args);
absl::StatusOr<Value> FilterSort(Interpreter& interpreter, const Value& input,
                                 const CallArgs& args);
absl::StatusOr<Value> FilterSum(Interpreter& interpreter, const Value& input, const CallArgs& args);
absl::StatusOr<Value> FilterUnique(Interpreter& interpreter, const Value& input,
                                   const CallArgs& args);

}  // namespace radixlm::engine::jinja

#endif  // RADIXLM_SRC_ENGINE_CHAT_SEQUENCE_FILTERS_H_

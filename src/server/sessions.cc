#include "src/server/sessions.h"

#include <algorithm>
#include <utility>

#include "src/common/strings.h"
#include "src/server/request_tracker.h"

namespace radixlm::server {

void SessionStore::ReapLocked(absl::Time now) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    const Session& session = it->second;
    if (session.timeout.has_value() && now - session.last_used > *session.timeout) {
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
}

absl::StatusOr<std::string> SessionStore::Open(const OpenSessionOptions& options) {
  std::lock_guard lock(mutex_);
  const absl::Time now = absl::Now();
  ReapLocked(now);
  std::string id = options.session_id.value_or(NewRequestId());
  if (sessions_.contains(id)) {
    return absl::InvalidArgumentError(
        "Failed to open the session. Check if a session with the same id is still open.");
  }
  Session& session = sessions_[id];
  session.capacity_of_str_len = options.capacity_of_str_len;
  if (options.timeout_seconds.has_value()) {
    session.timeout = absl::Seconds(*options.timeout_seconds);
  }
  session.last_used = now;
  return id;
}

void SessionStore::Close(std::string_view id) {
  std::lock_guard lock(mutex_);
  if (auto it = sessions_.find(id); it != sessions_.end()) sessions_.erase(it);
}

void SessionStore::RemoveDescendants(Session& session, const std::string& rid,
                                     std::vector<std::string>& aborted) {
  auto it = session.nodes.find(rid);
  if (it == session.nodes.end()) return;
  std::vector<std::string> children = std::move(it->second.children);
  it->second.children.clear();
  for (const std::string& child : children) {
    RemoveDescendants(session, child, aborted);
    if (auto child_it = session.nodes.find(child); child_it != session.nodes.end()) {
      if (!child_it->second.finished) aborted.push_back(child);
      session.nodes.erase(child_it);
    }
  }
}

absl::StatusOr<SessionTurn> SessionStore::Begin(const SessionParams& params, std::string_view rid,
                                                std::span<const std::int32_t> new_ids) {
  std::lock_guard lock(mutex_);
  const absl::Time now = absl::Now();
  ReapLocked(now);
  auto session_it = sessions_.find(params.id);
  if (session_it == sessions_.end()) {
    return absl::InvalidArgumentError(
        StrCat("Invalid request: session id ", params.id, " does not exist"));
  }
  Session& session = session_it->second;
  session.last_used = now;
  if (session.nodes.contains(rid)) {
    return absl::InvalidArgumentError(StrCat("Duplicate request ID detected: ", rid));
  }
  SessionTurn turn;
  std::vector<std::int32_t> context;
  std::string parent;
  if (params.rid.has_value()) {
    auto prev_it = session.nodes.find(*params.rid);
    if (prev_it == session.nodes.end()) {
      return absl::InvalidArgumentError(StrCat("Invalid request session id: ", *params.rid,
                                               " is not a request of session ", params.id));
    }
    Node& prev = prev_it->second;
    if (!prev.finished && !params.replace) {
      return absl::InvalidArgumentError(
          "Session request is appending to a request that hasn't finished.");
    }
    if (params.replace) {
      if (!prev.finished) turn.rids_to_abort.push_back(*params.rid);
      RemoveDescendants(session, *params.rid, turn.rids_to_abort);
    }
    context = prev.input_ids;
    if (!params.drop_previous_output) {
      context.insert(context.end(), prev.output_ids.begin(), prev.output_ids.end());
    }
    parent = *params.rid;
  } else if (params.replace) {
    for (const auto& [node_rid, node] : session.nodes) {
      if (!node.finished) turn.rids_to_abort.push_back(node_rid);
    }
    session.nodes.clear();
  }
  if (params.offset != 0) {
    // Python's context[:offset]; the official test passes -1 (drop the last output token, whose
    // KV was never computed).
    const auto size = static_cast<std::int64_t>(context.size());
    const std::int64_t end = params.offset < 0 ? std::max<std::int64_t>(0, size + params.offset)
                                               : std::min<std::int64_t>(size, params.offset);
    context.resize(static_cast<std::size_t>(end));
  }
  context.insert(context.end(), new_ids.begin(), new_ids.end());
  Node& node = session.nodes[std::string(rid)];
  node.input_ids = context;
  node.parent = parent;
  if (!parent.empty()) session.nodes[parent].children.emplace_back(rid);
  turn.input_ids = std::move(context);
  return turn;
}

void SessionStore::Finish(std::string_view session_id, std::string_view rid,
                          std::vector<std::int32_t> output_ids) {
  std::lock_guard lock(mutex_);
  auto session_it = sessions_.find(session_id);
  if (session_it == sessions_.end()) return;
  auto node_it = session_it->second.nodes.find(rid);
  if (node_it == session_it->second.nodes.end()) return;
  node_it->second.output_ids = std::move(output_ids);
  node_it->second.finished = true;
  session_it->second.last_used = absl::Now();
}

bool SessionStore::IsOpen(std::string_view id) {
  std::lock_guard lock(mutex_);
  ReapLocked(absl::Now());
  return sessions_.contains(id);
}

std::size_t SessionStore::size() {
  std::lock_guard lock(mutex_);
  ReapLocked(absl::Now());
  return sessions_.size();
}

}  // namespace radixlm::server

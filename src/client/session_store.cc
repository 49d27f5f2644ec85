#include "src/client/session_store.h"
#include "src/common/strings.h"

#include <utility>

#include "absl/status/status.h"
#include "src/client/context_budget.h"

namespace radixlm::sglang::internal {
namespace {

absl::Status UnknownSession(std::string_view id) {
  return absl::NotFoundError(radixlm::StrCat("no session with id \"", id,
                                          "\"; create it with CreateSession first"));
}

}  // namespace

std::shared_ptr<SessionState> SessionStore::Find(std::string_view id) const {
  std::lock_guard lock(map_mutex_);
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second;
}

absl::StatusOr<Session> SessionStore::Create(std::string_view id, std::string_view system_prompt,
                                             const SessionOptions& options) {
  if (id.empty()) return absl::InvalidArgumentError("session id must not be empty");
  CompletionRequest request = options.request_template;
  request.messages.clear();
  auto state = std::make_shared<SessionState>(std::move(request));
  const absl::Time now = absl::Now();
  state->data.id = std::string(id);
  state->data.system_prompt = std::string(system_prompt);
  state->data.created_at = now;
  state->data.last_used_at = now;
  Session snapshot = state->data;

  std::shared_ptr<SessionState> replaced;
  {
    std::lock_guard lock(map_mutex_);
    auto [it, inserted] = sessions_.try_emplace(std::string(id), state);
    if (!inserted) {
      if (!options.replace_existing) {
        return absl::AlreadyExistsError(radixlm::StrCat(
            "session \"", id,
            "\" already exists; delete it first or set SessionOptions::replace_existing"));
      }
      replaced = std::exchange(it->second, state);
    }
  }
  if (replaced != nullptr) {
    std::lock_guard lock(replaced->mutex);
    replaced->deleted = true;
  }
  return snapshot;
}

absl::Status SessionStore::Erase(std::string_view id) {
  std::shared_ptr<SessionState> state;
  {
    std::lock_guard lock(map_mutex_);
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return UnknownSession(id);
    state = std::move(it->second);
    sessions_.erase(it);
  }
  std::lock_guard lock(state->mutex);
  state->deleted = true;
  return absl::OkStatus();
}

std::size_t SessionStore::EraseIdle(absl::Duration max_age, absl::Time now) {
  std::vector<std::shared_ptr<SessionState>> candidates;
  {
    std::lock_guard lock(map_mutex_);
    for (const auto& [id, state] : sessions_) candidates.push_back(state);
  }
  std::size_t removed = 0;
  for (const std::shared_ptr<SessionState>& state : candidates) {
    std::string id;
    {
      std::lock_guard lock(state->mutex);
      if (state->turn_in_progress || state->deleted || now - state->data.last_used_at < max_age) {
        continue;
      }
      id = state->data.id;
    }
    // Erase only if the map still holds this very session (it may have been replaced meanwhile).
    {
      std::lock_guard lock(map_mutex_);
      auto it = sessions_.find(id);
      if (it == sessions_.end() || it->second != state) continue;
      sessions_.erase(it);
    }
    std::lock_guard lock(state->mutex);
    state->deleted = true;
    ++removed;
  }
  return removed;
}

std::vector<Session> SessionStore::List() const {
  std::vector<std::shared_ptr<SessionState>> states;
  {
    std::lock_guard lock(map_mutex_);
    for (const auto& [id, state] : sessions_) states.push_back(state);
  }
  std::vector<Session> out;
  out.reserve(states.size());
  for (const std::shared_ptr<SessionState>& state : states) {
    std::lock_guard lock(state->mutex);
    out.push_back(state->data);
  }
  return out;
}

absl::StatusOr<Session> SessionStore::Get(std::string_view id) const {
  std::shared_ptr<SessionState> state = Find(id);
  if (state == nullptr) return UnknownSession(id);
  std::lock_guard lock(state->mutex);
  return state->data;
}

absl::StatusOr<PreparedTurn> SessionStore::BeginTurn(std::string_view id,
                                                     std::string_view user_message,
                                                     const CallOptions& options) {
  std::shared_ptr<SessionState> state = Find(id);
  if (state == nullptr) return UnknownSession(id);
  std::unique_lock lock(state->mutex);
  // Converting absl::Time to the steady clock keeps the wait immune to wall-clock jumps.
  const auto deadline =
      options.deadline == absl::InfiniteFuture()
          ? std::chrono::steady_clock::time_point::max()
          : std::chrono::steady_clock::now() +
                absl::ToChronoNanoseconds(std::max(options.deadline - absl::Now(),
                                                   absl::ZeroDuration()));
  std::stop_token cancel = options.cancel;
  const bool free = state->turn_done.wait_until(lock, cancel, deadline, [&] {
    return !state->turn_in_progress || state->deleted;
  });
  if (state->deleted) return UnknownSession(id);
  if (!free) {
    if (cancel.stop_requested()) {
      return absl::CancelledError(radixlm::StrCat("session \"", id,
                                               "\": cancelled while waiting for the previous turn"));
    }
    return absl::DeadlineExceededError(radixlm::StrCat(
        "session \"", id, "\": deadline passed while waiting for the previous turn"));
  }
  state->turn_in_progress = true;

  Session& session = state->data;
  const std::string message(user_message);
  const double tokens_per_byte =
      state->last_request_bytes > 0 && session.last_prompt_tokens > 0
          ? static_cast<double>(session.last_prompt_tokens) /
                static_cast<double>(state->last_request_bytes)
          : kDefaultTokensPerByte;
  const std::size_t drop =
      TurnsToDrop(policy_, session.system_prompt, session.history, message, tokens_per_byte,
                  state->request_template.max_tokens.value_or(0));

  PreparedTurn turn{state, state->request_template, drop};
  if (!session.system_prompt.empty()) {
    turn.request.messages.push_back({.role = "system", .content = session.system_prompt});
  }
  turn.request.messages.insert(turn.request.messages.end(),
                               session.history.begin() + static_cast<std::ptrdiff_t>(2 * drop),
                               session.history.end());
  turn.request.messages.push_back({.role = "user", .content = message});
  state->last_request_bytes = ContentBytes(turn.request.messages);
  return turn;
}

void SessionStore::EndTurn(const PreparedTurn& turn,
                           const absl::StatusOr<CompletionResponse>& response) {
  SessionState& state = *turn.state;
  {
    std::lock_guard lock(state.mutex);
    state.turn_in_progress = false;
    if (response.ok() && !response->stopped_by_caller && !state.deleted) {
      Session& session = state.data;
      // The history cannot have changed since BeginTurn: only a turn changes it, and this turn
      // held the session.
      session.history.erase(
          session.history.begin(),
          session.history.begin() + static_cast<std::ptrdiff_t>(2 * turn.dropped_turns));
      session.history.push_back(turn.request.messages.back());
      session.history.push_back({.role = "assistant", .content = response->Text()});
      session.last_used_at = absl::Now();
      ++session.turns;
      const Usage& usage = response->usage;
      session.prompt_tokens += usage.prompt_tokens;
      session.completion_tokens += usage.completion_tokens;
      session.cached_tokens += usage.cached_tokens.value_or(0);
      session.last_prompt_tokens = usage.prompt_tokens;
      session.last_completion_tokens = usage.completion_tokens;
    }
  }
  state.turn_done.notify_all();
}

}  // namespace radixlm::sglang::internal

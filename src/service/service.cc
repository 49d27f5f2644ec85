// The optimization service: sessions over a set of backends with fallback.
//
// Invariants:
//  - sessions_ holds exactly the sessions stored in db_ (both change under sessions_mutex_; a
//    completed turn is written to db_ first, then to the session's in-memory copy).
//  - A session's turns are serialized by its turn_in_progress flag; the flag, `info` and `deleted`
//    change only under its `mutex`, which is never held while a backend is called.
//  - health_[i] describes remotes_[i]; both change only under health_mutex_, and no lock is held
//    while a backend is called.
//  - context_start of a session never decreases, so the requests of a session stay prefix-stable
//    between the turns where the context policy leaves more turns out.
#include "radixlm/optimization/service.h"

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <iterator>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "fmt/format.h"
#include "src/client/context_budget.h"
#include "src/common/strings.h"
#include "src/service/backend.h"
#include "src/service/backend_health.h"
#include "src/service/embedded_backend.h"
#include "src/service/remote_backend.h"
#include "src/service/service_metrics.h"
#include "src/service/session_db.h"

namespace radixlm::optimization {
namespace {

using internal::Backend;
using internal::BackendHealth;
using internal::ChatReply;
using internal::ChatRequest;

constexpr std::size_t kMaxSessionIdBytes = 256;
void Log(std::string_view line) { fmt::print(stderr, "radixlm service: {}\n", line); }

struct SessionState {
  std::mutex mutex;
  // Signalled when a turn ends.
  std::condition_variable_any turn_done;
  SessionInfo info;               // guarded by mutex
  bool deleted = false;           // guarded by mutex
  bool turn_in_progress = false;  // guarded by mutex

  explicit SessionState(SessionInfo session) : info(std::move(session)) {}
};

// Holds a session's turn from Begin() until destruction.
class TurnGuard {
 public:
  explicit TurnGuard(SessionState& state) : state_(state) {}
  ~TurnGuard() {
    if (!holding_) return;
    {
      std::lock_guard<std::mutex> lock(state_.mutex);
      state_.turn_in_progress = false;
    }
    state_.turn_done.notify_all();
  }
  TurnGuard(const TurnGuard&) = delete;
  TurnGuard& operator=(const TurnGuard&) = delete;

  // Waits for the session's previous turn, honouring the caller's deadline and cancellation.
  absl::Status Begin(const CallOptions& options) {
    std::unique_lock<std::mutex> lock(state_.mutex);
    const auto free = [this] { return !state_.turn_in_progress; };
    if (options.deadline == absl::InfiniteFuture()) {
      state_.turn_done.wait(lock, options.cancel, free);
    } else {
      state_.turn_done.wait_until(lock, options.cancel, absl::ToChronoTime(options.deadline),
                                  free);
    }
    if (state_.turn_in_progress) {
      if (options.cancel.stop_requested()) {
        return absl::CancelledError("cancelled while waiting for the session's previous turn");
      }
      return absl::DeadlineExceededError(
          "the deadline passed while waiting for the session's previous turn");
    }
    state_.turn_in_progress = true;
    holding_ = true;
    return absl::OkStatus();
  }

 private:
  SessionState& state_;
  bool holding_ = false;
};

// A turn's request: system prompt, the earlier turns the context policy keeps, the new message.
struct PreparedRequest {
  // The first earlier turn carried; never before the previous request's, so requests stay
  // prefix-stable between trims.
  std::int64_t context_start = 0;
  std::vector<sglang::Message> messages;
};

// Applies the client's context budget (TurnsToDrop) to the turns the previous request carried,
// calibrated on that request's own prompt-token count.
PreparedRequest PrepareRequest(const SessionsConfig& sessions, const SessionInfo& info,
                               std::string_view user_message, const TurnOptions& turn_options) {
  std::vector<sglang::Message> carried;
  for (std::size_t i = static_cast<std::size_t>(info.context_start); i < info.turns.size(); ++i) {
    carried.push_back({"user", info.turns[i].user, ""});
    carried.push_back({"assistant", info.turns[i].assistant, ""});
  }
  double tokens_per_byte = sglang::internal::kDefaultTokensPerByte;
  if (!carried.empty() && info.turns.back().prompt_tokens > 0) {
    // The previous request held the system prompt, the turns it carried and its user message.
    const std::size_t bytes = info.system_prompt.size() +
                              sglang::internal::ContentBytes(carried) -
                              info.turns.back().assistant.size();
    if (bytes > 0) {
      tokens_per_byte =
          static_cast<double>(info.turns.back().prompt_tokens) / static_cast<double>(bytes);
    }
  }
  const std::string message(user_message);
  const std::size_t dropped = sglang::internal::TurnsToDrop(
      {.max_history_turns = sessions.max_history_turns,
       .max_prompt_tokens = sessions.max_prompt_tokens},
      info.system_prompt, carried, message, tokens_per_byte, turn_options.max_tokens.value_or(0));
  PreparedRequest request{.context_start = info.context_start + static_cast<std::int64_t>(dropped)};
  if (!info.system_prompt.empty()) request.messages.push_back({"system", info.system_prompt, ""});
  request.messages.insert(request.messages.end(),
                          std::make_move_iterator(carried.begin() +
                                                  static_cast<std::ptrdiff_t>(2 * dropped)),
                          std::make_move_iterator(carried.end()));
  request.messages.push_back({"user", message, ""});
  return request;
}

}  // namespace

class Service::Impl {
 public:
  Impl(Config config, ServiceOptions options)
      : config_(std::move(config)), options_(options) {}
  ~Impl() { StopBackground(); }

  absl::Status Init();

  absl::StatusOr<SessionInfo> CreateSession(std::string_view id, std::string_view system_prompt,
                                            bool replace_existing);
  absl::StatusOr<TurnResult> Continue(std::string_view id, std::string_view user_message,
                                      const TextCallback* on_text, const TurnOptions& turn_options,
                                      const CallOptions& options);
  absl::Status DeleteSession(std::string_view id);
  std::size_t CleanupSessions(absl::Duration max_age);
  absl::StatusOr<SessionInfo> GetSession(std::string_view id) const;
  std::vector<std::string> ListSessions() const;
  std::vector<WarmOutcome> WarmPrefixes(const std::vector<std::string>& prefixes,
                                        const CallOptions& options);
  ServiceStatus Status() const;
  std::string MetricsText() const;

 private:
  // Backends to try for a session sticking to `endpoint`, best first.
  std::vector<Backend*> Candidates(std::string_view endpoint, std::string_view session_id) const;
  std::ptrdiff_t RemoteIndex(const Backend* backend) const;
  // Records a check or request outcome of remotes_[index], logging where an outage starts or
  // ends; true when this ends one.
  bool RecordHealth(std::size_t index, const absl::Status& status);
  // RecordHealth() for a turn's or warm's backend (a no-op for the embedded one); a failure wakes
  // the background checker, whose plan it changed.
  void RecordOutcome(Backend* backend, const absl::Status& status);
  // Logs and counts a session whose turn went to another backend than its previous turn.
  void NoteSwitch(std::string_view session_id, const SessionInfo& info, const std::string& backend);
  absl::Status NoBackendError(const std::vector<std::string>& failures) const;
  void CheckRemote(std::size_t index);
  void BackgroundLoop();
  void StopBackground();
  std::shared_ptr<SessionState> Find(std::string_view id) const;
  // Removes sessions last used before `cutoff` with no turn in flight. Requires sessions_mutex_.
  std::size_t RemoveIdleLocked(absl::Time cutoff);
  WarmOutcome WarmOne(Backend& backend, const std::string& prefix, const CallOptions& options);

  const Config config_;
  const ServiceOptions options_;
  std::vector<std::unique_ptr<internal::RemoteBackend>> remotes_;
  std::unique_ptr<internal::EmbeddedBackend> embedded_;
  std::unique_ptr<internal::SessionDb> db_;
  internal::ServiceMetrics metrics_;

  mutable std::mutex health_mutex_;
  std::vector<BackendHealth> health_;  // guarded by health_mutex_

  mutable std::mutex sessions_mutex_;
  std::map<std::string, std::shared_ptr<SessionState>, std::less<>> sessions_;  // guarded

  std::mutex background_mutex_;
  std::condition_variable background_wake_;
  bool stopping_ = false;  // guarded by background_mutex_
  // A turn found an endpoint down: its next check is sooner than the background loop planned.
  bool replan_ = false;  // guarded by background_mutex_
  std::thread background_;
};

absl::Status Service::Impl::Init() {
  if (config_.sglang.enabled) {
    const internal::HealthTiming timing{.interval = config_.sglang.health_check_interval,
                                        .backoff_initial = config_.sglang.health_backoff_initial,
                                        .backoff_max = config_.sglang.health_backoff_max};
    for (const std::string& endpoint : EndpointList(config_)) {
      sglang::ClientConfig client = ToClientConfig(config_);
      client.base_url = endpoint;
      remotes_.push_back(std::make_unique<internal::RemoteBackend>(client));
      health_.emplace_back(timing);
    }
  }
  if (options_.embedded_engine != nullptr) {
    embedded_ = internal::EmbeddedBackend::Borrow(*options_.embedded_engine);
  } else if (!config_.sglang.enabled || config_.sglang.fallback_on_unavailable) {
    absl::StatusOr<std::unique_ptr<internal::EmbeddedBackend>> embedded =
        internal::EmbeddedBackend::Create(config_.engine);
    if (!embedded.ok()) return embedded.status();
    embedded_ = *std::move(embedded);
  }
  absl::StatusOr<std::unique_ptr<internal::SessionDb>> db =
      internal::SessionDb::Open(config_.sessions.store_path);
  if (!db.ok()) return db.status();
  db_ = *std::move(db);
  absl::StatusOr<std::vector<SessionInfo>> stored = db_->LoadAll();
  if (!stored.ok()) return stored.status();
  for (SessionInfo& info : *stored) {
    std::string id = info.id;
    sessions_.emplace(std::move(id), std::make_shared<SessionState>(std::move(info)));
  }
  for (std::size_t i = 0; i < remotes_.size(); ++i) CheckRemote(i);
  if (!config_.sglang.warm_prefixes.empty()) {
    (void)WarmPrefixes(config_.sglang.warm_prefixes, {});
  }
  background_ = std::thread([this] { BackgroundLoop(); });
  return absl::OkStatus();
}

void Service::Impl::StopBackground() {
  {
    std::lock_guard<std::mutex> lock(background_mutex_);
    stopping_ = true;
  }
  background_wake_.notify_all();
  if (background_.joinable()) background_.join();
}

std::ptrdiff_t Service::Impl::RemoteIndex(const Backend* backend) const {
  for (std::size_t i = 0; i < remotes_.size(); ++i) {
    if (remotes_[i].get() == backend) return static_cast<std::ptrdiff_t>(i);
  }
  return -1;
}

std::vector<Backend*> Service::Impl::Candidates(std::string_view endpoint,
                                                std::string_view session_id) const {
  std::vector<Backend*> candidates;
  std::vector<Backend*> down;
  {
    std::lock_guard<std::mutex> lock(health_mutex_);
    // The session's own endpoint first; a session without one starts at a place chosen by its id,
    // so sessions spread over the endpoints.
    std::size_t first = remotes_.empty() ? 0 : std::hash<std::string_view>{}(session_id) %
                                                   remotes_.size();
    for (std::size_t i = 0; i < remotes_.size(); ++i) {
      if (remotes_[i]->name() == endpoint) first = i;
    }
    for (std::size_t k = 0; k < remotes_.size(); ++k) {
      const std::size_t i = (first + k) % remotes_.size();
      (health_[i].healthy() ? candidates : down).push_back(remotes_[i].get());
    }
  }
  if (embedded_ != nullptr) {
    candidates.push_back(embedded_.get());
  } else {
    // No fallback: endpoints believed down are still tried, last, before the turn fails — one may
    // have come back since its last check.
    candidates.insert(candidates.end(), down.begin(), down.end());
  }
  return candidates;
}

bool Service::Impl::RecordHealth(std::size_t index, const absl::Status& status) {
  const std::string& name = remotes_[index]->name();
  std::lock_guard<std::mutex> lock(health_mutex_);
  BackendHealth& health = health_[index];
  if (status.ok()) {
    const bool recovered = health.RecordSuccess(absl::Now());
    if (recovered) Log(StrCat(name, " is healthy again"));
    return recovered;
  }
  if (health.RecordFailure(absl::Now(), status)) {
    Log(StrCat(name, " is unreachable (", status.message(), "); checking again in ",
               absl::FormatDuration(health.next_check() - absl::Now())));
  }
  return false;
}

void Service::Impl::RecordOutcome(Backend* backend, const absl::Status& status) {
  const std::ptrdiff_t index = RemoteIndex(backend);
  if (index < 0) return;
  RecordHealth(static_cast<std::size_t>(index), status);
  if (status.ok()) return;
  {
    std::lock_guard<std::mutex> background_lock(background_mutex_);
    replan_ = true;
  }
  background_wake_.notify_all();
}

void Service::Impl::NoteSwitch(std::string_view session_id, const SessionInfo& info,
                               const std::string& backend) {
  if (info.turns.empty() || info.turns.back().backend == backend) return;
  const std::string& previous = info.turns.back().backend;
  metrics_.ObserveSwitch(previous, backend);
  Log(StrCat("session \"", session_id, "\" switched from ", previous, " to ", backend));
}

absl::Status Service::Impl::NoBackendError(const std::vector<std::string>& failures) const {
  std::string reasons;
  for (const std::string& failure : failures) {
    reasons += reasons.empty() ? "" : "; ";
    reasons += failure;
  }
  if (!config_.sglang.enabled) {
    return absl::UnavailableError(StrCat("the embedded engine cannot answer (", reasons, ")"));
  }
  if (reasons.empty()) {
    std::lock_guard<std::mutex> lock(health_mutex_);
    for (std::size_t i = 0; i < remotes_.size(); ++i) {
      reasons += reasons.empty() ? "" : "; ";
      reasons += StrCat(remotes_[i]->name(), ": ", health_[i].last_error());
    }
  }
  return absl::UnavailableError(
      StrCat("no SGLang endpoint is reachable (", reasons,
             "); start the server, fix optimization.sglang.endpoint, or set "
             "optimization.sglang.fallback_on_unavailable: true to answer from the embedded "
             "engine"));
}

std::shared_ptr<SessionState> Service::Impl::Find(std::string_view id) const {
  std::lock_guard<std::mutex> lock(sessions_mutex_);
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second;
}

absl::StatusOr<SessionInfo> Service::Impl::CreateSession(std::string_view id,
                                                         std::string_view system_prompt,
                                                         bool replace_existing) {
  if (id.empty() || id.size() > kMaxSessionIdBytes) {
    return absl::InvalidArgumentError(
        StrCat("a session id must have 1 to ", kMaxSessionIdBytes, " bytes, got ", id.size()));
  }
  {
    std::lock_guard<std::mutex> lock(sessions_mutex_);
    if (!sessions_.contains(id) && sessions_.size() >= config_.sessions.max_sessions) {
      // Make room from idle sessions before refusing.
      RemoveIdleLocked(absl::Now() - config_.sessions.idle_ttl);
      if (sessions_.size() >= config_.sessions.max_sessions) {
        return absl::ResourceExhaustedError(
            StrCat("the service keeps at most ", config_.sessions.max_sessions,
                   " sessions (optimization.sessions.max_sessions) and none is idle; delete "
                   "sessions or raise the limit"));
      }
    }
    auto existing = sessions_.find(id);
    if (existing != sessions_.end() && !replace_existing) {
      return absl::AlreadyExistsError(
          StrCat("session \"", id, "\" already exists; delete it first or ask for replacement"));
    }
    SessionInfo info;
    info.id = std::string(id);
    info.system_prompt = std::string(system_prompt);
    info.created_at = absl::Now();
    info.last_used_at = info.created_at;
    if (absl::Status stored = db_->CreateSession(info, replace_existing); !stored.ok()) {
      return stored;
    }
    if (existing != sessions_.end()) {
      std::lock_guard<std::mutex> session_lock(existing->second->mutex);
      existing->second->deleted = true;
    }
    sessions_[std::string(id)] = std::make_shared<SessionState>(info);
    return info;
  }
}

absl::StatusOr<TurnResult> Service::Impl::Continue(std::string_view id,
                                                   std::string_view user_message,
                                                   const TextCallback* on_text,
                                                   const TurnOptions& turn_options,
                                                   const CallOptions& options) {
  std::shared_ptr<SessionState> state = Find(id);
  if (state == nullptr) {
    return absl::NotFoundError(
        StrCat("session \"", id, "\" does not exist; create it with CreateSession"));
  }
  TurnGuard turn_guard(*state);
  if (absl::Status begun = turn_guard.Begin(options); !begun.ok()) return begun;

  SessionInfo info;
  {
    std::lock_guard<std::mutex> lock(state->mutex);
    if (state->deleted) return absl::NotFoundError(StrCat("session \"", id, "\" was deleted"));
    info = state->info;
  }
  PreparedRequest prepared = PrepareRequest(config_.sessions, info, user_message, turn_options);
  const std::int64_t context_start = prepared.context_start;
  ChatRequest request{.messages = std::move(prepared.messages), .options = turn_options};

  const absl::Time start = absl::Now();
  std::vector<std::string> failures;
  Backend* served_by = nullptr;
  absl::StatusOr<ChatReply> reply = absl::UnavailableError("no backend tried");
  for (Backend* backend : Candidates(info.endpoint, id)) {
    bool text_delivered = false;
    reply = backend->Chat(request, on_text, options, text_delivered);
    if (reply.ok()) {
      RecordOutcome(backend, absl::OkStatus());
      served_by = backend;
      break;
    }
    metrics_.ObserveFailedTurn(backend->name());
    if (!internal::IsUnreachable(reply.status(), options) || text_delivered) {
      if (internal::IsUnreachable(reply.status(), options)) RecordOutcome(backend, reply.status());
      return reply.status();
    }
    RecordOutcome(backend, reply.status());
    failures.push_back(StrCat(backend->name(), ": ", reply.status().message()));
  }
  if (served_by == nullptr) return NoBackendError(failures);

  const bool remote = served_by != embedded_.get();
  if (!remote && config_.sglang.enabled) metrics_.ObserveFallback();
  NoteSwitch(id, info, served_by->name());
  const std::string endpoint = remote ? served_by->name() : info.endpoint;

  const absl::Time now = absl::Now();
  StoredTurn turn{.user = std::string(user_message),
                  .assistant = reply->text,
                  .backend = served_by->name(),
                  .prompt_tokens = reply->prompt_tokens,
                  .cached_tokens = reply->cached_tokens,
                  .completion_tokens = reply->completion_tokens,
                  .completed_at = now};
  TurnResult result{.text = reply->text,
                    .finish_reason = reply->finish_reason,
                    .backend = served_by->name(),
                    .turn_number = static_cast<std::int64_t>(info.turns.size()) + 1,
                    .prompt_tokens = reply->prompt_tokens,
                    .cached_tokens = reply->cached_tokens,
                    .completion_tokens = reply->completion_tokens,
                    .turns_left_out = context_start,
                    .time_to_first_token = reply->time_to_first_token,
                    .latency = now - start};
  metrics_.ObserveTurn(served_by->name(), reply->prompt_tokens, reply->cached_tokens,
                       reply->time_to_first_token, result.latency);
  {
    std::lock_guard<std::mutex> lock(state->mutex);
    // Deleted or replaced meanwhile: the reply is the caller's, the history no longer exists.
    if (state->deleted) return result;
    absl::Status stored =
        db_->AppendTurn(id, static_cast<std::int64_t>(state->info.turns.size()), turn, now,
                        endpoint, context_start);
    if (absl::IsNotFound(stored)) return result;
    if (!stored.ok()) {
      return absl::Status(stored.code(), StrCat("the reply could not be stored, so the session "
                                                "is unchanged: ",
                                                stored.message()));
    }
    state->info.turns.push_back(std::move(turn));
    state->info.last_used_at = now;
    state->info.endpoint = endpoint;
    state->info.context_start = context_start;
  }
  return result;
}

absl::Status Service::Impl::DeleteSession(std::string_view id) {
  std::lock_guard<std::mutex> lock(sessions_mutex_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) {
    return absl::NotFoundError(StrCat("session \"", id, "\" does not exist"));
  }
  if (absl::Status deleted = db_->DeleteSession(id); !deleted.ok() && !absl::IsNotFound(deleted)) {
    return deleted;
  }
  {
    std::lock_guard<std::mutex> session_lock(it->second->mutex);
    it->second->deleted = true;
  }
  sessions_.erase(it);
  return absl::OkStatus();
}

std::size_t Service::Impl::CleanupSessions(absl::Duration max_age) {
  std::lock_guard<std::mutex> lock(sessions_mutex_);
  const std::size_t removed = RemoveIdleLocked(absl::Now() - max_age);
  if (removed > 0) Log(StrCat("removed ", removed, " idle session(s)"));
  return removed;
}

std::size_t Service::Impl::RemoveIdleLocked(absl::Time cutoff) {
  std::size_t removed = 0;
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    SessionState& state = *it->second;
    bool removed_now = false;
    {
      std::lock_guard<std::mutex> session_lock(state.mutex);
      // A session with a turn in flight is in use, whatever its timestamp says.
      if (!state.turn_in_progress && state.info.last_used_at < cutoff &&
          db_->DeleteSession(it->first).ok()) {
        state.deleted = true;
        removed_now = true;
      }
    }
    if (removed_now) {
      it = sessions_.erase(it);
      ++removed;
    } else {
      ++it;
    }
  }
  return removed;
}

absl::StatusOr<SessionInfo> Service::Impl::GetSession(std::string_view id) const {
  std::shared_ptr<SessionState> state = Find(id);
  if (state == nullptr) return absl::NotFoundError(StrCat("session \"", id, "\" does not exist"));
  std::lock_guard<std::mutex> lock(state->mutex);
  return state->info;
}

std::vector<std::string> Service::Impl::ListSessions() const {
  std::lock_guard<std::mutex> lock(sessions_mutex_);
  std::vector<std::string> ids;
  ids.reserve(sessions_.size());
  for (const auto& [id, state] : sessions_) ids.push_back(id);
  return ids;
}

WarmOutcome Service::Impl::WarmOne(Backend& backend, const std::string& prefix,
                                   const CallOptions& options) {
  absl::StatusOr<WarmOutcome> warmed = backend.Warm(prefix, options);
  if (!warmed.ok()) {
    if (internal::IsUnreachable(warmed.status(), options)) RecordOutcome(&backend, warmed.status());
    return WarmOutcome{.prefix = prefix, .backend = backend.name(), .status = warmed.status()};
  }
  metrics_.ObservePrefixWarmed(backend.name());
  return *std::move(warmed);
}

std::vector<WarmOutcome> Service::Impl::WarmPrefixes(const std::vector<std::string>& prefixes,
                                                     const CallOptions& options) {
  // Every healthy endpoint holds some sessions, so each gets the prefixes; the embedded engine
  // only when it serves (no endpoint is healthy).
  std::vector<Backend*> targets;
  {
    std::lock_guard<std::mutex> lock(health_mutex_);
    for (std::size_t i = 0; i < remotes_.size(); ++i) {
      if (health_[i].healthy()) targets.push_back(remotes_[i].get());
    }
  }
  if (targets.empty() && embedded_ != nullptr) targets.push_back(embedded_.get());
  std::vector<WarmOutcome> outcomes;
  for (Backend* backend : targets) {
    for (const std::string& prefix : prefixes) {
      outcomes.push_back(WarmOne(*backend, prefix, options));
    }
  }
  return outcomes;
}

void Service::Impl::CheckRemote(std::size_t index) {
  Backend& backend = *remotes_[index];
  const CallOptions options{.deadline = absl::Now() + config_.sglang.connect_timeout};
  if (RecordHealth(index, backend.CheckHealth(options))) {
    // A server that comes back has most likely restarted with an empty cache.
    for (const std::string& prefix : config_.sglang.warm_prefixes) {
      (void)WarmOne(backend, prefix, {});
    }
  }
}

void Service::Impl::BackgroundLoop() {
  absl::Time next_cleanup = absl::Now() + config_.sessions.cleanup_interval;
  while (true) {
    absl::Time wake = next_cleanup;
    std::vector<std::size_t> due;
    {
      std::lock_guard<std::mutex> lock(health_mutex_);
      const absl::Time now = absl::Now();
      for (std::size_t i = 0; i < health_.size(); ++i) {
        if (health_[i].next_check() <= now) due.push_back(i);
        wake = std::min(wake, health_[i].next_check());
      }
    }
    for (std::size_t i : due) CheckRemote(i);
    if (absl::Now() >= next_cleanup) {
      CleanupSessions(config_.sessions.idle_ttl);
      next_cleanup = absl::Now() + config_.sessions.cleanup_interval;
    }
    if (!due.empty()) continue;  // the checks moved their next_check; recompute the wake time
    std::unique_lock<std::mutex> lock(background_mutex_);
    if (stopping_) return;
    background_wake_.wait_until(lock, absl::ToChronoTime(wake),
                                [this] { return stopping_ || replan_; });
    if (stopping_) return;
    replan_ = false;
  }
}

ServiceStatus Service::Impl::Status() const {
  ServiceStatus status;
  status.fallback_on_unavailable = config_.sglang.enabled && config_.sglang.fallback_on_unavailable;
  {
    std::lock_guard<std::mutex> lock(health_mutex_);
    for (std::size_t i = 0; i < remotes_.size(); ++i) {
      const BackendHealth& health = health_[i];
      status.endpoints.push_back({.name = remotes_[i]->name(),
                                  .healthy = health.healthy(),
                                  .last_error = health.last_error(),
                                  .last_checked = health.last_checked(),
                                  .consecutive_failures = health.consecutive_failures()});
      if (status.serving.empty() && health.healthy()) status.serving = remotes_[i]->name();
    }
  }
  if (embedded_ != nullptr) {
    status.embedded = BackendStatus{.name = std::string(kEmbeddedBackend), .healthy = true};
    if (status.serving.empty()) status.serving = std::string(kEmbeddedBackend);
  }
  {
    std::lock_guard<std::mutex> lock(sessions_mutex_);
    status.sessions = sessions_.size();
  }
  status.backend_switches = metrics_.backend_switches();
  status.prefixes_warmed = metrics_.prefixes_warmed();
  return status;
}

std::string Service::Impl::MetricsText() const {
  std::vector<std::pair<std::string, bool>> health;
  std::size_t sessions = 0;
  {
    std::lock_guard<std::mutex> lock(health_mutex_);
    for (std::size_t i = 0; i < remotes_.size(); ++i) {
      health.emplace_back(remotes_[i]->name(), health_[i].healthy());
    }
  }
  if (embedded_ != nullptr) health.emplace_back(std::string(kEmbeddedBackend), true);
  {
    std::lock_guard<std::mutex> lock(sessions_mutex_);
    sessions = sessions_.size();
  }
  return metrics_.Render(health, sessions);
}

// --- Service ----------------------------------------------------------------------------------

absl::StatusOr<std::unique_ptr<Service>> Service::Create(const Config& config,
                                                         const ServiceOptions& options) {
  auto impl = std::make_unique<Impl>(config, options);
  if (absl::Status ready = impl->Init(); !ready.ok()) return ready;
  return std::unique_ptr<Service>(new Service(std::move(impl)));
}

absl::StatusOr<std::unique_ptr<Service>> Service::CreateFromFile(const std::string& path) {
  absl::StatusOr<Config> config = LoadConfigFile(path);
  if (!config.ok()) return config.status();
  return Create(*config);
}

Service::Service(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Service::~Service() = default;

absl::StatusOr<SessionInfo> Service::CreateSession(std::string_view id,
                                                   std::string_view system_prompt,
                                                   bool replace_existing) {
  return impl_->CreateSession(id, system_prompt, replace_existing);
}

absl::StatusOr<TurnResult> Service::ContinueSession(std::string_view id,
                                                    std::string_view user_message,
                                                    const TurnOptions& turn_options,
                                                    const CallOptions& options) {
  return impl_->Continue(id, user_message, nullptr, turn_options, options);
}

absl::StatusOr<TurnResult> Service::ContinueSessionStream(std::string_view id,
                                                          std::string_view user_message,
                                                          const TextCallback& on_text,
                                                          const TurnOptions& turn_options,
                                                          const CallOptions& options) {
  return impl_->Continue(id, user_message, &on_text, turn_options, options);
}

absl::Status Service::DeleteSession(std::string_view id) { return impl_->DeleteSession(id); }

std::size_t Service::CleanupSessions(absl::Duration max_age) {
  return impl_->CleanupSessions(max_age);
}

absl::StatusOr<SessionInfo> Service::GetSession(std::string_view id) const {
  return impl_->GetSession(id);
}

std::vector<std::string> Service::ListSessions() const { return impl_->ListSessions(); }

std::vector<WarmOutcome> Service::WarmPrefixes(const std::vector<std::string>& prefixes,
                                               const CallOptions& options) {
  return impl_->WarmPrefixes(prefixes, options);
}

ServiceStatus Service::Status() const { return impl_->Status(); }

std::string Service::MetricsText() const { return impl_->MetricsText(); }

}  // namespace radixlm::optimization

#include "src/service/study_service.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>

#include <spdlog/spdlog.h>

#include "src/study/composite.h"
#include "src/study/config_json.h"
#include "src/study/json_fields.h"
#include "src/study/space.h"

namespace bayesd {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// One study in memory. Everything below `mu` is guarded by it; `config` and `id` are immutable.
struct StudyService::StudyEntry {
  std::mutex mu;
  int64_t id = 0;
  std::shared_ptr<const StudyConfig> config;
  std::string config_json;  // canonical, as stored
  int64_t created_at_ms = 0;
  bool deleted = false;
  std::vector<Trial> trials;  // trials[i].number == i
  std::set<int64_t> pending;
  std::map<TrialState, int64_t> counts;
  std::unique_ptr<Strategy> strategy;  // null when this build lacks the study's strategy
  Status strategy_status;              // why `strategy` is null
  StrategyState state;
  std::unique_ptr<CompositeObjective> composite;
  std::optional<int64_t> best;  // number of the best feasible completed trial at target fidelity
  std::optional<double> best_value;
  int64_t last_activity_ms = 0;
  // Incremented by each reload after a failed write: a failed write queued in an older epoch has been dealt with.
  int64_t epoch = 0;
  bool reload_due = false;  // a write failed and the reload did not succeed yet: reload before anything else

  StudySnapshot snapshot() const { return {*config, trials}; }

  // The objective value of a completed trial when it is eligible for `best` (feasible, target fidelity).
  std::optional<double> EligibleObjective(const Trial& t) const {
    if (t.state != TrialState::kCompleted || !t.feasible.value_or(false)) return std::nullopt;
    if (config->fidelity && t.fidelity && *t.fidelity != config->fidelity->target()) return std::nullopt;
    double v;
    if (composite) {
      v = composite->Evaluate(t.values);
    } else {
      auto it = t.values.find(config->objective.name);
      if (it == t.values.end()) return std::nullopt;
      v = it->second;
    }
    if (!std::isfinite(v)) return std::nullopt;
    return v;
  }

  // Folds a trial's new state into counts, pending set, best and activity time.
  void Account(const Trial& t, std::optional<TrialState> old_state) {
    if (old_state) --counts[*old_state];
    ++counts[t.state];
    if (t.state == TrialState::kPending) {
      pending.insert(t.number);
    } else {
      pending.erase(t.number);
    }
    last_activity_ms = std::max(last_activity_ms, t.updated_at_ms);
    auto v = EligibleObjective(t);
    if (!v) return;
    const bool better = !best_value || (config->objective.goal == Goal::kMinimize ? *v < *best_value
                                                                                   : *v > *best_value);
    if (better) {
      best = t.number;
      best_value = v;
    }
  }

  StudyView View() const {
    StudyView view;
    view.id = id;
    view.config = config;
    view.created_at_ms = created_at_ms;
    int64_t total = 0;
    for (TrialState s : {TrialState::kPending, TrialState::kCompleted, TrialState::kFailed, TrialState::kAbandoned}) {
      auto it = counts.find(s);
      const int64_t n = it == counts.end() ? 0 : it->second;
      view.summary.counts[std::string(TrialStateName(s))] = n;
      total += n;
    }
    view.summary.counts["total"] = total;
    view.summary.best_value = best_value;
    view.summary.best_trial = best;
    view.summary.last_activity_ms = last_activity_ms;
    if (strategy) {
      view.summary.strategy_summary = strategy->Summary(snapshot(), state);
    }
    return view;
  }
};

namespace {

// Everything of a study that comes from storage, built the way Load and a reload after a failed write both need.
// `e->config` must be set. Replaces trials, counts, best, state and the strategy object.
template <typename Entry>
Status FillFromStored(Entry* e, StoredStudy stored) {
  e->trials.clear();
  e->pending.clear();
  e->counts.clear();
  e->best.reset();
  e->best_value.reset();
  e->last_activity_ms = 0;  // as after a restart: the latest trial update, 0 without trials
  e->state.json = Json::parse(stored.strategy_state_json, nullptr, false);
  if (!e->state.json.is_object()) e->state.json = Json::object();
  e->composite.reset();
  if (e->config->objective.composite()) {
    auto c = CompositeObjective::Create(e->config->objective, e->config->outputs);
    if (c.ok()) e->composite = std::move(c).value();
  }
  e->strategy.reset();
  auto strategy = CreateStrategy(*e->config);  // validates: a stored config the options now refuse is reported
  if (strategy.ok()) {
    e->strategy = std::move(strategy).value();
    e->strategy_status = OkStatus();
  } else {
    e->strategy_status = strategy.status();
  }
  e->trials = std::move(stored.trials);
  for (size_t i = 0; i < e->trials.size(); ++i) {
    if (e->trials[i].number != static_cast<int64_t>(i)) {
      e->trials.clear();
      return Internal("study '" + stored.name + "' has non-contiguous trial numbers in storage");
    }
  }
  for (const Trial& t : e->trials) e->Account(t, std::nullopt);
  return OkStatus();
}

Status StudyNotFound(const std::string& name) { return NotFound("study '" + name + "' not found"); }

Status TrialNotFound(const std::string& study, int64_t number) {
  return NotFound("trial " + std::to_string(number) + " not found in study '" + study + "'");
}

// Checks a suggestion from a strategy: the right size, inside the space, fidelity when needed.
Status CheckSuggestion(const StudyConfig& config, const SearchSpace& space, Suggestion* s) {
  if (s->params.size() != config.parameters.size()) {
    return Internal("strategy returned a point of dimension " + std::to_string(s->params.size()));
  }
  for (double v : s->params) {
    if (!std::isfinite(v)) return Internal("strategy returned a non-finite parameter value");
  }
  s->params = space.Snap(s->params);
  if (config.fidelity && !s->fidelity) s->fidelity = config.fidelity->target();
  if (!config.fidelity) s->fidelity.reset();
  return OkStatus();
}

Status CheckResult(const StudyConfig& config, const CompleteRequest& r) {
  const std::vector<std::string> measured = config.MeasuredOutcomes();
  for (const auto& [name, v] : r.values) {
    if (std::find(measured.begin(), measured.end(), name) == measured.end()) {
      return InvalidArgument("unknown outcome values." + name, "values." + name);
    }
    if (!std::isfinite(v)) return InvalidArgument("values." + name + " must be finite", "values." + name);
  }
  for (const std::string& m : measured) {
    if (r.values.count(m) == 0) return InvalidArgument("values." + m + " is required", "values." + m);
  }
  for (const auto& [name, v] : r.noise) {
    if (std::find(measured.begin(), measured.end(), name) == measured.end()) {
      return InvalidArgument("unknown outcome noise." + name, "noise." + name);
    }
    if (!std::isfinite(v) || v < 0) return InvalidArgument("noise." + name + " must be >= 0", "noise." + name);
  }
  if (r.cost && (!std::isfinite(*r.cost) || *r.cost < 0)) {
    return InvalidArgument("cost must be a finite number >= 0", "cost");
  }
  return OkStatus();
}

void ApplyResult(const StudyConfig& config, const CompleteRequest& r, Trial* t) {
  t->state = TrialState::kCompleted;
  t->values = r.values;
  t->noise = r.noise;
  t->cost = r.cost;
  t->feasible = IsFeasible(config, r.values);
}

}  // namespace

StudyService::StudyService(Storage* storage, ServiceOptions options) : storage_(storage), options_(options) {}

StudyService::~StudyService() = default;

std::shared_ptr<StudyService::StudyEntry> StudyService::Find(const std::string& name) {
  std::shared_lock lock(studies_mu_);
  auto it = studies_.find(name);
  return it == studies_.end() ? nullptr : it->second;
}

void StudyService::AddListener(std::function<void(const ChangeEvent&)> listener) {
  std::lock_guard lock(listeners_mu_);
  auto next = std::make_shared<Listeners>(*listeners_);
  next->push_back(std::move(listener));
  listeners_ = std::move(next);
}

void StudyService::Notify(const ChangeEvent& event) {
  std::shared_ptr<const Listeners> listeners;
  {
    std::lock_guard lock(listeners_mu_);
    listeners = listeners_;
  }
  for (const auto& l : *listeners) l(event);
}

Status StudyService::Usable(StudyEntry& e, const std::string& name) {
  if (e.deleted) return StudyNotFound(name);
  if (e.reload_due) RETURN_IF_ERROR(Reload(e, name));
  return OkStatus();
}

Status StudyService::Reload(StudyEntry& e, const std::string& name) {
  e.reload_due = true;
  StatusOr<StoredStudy> stored = storage_->Resync(e.id);
  Status status = stored.status();
  if (status.ok()) status = FillFromStored(&e, std::move(stored).value());
  if (!status.ok()) {
    spdlog::error("study '{}': reload from storage after a failed write failed: {}", name, status.ToString());
    return Unavailable("study '" + name + "' could not be reloaded after a failed storage write: " +
                       status.message());
  }
  e.reload_due = false;
  ++e.epoch;
  spdlog::warn("study '{}' reloaded from storage after a failed write ({} trials)", name, e.trials.size());
  return OkStatus();
}

Status StudyService::AwaitWrite(const std::shared_ptr<StudyEntry>& e, const std::string& name, QueuedWrite write) {
  Status status = write.done.get();
  if (status.ok()) return status;
  spdlog::error("study '{}': storage write failed: {}", name, status.ToString());
  std::lock_guard lock(e->mu);
  // The first request to see a failure of this epoch reloads; writes queued in the same epoch failed with it (the
  // storage refuses a study's later writes until the Resync), so one reload covers them all.
  if (!e->deleted && write.epoch == e->epoch && !e->reload_due) (void)Reload(*e, name);
  return Unavailable("storage write failed, nothing of this request was kept: " + status.message());
}

Status StudyService::Load() {
  ASSIGN_OR_RETURN(std::vector<StoredStudy> stored, storage_->LoadAll());
  std::unique_lock lock(studies_mu_);
  for (StoredStudy& s : stored) {
    Json j = Json::parse(s.config_json, nullptr, false);
    auto config = ParseStudyConfig(j, {}, /*validate_strategy=*/false);
    if (!config.ok()) {
      spdlog::error("study '{}' (id {}) has an unreadable config and is not served: {}", s.name, s.id,
                    config.status().ToString());
      continue;
    }
    auto e = std::make_shared<StudyEntry>();
    e->id = s.id;
    e->config = std::make_shared<StudyConfig>(std::move(config).value());
    e->config_json = s.config_json;
    e->created_at_ms = s.created_at_ms;
    const std::string name = s.name;
    RETURN_IF_ERROR(FillFromStored(e.get(), std::move(s)));
    studies_[name] = std::move(e);
  }
  spdlog::info("loaded {} studies", studies_.size());
  return OkStatus();
}

StatusOr<StudyView> StudyService::CreateStudy(const StudyConfig& config, bool if_exists_return, bool* created) {
  if (created) *created = false;
  Json canonical = ConfigToJson(config);
  if (auto existing = Find(config.name)) {
    std::lock_guard lock(existing->mu);
    if (!existing->deleted) {
      Json stored = ConfigToJson(*existing->config);
      if (!config.seed_given) stored["seed"] = canonical["seed"];  // an unspecified seed matches any
      if (if_exists_return && stored == canonical) return existing->View();
      return AlreadyExists("study '" + config.name + "' already exists" +
                               (if_exists_return ? " with a different config" : ""),
                           "name");
    }
  }
  auto e = std::make_shared<StudyEntry>();
  e->config = std::make_shared<StudyConfig>(config);
  e->config_json = canonical.dump();
  if (config.objective.composite()) {
    ASSIGN_OR_RETURN(e->composite, CompositeObjective::Create(config.objective, config.outputs));
  }
  ASSIGN_OR_RETURN(e->strategy, CreateStrategy(config));
  StoredStudy stored;
  stored.name = config.name;
  stored.config_json = e->config_json;
  stored.created_at_ms = NowMs();
  stored.strategy_state_json = "{}";
  {
    std::unique_lock lock(studies_mu_);
    if (studies_.count(config.name)) return AlreadyExists("study '" + config.name + "' already exists", "name");
    RETURN_IF_ERROR(storage_->CreateStudy(&stored));
    e->id = stored.id;
    e->created_at_ms = stored.created_at_ms;
    e->last_activity_ms = 0;  // as after a restart: the latest trial update, 0 without trials
    studies_[config.name] = e;
  }
  if (created) *created = true;
  Notify({ChangeEvent::Kind::kStudyCreated, config.name});
  std::lock_guard lock(e->mu);
  return e->View();
}

StatusOr<StudyView> StudyService::GetStudy(const std::string& name) {
  auto e = Find(name);
  if (!e) return StudyNotFound(name);
  std::lock_guard lock(e->mu);
  RETURN_IF_ERROR(Usable(*e, name));
  return e->View();
}

StatusOr<std::shared_ptr<const StudyConfig>> StudyService::GetConfig(const std::string& name) {
  auto e = Find(name);
  if (!e) return StudyNotFound(name);
  std::lock_guard lock(e->mu);  // `deleted` is guarded; the config itself is immutable
  if (e->deleted) return StudyNotFound(name);
  return e->config;
}

std::vector<StudyView> StudyService::ListStudies() {
  std::vector<std::shared_ptr<StudyEntry>> entries;
  {
    std::shared_lock lock(studies_mu_);
    for (auto& [name, e] : studies_) entries.push_back(e);
  }
  std::vector<StudyView> views;
  for (auto& e : entries) {
    std::lock_guard lock(e->mu);
    if (!e->deleted) views.push_back(e->View());
  }
  return views;
}

Status StudyService::DeleteStudy(const std::string& name) {
  auto e = Find(name);
  if (!e) return StudyNotFound(name);
  {
    std::lock_guard lock(e->mu);
    if (e->deleted) return StudyNotFound(name);
    RETURN_IF_ERROR(storage_->DeleteStudy(e->id));
    e->deleted = true;
  }
  {
    std::unique_lock lock(studies_mu_);
    auto it = studies_.find(name);
    if (it != studies_.end() && it->second == e) studies_.erase(it);
  }
  Notify({ChangeEvent::Kind::kStudyDeleted, name});
  return OkStatus();
}

StatusOr<std::vector<Trial>> StudyService::Suggest(const std::string& study, const SuggestRequest& request) {
  if (request.count < 1 || request.count > options_.max_suggest_count) {
    return InvalidArgument("count must be in [1, " + std::to_string(options_.max_suggest_count) + "] (got " +
                               std::to_string(request.count) + ")",
                           "count");
  }
  auto e = Find(study);
  if (!e) return StudyNotFound(study);
  std::vector<Trial> created;
  QueuedWrite queued;
  {
    std::lock_guard lock(e->mu);
    RETURN_IF_ERROR(Usable(*e, study));
    if (!e->strategy) return FailedPrecondition(e->strategy_status.message(), "strategy.name");
    StrategyState state = e->state;
    ASSIGN_OR_RETURN(std::vector<Suggestion> suggestions,
                     e->strategy->Suggest(e->snapshot(), static_cast<int>(request.count), &state));
    if (static_cast<int64_t>(suggestions.size()) != request.count) {
      return Internal("strategy returned " + std::to_string(suggestions.size()) + " suggestions, expected " +
                      std::to_string(request.count));
    }
    const SearchSpace space(e->config->parameters);
    const int64_t now = NowMs();
    StudyWrite write;
    write.study_id = e->id;
    for (Suggestion& s : suggestions) {
      RETURN_IF_ERROR(CheckSuggestion(*e->config, space, &s));
      Trial t;
      t.number = static_cast<int64_t>(e->trials.size() + created.size());
      t.params = std::move(s.params);
      t.fidelity = s.fidelity;
      t.worker = request.worker;
      t.created_at_ms = t.updated_at_ms = now;
      t.diagnostics_json = s.diagnostics.dump(-1, ' ', false, Json::error_handler_t::replace);
      created.push_back(std::move(t));
    }
    write.upsert_trials = created;
    write.strategy_state_json = state.json.dump();
    queued = {storage_->CommitAsync(std::move(write)), e->epoch};
    e->state = std::move(state);
    for (const Trial& t : created) {
      e->trials.push_back(t);
      e->Account(t, std::nullopt);
    }
  }
  RETURN_IF_ERROR(AwaitWrite(e, study, std::move(queued)));
  for (const Trial& t : created) Notify({ChangeEvent::Kind::kTrialCreated, study, t.number, t.state});
  return created;
}

StatusOr<Trial> StudyService::Complete(const std::string& study, int64_t number, const CompleteRequest& request) {
  return UpdateTrial(study, number, [&](const StudyConfig& config, Trial* t) -> Status {
    if (t->state != TrialState::kPending) {
      return FailedPrecondition("trial " + std::to_string(number) + " is already " +
                                    std::string(TrialStateName(t->state)) + "; only pending trials can be completed",
                                "state");
    }
    RETURN_IF_ERROR(CheckResult(config, request));
    ApplyResult(config, request, t);
    return OkStatus();
  });
}

StatusOr<Trial> StudyService::Fail(const std::string& study, int64_t number, const std::string& reason) {
  return UpdateTrial(study, number, [&](const StudyConfig&, Trial* t) -> Status {
    if (t->state != TrialState::kPending) {
      return FailedPrecondition("trial " + std::to_string(number) + " is already " +
                                    std::string(TrialStateName(t->state)) + "; only pending trials can fail",
                                "state");
    }
    t->state = TrialState::kFailed;
    t->fail_reason = reason;
    return OkStatus();
  });
}

StatusOr<Trial> StudyService::Abandon(const std::string& study, int64_t number) {
  return UpdateTrial(study, number, [&](const StudyConfig&, Trial* t) -> Status {
    if (t->state != TrialState::kPending) {
      return FailedPrecondition("trial " + std::to_string(number) + " is already " +
                                    std::string(TrialStateName(t->state)) + "; only pending trials can be abandoned",
                                "state");
    }
    t->state = TrialState::kAbandoned;
    return OkStatus();
  });
}

StatusOr<Trial> StudyService::UpdateTrial(const std::string& study, int64_t number,
                                          const std::function<Status(const StudyConfig&, Trial*)>& change) {
  auto e = Find(study);
  if (!e) return StudyNotFound(study);
  Trial updated;
  QueuedWrite queued;
  {
    std::lock_guard lock(e->mu);
    RETURN_IF_ERROR(Usable(*e, study));
    if (number < 0 || number >= static_cast<int64_t>(e->trials.size())) return TrialNotFound(study, number);
    updated = e->trials[number];
    const TrialState old_state = updated.state;
    RETURN_IF_ERROR(change(*e->config, &updated));
    updated.updated_at_ms = updated.completed_at_ms = NowMs();
    StudyWrite write;
    write.study_id = e->id;
    write.upsert_trials.push_back(updated);
    queued = {storage_->CommitAsync(std::move(write)), e->epoch};
    e->trials[number] = updated;
    e->Account(updated, old_state);
  }
  RETURN_IF_ERROR(AwaitWrite(e, study, std::move(queued)));
  Notify({ChangeEvent::Kind::kTrialUpdated, study, number, updated.state});
  return updated;
}

StatusOr<Trial> StudyService::AddExternalTrial(const std::string& study, const ExternalTrialRequest& request) {
  auto e = Find(study);
  if (!e) return StudyNotFound(study);
  Trial t;
  QueuedWrite queued;
  {
    std::lock_guard lock(e->mu);
    RETURN_IF_ERROR(Usable(*e, study));
    const StudyConfig& config = *e->config;
    if (request.params.size() != config.parameters.size()) {
      return InvalidArgument("params must give every parameter", "params");
    }
    const SearchSpace space(config.parameters);
    if (space.Snap(request.params) != request.params) {
      return InvalidArgument("params are outside the search space", "params");
    }
    if (config.fidelity && !request.fidelity) return InvalidArgument("fidelity is required", "fidelity");
    if (!config.fidelity && request.fidelity) {
      return InvalidArgument("fidelity given but the study has no fidelity", "fidelity");
    }
    t.number = static_cast<int64_t>(e->trials.size());
    t.params = request.params;
    t.fidelity = request.fidelity;
    t.worker = request.worker;
    t.external = true;
    t.created_at_ms = t.updated_at_ms = t.completed_at_ms = NowMs();
    if (request.state == TrialState::kCompleted) {
      RETURN_IF_ERROR(CheckResult(config, request.result));
      ApplyResult(config, request.result, &t);
    } else if (request.state == TrialState::kFailed) {
      t.state = TrialState::kFailed;
      t.fail_reason = request.fail_reason;
    } else {
      return InvalidArgument("state of an external trial must be completed or failed", "state");
    }
    StudyWrite write;
    write.study_id = e->id;
    write.upsert_trials.push_back(t);
    queued = {storage_->CommitAsync(std::move(write)), e->epoch};
    e->trials.push_back(t);
    e->Account(t, std::nullopt);
  }
  RETURN_IF_ERROR(AwaitWrite(e, study, std::move(queued)));
  Notify({ChangeEvent::Kind::kTrialCreated, study, t.number, t.state});
  return t;
}

Status StudyService::Rank(const std::string& study,
                          const std::vector<int64_t>& numbers_best_first) {
  auto e = Find(study);
  if (!e) return StudyNotFound(study);
  QueuedWrite queued;
  {
    std::lock_guard lock(e->mu);
    RETURN_IF_ERROR(Usable(*e, study));
    if (numbers_best_first.size() < 2)
      return InvalidArgument("numbers must rank at least two trials", "numbers");
    std::set<int64_t> seen;
    for (size_t i = 0; i < numbers_best_first.size(); ++i) {
      const int64_t n = numbers_best_first[i];
      const std::string field = "numbers[" + std::to_string(i) + "]";
      if (n < 0 || n >= static_cast<int64_t>(e->trials.size()))
        return NotFound("trial " + std::to_string(n) + " not found", field);
      if (!seen.insert(n).second)
        return InvalidArgument(field + " repeats trial " + std::to_string(n), field);
    }
    if (!e->strategy) return FailedPrecondition(e->strategy_status.message(), "strategy.name");
    StrategyState state = e->state;
    RETURN_IF_ERROR(e->strategy->Rank(e->snapshot(), numbers_best_first, &state));
    StudyWrite write;
    write.study_id = e->id;
    write.strategy_state_json = state.json.dump();
    queued = {storage_->CommitAsync(std::move(write)), e->epoch};
    e->state = std::move(state);
  }
  return AwaitWrite(e, study, std::move(queued));
}

StatusOr<TrialPage> StudyService::ListTrials(const std::string& study, const TrialQuery& query) {
  auto e = Find(study);
  if (!e) return StudyNotFound(study);
  std::lock_guard lock(e->mu);
  RETURN_IF_ERROR(Usable(*e, study));
  TrialPage page;
  const int64_t offset = std::max<int64_t>(query.offset, 0);
  for (const Trial& t : e->trials) {
    if (query.state && t.state != *query.state) continue;
    const int64_t index = page.total++;
    if (index < offset) continue;
    if (query.limit >= 0 && static_cast<int64_t>(page.trials.size()) >= query.limit) continue;
    page.trials.push_back(t);
  }
  return page;
}

StatusOr<Trial> StudyService::GetTrial(const std::string& study, int64_t number) {
  auto e = Find(study);
  if (!e) return StudyNotFound(study);
  std::lock_guard lock(e->mu);
  RETURN_IF_ERROR(Usable(*e, study));
  if (number < 0 || number >= static_cast<int64_t>(e->trials.size())) return TrialNotFound(study, number);
  return e->trials[number];
}

StatusOr<BestResult> StudyService::Best(const std::string& study) {
  auto e = Find(study);
  if (!e) return StudyNotFound(study);
  std::lock_guard lock(e->mu);
  RETURN_IF_ERROR(Usable(*e, study));
  BestResult result;
  if (e->best) result.trial = e->trials[*e->best];
  if (e->strategy) {
    ASSIGN_OR_RETURN(result.recommendation, e->strategy->Recommend(e->snapshot(), e->state));
    result.strategy_summary = e->strategy->Summary(e->snapshot(), e->state);
  }
  return result;
}

StatusOr<std::vector<PointPrediction>> StudyService::Predict(const std::string& study,
                                                             const std::vector<std::vector<double>>& points) {
  auto e = Find(study);
  if (!e) return StudyNotFound(study);
  std::lock_guard lock(e->mu);
  RETURN_IF_ERROR(Usable(*e, study));
  if (!e->strategy) return FailedPrecondition(e->strategy_status.message(), "strategy.name");
  return e->strategy->Predict(e->snapshot(), points, e->state);
}

int StudyService::ExpirePending(int64_t now_ms) {
  if (options_.pending_timeout_seconds <= 0) return 0;
  const int64_t cutoff = now_ms - static_cast<int64_t>(options_.pending_timeout_seconds * 1000.0);
  std::vector<std::pair<std::string, int64_t>> expired;
  {
    std::shared_lock lock(studies_mu_);
    for (auto& [name, e] : studies_) {
      std::lock_guard elock(e->mu);
      for (int64_t n : e->pending) {
        if (e->trials[n].updated_at_ms <= cutoff) expired.emplace_back(name, n);
      }
    }
  }
  int count = 0;
  for (const auto& [name, number] : expired) {
    auto r = UpdateTrial(name, number, [](const StudyConfig&, Trial* t) -> Status {
      if (t->state != TrialState::kPending) return FailedPrecondition("no longer pending");
      t->state = TrialState::kAbandoned;
      t->fail_reason = "pending timeout: the worker stopped reporting";
      return OkStatus();
    });
    if (r.ok()) {
      ++count;
      spdlog::info("abandoned trial {} of study '{}' after the pending timeout", number, name);
    }
  }
  return count;
}

std::map<std::string, int64_t> StudyService::TrialCountsByState() {
  std::map<std::string, int64_t> counts;
  for (TrialState s : {TrialState::kPending, TrialState::kCompleted, TrialState::kFailed, TrialState::kAbandoned}) {
    counts[std::string(TrialStateName(s))] = 0;
  }
  std::shared_lock lock(studies_mu_);
  for (auto& [name, e] : studies_) {
    std::lock_guard elock(e->mu);
    for (const auto& [state, n] : e->counts) counts[std::string(TrialStateName(state))] += n;
  }
  return counts;
}

}  // namespace bayesd

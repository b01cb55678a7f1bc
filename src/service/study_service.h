// StudyService: the ask/tell engine behind the HTTP API, usable in-process (benchmarks, tests).
//
// Holds every study in memory (config, trials, strategy object and state) and writes through Storage before it
// acknowledges anything: when a method returns OK, its effect is durable. Requests are typed structs validated at the
// HTTP boundary for shape; this class validates them against the study (bounds, outcomes, states).
//
// Thread safety: all methods are thread-safe. Each study has its own mutex, held while a request runs the strategy,
// changes the study in memory and queues its write (Storage::CommitAsync), so concurrent callers never receive the
// same trial number or point. The lock is released before the write is durable: the caller then waits for the
// disk outside the lock and is answered only when its write is durable, so requests to one study share group
// commits instead of queueing behind each other's fsync. Storage applies a study's writes in the order they were
// queued, so a request may build on the in-memory effect of an earlier one that is still being written (a suggest
// after a not-yet-durable complete). Reads (GetTrial, ListTrials, Best, ...) may therefore see a change shortly
// before its writer is answered. If a queued write fails, the study is reloaded from storage (Storage::Resync)
// before anything else touches it, every request whose write failed gets an error (kUnavailable), and nothing that
// was not acknowledged stays in memory. Different studies proceed in parallel. Event listeners are called after
// the write is durable, outside the study lock.
#ifndef BAYESD_SRC_SERVICE_STUDY_SERVICE_H_
#define BAYESD_SRC_SERVICE_STUDY_SERVICE_H_

#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "src/common/status.h"
#include "src/storage/storage.h"
#include "src/strategies/strategy.h"
#include "src/study/config.h"
#include "src/study/trial.h"

namespace bayesd {

struct ServiceOptions {
  // Pending trials whose last update is older than this are abandoned by ExpirePending (0 = never).
  double pending_timeout_seconds = 0.0;
  // Upper bound on `count` in one suggest call.
  int max_suggest_count = 1000;
};

struct StudySummary {
  std::map<std::string, int64_t> counts;  // "pending", "completed", "failed", "abandoned", "total"
  std::optional<double> best_value;       // objective of the best feasible completed trial at target fidelity
  std::optional<int64_t> best_trial;
  int64_t last_activity_ms = 0;           // 0 when no trial yet
  nlohmann::json strategy_summary = nlohmann::json::object();
};

// A consistent copy of one study, taken under its lock.
struct StudyView {
  int64_t id = 0;
  std::shared_ptr<const StudyConfig> config;
  int64_t created_at_ms = 0;
  StudySummary summary;
};

struct SuggestRequest {
  int64_t count = 1;  // validated against ServiceOptions::max_suggest_count by Suggest
  std::string worker;
};

struct CompleteRequest {
  std::map<std::string, double> values;
  std::map<std::string, double> noise;
  std::optional<double> cost;
};

// An externally evaluated trial (warm start, imports). Params are raw values (src/study/trial.h).
struct ExternalTrialRequest {
  std::vector<double> params;
  std::optional<double> fidelity;
  TrialState state = TrialState::kCompleted;  // kCompleted or kFailed
  CompleteRequest result;                     // when completed
  std::string fail_reason;                    // when failed
  std::string worker;
};

struct TrialQuery {
  std::optional<TrialState> state;
  int64_t offset = 0;
  int64_t limit = -1;  // -1: all
};

struct TrialPage {
  std::vector<Trial> trials;
  int64_t total = 0;  // matching trials before paging
};

struct BestResult {
  std::optional<Trial> trial;
  std::optional<Recommendation> recommendation;
  nlohmann::json strategy_summary = nlohmann::json::object();
};

// What changed, for the event stream and metrics.
struct ChangeEvent {
  enum class Kind { kStudyCreated, kStudyDeleted, kTrialCreated, kTrialUpdated };
  Kind kind;
  std::string study;
  int64_t number = -1;
  TrialState state = TrialState::kPending;
};

class StudyService {
 public:
  // `storage` must outlive the service. Load() must be called once before use.
  StudyService(Storage* storage, ServiceOptions options);
  ~StudyService();
  StudyService(const StudyService&) = delete;
  StudyService& operator=(const StudyService&) = delete;

  // Rebuilds every study from storage (and recreates strategies). Call once at start-up.
  Status Load();

  // Creates a study from a validated config. Same name: kAlreadyExists, unless `if_exists_return` and the stored
  // config is equal, then the existing study with *created = false.
  StatusOr<StudyView> CreateStudy(const StudyConfig& config, bool if_exists_return, bool* created = nullptr);
  StatusOr<StudyView> GetStudy(const std::string& name);
  // The study's config alone (no summary): what the HTTP layer needs on every trial request.
  StatusOr<std::shared_ptr<const StudyConfig>> GetConfig(const std::string& name);
  std::vector<StudyView> ListStudies();
  Status DeleteStudy(const std::string& name);

  StatusOr<std::vector<Trial>> Suggest(const std::string& study, const SuggestRequest& request);
  StatusOr<Trial> Complete(const std::string& study, int64_t number, const CompleteRequest& request);
  StatusOr<Trial> Fail(const std::string& study, int64_t number, const std::string& reason);
  StatusOr<Trial> Abandon(const std::string& study, int64_t number);
  StatusOr<Trial> AddExternalTrial(const std::string& study, const ExternalTrialRequest& request);
  // Ranking feedback: finished trial numbers, best first (zeroth-order ranking strategies).
  Status Rank(const std::string& study, const std::vector<int64_t>& numbers_best_first);

  StatusOr<TrialPage> ListTrials(const std::string& study, const TrialQuery& query);
  StatusOr<Trial> GetTrial(const std::string& study, int64_t number);
  StatusOr<BestResult> Best(const std::string& study);
  // Points are raw values; answers one prediction per point.
  StatusOr<std::vector<PointPrediction>> Predict(const std::string& study,
                                                 const std::vector<std::vector<double>>& points);

  // Abandons pending trials older than options.pending_timeout_seconds; returns how many. Called periodically.
  int ExpirePending(int64_t now_ms);

  // Counts of trials by state over all studies (for /metrics).
  std::map<std::string, int64_t> TrialCountsByState();

  // Registers a listener called after every change (from the calling thread, outside study locks).
  void AddListener(std::function<void(const ChangeEvent&)> listener);

 private:
  struct StudyEntry;
  // A write queued under the study lock, waited for after the lock is released.
  struct QueuedWrite {
    std::future<Status> done;
    int64_t epoch = 0;  // the study's epoch when queued (see StudyEntry::epoch)
  };
  std::shared_ptr<StudyEntry> Find(const std::string& name);
  // Under the study lock: deleted -> kNotFound; a study whose reload is due is reloaded first.
  Status Usable(StudyEntry& e, const std::string& name);
  // Under the study lock: rebuilds the study from storage (trials, strategy and its state) after a failed write.
  Status Reload(StudyEntry& e, const std::string& name);
  // Without the study lock: waits for the write; on failure reloads the study (once per failure) and answers
  // kUnavailable naming the cause.
  Status AwaitWrite(const std::shared_ptr<StudyEntry>& e, const std::string& name, QueuedWrite write);
  // Applies `change` to trial `number` under the study lock, persists it, then notifies. `change` validates the
  // transition and returns a non-OK Status to refuse it (nothing is written then).
  StatusOr<Trial> UpdateTrial(const std::string& study, int64_t number,
                              const std::function<Status(const StudyConfig&, Trial*)>& change);
  void Notify(const ChangeEvent& event);

  Storage* storage_;
  ServiceOptions options_;
  std::shared_mutex studies_mu_;  // guards studies_ (the map, not the entries)
  std::map<std::string, std::shared_ptr<StudyEntry>> studies_;
  using Listeners = std::vector<std::function<void(const ChangeEvent&)>>;
  std::mutex listeners_mu_;
  std::shared_ptr<const Listeners> listeners_ = std::make_shared<Listeners>();  // replaced, never changed
};

// Milliseconds since the Unix epoch.
int64_t NowMs();

}  // namespace bayesd

#endif  // BAYESD_SRC_SERVICE_STUDY_SERVICE_H_

#include "src/storage/sqlite_rows.h"

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace bayesd::storage_internal {
namespace {

using nlohmann::json;

// The trials table's columns in the order both the upsert binds them and the selects read them.
#define BAYESD_TRIAL_COLUMNS                                                                        \
  "study_id, number, state, params_json, fidelity, values_json, noise_json, cost, feasible, worker, " \
  "fail_reason, external, created_at_ms, updated_at_ms, completed_at_ms, diagnostics_json"

constexpr const char* kUpsertTrial =
    "INSERT OR REPLACE INTO trials (" BAYESD_TRIAL_COLUMNS
    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kSelectAllTrials =
    "SELECT " BAYESD_TRIAL_COLUMNS " FROM trials ORDER BY study_id, number";
constexpr const char* kSelectStudyTrials =
    "SELECT " BAYESD_TRIAL_COLUMNS " FROM trials WHERE study_id = ? ORDER BY number";
constexpr const char* kSelectAllStudies =
    "SELECT id, name, config_json, created_at_ms, strategy_state_json FROM studies ORDER BY id";
constexpr const char* kSelectStudy =
    "SELECT id, name, config_json, created_at_ms, strategy_state_json FROM studies WHERE id = ?";

// The stored spelling of TrialState is the API's (TrialStateName); it is also the CHECK constraint on trials.state.
std::string_view StateText(TrialState state) { return TrialStateName(state); }
std::optional<TrialState> StateFromText(std::string_view text) { return ParseTrialState(text); }

// nlohmann writes doubles in the shortest form that parses back to the same bits (-0.0 included).
template <typename T>
StatusOr<std::string> DumpJson(const T& value, std::string_view what) {
  try {
    return json(value).dump(-1, ' ', false, json::error_handler_t::strict);
  } catch (const json::exception& e) {
    return InvalidArgument(std::string(what) + " cannot be written as JSON: " + e.what());
  }
}

Status Corrupt(int64_t study_id, int64_t number, std::string_view what) {
  return Internal("stored trial " + std::to_string(number) + " of study " + std::to_string(study_id) +
                  " is damaged: " + std::string(what));
}

StatusOr<std::vector<double>> ParseParams(const std::string& text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) return Internal("params_json is not a JSON array");
  std::vector<double> out;
  out.reserve(j.size());
  for (const json& v : j) {
    if (!v.is_number()) return Internal("params_json holds a non-number");
    out.push_back(v.get<double>());
  }
  return out;
}

StatusOr<std::map<std::string, double>> ParseDoubleMap(const std::string& text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Internal("not a JSON object");
  std::map<std::string, double> out;
  for (const auto& [key, v] : j.items()) {
    if (!v.is_number()) return Internal("value of '" + key + "' is not a number");
    out.emplace(key, v.get<double>());
  }
  return out;
}

Status BindTrial(Statement& stmt, int64_t study_id, const Trial& t) {
  ASSIGN_OR_RETURN(std::string params, DumpJson(t.params, "params"));
  ASSIGN_OR_RETURN(std::string values, DumpJson(t.values, "values"));
  ASSIGN_OR_RETURN(std::string noise, DumpJson(t.noise, "noise"));
  stmt.BindInt64(1, study_id);
  stmt.BindInt64(2, t.number);
  stmt.BindText(3, StateText(t.state));
  stmt.BindText(4, params);
  stmt.BindOptionalDouble(5, t.fidelity);
  stmt.BindText(6, values);
  stmt.BindText(7, noise);
  stmt.BindOptionalDouble(8, t.cost);
  if (t.feasible) stmt.BindInt64(9, *t.feasible ? 1 : 0);  // left NULL (unbound) when unset
  stmt.BindText(10, t.worker);
  stmt.BindText(11, t.fail_reason);
  stmt.BindInt64(12, t.external ? 1 : 0);
  stmt.BindInt64(13, t.created_at_ms);
  stmt.BindInt64(14, t.updated_at_ms);
  stmt.BindInt64(15, t.completed_at_ms);
  stmt.BindText(16, t.diagnostics_json);
  return OkStatus();
}

Status UpsertTrial(SqliteDb& db, int64_t study_id, const Trial& trial) {
  ASSIGN_OR_RETURN(Statement stmt, db.Prepare(kUpsertTrial));
  RETURN_IF_ERROR(BindTrial(stmt, study_id, trial));
  return stmt.Run();
}

// Reads the current row of a statement selecting BAYESD_TRIAL_COLUMNS.
StatusOr<Trial> ReadTrial(const Statement& stmt) {
  Trial t;
  int64_t study_id = stmt.ColumnInt64(0);
  t.number = stmt.ColumnInt64(1);
  std::optional<TrialState> state = StateFromText(stmt.ColumnText(2));
  if (!state) return Corrupt(study_id, t.number, "unknown state");
  t.state = *state;
  StatusOr<std::vector<double>> params = ParseParams(stmt.ColumnText(3));
  if (!params.ok()) return Corrupt(study_id, t.number, params.status().message());
  t.params = std::move(params).value();
  t.fidelity = stmt.ColumnOptionalDouble(4);
  StatusOr<std::map<std::string, double>> values = ParseDoubleMap(stmt.ColumnText(5));
  if (!values.ok()) return Corrupt(study_id, t.number, "values_json: " + values.status().message());
  t.values = std::move(values).value();
  StatusOr<std::map<std::string, double>> noise = ParseDoubleMap(stmt.ColumnText(6));
  if (!noise.ok()) return Corrupt(study_id, t.number, "noise_json: " + noise.status().message());
  t.noise = std::move(noise).value();
  t.cost = stmt.ColumnOptionalDouble(7);
  if (!stmt.ColumnIsNull(8)) t.feasible = stmt.ColumnInt64(8) != 0;
  t.worker = stmt.ColumnText(9);
  t.fail_reason = stmt.ColumnText(10);
  t.external = stmt.ColumnInt64(11) != 0;
  t.created_at_ms = stmt.ColumnInt64(12);
  t.updated_at_ms = stmt.ColumnInt64(13);
  t.completed_at_ms = stmt.ColumnInt64(14);
  t.diagnostics_json = stmt.ColumnText(15);
  return t;
}

StoredStudy ReadStudy(const Statement& stmt) {
  StoredStudy s;
  s.id = stmt.ColumnInt64(0);
  s.name = stmt.ColumnText(1);
  s.config_json = stmt.ColumnText(2);
  s.created_at_ms = stmt.ColumnInt64(3);
  s.strategy_state_json = stmt.ColumnText(4);
  return s;
}

StatusOr<bool> StudyExists(SqliteDb& db, int64_t study_id) {
  ASSIGN_OR_RETURN(Statement stmt, db.Prepare("SELECT 1 FROM studies WHERE id = ?"));
  stmt.BindInt64(1, study_id);
  return stmt.Step();
}

Status StudyNotFound(int64_t study_id) {
  return NotFound("no study with id " + std::to_string(study_id));
}

StatusOr<std::vector<StoredStudy>> LoadAllInSnapshot(SqliteDb& db) {
  std::vector<StoredStudy> studies;
  std::unordered_map<int64_t, size_t> index;  // study id -> position in `studies`
  {
    ASSIGN_OR_RETURN(Statement stmt, db.Prepare(kSelectAllStudies));
    for (;;) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      index.emplace(stmt.ColumnInt64(0), studies.size());
      studies.push_back(ReadStudy(stmt));
    }
  }
  ASSIGN_OR_RETURN(Statement stmt, db.Prepare(kSelectAllTrials));
  for (;;) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    auto it = index.find(stmt.ColumnInt64(0));
    if (it == index.end()) return Internal("a stored trial belongs to no study: the database is damaged");
    ASSIGN_OR_RETURN(Trial trial, ReadTrial(stmt));
    studies[it->second].trials.push_back(std::move(trial));
  }
  return studies;
}

StatusOr<StoredStudy> LoadOneInSnapshot(SqliteDb& db, int64_t study_id) {
  StoredStudy study;
  {
    ASSIGN_OR_RETURN(Statement stmt, db.Prepare(kSelectStudy));
    stmt.BindInt64(1, study_id);
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return StudyNotFound(study_id);
    study = ReadStudy(stmt);
  }
  ASSIGN_OR_RETURN(Statement stmt, db.Prepare(kSelectStudyTrials));
  stmt.BindInt64(1, study_id);
  for (;;) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    ASSIGN_OR_RETURN(Trial trial, ReadTrial(stmt));
    study.trials.push_back(std::move(trial));
  }
  return study;
}

// Runs `load` inside a read transaction unless one is already open, so its several SELECTs see one snapshot.
template <typename Fn>
auto InSnapshot(SqliteDb& db, Fn load) -> decltype(load()) {
  if (db.InTransaction()) return load();
  RETURN_IF_ERROR(db.Exec("BEGIN", "begin read"));
  auto result = load();
  (void)db.Exec("COMMIT", "end read");  // a read transaction has nothing to lose; this cannot cost data
  return result;
}

}  // namespace

StatusOr<int64_t> InsertStudy(SqliteDb& db, const StoredStudy& study) {
  int64_t id = 0;
  {
    ASSIGN_OR_RETURN(Statement stmt,
                     db.Prepare("INSERT INTO studies (name, config_json, created_at_ms, strategy_state_json) "
                                "VALUES (?, ?, ?, ?) RETURNING id"));
    stmt.BindText(1, study.name);
    stmt.BindText(2, study.config_json);
    stmt.BindInt64(3, study.created_at_ms);
    stmt.BindText(4, study.strategy_state_json);
    StatusOr<bool> row = stmt.Step();
    if (!row.ok() && row.status().code() == StatusCode::kAlreadyExists) {
      return AlreadyExists("a study named '" + study.name + "' already exists", "name");
    }
    if (!row.ok()) return row.status();
    if (!*row) return Internal("insert study returned no id");
    id = stmt.ColumnInt64(0);
    RETURN_IF_ERROR(stmt.Run());
  }
  for (const Trial& trial : study.trials) RETURN_IF_ERROR(UpsertTrial(db, id, trial));
  return id;
}

Status DeleteStudyRow(SqliteDb& db, int64_t study_id) {
  ASSIGN_OR_RETURN(Statement stmt, db.Prepare("DELETE FROM studies WHERE id = ?"));
  stmt.BindInt64(1, study_id);
  RETURN_IF_ERROR(stmt.Run());
  if (db.Changes() == 0) return StudyNotFound(study_id);
  return OkStatus();
}

Status ApplyWrite(SqliteDb& db, const StudyWrite& write) {
  ASSIGN_OR_RETURN(bool exists, StudyExists(db, write.study_id));
  if (!exists) return StudyNotFound(write.study_id);
  for (const Trial& trial : write.upsert_trials) {
    RETURN_IF_ERROR(UpsertTrial(db, write.study_id, trial));
  }
  if (write.strategy_state_json) {
    ASSIGN_OR_RETURN(Statement stmt, db.Prepare("UPDATE studies SET strategy_state_json = ? WHERE id = ?"));
    stmt.BindText(1, *write.strategy_state_json);
    stmt.BindInt64(2, write.study_id);
    RETURN_IF_ERROR(stmt.Run());
  }
  return OkStatus();
}

StatusOr<std::vector<StoredStudy>> LoadAllStudies(SqliteDb& db) {
  return InSnapshot(db, [&] { return LoadAllInSnapshot(db); });
}

StatusOr<StoredStudy> LoadOneStudy(SqliteDb& db, int64_t study_id) {
  return InSnapshot(db, [&] { return LoadOneInSnapshot(db, study_id); });
}

}  // namespace bayesd::storage_internal

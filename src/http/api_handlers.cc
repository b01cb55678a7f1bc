// Handlers of /api/v1/studies/...: parse and validate the request at the boundary, call StudyService, render JSON.
#include <charconv>
#include <sstream>

#include "src/http/api_context.h"
#include "src/study/config_json.h"
#include "src/study/json_fields.h"
#include "src/study/trial_json.h"

namespace bayesd {
namespace {

constexpr size_t kMaxWorkerLength = 256;
constexpr size_t kMaxReasonLength = 4096;
constexpr size_t kMaxPredictPoints = 10000;

// Path captures: matches[1] is the study name, matches[2] the trial number.
StatusOr<std::string> StudyName(const httplib::Request& req) {
  const std::string name = req.matches.size() > 1 ? std::string(req.matches[1]) : std::string();
  if (!IsValidStudyName(name)) {
    return InvalidArgument("invalid study name: must match [A-Za-z0-9._-]{1,128} and not be . or ..", "name");
  }
  return name;
}

StatusOr<int64_t> ParseInt(std::string_view s, const std::string& field) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) {
    return InvalidArgument(field + " must be a whole number (got '" + std::string(s.substr(0, 40)) + "')", field);
  }
  return v;
}

StatusOr<int64_t> TrialNumber(const httplib::Request& req) {
  ASSIGN_OR_RETURN(int64_t n, ParseInt(std::string(req.matches[2]), "number"));
  if (n < 0) return InvalidArgument("trial number must be >= 0", "number");
  return n;
}

// The body as a JSON object; an empty body is {} when `empty_ok`.
StatusOr<Json> ObjectBody(const httplib::Request& req, bool empty_ok) {
  if (req.body.empty() && empty_ok) return Json::object();
  ASSIGN_OR_RETURN(Json j, ParseJsonBody(req.body));
  RETURN_IF_ERROR(RequireObject(j, ""));
  return j;
}

StatusOr<std::shared_ptr<const StudyConfig>> ConfigOf(ApiContext& ctx, const std::string& name) {
  return ctx.service->GetConfig(name);
}

Json StudyToJson(const StudyView& v) {
  const StudySummary& s = v.summary;
  Json summary = {{"trials", s.counts},
                  {"best_value", s.best_value ? Json(*s.best_value) : Json(nullptr)},
                  {"best_trial", s.best_trial ? Json(*s.best_trial) : Json(nullptr)},
                  {"last_activity", s.last_activity_ms ? Json(FormatTimeMs(s.last_activity_ms)) : Json(nullptr)},
                  {"strategy", v.config->strategy.name}};
  for (auto it = s.strategy_summary.begin(); it != s.strategy_summary.end(); ++it) summary[it.key()] = it.value();
  return {{"name", v.config->name},
          {"id", v.id},
          {"created_at", FormatTimeMs(v.created_at_ms)},
          {"config", ConfigToJson(*v.config)},
          {"summary", summary}};
}

StatusOr<std::string> ReadBoundedString(const Json& body, const char* key, size_t max_len) {
  ASSIGN_OR_RETURN(auto s, ReadString(body, "", key, false));
  if (s && s->size() > max_len) {
    return InvalidArgument(std::string(key) + " must be at most " + std::to_string(max_len) + " characters", key);
  }
  return s.value_or("");
}

StatusOr<CompleteRequest> ParseResult(const StudyConfig& config, const Json& body) {
  CompleteRequest r;
  auto values = body.find("values");
  if (values == body.end() || values->is_null()) return InvalidArgument("values is required", "values");
  ASSIGN_OR_RETURN(r.values, ParseValues(config, *values, "values"));
  auto noise = body.find("noise");
  if (noise != body.end() && !noise->is_null()) {
    ASSIGN_OR_RETURN(r.noise, ParseNoise(config, *noise, "noise"));
  }
  ASSIGN_OR_RETURN(auto cost, ReadNumber(body, "", "cost", false));
  if (cost && *cost < 0) return InvalidArgument("cost must be >= 0", "cost");
  r.cost = cost;
  return r;
}

// ---- studies ----

StatusOr<Reply> CreateStudy(ApiContext& ctx, const httplib::Request& req) {
  ASSIGN_OR_RETURN(Json body, ObjectBody(req, false));
  ASSIGN_OR_RETURN(auto if_exists, ReadString(body, "", "if_exists", false));
  if (if_exists && *if_exists != "error" && *if_exists != "return") {
    return InvalidArgument("if_exists must be error or return", "if_exists");
  }
  ASSIGN_OR_RETURN(StudyConfig config, ParseStudyConfig(body, {"if_exists"}));
  bool created = false;
  ASSIGN_OR_RETURN(StudyView view, ctx.service->CreateStudy(config, if_exists == "return", &created));
  return JsonReply(StudyToJson(view), created ? 201 : 200);
}

StatusOr<Reply> ListStudies(ApiContext& ctx, const httplib::Request&) {
  Json list = Json::array();
  for (const StudyView& v : ctx.service->ListStudies()) list.push_back(StudyToJson(v));
  return JsonReply({{"studies", list}});
}

StatusOr<Reply> GetStudy(ApiContext& ctx, const httplib::Request& req) {
  ASSIGN_OR_RETURN(std::string name, StudyName(req));
  ASSIGN_OR_RETURN(StudyView view, ctx.service->GetStudy(name));
  return JsonReply(StudyToJson(view));
}

StatusOr<Reply> DeleteStudy(ApiContext& ctx, const httplib::Request& req) {
  ASSIGN_OR_RETURN(std::string name, StudyName(req));
  RETURN_IF_ERROR(ctx.service->DeleteStudy(name));
  return JsonReply({{"deleted", name}});
}

// ---- trials ----

StatusOr<Reply> Suggest(ApiContext& ctx, const httplib::Request& req) {
  ASSIGN_OR_RETURN(std::string name, StudyName(req));
  ASSIGN_OR_RETURN(Json body, ObjectBody(req, true));
  RETURN_IF_ERROR(RejectUnknownKeys(body, "", {"count", "worker"}));
  SuggestRequest r;
  // Any whole number here (within 2^53, exact in a double); the service checks its range and says what it got.
  constexpr int64_t kExact = int64_t{1} << 53;
  ASSIGN_OR_RETURN(auto count, ReadInteger(body, "", "count", false, -kExact, kExact));
  r.count = count.value_or(1);
  ASSIGN_OR_RETURN(r.worker, ReadBoundedString(body, "worker", kMaxWorkerLength));
  ASSIGN_OR_RETURN(auto config, ConfigOf(ctx, name));
  const auto start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(std::vector<Trial> trials, ctx.service->Suggest(name, r));
  ctx.metrics->RecordSuggest(config->strategy.name,
                             std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  Json list = Json::array();
  for (const Trial& t : trials) list.push_back(TrialToJson(*config, t));
  return JsonReply({{"trials", list}});
}

// What every .../trials/{number}/<verb> route reads first: the study, the trial number, the body (with only
// `allowed` keys) and the study's config.
struct TrialRequest {
  std::string study;
  int64_t number = 0;
  Json body;
  std::shared_ptr<const StudyConfig> config;
};

StatusOr<TrialRequest> ReadTrialRequest(ApiContext& ctx, const httplib::Request& req, bool empty_ok,
                                        std::initializer_list<std::string_view> allowed) {
  TrialRequest r;
  ASSIGN_OR_RETURN(r.study, StudyName(req));
  ASSIGN_OR_RETURN(r.number, TrialNumber(req));
  ASSIGN_OR_RETURN(r.body, ObjectBody(req, empty_ok));
  RETURN_IF_ERROR(RejectUnknownKeys(r.body, "", allowed));
  ASSIGN_OR_RETURN(r.config, ConfigOf(ctx, r.study));
  return r;
}

StatusOr<Reply> Complete(ApiContext& ctx, const httplib::Request& req) {
  ASSIGN_OR_RETURN(TrialRequest r, ReadTrialRequest(ctx, req, false, {"values", "noise", "cost"}));
  ASSIGN_OR_RETURN(CompleteRequest result, ParseResult(*r.config, r.body));
  ASSIGN_OR_RETURN(Trial t, ctx.service->Complete(r.study, r.number, result));
  return JsonReply(TrialToJson(*r.config, t));
}

StatusOr<Reply> Fail(ApiContext& ctx, const httplib::Request& req) {
  ASSIGN_OR_RETURN(TrialRequest r, ReadTrialRequest(ctx, req, true, {"reason"}));
  ASSIGN_OR_RETURN(std::string reason, ReadBoundedString(r.body, "reason", kMaxReasonLength));
  ASSIGN_OR_RETURN(Trial t, ctx.service->Fail(r.study, r.number, reason));
  return JsonReply(TrialToJson(*r.config, t));
}

StatusOr<Reply> Abandon(ApiContext& ctx, const httplib::Request& req) {
  ASSIGN_OR_RETURN(TrialRequest r, ReadTrialRequest(ctx, req, true, {}));
  ASSIGN_OR_RETURN(Trial t, ctx.service->Abandon(r.study, r.number));
  return JsonReply(TrialToJson(*r.config, t));
}

StatusOr<Reply> AddTrial(ApiContext& ctx, const httplib::Request& req) {
  ASSIGN_OR_RETURN(std::string name, StudyName(req));
  ASSIGN_OR_RETURN(Json body, ObjectBody(req, false));
  RETURN_IF_ERROR(
      RejectUnknownKeys(body, "", {"params", "values", "noise", "cost", "fidelity", "state", "reason", "worker"}));
  ASSIGN_OR_RETURN(auto config, ConfigOf(ctx, name));
  ExternalTrialRequest r;
  auto params = body.find("params");
  if (params == body.end() || params->is_null()) return InvalidArgument("params is required", "params");
  ASSIGN_OR_RETURN(r.params, ParseParams(*config, *params, "params"));
  auto fidelity = body.find("fidelity");
  if (fidelity != body.end() && !fidelity->is_null()) {
    ASSIGN_OR_RETURN(r.fidelity, ParseFidelityValue(*config, *fidelity, "fidelity"));
  } else if (config->fidelity) {
    r.fidelity = config->fidelity->target();  // no fidelity given: evaluated at the target
  }
  ASSIGN_OR_RETURN(auto state, ReadString(body, "", "state", false));
  if (state && *state != "completed" && *state != "failed") {
    return InvalidArgument("state must be completed or failed", "state");
  }
  r.state = state == "failed" ? TrialState::kFailed : TrialState::kCompleted;
  if (r.state == TrialState::kCompleted) {
    ASSIGN_OR_RETURN(r.result, ParseResult(*config, body));
  } else {
    if (body.contains("values")) return InvalidArgument("a failed trial has no values", "values");
    ASSIGN_OR_RETURN(r.fail_reason, ReadBoundedString(body, "reason", kMaxReasonLength));
  }
  ASSIGN_OR_RETURN(r.worker, ReadBoundedString(body, "worker", kMaxWorkerLength));
  ASSIGN_OR_RETURN(Trial t, ctx.service->AddExternalTrial(name, r));
  return JsonReply(TrialToJson(*config, t), 201);
}

StatusOr<TrialQuery> ParseTrialQuery(const httplib::Request& req) {
  TrialQuery q;
  for (const auto& [key, value] : req.params) {
    if (key == "state") {
      q.state = ParseTrialState(value);
      if (!q.state) return InvalidArgument("state must be pending, completed, failed or abandoned", "state");
    } else if (key == "offset") {
      ASSIGN_OR_RETURN(q.offset, ParseInt(value, "offset"));
      if (q.offset < 0) return InvalidArgument("offset must be >= 0", "offset");
    } else if (key == "limit") {
      ASSIGN_OR_RETURN(q.limit, ParseInt(value, "limit"));
      if (q.limit < 0) return InvalidArgument("limit must be >= 0", "limit");
    } else if (key != "format") {
      return InvalidArgument("unknown query parameter " + key.substr(0, 64), key.substr(0, 64));
    }
  }
  return q;
}

StatusOr<Reply> ListTrials(ApiContext& ctx, const httplib::Request& req) {
  ASSIGN_OR_RETURN(std::string name, StudyName(req));
  ASSIGN_OR_RETURN(TrialQuery q, ParseTrialQuery(req));
  if (req.has_param("format")) return InvalidArgument("unknown query parameter format", "format");
  ASSIGN_OR_RETURN(auto config, ConfigOf(ctx, name));
  ASSIGN_OR_RETURN(TrialPage page, ctx.service->ListTrials(name, q));
  Json list = Json::array();
  for (const Trial& t : page.trials) list.push_back(TrialToJson(*config, t));
  return JsonReply({{"trials", list}, {"total", page.total}});
}

StatusOr<Reply> GetTrial(ApiContext& ctx, const httplib::Request& req) {
  ASSIGN_OR_RETURN(std::string name, StudyName(req));
  ASSIGN_OR_RETURN(int64_t number, TrialNumber(req));
  ASSIGN_OR_RETURN(auto config, ConfigOf(ctx, name));
  ASSIGN_OR_RETURN(Trial t, ctx.service->GetTrial(name, number));
  return JsonReply(TrialToJson(*config, t));
}

StatusOr<Reply> Best(ApiContext& ctx, const httplib::Request& req) {
  ASSIGN_OR_RETURN(std::string name, StudyName(req));
  ASSIGN_OR_RETURN(auto config, ConfigOf(ctx, name));
  ASSIGN_OR_RETURN(BestResult best, ctx.service->Best(name));
  Json j = {{"trial", best.trial ? TrialToJson(*config, *best.trial) : Json(nullptr)}, {"recommendation", nullptr}};
  if (best.recommendation) {
    Json predicted = Json::object();
    for (const auto& [outcome, p] : best.recommendation->predicted) {
      predicted[outcome] = {{"mean", p.mean}, {"sd", p.sd}};
    }
    j["recommendation"] = {{"params", ParamsToJson(*config, best.recommendation->params)},
                           {"predicted", predicted}};
  }
  for (auto it = best.strategy_summary.begin(); it != best.strategy_summary.end(); ++it) j[it.key()] = it.value();
  return JsonReply(j);
}

StatusOr<Reply> Predict(ApiContext& ctx, const httplib::Request& req) {
  ASSIGN_OR_RETURN(std::string name, StudyName(req));
  ASSIGN_OR_RETURN(Json body, ObjectBody(req, false));
  RETURN_IF_ERROR(RejectUnknownKeys(body, "", {"points"}));
  ASSIGN_OR_RETURN(auto config, ConfigOf(ctx, name));
  auto points = body.find("points");
  if (points == body.end() || !points->is_array() || points->empty()) {
    return InvalidArgument("points must be a non-empty array of parameter objects", "points");
  }
  if (points->size() > kMaxPredictPoints) return InvalidArgument("points must list at most 10000", "points");
  std::vector<std::vector<double>> raw;
  for (size_t i = 0; i < points->size(); ++i) {
    ASSIGN_OR_RETURN(auto p, ParseParams(*config, (*points)[i], IndexPath("points", i)));
    raw.push_back(std::move(p));
  }
  ASSIGN_OR_RETURN(std::vector<PointPrediction> preds, ctx.service->Predict(name, raw));
  Json list = Json::array();
  for (const PointPrediction& p : preds) {
    Json one = Json::object();
    for (const auto& [outcome, op] : p) one[outcome] = {{"mean", op.mean}, {"sd", op.sd}};
    list.push_back(one);
  }
  return JsonReply({{"predictions", list}});
}

StatusOr<Reply> Rank(ApiContext& ctx, const httplib::Request& req) {
  ASSIGN_OR_RETURN(std::string name, StudyName(req));
  ASSIGN_OR_RETURN(Json body, ObjectBody(req, false));
  RETURN_IF_ERROR(RejectUnknownKeys(body, "", {"numbers"}));
  auto numbers = body.find("numbers");
  if (numbers == body.end() || !numbers->is_array()) {
    return InvalidArgument("numbers must be an array of trial numbers, best first", "numbers");
  }
  if (numbers->size() > 100000) return InvalidArgument("numbers must list at most 100000 trials", "numbers");
  std::vector<int64_t> ranked;
  for (size_t i = 0; i < numbers->size(); ++i) {
    const Json wrapper = {{"n", (*numbers)[i]}};
    ASSIGN_OR_RETURN(auto n, ReadInteger(wrapper, "", "n", true, 0, std::numeric_limits<int64_t>::max()));
    ranked.push_back(*n);
  }
  RETURN_IF_ERROR(ctx.service->Rank(name, ranked));
  return JsonReply({{"ranked", ranked.size()}});
}

// ---- export ----

// A CSV field: quoted when needed; text that a spreadsheet would run as a formula gets a leading quote.
std::string CsvField(const std::string& s, bool is_text) {
  std::string v = s;
  if (is_text && !v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@')) v = "'" + v;
  if (v.find_first_of(",\"\n\r") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string CsvValue(const Json& j) {
  if (j.is_string()) return CsvField(j.get<std::string>(), true);
  if (j.is_null()) return "";
  return j.dump();
}

StatusOr<Reply> Export(ApiContext& ctx, const httplib::Request& req) {
  ASSIGN_OR_RETURN(std::string name, StudyName(req));
  const std::string format = req.has_param("format") ? req.get_param_value("format") : "json";
  if (format != "json" && format != "csv") return InvalidArgument("format must be csv or json", "format");
  ASSIGN_OR_RETURN(StudyView view, ctx.service->GetStudy(name));
  ASSIGN_OR_RETURN(TrialPage page, ctx.service->ListTrials(name, TrialQuery{}));
  const StudyConfig& config = *view.config;
  if (format == "json") {
    Json trials = Json::array();
    for (const Trial& t : page.trials) trials.push_back(TrialToJson(config, t));
    return JsonReply({{"study", StudyToJson(view)}, {"trials", trials}});
  }
  const std::vector<std::string> outcomes = config.MeasuredOutcomes();
  std::ostringstream csv;
  csv << "number,state";
  for (const ParameterSpec& p : config.parameters) csv << "," << CsvField(p.name, true);
  if (config.fidelity) csv << "," << CsvField(config.fidelity->name, true);
  for (const std::string& o : outcomes) csv << "," << CsvField(o, true);
  csv << ",feasible,cost,worker,fail_reason,created_at,completed_at\n";
  for (const Trial& t : page.trials) {
    const Json params = ParamsToJson(config, t.params);
    csv << t.number << "," << TrialStateName(t.state);
    for (const ParameterSpec& p : config.parameters) csv << "," << CsvValue(params[p.name]);
    if (config.fidelity) csv << "," << (t.fidelity ? Json(*t.fidelity).dump() : "");
    for (const std::string& o : outcomes) {
      auto it = t.values.find(o);
      csv << "," << (it == t.values.end() ? "" : Json(it->second).dump());
    }
    csv << "," << (t.feasible ? (*t.feasible ? "true" : "false") : "") << ","
        << (t.cost ? Json(*t.cost).dump() : "") << "," << CsvField(t.worker, true) << ","
        << CsvField(t.fail_reason, true) << "," << FormatTimeMs(t.created_at_ms) << ","
        << (t.completed_at_ms ? FormatTimeMs(t.completed_at_ms) : "") << "\n";
  }
  return Reply{200, csv.str(), "text/csv; charset=utf-8"};
}

}  // namespace

void RegisterStudyRoutes(const RouteRegistrar& add) {
  const std::string study = R"(/api/v1/studies/([^/]+))";
  const std::string trial = study + R"(/trials/(\d{1,18}))";
  // Patterns must outlive registration: keep them in static storage.
  static const std::string kStudy = study, kSuggest = study + "/suggest", kTrials = study + "/trials",
                           kTrial = trial, kComplete = trial + "/complete", kFail = trial + "/fail",
                           kAbandon = trial + "/abandon", kBest = study + "/best", kPredict = study + "/predict",
                           kRank = study + "/rank", kExport = study + "/export";
  add("POST", "/api/v1/studies", "POST /api/v1/studies", CreateStudy);
  add("GET", "/api/v1/studies", "GET /api/v1/studies", ListStudies);
  add("GET", kStudy.c_str(), "GET /api/v1/studies/{name}", GetStudy);
  add("DELETE", kStudy.c_str(), "DELETE /api/v1/studies/{name}", DeleteStudy);
  add("POST", kSuggest.c_str(), "POST /api/v1/studies/{name}/suggest", Suggest);
  add("POST", kTrials.c_str(), "POST /api/v1/studies/{name}/trials", AddTrial);
  add("GET", kTrials.c_str(), "GET /api/v1/studies/{name}/trials", ListTrials);
  add("GET", kTrial.c_str(), "GET /api/v1/studies/{name}/trials/{number}", GetTrial);
  add("POST", kComplete.c_str(), "POST /api/v1/studies/{name}/trials/{number}/complete", Complete);
  add("POST", kFail.c_str(), "POST /api/v1/studies/{name}/trials/{number}/fail", Fail);
  add("POST", kAbandon.c_str(), "POST /api/v1/studies/{name}/trials/{number}/abandon", Abandon);
  add("GET", kBest.c_str(), "GET /api/v1/studies/{name}/best", Best);
  add("POST", kPredict.c_str(), "POST /api/v1/studies/{name}/predict", Predict);
  add("POST", kRank.c_str(), "POST /api/v1/studies/{name}/rank", Rank);
  add("GET", kExport.c_str(), "GET /api/v1/studies/{name}/export", Export);
}

}  // namespace bayesd

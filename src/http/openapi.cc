// The OpenAPI 3.0 description of API v1, served at GET /api/v1/openapi.json. docs/api.md is its prose companion;
// tests/core/http_api_test.cc checks that every route the server registers appears here.
#include "src/http/api_context.h"

namespace bayesd {
namespace {

nlohmann::json Ref(const char* name) { return {{"$ref", std::string("#/components/schemas/") + name}}; }

nlohmann::json JsonBody(nlohmann::json schema) {
  return {{"required", true}, {"content", {{"application/json", {{"schema", schema}}}}}};
}

nlohmann::json Answer(const char* description, nlohmann::json schema) {
  return {{"description", description}, {"content", {{"application/json", {{"schema", schema}}}}}};
}

nlohmann::json Errors() {
  nlohmann::json e = Answer("an error; `field` names the offending field", Ref("Error"));
  return {{"400", e}, {"401", e}, {"404", e}, {"409", e}, {"413", e}, {"500", e}};
}

nlohmann::json Op(const char* summary, nlohmann::json ok, const char* status = "200",
                  nlohmann::json body = nullptr) {
  nlohmann::json op = {{"summary", summary}, {"responses", Errors()}};
  op["responses"][status] = ok;
  if (!body.is_null()) op["requestBody"] = body;
  return op;
}

nlohmann::json Param(const char* name, const char* in, const char* type, bool required, const char* desc) {
  return {{"name", name}, {"in", in}, {"required", required}, {"description", desc}, {"schema", {{"type", type}}}};
}

nlohmann::json Schemas() {
  using nlohmann::json;
  json number_map = {{"type", "object"}, {"additionalProperties", {{"type", "number"}}}};
  return {
      {"Error",
       {{"type", "object"},
        {"required", {"error"}},
        {"properties",
         {{"error",
           {{"type", "object"},
            {"required", {"code", "message"}},
            {"properties",
             {{"code",
               {{"type", "string"},
                {"enum", {"invalid_argument", "unauthenticated", "not_found", "already_exists",
                          "failed_precondition", "payload_too_large", "unavailable", "internal"}}}},
              {"message", {{"type", "string"}}},
              {"field", {{"type", "string"}}}}}}}}}}},
      {"Parameter",
       {{"type", "object"},
        {"required", {"name", "type"}},
        {"properties",
         {{"name", {{"type", "string"}, {"maxLength", 128}}},
          {"type", {{"type", "string"}, {"enum", {"float", "int", "categorical"}}}},
          {"low", {{"type", "number"}}},
          {"high", {{"type", "number"}}},
          {"log", {{"type", "boolean"}}},
          {"choices", {{"type", "array"}, {"items", {{"oneOf", {{{"type", "string"}}, {{"type", "number"}}}}}}}}}}}},
      {"StudyConfig",
       {{"type", "object"},
        {"required", {"name", "parameters", "objective"}},
        {"properties",
         {{"name", {{"type", "string"}, {"pattern", "^[A-Za-z0-9._-]{1,128}$"}}},
          {"parameters", {{"type", "array"}, {"minItems", 1}, {"items", Ref("Parameter")}}},
          {"objective",
           {{"type", "object"},
            {"required", {"name", "goal"}},
            {"properties",
             {{"name", {{"type", "string"}}},
              {"goal", {{"type", "string"}, {"enum", {"minimize", "maximize"}}}},
              {"targets", number_map},
              {"weights", number_map},
              {"expression", {{"type", "string"}}}}}}},
          {"outputs",
           {{"type", "array"},
            {"items", {{"type", "object"}, {"properties", {{"name", {{"type", "string"}}}}}}}}},
          {"constraints",
           {{"type", "array"},
            {"items",
             {{"type", "object"},
              {"required", {"name", "op", "bound"}},
              {"properties",
               {{"name", {{"type", "string"}}},
                {"op", {{"type", "string"}, {"enum", {"<=", ">="}}}},
                {"bound", {{"type", "number"}}}}}}}}},
          {"fidelity",
           {{"type", "object"},
            {"nullable", true},
            {"properties",
             {{"name", {{"type", "string"}}},
              {"low", {{"type", "number"}}},
              {"high", {{"type", "number"}}},
              {"levels", {{"type", "array"}, {"items", {{"type", "number"}}}}},
              {"costs", {{"type", "array"}, {"items", {{"type", "number"}}}}},
              {"cost",
               {{"type", "object"},
                {"properties",
                 {{"type", {{"type", "string"}, {"enum", {"linear", "exponent", "learned"}}}},
                  {"exponent", {{"type", "number"}}},
                  {"fixed", {{"type", "number"}}}}}}}}}}},
          {"strategy",
           {{"type", "object"},
            {"properties", {{"name", {{"type", "string"}, {"enum", {"gp", "sobol", "random", "zo", "cbo"}}}}}},
            {"additionalProperties", true}}},
          {"seed", {{"type", "integer"}, {"minimum", 0}}},
          {"if_exists", {{"type", "string"}, {"enum", {"error", "return"}}}}}}}},
      {"Study",
       {{"type", "object"},
        {"properties",
         {{"name", {{"type", "string"}}},
          {"id", {{"type", "integer"}}},
          {"created_at", {{"type", "string"}, {"format", "date-time"}}},
          {"config", Ref("StudyConfig")},
          {"summary",
           {{"type", "object"},
            {"properties",
             {{"trials", {{"type", "object"}, {"additionalProperties", {{"type", "integer"}}}}},
              {"best_value", {{"type", "number"}, {"nullable", true}}},
              {"best_trial", {{"type", "integer"}, {"nullable", true}}},
              {"last_activity", {{"type", "string"}, {"nullable", true}}},
              {"strategy", {{"type", "string"}}}}}}}}}}},
      {"Trial",
       {{"type", "object"},
        {"properties",
         {{"number", {{"type", "integer"}}},
          {"state", {{"type", "string"}, {"enum", {"pending", "completed", "failed", "abandoned"}}}},
          {"params", {{"type", "object"}}},
          {"fidelity", {{"type", "number"}}},
          {"values", number_map},
          {"noise", number_map},
          {"cost", {{"type", "number"}}},
          {"feasible", {{"type", "boolean"}}},
          {"worker", {{"type", "string"}}},
          {"fail_reason", {{"type", "string"}}},
          {"external", {{"type", "boolean"}}},
          {"created_at", {{"type", "string"}, {"format", "date-time"}}},
          {"updated_at", {{"type", "string"}, {"format", "date-time"}}},
          {"completed_at", {{"type", "string"}, {"format", "date-time"}}},
          {"diagnostics", {{"type", "object"}}}}}}},
      {"TrialList",
       {{"type", "object"},
        {"properties",
         {{"trials", {{"type", "array"}, {"items", Ref("Trial")}}}, {"total", {{"type", "integer"}}}}}}},
      {"Result",
       {{"type", "object"},
        {"required", {"values"}},
        {"properties", {{"values", number_map}, {"noise", number_map}, {"cost", {{"type", "number"}, {"minimum", 0}}}}}}},
  };
}

nlohmann::json Paths() {
  using nlohmann::json;
  const json name = Param("name", "path", "string", true, "study name");
  const json number = Param("number", "path", "integer", true, "trial number within the study");
  auto with = [](json op, std::vector<json> params) {
    op["parameters"] = params;
    return op;
  };
  json trial_answer = Answer("the trial", Ref("Trial"));
  return {
      {"/healthz", {{"get", Op("liveness", Answer("ok", {{"type", "object"}}))}}},
      {"/metrics", {{"get", Op("Prometheus metrics (text format)", {{"description", "metrics"}})}}},
      {"/api/v1/openapi.json", {{"get", Op("this document", Answer("OpenAPI 3.0", {{"type", "object"}}))}}},
      {"/api/v1/events",
       {{"get", with(Op("server-sent events: one JSON `data:` line per study or trial change",
                        {{"description", "text/event-stream"}}),
                     {Param("study", "query", "string", false, "only this study's events")})}}},
      {"/api/v1/studies",
       {{"post", Op("create a study (200 with if_exists=return and an equal config)",
                    Answer("the study", Ref("Study")), "201", JsonBody(Ref("StudyConfig")))},
        {"get", Op("list studies with summaries", Answer("studies", {{"type", "object"}}))}}},
      {"/api/v1/studies/{name}",
       {{"get", with(Op("a study: config and summary", Answer("the study", Ref("Study"))), {name})},
        {"delete", with(Op("delete a study and its trials", Answer("deleted", {{"type", "object"}})), {name})}}},
      {"/api/v1/studies/{name}/suggest",
       {{"post", with(Op("ask for suggestions (new pending trials)",
                         Answer("trials", {{"type", "object"}, {"properties", {{"trials", {{"type", "array"}, {"items", Ref("Trial")}}}}}}),
                         "200",
                         JsonBody({{"type", "object"},
                                   {"properties",
                                    {{"count", {{"type", "integer"}, {"minimum", 1}, {"maximum", 1000}}},
                                     {"worker", {{"type", "string"}, {"maxLength", 256}}}}}})),
                      {name})}}},
      {"/api/v1/studies/{name}/trials",
       {{"get", with(Op("trials in number order", Answer("trials", Ref("TrialList"))),
                     {name, Param("state", "query", "string", false, "pending|completed|failed|abandoned"),
                      Param("offset", "query", "integer", false, "skip this many"),
                      Param("limit", "query", "integer", false, "at most this many")})},
        {"post", with(Op("record an externally evaluated trial", trial_answer, "201",
                         JsonBody({{"type", "object"},
                                   {"required", {"params"}},
                                   {"properties",
                                    {{"params", {{"type", "object"}}},
                                     {"values", {{"type", "object"}}},
                                     {"noise", {{"type", "object"}}},
                                     {"cost", {{"type", "number"}}},
                                     {"fidelity", {{"type", "number"}}},
                                     {"state", {{"type", "string"}, {"enum", {"completed", "failed"}}}},
                                     {"reason", {{"type", "string"}}},
                                     {"worker", {{"type", "string"}}}}}})),
                      {name})}}},
      {"/api/v1/studies/{name}/trials/{number}", {{"get", with(Op("one trial", trial_answer), {name, number})}}},
      {"/api/v1/studies/{name}/trials/{number}/complete",
       {{"post", with(Op("report a pending trial's results (409 when not pending)", trial_answer, "200",
                         JsonBody(Ref("Result"))),
                      {name, number})}}},
      {"/api/v1/studies/{name}/trials/{number}/fail",
       {{"post", with(Op("report that a pending trial failed", trial_answer, "200",
                         JsonBody({{"type", "object"}, {"properties", {{"reason", {{"type", "string"}}}}}})),
                      {name, number})}}},
      {"/api/v1/studies/{name}/trials/{number}/abandon",
       {{"post", with(Op("give up a pending trial", trial_answer), {name, number})}}},
      {"/api/v1/studies/{name}/best",
       {{"get", with(Op("best feasible completed trial at the target fidelity, and the model's recommendation",
                        Answer("best", {{"type", "object"},
                                        {"properties", {{"trial", Ref("Trial")}, {"recommendation", {{"type", "object"}, {"nullable", true}}}}}})),
                     {name})}}},
      {"/api/v1/studies/{name}/predict",
       {{"post", with(Op("posterior mean and sd of every modelled outcome (409 without a model)",
                         Answer("predictions", {{"type", "object"}}), "200",
                         JsonBody({{"type", "object"},
                                   {"required", {"points"}},
                                   {"properties", {{"points", {{"type", "array"}, {"maxItems", 10000}, {"items", {{"type", "object"}}}}}}}})),
                      {name})}}},
      {"/api/v1/studies/{name}/rank",
       {{"post", with(Op("rank finished trials best first (ranking-feedback strategies)",
                         Answer("ok", {{"type", "object"}}), "200",
                         JsonBody({{"type", "object"},
                                   {"required", {"numbers"}},
                                   {"properties", {{"numbers", {{"type", "array"}, {"items", {{"type", "integer"}}}}}}}})),
                      {name})}}},
      {"/api/v1/studies/{name}/export",
       {{"get", with(Op("all trials as CSV or JSON", {{"description", "text/csv or application/json"}}),
                     {name, Param("format", "query", "string", false, "csv or json (default)")})}}},
  };
}

}  // namespace

const nlohmann::json& OpenApiDocument() {
  static const nlohmann::json* doc = new nlohmann::json{
      {"openapi", "3.0.3"},
      {"info",
       {{"title", "bayesd API"},
        {"version", "1"},
        {"description", "Bayesian optimization daemon: studies, trials, ask/tell. See docs/api.md."}}},
      {"servers", {{{"url", "/"}}}},
      {"components",
       {{"schemas", Schemas()},
        {"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}}}},
      {"security", {{{"bearer", nlohmann::json::array()}}}},
      {"paths", Paths()}};
  return *doc;
}

}  // namespace bayesd

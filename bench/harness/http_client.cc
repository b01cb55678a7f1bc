#include "bench/harness/http_client.h"

#include <httplib.h>

namespace bayesd::bench {
namespace {

using nlohmann::json;

// The API's error body {"error": {"code", "message", "field"}} as a Status; the code keeps its HTTP meaning.
Status ErrorStatus(int http_status, const std::string& body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  std::string message = "HTTP " + std::to_string(http_status);
  std::string field;
  if (j.is_object() && j.contains("error") && j["error"].is_object()) {
    message += " " + j["error"].value("code", std::string()) + ": " + j["error"].value("message", std::string());
    field = j["error"].value("field", std::string());
  }
  switch (http_status) {
    case 400: return InvalidArgument(message, field);
    case 404: return NotFound(message, field);
    case 409: return FailedPrecondition(message, field);
    case 503: return Unavailable(message);
    default: return Internal(message);
  }
}

}  // namespace

HttpClient::HttpClient(const std::string& url, const std::string& token)
    : http_(std::make_unique<httplib::Client>(url)), token_(token) {
  http_->set_keep_alive(true);
  http_->set_tcp_nodelay(true);  // small request bodies: no Nagle delay against delayed ACKs
  http_->set_read_timeout(600, 0);  // a GP suggest on a large study can take a while
}

HttpClient::~HttpClient() = default;

std::string HttpClient::StudyPath() const { return "/api/v1/studies/" + study_; }

StatusOr<json> HttpClient::Call(const std::string& method, const std::string& path, const json& body) {
  httplib::Headers headers;
  if (!token_.empty()) headers.emplace("Authorization", "Bearer " + token_);
  httplib::Result res = method == "DELETE" ? http_->Delete(path, headers)
                                           : http_->Post(path, headers, body.dump(), "application/json");
  if (!res) return Unavailable(method + " " + path + ": " + httplib::to_string(res.error()));
  if (res->status >= 400) return ErrorStatus(res->status, res->body);
  if (res->body.empty()) return json::object();
  json j = json::parse(res->body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Internal(method + " " + path + ": answer is not JSON");
  return j;
}

Status HttpClient::CreateStudy(const json& body) {
  study_ = body.at("name").get<std::string>();
  params_.clear();
  for (const json& p : body.at("parameters")) params_.push_back(p.at("name").get<std::string>());
  return Call("POST", "/api/v1/studies", body).status();
}

StatusOr<std::vector<SuggestedTrial>> HttpClient::Suggest(int count) {
  ASSIGN_OR_RETURN(json answer, Call("POST", StudyPath() + "/suggest", {{"count", count}, {"worker", "bayesd_bench"}}));
  std::vector<SuggestedTrial> out;
  if (!answer.contains("trials") || !answer["trials"].is_array()) return Internal("suggest: no trials array");
  for (const json& t : answer["trials"]) {
    SuggestedTrial s;
    s.number = t.value("number", int64_t{-1});
    const json& params = t.value("params", json::object());
    for (const std::string& name : params_) {
      if (!params.contains(name) || !params[name].is_number()) return Internal("suggest: params lack " + name);
      s.params.push_back(params[name].get<double>());
    }
    if (t.contains("fidelity") && t["fidelity"].is_number()) s.fidelity = t["fidelity"].get<double>();
    s.diagnostics = t.value("diagnostics", json::object());
    out.push_back(std::move(s));
  }
  return out;
}

Status HttpClient::Complete(int64_t number, const std::map<std::string, double>& values, std::optional<double> cost) {
  json body = {{"values", values}};
  if (cost) body["cost"] = *cost;
  return Call("POST", StudyPath() + "/trials/" + std::to_string(number) + "/complete", body).status();
}

Status HttpClient::Fail(int64_t number, const std::string& reason) {
  return Call("POST", StudyPath() + "/trials/" + std::to_string(number) + "/fail", {{"reason", reason}}).status();
}

Status HttpClient::DeleteStudy() { return Call("DELETE", StudyPath(), json::object()).status(); }

}  // namespace bayesd::bench

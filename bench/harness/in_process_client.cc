#include "bench/harness/in_process_client.h"

#include "src/study/config_json.h"

namespace bayesd::bench {

InProcessClient::InProcessClient() : service_(std::make_unique<StudyService>(&storage_, ServiceOptions{})) {
  load_status_ = service_->Load();
}

InProcessClient::~InProcessClient() {
  service_.reset();
  storage_.Close();
}

Status InProcessClient::CreateStudy(const nlohmann::json& body) {
  RETURN_IF_ERROR(load_status_);
  ASSIGN_OR_RETURN(StudyConfig config, ParseStudyConfig(body));
  ASSIGN_OR_RETURN(StudyView view, service_->CreateStudy(config, /*if_exists_return=*/false));
  study_ = view.config->name;
  return OkStatus();
}

StatusOr<std::vector<SuggestedTrial>> InProcessClient::Suggest(int count) {
  SuggestRequest request;
  request.count = count;
  request.worker = "bayesd_bench";
  ASSIGN_OR_RETURN(std::vector<Trial> trials, service_->Suggest(study_, request));
  std::vector<SuggestedTrial> out;
  for (const Trial& t : trials) {
    SuggestedTrial s{t.number, t.params, t.fidelity, nlohmann::json::object()};
    s.diagnostics = nlohmann::json::parse(t.diagnostics_json, nullptr, /*allow_exceptions=*/false);
    out.push_back(std::move(s));
  }
  return out;
}

Status InProcessClient::Complete(int64_t number, const std::map<std::string, double>& values,
                                 std::optional<double> cost) {
  CompleteRequest request;
  request.values = values;
  request.cost = cost;
  return service_->Complete(study_, number, request).status();
}

Status InProcessClient::Fail(int64_t number, const std::string& reason) {
  return service_->Fail(study_, number, reason).status();
}

Status InProcessClient::DeleteStudy() { return OkStatus(); }

}  // namespace bayesd::bench

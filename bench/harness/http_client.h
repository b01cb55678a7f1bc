// StudyClient over the REST API of a running daemon (../shared/API.md), with cpp-httplib.
//
// Thread safety: not thread-safe; one per run.
#ifndef BAYESD_BENCH_HARNESS_HTTP_CLIENT_H_
#define BAYESD_BENCH_HARNESS_HTTP_CLIENT_H_

#include <memory>
#include <string>
#include <vector>

#include "bench/harness/client.h"

namespace httplib {
class Client;
}

namespace bayesd::bench {

class HttpClient final : public StudyClient {
 public:
  // `url`: scheme://host:port of the daemon (no path). `token`: bearer token, empty for none.
  HttpClient(const std::string& url, const std::string& token);
  ~HttpClient() override;

  Status CreateStudy(const nlohmann::json& body) override;
  StatusOr<std::vector<SuggestedTrial>> Suggest(int count) override;
  Status Complete(int64_t number, const std::map<std::string, double>& values,
                  std::optional<double> cost) override;
  Status Fail(int64_t number, const std::string& reason) override;
  Status DeleteStudy() override;

 private:
  // POSTs (or DELETEs when `method` is "DELETE") and parses the answer; maps transport errors and 4xx/5xx to Status.
  StatusOr<nlohmann::json> Call(const std::string& method, const std::string& path, const nlohmann::json& body);
  std::string StudyPath() const;

  std::unique_ptr<httplib::Client> http_;
  std::string token_;
  std::string study_;
  std::vector<std::string> params_;  // parameter names in create-body order
};

}  // namespace bayesd::bench

#endif  // BAYESD_BENCH_HARNESS_HTTP_CLIENT_H_

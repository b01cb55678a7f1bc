// StudyClient over an in-process StudyService on its own MemoryStorage: the code path behind the REST API without
// the sockets. The create body goes through ParseStudyConfig (src/study/config_json.h) like a POST /studies would.
//
// Thread safety: not thread-safe; one per run.
#ifndef BAYESD_BENCH_HARNESS_IN_PROCESS_CLIENT_H_
#define BAYESD_BENCH_HARNESS_IN_PROCESS_CLIENT_H_

#include <memory>
#include <string>

#include "bench/harness/client.h"
#include "src/service/study_service.h"
#include "src/storage/memory_storage.h"

namespace bayesd::bench {

class InProcessClient final : public StudyClient {
 public:
  InProcessClient();
  ~InProcessClient() override;

  Status CreateStudy(const nlohmann::json& body) override;
  StatusOr<std::vector<SuggestedTrial>> Suggest(int count) override;
  Status Complete(int64_t number, const std::map<std::string, double>& values,
                  std::optional<double> cost) override;
  Status Fail(int64_t number, const std::string& reason) override;
  Status DeleteStudy() override;

 private:
  MemoryStorage storage_;
  std::unique_ptr<StudyService> service_;
  Status load_status_;
  std::string study_;
};

}  // namespace bayesd::bench

#endif  // BAYESD_BENCH_HARNESS_IN_PROCESS_CLIENT_H_

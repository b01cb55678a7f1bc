// The benchmark's view of a bayesd study: create, suggest, complete, fail. Two implementations walk the two paths a
// client has: InProcessClient (StudyService on MemoryStorage, the config parsed by the same ParseStudyConfig the HTTP
// layer uses) and HttpClient (the REST API of a running daemon).
//
// Thread safety: one client per benchmark run; not shared between threads.
#ifndef BAYESD_BENCH_HARNESS_CLIENT_H_
#define BAYESD_BENCH_HARNESS_CLIENT_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "src/common/status.h"

namespace bayesd::bench {

struct SuggestedTrial {
  int64_t number = 0;
  std::vector<double> params;      // raw values in the order of the create body's parameters
  std::optional<double> fidelity;  // set iff the study has a fidelity
  nlohmann::json diagnostics = nlohmann::json::object();
};

class StudyClient {
 public:
  virtual ~StudyClient() = default;
  // Creates the study from a create-study body of the public API. Remembers its name for the calls below.
  virtual Status CreateStudy(const nlohmann::json& body) = 0;
  virtual StatusOr<std::vector<SuggestedTrial>> Suggest(int count) = 0;
  virtual Status Complete(int64_t number, const std::map<std::string, double>& values,
                          std::optional<double> cost) = 0;
  virtual Status Fail(int64_t number, const std::string& reason) = 0;
  // Removes the study (HTTP: DELETE; in-process: nothing to do).
  virtual Status DeleteStudy() = 0;
};

}  // namespace bayesd::bench

#endif  // BAYESD_BENCH_HARNESS_CLIENT_H_

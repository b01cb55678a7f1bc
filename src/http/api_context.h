// What the route handlers share: the service, metrics, the event hub, and the reply type. Internal to src/http.
#ifndef BAYESD_SRC_HTTP_API_CONTEXT_H_
#define BAYESD_SRC_HTTP_API_CONTEXT_H_

#include <functional>
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "src/common/status.h"
#include "src/http/event_hub.h"
#include "src/http/metrics.h"
#include "src/service/study_service.h"

namespace bayesd {

struct Reply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};

// JSON text of `j` (invalid UTF-8 replaced, never throws).
std::string Dump(const nlohmann::json& j);
inline Reply JsonReply(const nlohmann::json& j, int status = 200) { return {status, Dump(j)}; }

struct ApiContext {
  StudyService* service;
  Metrics* metrics;
  EventHub* events;
};

using RouteHandler = std::function<StatusOr<Reply>(ApiContext&, const httplib::Request&)>;
// Registers `handler` for `method` and `pattern` (a regex); `route` names it in metrics and logs.
using RouteRegistrar =
    std::function<void(const char* method, const char* pattern, const char* route, RouteHandler handler)>;

// The /api/v1/studies... routes (src/http/api_handlers.cc).
void RegisterStudyRoutes(const RouteRegistrar& add);

// The OpenAPI 3 document of the API (src/http/openapi.cc).
const nlohmann::json& OpenApiDocument();

}  // namespace bayesd

#endif  // BAYESD_SRC_HTTP_API_CONTEXT_H_

// libFuzzer target: arbitrary bytes as the body of every API route, through the real route handlers and the
// service (on MemoryStorage), plus the study-config parser directly. Any crash, sanitizer report or exception that
// escapes a handler is a bug. The first byte picks the route; the rest is the body.
//
//   cmake -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DBAYESD_FUZZ=ON -DBAYESD_SANITIZE=ON
//   build-fuzz/fuzz/request_fuzzer -max_total_time=60 fuzz/corpus
#include <httplib.h>

#include <cstdint>
#include <map>
#include <regex>
#include <string>

#include "src/http/api_context.h"
#include "src/storage/memory_storage.h"
#include "src/study/config_json.h"
#include "src/study/json_fields.h"

namespace bayesd {
namespace {

struct Route {
  std::string method, pattern, path;
  RouteHandler handler;
};

struct Harness {
  MemoryStorage storage;
  StudyService service{&storage, ServiceOptions{}};
  Metrics metrics;
  EventHub events;
  ApiContext ctx{&service, &metrics, &events};
  std::vector<Route> routes;

  Harness() {
    (void)service.Load();
    // Concrete paths for each pattern: study "s", trial 0.
    const std::map<std::string, std::string> paths = {
        {"/api/v1/studies", "/api/v1/studies"},
        {R"(/api/v1/studies/([^/]+))", "/api/v1/studies/s"},
        {R"(/api/v1/studies/([^/]+)/suggest)", "/api/v1/studies/s/suggest"},
        {R"(/api/v1/studies/([^/]+)/trials)", "/api/v1/studies/s/trials"},
        {R"(/api/v1/studies/([^/]+)/trials/(\d{1,18}))", "/api/v1/studies/s/trials/0"},
        {R"(/api/v1/studies/([^/]+)/trials/(\d{1,18})/complete)", "/api/v1/studies/s/trials/0/complete"},
        {R"(/api/v1/studies/([^/]+)/trials/(\d{1,18})/fail)", "/api/v1/studies/s/trials/1/fail"},
        {R"(/api/v1/studies/([^/]+)/trials/(\d{1,18})/abandon)", "/api/v1/studies/s/trials/2/abandon"},
        {R"(/api/v1/studies/([^/]+)/best)", "/api/v1/studies/s/best"},
        {R"(/api/v1/studies/([^/]+)/predict)", "/api/v1/studies/s/predict"},
        {R"(/api/v1/studies/([^/]+)/rank)", "/api/v1/studies/s/rank"},
        {R"(/api/v1/studies/([^/]+)/export)", "/api/v1/studies/s/export"},
    };
    RegisterStudyRoutes([&](const char* method, const char* pattern, const char*, RouteHandler handler) {
      auto it = paths.find(pattern);
      if (it != paths.end() && std::string(method) != "DELETE") routes.push_back({method, pattern, it->second, handler});
    });
  }

  // A fresh study "s" with three pending trials, so every route has something to act on.
  void Reset() {
    (void)service.DeleteStudy("s");
    auto config = ParseStudyConfig(Json::parse(R"({"name": "s", "parameters": [
        {"name": "x", "type": "float", "low": 0, "high": 1},
        {"name": "n", "type": "int", "low": 1, "high": 9, "log": true},
        {"name": "c", "type": "categorical", "choices": ["a", 2]}],
      "objective": {"name": "y", "goal": "minimize"},
      "constraints": [{"name": "g", "op": ">=", "bound": 0}],
      "strategy": {"name": "random"}})"));
    (void)service.CreateStudy(*config, false);
    (void)service.Suggest("s", {3, ""});
  }
};

}  // namespace
}  // namespace bayesd

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bayesd;
  static Harness* h = new Harness();
  if (size == 0) return 0;
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  const size_t pick = data[0] % (h->routes.size() + 1);
  if (pick == h->routes.size()) {
    auto j = ParseJsonBody(body);
    if (j.ok()) {
      auto c = ParseStudyConfig(*j, {"if_exists"});
      if (c.ok()) (void)ConfigToJson(*c).dump();
    }
    return 0;
  }
  h->Reset();
  const Route& route = h->routes[pick];
  httplib::Request req;
  req.method = route.method;
  req.path = route.path;
  req.body = body;
  std::regex_match(req.path, req.matches, std::regex(route.pattern));
  // Exceptions would escape to the HTTP layer's backstop; here they must not happen at all.
  auto reply = route.handler(h->ctx, req);
  if (reply.ok()) (void)reply->body.size();
  return 0;
}

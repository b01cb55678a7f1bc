// Starts a real server on an ephemeral port and talks to it like a client.
#include <gtest/gtest.h>
#include <httplib.h>

#include <regex>
#include <thread>

#include "src/http/api_context.h"
#include "src/http/server.h"
#include "src/storage/memory_storage.h"

namespace bayesd {
namespace {

using Json = nlohmann::json;

class HttpApiTest : public ::testing::Test {
 protected:
  void Start(ServerOptions options = {}) {
    options.port = 0;
    options.threads = 8;
    options.max_event_streams = 2;
    ASSERT_TRUE(service_.Load().ok());
    server_ = std::make_unique<ApiServer>(&service_, options);
    ASSERT_TRUE(server_->Bind().ok());
    thread_ = std::thread([this] { server_->Run(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_read_timeout(10);
    if (!options.token.empty()) client_->set_bearer_token_auth(options.token.c_str());
  }
  void TearDown() override {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
  }

  // POST/GET returning (status, parsed JSON body).
  std::pair<int, Json> Post(const std::string& path, const std::string& body) {
    auto r = client_->Post(path.c_str(), body, "application/json");
    if (!r) return {0, nullptr};
    return {r->status, Json::parse(r->body, nullptr, false)};
  }
  std::pair<int, Json> Get(const std::string& path) {
    auto r = client_->Get(path.c_str());
    if (!r) return {0, nullptr};
    return {r->status, Json::parse(r->body, nullptr, false)};
  }
  void CreateStudy(const std::string& name = "s") {
    Json body = {{"name", name},
                 {"parameters",
                  {{{"name", "x"}, {"type", "float"}, {"low", 0}, {"high", 1}},
                   {{"name", "k"}, {"type", "categorical"}, {"choices", {"rbf", "poly"}}}}},
                 {"objective", {{"name", "y"}, {"goal", "maximize"}}},
                 {"strategy", {{"name", "sobol"}}}};
    auto [status, json] = Post("/api/v1/studies", body.dump());
    ASSERT_EQ(status, 201) << json.dump();
  }
  // Asserts the API's error shape.
  static void ExpectError(const std::pair<int, Json>& r, int status, const std::string& code,
                          const std::string& field = "") {
    EXPECT_EQ(r.first, status) << r.second.dump();
    ASSERT_TRUE(r.second.is_object()) << r.second.dump();
    EXPECT_EQ(r.second["error"]["code"], code) << r.second.dump();
    EXPECT_FALSE(r.second["error"]["message"].get<std::string>().empty());
    if (!field.empty()) {
      EXPECT_EQ(r.second["error"].value("field", ""), field) << r.second.dump();
    }
  }

  MemoryStorage storage_;
  StudyService service_{&storage_, ServiceOptions{}};
  std::unique_ptr<ApiServer> server_;
  std::thread thread_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(HttpApiTest, AskTellOverHttp) {
  Start();
  EXPECT_EQ(Get("/healthz").second["status"], "ok");
  CreateStudy();
  auto [status, suggested] = Post("/api/v1/studies/s/suggest", R"({"count": 2, "worker": "w"})");
  ASSERT_EQ(status, 200) << suggested.dump();
  ASSERT_EQ(suggested["trials"].size(), 2u);
  const Json& t0 = suggested["trials"][0];
  EXPECT_EQ(t0["state"], "pending");
  EXPECT_TRUE(t0["params"]["k"].is_string());
  EXPECT_TRUE(t0["params"]["x"].is_number());
  auto done = Post("/api/v1/studies/s/trials/0/complete", R"({"values": {"y": 0.5}, "noise": {"y": 0.1}})");
  ASSERT_EQ(done.first, 200) << done.second.dump();
  EXPECT_EQ(done.second["values"]["y"], 0.5);
  EXPECT_EQ(done.second["feasible"], true);
  ExpectError(Post("/api/v1/studies/s/trials/0/complete", R"({"values": {"y": 0.7}})"), 409,
              "failed_precondition");
  auto best = Get("/api/v1/studies/s/best");
  EXPECT_EQ(best.second["trial"]["number"], 0);
  EXPECT_TRUE(best.second["recommendation"].is_null());
  auto list = Get("/api/v1/studies/s/trials?state=pending");
  EXPECT_EQ(list.second["total"], 1);
  EXPECT_EQ(list.second["trials"][0]["number"], 1);
  auto page = Get("/api/v1/studies/s/trials?offset=1&limit=5");
  EXPECT_EQ(page.second["trials"].size(), 1u);
  EXPECT_EQ(page.second["total"], 2);
  auto external = Post("/api/v1/studies/s/trials", R"({"params": {"x": 0.25, "k": "poly"}, "values": {"y": 0.9}})");
  ASSERT_EQ(external.first, 201) << external.second.dump();
  EXPECT_EQ(external.second["params"]["k"], "poly");
  auto studies = Get("/api/v1/studies");
  ASSERT_EQ(studies.second["studies"].size(), 1u);
  EXPECT_EQ(studies.second["studies"][0]["summary"]["best_value"], 0.9);
  EXPECT_EQ(studies.second["studies"][0]["summary"]["trials"]["completed"], 2);
  auto csv = client_->Get("/api/v1/studies/s/export?format=csv");
  ASSERT_TRUE(csv);
  EXPECT_EQ(csv->status, 200);
  EXPECT_EQ(csv->body.substr(0, 20), "number,state,x,k,y,f");
  ExpectError(Post("/api/v1/studies/s/predict", R"({"points": [{"x": 0.5, "k": "rbf"}]})"), 409,
              "failed_precondition");
  auto del = client_->Delete("/api/v1/studies/s");
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 200);
  ExpectError(Get("/api/v1/studies/s"), 404, "not_found");
}

TEST_F(HttpApiTest, BadInputGetsAClearErrorAndChangesNothing) {
  Start();
  CreateStudy();
  ASSERT_EQ(Post("/api/v1/studies/s/suggest", "").first, 200);
  ExpectError(Post("/api/v1/studies", "{not json"), 400, "invalid_argument");
  ExpectError(Post("/api/v1/studies", "[]"), 400, "invalid_argument");
  ExpectError(Post("/api/v1/studies", R"({"name": "t", "parameters": [], "objective": {"name": "y", "goal": "minimize"}})"),
              400, "invalid_argument", "parameters");
  ExpectError(Post("/api/v1/studies/s/suggest", R"({"count": 0})"), 400, "invalid_argument", "count");
  ExpectError(Post("/api/v1/studies/s/suggest", R"({"count": 1e9})"), 400, "invalid_argument", "count");
  // Every out-of-range count names the service's range and the value sent.
  for (const char* count : {"-1", "1001", "1e12"}) {
    const auto [code, body] = Post("/api/v1/studies/s/suggest", std::string(R"({"count": )") + count + "}");
    EXPECT_EQ(code, 400) << count;
    EXPECT_NE(body.dump().find("count must be in [1, 1000] (got "), std::string::npos) << body.dump();
  }
  ExpectError(Post("/api/v1/studies/s/suggest", R"({"count": "3"})"), 400, "invalid_argument", "count");
  ExpectError(Post("/api/v1/studies/s/suggest", R"({"cnt": 3})"), 400, "invalid_argument", "cnt");
  ExpectError(Post("/api/v1/studies/s/trials/0/complete", R"({"values": {"y": NaN}})"), 400, "invalid_argument");
  ExpectError(Post("/api/v1/studies/s/trials/0/complete", R"({"values": {"y": 1e400}})"), 400,
              "invalid_argument");
  ExpectError(Post("/api/v1/studies/s/trials/0/complete", R"({"values": {"y": "high"}})"), 400,
              "invalid_argument", "values.y");
  ExpectError(Post("/api/v1/studies/s/trials/0/complete", R"({"values": {}})"), 400, "invalid_argument",
              "values.y");
  ExpectError(Post("/api/v1/studies/s/trials/0/complete", R"({"values": {"y": 1, "z": 2}})"), 400,
              "invalid_argument", "values.z");
  ExpectError(Post("/api/v1/studies/s/trials/7/complete", R"({"values": {"y": 1}})"), 404, "not_found");
  ExpectError(Post("/api/v1/studies/nope/suggest", "{}"), 404, "not_found");
  ExpectError(Post("/api/v1/studies/s/trials", R"({"params": {"x": 2, "k": "rbf"}, "values": {"y": 1}})"), 400,
              "invalid_argument", "params.x");
  ExpectError(Post("/api/v1/studies/s/trials", R"({"params": {"x": 0.5, "k": "linear"}, "values": {"y": 1}})"), 400,
              "invalid_argument", "params.k");
  ExpectError(Post("/api/v1/studies/s/trials", R"({"params": {"x": "0.5", "k": "rbf"}, "values": {"y": 1}})"), 400,
              "invalid_argument", "params.x");
  ExpectError(Post("/api/v1/studies/s/trials", R"({"params": {"x": 0.5, "k": "rbf", "q": 1}, "values": {"y": 1}})"),
              400, "invalid_argument", "params.q");
  ExpectError(Post("/api/v1/studies/s/trials", R"({"params": {"x": 0.5}, "values": {"y": 1}})"), 400,
              "invalid_argument", "params.k");
  ExpectError(Get("/api/v1/studies/s/trials?limit=-1"), 400, "invalid_argument", "limit");
  ExpectError(Get("/api/v1/studies/s/trials?state=done"), 400, "invalid_argument", "state");
  ExpectError(Get("/api/v1/studies/..%2F..%2Fetc"), 404, "not_found");
  ExpectError(Get("/api/v1/nowhere"), 404, "not_found");
  ExpectError(Post("/api/v1/studies", std::string(2 << 20, ' ')), 413, "payload_too_large");
  // Nothing changed: one pending trial, no completions.
  auto trials = Get("/api/v1/studies/s/trials");
  ASSERT_EQ(trials.second["total"], 1);
  EXPECT_EQ(trials.second["trials"][0]["state"], "pending");
  EXPECT_EQ(Get("/healthz").first, 200);
}

TEST_F(HttpApiTest, TokenIsRequiredWhenConfigured) {
  ServerOptions options;
  options.token = "s3cret";
  Start(options);
  httplib::Client anonymous("127.0.0.1", server_->port());
  auto r = anonymous.Get("/api/v1/studies");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(Json::parse(r->body)["error"]["code"], "unauthenticated");
  anonymous.set_bearer_token_auth("wrong");
  EXPECT_EQ(anonymous.Get("/api/v1/studies")->status, 401);
  EXPECT_EQ(anonymous.Get("/metrics")->status, 401);
  EXPECT_EQ(anonymous.Get("/healthz")->status, 200);
  EXPECT_EQ(Get("/api/v1/studies").first, 200);
}

TEST_F(HttpApiTest, NonLoopbackBindWithoutTokenIsRefused) {
  ServerOptions options;
  options.host = "0.0.0.0";
  EXPECT_EQ(options.Validate().field(), "host");
  options.insecure_no_auth = true;
  EXPECT_TRUE(options.Validate().ok());
  options.insecure_no_auth = false;
  options.token = "t";
  EXPECT_TRUE(options.Validate().ok());
  EXPECT_TRUE(IsLoopbackHost("127.0.0.2"));
  EXPECT_FALSE(IsLoopbackHost("10.0.0.1"));
}

TEST_F(HttpApiTest, EventsStreamChanges) {
  Start();
  std::string received;
  std::atomic<bool> done{false};
  std::thread reader([&] {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_read_timeout(20);
    c.Get("/api/v1/events", [&](const char* data, size_t n) {
      received.append(data, n);
      if (received.find("trial_updated") != std::string::npos) done = true;
      return !done.load();
    });
  });
  // Wait until the stream is open (the metrics gauge counts it), then make changes.
  for (int i = 0; i < 200; ++i) {
    auto m = client_->Get("/metrics");
    if (m && m->body.find("bayesd_event_streams 1") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CreateStudy();
  ASSERT_EQ(Post("/api/v1/studies/s/suggest", "{}").first, 200);
  ASSERT_EQ(Post("/api/v1/studies/s/trials/0/complete", R"({"values": {"y": 1}})").first, 200);
  reader.join();
  EXPECT_NE(received.find(R"("type":"study_created")"), std::string::npos) << received;
  EXPECT_NE(received.find(R"("type":"trial_created")"), std::string::npos) << received;
  EXPECT_NE(received.find(R"("state":"completed")"), std::string::npos) << received;
}

TEST_F(HttpApiTest, MetricsAndOpenApiDescribeTheService) {
  Start();
  CreateStudy();
  ASSERT_EQ(Post("/api/v1/studies/s/suggest", "{}").first, 200);
  auto m = client_->Get("/metrics");
  ASSERT_TRUE(m);
  EXPECT_NE(m->body.find("bayesd_http_requests_total{route=\"POST /api/v1/studies/{name}/suggest\",status=\"200\"} 1"),
            std::string::npos)
      << m->body;
  EXPECT_NE(m->body.find("bayesd_trials{state=\"pending\"} 1"), std::string::npos);
  EXPECT_NE(m->body.find("bayesd_suggest_duration_seconds_count{strategy=\"sobol\"} 1"), std::string::npos);
  auto doc = Get("/api/v1/openapi.json");
  ASSERT_EQ(doc.first, 200);
  for (const char* path : {"/api/v1/studies", "/api/v1/studies/{name}/suggest", "/api/v1/studies/{name}/trials",
                           "/api/v1/studies/{name}/trials/{number}/complete", "/api/v1/studies/{name}/best",
                           "/api/v1/studies/{name}/predict", "/api/v1/studies/{name}/export",
                           "/api/v1/studies/{name}/rank", "/api/v1/events", "/healthz", "/metrics"}) {
    EXPECT_TRUE(doc.second["paths"].contains(path)) << path;
  }
}

TEST_F(HttpApiTest, ServesTheDashboard) {
  Start();
  auto r = client_->Get("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->get_header_value("Content-Type").find("text/html"), std::string::npos);
  EXPECT_EQ(r->get_header_value_count("Cache-Control"), 1u);
  // Browsers accept br; the daemon answers with gzip (httplib's Brotli runs at quality 11: seconds per page).
  auto big = client_->Get("/api/v1/openapi.json", {{"Accept-Encoding", "br, gzip, deflate"}});
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 200);
  EXPECT_NE(big->get_header_value("Content-Encoding"), "br");
}

}  // namespace
}  // namespace bayesd

#include "src/http/server.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>

#include <httplib.h>
#include <spdlog/spdlog.h>

#include "src/http/api_context.h"
#include "src/http/errors.h"
#include "src/study/trial_json.h"

#ifdef BAYESD_HAVE_WEB_ASSETS
#include "web/web_assets.h"
#endif

namespace bayesd {

std::string Dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

namespace {
constexpr int kListenBacklog = 1024;  // the kernel caps it at net.core.somaxconn
}  // namespace

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost" || host == "::1" || host == "[::1]") return true;
  in_addr addr{};
  if (inet_pton(AF_INET, host.c_str(), &addr) == 1) return (ntohl(addr.s_addr) >> 24) == 127;
  return false;
}

Status ServerOptions::Validate() const {
  if (port < 0 || port > 65535) return InvalidArgument("port must be in [0, 65535]", "port");
  if (threads < 2 || threads > 1024) return InvalidArgument("threads must be in [2, 1024]", "threads");
  if (max_event_streams < 0 || max_event_streams >= threads) {
    return InvalidArgument("max_event_streams must be in [0, threads)", "max_event_streams");
  }
  if (max_body_bytes < 1024) return InvalidArgument("max_body_bytes must be >= 1024", "max_body_bytes");
  if (read_timeout_seconds <= 0 || write_timeout_seconds <= 0) {
    return InvalidArgument("timeouts must be > 0", "read_timeout_seconds");
  }
  if (!IsLoopbackHost(host) && token.empty() && !insecure_no_auth) {
    return InvalidArgument("refusing to bind to non-loopback address " + host +
                               " without a token: pass --token (or BAYESD_TOKEN), or --insecure-no-auth",
                           "host");
  }
  return OkStatus();
}

namespace {

// Compares without an early exit, so response time does not reveal the matching prefix of the token.
bool ConstantTimeEquals(const std::string& a, const std::string& b) {
  if (a.size() != b.size() || b.empty()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

// httplib's own error statuses (unmatched route, oversized body, bad request line) as API error codes.
Status StatusForHttpError(int http_status, const httplib::Request& req) {
  switch (http_status) {
    case 404: return NotFound("no route for " + req.method + " " + req.path.substr(0, 200));
    case 413: return Status(StatusCode::kPayloadTooLarge, "request body is larger than the limit");
    case 414: return InvalidArgument("request URI is too long");
    case 401: return Status(StatusCode::kUnauthenticated, "missing or wrong bearer token");
    case 503: return Unavailable("service unavailable");
    default:
      if (http_status >= 500) return Internal("internal error");
      return InvalidArgument("bad request (HTTP " + std::to_string(http_status) + ")");
  }
}

StatusOr<Reply> Invoke(const RouteHandler& handler, ApiContext& ctx, const httplib::Request& req) {
  try {
    return handler(ctx, req);
  } catch (const std::exception& e) {
    spdlog::error("event=handler_exception path={} what=\"{}\"", req.path.substr(0, 200), e.what());
    return Internal(std::string("internal error: ") + e.what());
  } catch (...) {
    spdlog::error("event=handler_exception path={}", req.path.substr(0, 200));
    return Internal("internal error");
  }
}

}  // namespace

struct ApiServer::Impl {
  StudyService* service;
  ServerOptions options;
  Metrics metrics;
  EventHub events;
  ApiContext ctx;
  httplib::Server http;
  int port = -1;
  socket_t listen_fd = INVALID_SOCKET;  // the listening socket, captured by ConfigureServer's socket options
  std::atomic<bool> stopped{false};

  Impl(StudyService* s, ServerOptions o)
      : service(s), options(std::move(o)), events(static_cast<size_t>(options.max_event_streams)),
        ctx{s, &metrics, &events} {}

  void Send(httplib::Response& res, const StatusOr<Reply>& reply) {
    if (reply.ok()) {
      res.status = reply->status;
      res.set_content(reply->body, reply->content_type.c_str());
    } else {
      res.status = HttpStatusFor(reply.status().code());
      res.set_content(ErrorBody(reply.status()), "application/json");
    }
  }

  void Add(const char* method, const char* pattern, const char* route, RouteHandler handler) {
    auto wrapped = [this, route = std::string(route), handler](const httplib::Request& req,
                                                               httplib::Response& res) {
      const auto start = std::chrono::steady_clock::now();
      Send(res, Invoke(handler, ctx, req));
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      metrics.RecordRequest(route, res.status, secs);
      if (spdlog::should_log(spdlog::level::debug)) {
        spdlog::debug("event=request route=\"{}\" path=\"{}\" status={} ms={:.3f}", route,
                      req.path.substr(0, 200), res.status, secs * 1e3);
      }
    };
    const std::string m = method;
    if (m == "GET") http.Get(pattern, wrapped);
    else if (m == "POST") http.Post(pattern, wrapped);
    else if (m == "DELETE") http.Delete(pattern, wrapped);
  }

  // Debian's cpp-httplib 0.11 compresses with Brotli at quality 11 whenever a client accepts `br` (every
  // browser): seconds for a 700 KB script or a 1,000-trial page, against milliseconds with gzip. Offer httplib
  // only gzip (or nothing). The request is ours to adjust before routing; httplib passes it as const.
  static void PreferGzip(const httplib::Request& req) {
    auto& headers = const_cast<httplib::Request&>(req).headers;
    auto range = headers.equal_range("Accept-Encoding");
    for (auto it = range.first; it != range.second; ++it) {
      it->second = it->second.find("gzip") != std::string::npos ? "gzip" : "identity";
    }
  }

  bool Authorized(const httplib::Request& req) const {
    if (options.token.empty()) return true;
    const std::string auth = req.get_header_value("Authorization");
    const std::string prefix = "Bearer ";
    return auth.size() > prefix.size() && auth.compare(0, prefix.size(), prefix) == 0 &&
           ConstantTimeEquals(auth.substr(prefix.size()), options.token);
  }

  void ConfigureServer() {
    http.new_task_queue = [n = options.threads] { return new httplib::ThreadPool(static_cast<size_t>(n)); };
    http.set_payload_max_length(options.max_body_bytes);
    http.set_read_timeout(static_cast<time_t>(options.read_timeout_seconds),
                          static_cast<time_t>(std::fmod(options.read_timeout_seconds, 1.0) * 1e6));
    http.set_write_timeout(static_cast<time_t>(options.write_timeout_seconds),
                           static_cast<time_t>(std::fmod(options.write_timeout_seconds, 1.0) * 1e6));
    http.set_keep_alive_timeout(5);
    http.set_keep_alive_max_count(static_cast<size_t>(std::max(options.keep_alive_max_count, 1)));
    // httplib 0.11 listens with a backlog of 5: clients that connect at the same moment (a load generator, many
    // workers starting together) overflow it and wait for a SYN retransmit (1 s). Remember the listening socket so
    // Bind can listen again with a real backlog (Linux updates the backlog of a listening socket).
    http.set_socket_options([this](socket_t sock) {
      httplib::default_socket_options(sock);
      listen_fd = sock;
    });
    http.set_tcp_nodelay(true);
    http.set_default_headers({{"X-Content-Type-Options", "nosniff"}, {"Cache-Control", "no-store"}});
    http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      PreferGzip(req);
      const bool open = req.path == "/healthz" || (req.path.rfind("/api/", 0) != 0 && req.path != "/metrics");
      if (open || Authorized(req)) return httplib::Server::HandlerResponse::Unhandled;
      res.status = 401;
      res.set_header("WWW-Authenticate", "Bearer");
      res.set_content(ErrorBody(Status(StatusCode::kUnauthenticated,
                                       "missing or wrong bearer token (send Authorization: Bearer <token>)")),
                      "application/json");
      metrics.RecordRequest("unauthenticated", 401, 0.0);
      return httplib::Server::HandlerResponse::Handled;
    });
    http.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
      if (!res.body.empty()) return;  // a handler already wrote the API's error body
      res.set_content(ErrorBody(StatusForHttpError(res.status, req)), "application/json");
      metrics.RecordRequest("unmatched", res.status, 0.0);
    });
    http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
      res.status = 500;
      res.set_content(ErrorBody(Internal("internal error")), "application/json");
    });
  }

  void RegisterServiceRoutes() {
    http.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"status":"ok"})", "application/json");
    });
    Add("GET", "/metrics", "GET /metrics", [this](ApiContext&, const httplib::Request&) -> StatusOr<Reply> {
      return Reply{200, metrics.Render(service->TrialCountsByState(), events.subscriber_count()),
                   "text/plain; version=0.0.4"};
    });
    Add("GET", "/api/v1/openapi.json", "GET /api/v1/openapi.json",
        [](ApiContext&, const httplib::Request&) -> StatusOr<Reply> { return JsonReply(OpenApiDocument()); });
    http.Get("/api/v1/events", [this](const httplib::Request& req, httplib::Response& res) { Events(req, res); });
    RegisterStudyRoutes([this](const char* m, const char* p, const char* r, RouteHandler h) { Add(m, p, r, h); });
    http.Get(R"(/(.*))", [](const httplib::Request& req, httplib::Response& res) { ServeDashboard(req, res); });
  }

  // GET /api/v1/events: server-sent events, one `data:` line of JSON per change, keep-alive comments between.
  void Events(const httplib::Request& req, httplib::Response& res) {
    const std::string filter = req.has_param("study") ? req.get_param_value("study") : "";
    auto sub = events.Subscribe(filter);
    if (!sub) {
      res.status = 503;
      res.set_content(ErrorBody(Unavailable("too many open event streams (limit " +
                                            std::to_string(options.max_event_streams) + ")")),
                      "application/json");
      return;
    }
    metrics.RecordRequest("GET /api/v1/events", 200, 0.0);
    res.set_header("X-Accel-Buffering", "no");
    res.set_chunked_content_provider(
        "text/event-stream",
        [this, sub, first = true](size_t, httplib::DataSink& sink) mutable {
          if (first) {
            first = false;
            const std::string hello = "retry: 2000\n: connected\n\n";
            return sink.write(hello.data(), hello.size());
          }
          // A short keep-alive period frees the thread of a stream whose reader went away soon after.
          auto batch = events.Wait(sub, std::chrono::seconds(5));
          if (!batch || stopped) {
            sink.done();
            return true;
          }
          std::string out;
          for (const std::string& e : *batch) out += "data: " + e + "\n\n";
          if (out.empty()) out = ": keep-alive\n\n";
          return sink.write(out.data(), out.size());
        },
        [this, sub](bool) { events.Unsubscribe(sub); });
  }

  static void ServeDashboard(const httplib::Request& req, httplib::Response& res) {
#ifdef BAYESD_HAVE_WEB_ASSETS
    const std::string path = req.path == "/" ? "/index.html" : req.path;
    const web::Asset* asset = web::FindAsset(path);
    const bool hashed = asset != nullptr && path.rfind("/assets/", 0) == 0;
    if (asset == nullptr && req.path.rfind("/api/", 0) != 0) asset = web::FindAsset("/index.html");
    if (asset == nullptr) {
      res.status = 404;
      return;
    }
    res.set_content(std::string(asset->body), std::string(asset->content_type).c_str());
    res.headers.erase("Cache-Control");  // replaces the API's default no-store
    res.set_header("Cache-Control", hashed ? "public, max-age=31536000, immutable" : "no-cache");
    res.set_header("Content-Security-Policy",
                   "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                   "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'");
#else
    if (req.path != "/" && req.path != "/index.html") {
      res.status = 404;
      return;
    }
    res.set_content("<!doctype html><title>bayesd</title><p>The dashboard is not part of this build. "
                    "Build it with scripts/build-web.sh and rebuild bayesd.</p>",
                    "text/html; charset=utf-8");
#endif
  }

  void ForwardServiceEvents() {
    service->AddListener([this](const ChangeEvent& e) {
      if (events.subscriber_count() == 0) return;  // nobody listens: skip building the event
      static const char* kTypes[] = {"study_created", "study_deleted", "trial_created", "trial_updated"};
      nlohmann::json j = {{"type", kTypes[static_cast<int>(e.kind)]}, {"study", e.study}};
      if (e.number >= 0) {
        j["number"] = e.number;
        j["state"] = std::string(TrialStateName(e.state));
      }
      events.Publish(e.study, Dump(j));
    });
  }
};

ApiServer::ApiServer(StudyService* service, ServerOptions options)
    : impl_(std::make_unique<Impl>(service, std::move(options))) {
  impl_->ConfigureServer();
  impl_->RegisterServiceRoutes();
  impl_->ForwardServiceEvents();
}

ApiServer::~ApiServer() { Stop(); }

Status ApiServer::Bind() {
  RETURN_IF_ERROR(impl_->options.Validate());
  const std::string host = impl_->options.host == "localhost" ? "127.0.0.1" : impl_->options.host;
  if (impl_->options.port == 0) {
    impl_->port = impl_->http.bind_to_any_port(host);
  } else {
    impl_->port = impl_->http.bind_to_port(host, impl_->options.port) ? impl_->options.port : -1;
  }
  if (impl_->port < 0) {
    return Unavailable("cannot bind " + impl_->options.host + ":" + std::to_string(impl_->options.port) +
                       " (address in use or not available)");
  }
  if (impl_->listen_fd != INVALID_SOCKET && ::listen(impl_->listen_fd, kListenBacklog) != 0) {
    spdlog::warn("event=listen_backlog error=\"{}\" (keeping httplib's backlog of 5)", std::strerror(errno));
  }
  return OkStatus();
}

void ApiServer::Run() { impl_->http.listen_after_bind(); }

void ApiServer::Stop() {
  if (impl_->stopped.exchange(true)) return;
  impl_->events.Shutdown();
  impl_->http.stop();
}

int ApiServer::port() const { return impl_->port; }

}  // namespace bayesd

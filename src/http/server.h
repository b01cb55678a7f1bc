// The HTTP server: the API of ../shared/API.md, /healthz, /metrics, the event stream and the dashboard.
//
// Built on cpp-httplib with a bounded thread pool, a body-size limit (413), read/write timeouts, bearer-token
// authentication and a catch-all so that no exception escapes a handler. Every error answer carries the API's JSON
// error body (src/http/errors.h).
//
// Thread safety: Start/Stop may be called from different threads; handlers run on the pool's threads.
#ifndef BAYESD_SRC_HTTP_SERVER_H_
#define BAYESD_SRC_HTTP_SERVER_H_

#include <memory>
#include <string>

#include "src/common/status.h"
#include "src/service/study_service.h"

namespace bayesd {

struct ServerOptions {
  std::string host = "127.0.0.1";  // loopback by default
  int port = 8080;                 // 0: an ephemeral port (see ApiServer::port())
  std::string token;               // bearer token; empty = no authentication
  bool insecure_no_auth = false;   // allow a non-loopback bind without a token
  size_t max_body_bytes = 1 << 20;  // larger request bodies get 413
  // Worker threads. Each open keep-alive connection and each event stream holds one while it is open, so a
  // connection beyond this count waits for a free thread: set it at least to the number of concurrent clients.
  int threads = 64;
  // Requests one keep-alive connection may send before the server closes it (httplib's default is 5, which makes a
  // busy client reconnect every 5 requests). A connection holds a worker thread while it is open, so a larger
  // count favours the connections already in service when there are more connections than threads.
  int keep_alive_max_count = 100;
  int max_event_streams = 8;       // open /api/v1/events streams at most; further ones get 503
  double read_timeout_seconds = 10.0;
  double write_timeout_seconds = 10.0;

  // Names the first field that breaks its rule (threads >= 2, event streams < threads, non-loopback needs a
  // token unless insecure_no_auth, ...).
  Status Validate() const;
};

// Whether `host` is a loopback address or name (127.0.0.0/8, ::1, localhost).
bool IsLoopbackHost(const std::string& host);

class ApiServer {
 public:
  // `service` must outlive the server.
  ApiServer(StudyService* service, ServerOptions options);
  ~ApiServer();

  // Binds the socket (fills port()). Fails with kUnavailable when the address is taken.
  Status Bind();
  // Serves until Stop(); call after Bind().
  void Run();
  // Stops accepting, ends event streams and returns once Run() can return. Idempotent.
  void Stop();
  int port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bayesd

#endif  // BAYESD_SRC_HTTP_SERVER_H_

// bayesd: the Bayesian optimization daemon.
//
//   bayesd serve --db bayesd.db --host 127.0.0.1 --port 8080 [--token T]
//
// Opens (or creates) the SQLite database, loads every study, and serves the HTTP API and the dashboard until
// SIGINT/SIGTERM, then drains and closes the database.
#include <malloc.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <thread>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "gp/runtime.h"
#include "src/http/server.h"
#include "src/service/study_service.h"
#include "src/storage/open_storage.h"

namespace bayesd {
namespace {

// Threads that a library started before main() blocked SIGINT/SIGTERM (OpenBLAS starts its workers when it loads)
// do not inherit the mask, and a process-directed signal may be delivered to one of them, whose default action would
// kill the daemon without a clean shutdown. A handler catches it there and hands it to the sigwait thread.
std::atomic<pthread_t*> g_signal_thread{nullptr};
volatile std::sig_atomic_t g_early_signal = 0;

extern "C" void ForwardShutdownSignal(int sig) {
  if (pthread_t* target = g_signal_thread.load()) {
    pthread_kill(*target, sig);  // async-signal-safe (POSIX.1-2008 TC2)
  } else {
    g_early_signal = sig;
  }
}

struct ServeFlags {
  std::string db = "bayesd.db";
  std::string sync = "full";
  std::string port_file;
  std::string log_level = "info";
  double pending_timeout_seconds = 0.0;
  ServerOptions server;
};

void SetUpLogging(const std::string& level) {
  auto logger = spdlog::stderr_logger_mt("bayesd");
  // logfmt: one line per event, key=value pairs after the level.
  logger->set_pattern("ts=%Y-%m-%dT%H:%M:%S.%eZ level=%l %v", spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

// Writes the bound port to `path` atomically (write + rename), for scripts that start us on port 0.
bool WritePortFile(const std::string& path, int port) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << port << "\n";
    if (!out) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

int Serve(const ServeFlags& flags) {
  // glibc gives each of up to 8 x cores threads its own malloc arena; with 64 HTTP threads each large response
  // (a study's trial list) leaves free memory stranded in several arenas. Two arenas: resident memory with 100
  // studies x 1,000 trials after reading every study 5 times 102 MB instead of 170 MB (docs/performance.md).
  mallopt(M_ARENA_MAX, 2);
  // One OpenBLAS thread (the request pool already uses the cores) and no page-fault churn for the fits' n x n
  // matrices (gp/runtime.h).
  gp::LimitBlasThreads();
  gp::KeepMatricesInHeap();
  SetUpLogging(flags.log_level);
  Status valid = flags.server.Validate();
  if (!valid.ok()) {
    spdlog::error("event=invalid_flags msg=\"{}\"", valid.message());
    std::fprintf(stderr, "bayesd: %s\n", valid.message().c_str());
    return 2;
  }
  // Signals are handled by one thread with sigwait; block them everywhere else (threads inherit the mask).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  struct sigaction forward {};
  forward.sa_handler = ForwardShutdownSignal;
  sigemptyset(&forward.sa_mask);
  sigaction(SIGINT, &forward, nullptr);
  sigaction(SIGTERM, &forward, nullptr);
  signal(SIGPIPE, SIG_IGN);

  SqliteStorageOptions storage_options;
  storage_options.synchronous = flags.sync == "full" ? SqliteStorageOptions::Synchronous::kFull
                                                     : SqliteStorageOptions::Synchronous::kNormal;
  auto storage = OpenStorage(flags.db, storage_options);
  if (!storage.ok()) {
    spdlog::error("event=storage_open_failed db=\"{}\" msg=\"{}\"", flags.db, storage.status().ToString());
    std::fprintf(stderr, "bayesd: cannot open %s: %s\n", flags.db.c_str(), storage.status().ToString().c_str());
    return 1;
  }
  ServiceOptions service_options;
  service_options.pending_timeout_seconds = flags.pending_timeout_seconds;
  StudyService service(storage->get(), service_options);
  if (Status s = service.Load(); !s.ok()) {
    spdlog::error("event=load_failed msg=\"{}\"", s.ToString());
    return 1;
  }
  ApiServer server(&service, flags.server);
  if (Status s = server.Bind(); !s.ok()) {
    spdlog::error("event=bind_failed msg=\"{}\"", s.ToString());
    std::fprintf(stderr, "bayesd: %s\n", s.message().c_str());
    return 1;
  }
  spdlog::info("event=listening host={} port={} db=\"{}\" auth={}", flags.server.host, server.port(), flags.db,
               flags.server.token.empty() ? "none" : "bearer");
  if (!flags.port_file.empty() && !WritePortFile(flags.port_file, server.port())) {
    spdlog::error("event=port_file_failed path=\"{}\"", flags.port_file);
    return 1;
  }

  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  std::thread signal_thread([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    spdlog::info("event=shutdown signal={}", sig);
    {
      std::lock_guard lock(mu);
      stopping = true;
    }
    cv.notify_all();
    server.Stop();
  });
  pthread_t signal_thread_handle = signal_thread.native_handle();
  g_signal_thread.store(&signal_thread_handle);
  if (g_early_signal != 0) pthread_kill(signal_thread_handle, g_early_signal);

  std::thread expiry_thread([&] {
    if (flags.pending_timeout_seconds <= 0) return;
    const auto period = std::chrono::milliseconds(
        static_cast<int64_t>(std::clamp(flags.pending_timeout_seconds * 250.0, 100.0, 5000.0)));
    std::unique_lock lock(mu);
    while (!cv.wait_for(lock, period, [&] { return stopping; })) {
      lock.unlock();
      service.ExpirePending(NowMs());
      lock.lock();
    }
  });

  server.Run();
  // Run() also returns if the listener fails; make sure the helper threads end either way.
  if (!stopping) pthread_kill(signal_thread.native_handle(), SIGTERM);
  g_signal_thread.store(nullptr);  // late signals are recorded, not forwarded to a thread that is ending
  signal_thread.join();
  expiry_thread.join();
  (*storage)->Close();
  spdlog::info("event=stopped");
  return 0;
}

}  // namespace
}  // namespace bayesd

int main(int argc, char** argv) {
  CLI::App app{"bayesd: a Bayesian optimization daemon (HTTP/JSON ask/tell, SQLite storage)"};
  app.require_subcommand(1);
  bayesd::ServeFlags flags;
  CLI::App* serve = app.add_subcommand("serve", "serve the HTTP API and the dashboard");
  serve->add_option("--db", flags.db, "SQLite database file (created when missing)")->capture_default_str();
  serve->add_option("--host", flags.server.host, "address to bind (non-loopback needs --token)")
      ->capture_default_str();
  serve->add_option("--port", flags.server.port, "port (0: an ephemeral port, see --port-file)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  serve->add_option("--port-file", flags.port_file, "write the bound port to this file once listening");
  serve->add_option("--token", flags.server.token, "bearer token required on every API call")
      ->envname("BAYESD_TOKEN");
  serve->add_flag("--insecure-no-auth", flags.server.insecure_no_auth,
                  "allow a non-loopback bind without a token");
  serve->add_option("--pending-timeout", flags.pending_timeout_seconds,
                    "abandon pending trials not reported within this many seconds (0: never)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  serve->add_option("--max-body-bytes", flags.server.max_body_bytes, "largest accepted request body")
      ->capture_default_str();
  serve->add_option("--threads", flags.server.threads, "HTTP worker threads")->capture_default_str();
  serve->add_option("--max-event-streams", flags.server.max_event_streams, "open event streams at most")
      ->capture_default_str();
  serve->add_option("--read-timeout", flags.server.read_timeout_seconds, "seconds")->capture_default_str();
  serve->add_option("--sync", flags.sync,
                    "full: a completion is on disk before it is acknowledged (survives power loss); "
                    "normal: survives a crash of the daemon, not of the machine")
      ->capture_default_str()
      ->check(CLI::IsMember({"full", "normal"}));
  serve->add_option("--log-level", flags.log_level, "trace, debug, info, warn, error")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  app.add_subcommand("version", "print the version")->callback([] { std::puts("bayesd 0.1.0"); });
  CLI11_PARSE(app, argc, argv);
  if (serve->parsed()) return bayesd::Serve(flags);
  return 0;
}

// Storage throughput: acknowledged Commit calls per second with 1, 4 and 16 concurrent committers, for SqliteStorage
// on a file at synchronous FULL and NORMAL (and SQLite in memory as a ceiling). Each run opens a fresh database,
// creates one study and has every committer write one trial per Commit (a completed trial of realistic size plus
// the strategy state, what the service writes on a tell) for --seconds. Prints the median over --repeats runs.
//
//   storage_bench [--dir DIR] [--seconds 1.0] [--repeats 5] [--committers 1,4,16]
//
// DIR should be on the disk the daemon will use: fsync cost is the whole story at synchronous FULL.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "src/storage/sqlite_storage.h"

namespace bayesd {
namespace {

struct RunResult {
  double commits_per_s = 0;
  double commits_per_txn = 0;
};

Trial BenchTrial(int64_t number) {
  Trial t;
  t.number = number;
  t.state = TrialState::kCompleted;
  t.params = {0.123456789, 3.0, 1.0, 42.5, 1e-3, 0.5};
  t.values = {{"accuracy", 0.9312345}, {"latency_ms", 12.1}};
  t.noise = {{"accuracy", 0.01}};
  t.cost = 3.2;
  t.feasible = true;
  t.worker = "node-7";
  t.created_at_ms = 1'700'000'000'000 + number;
  t.updated_at_ms = t.completed_at_ms = t.created_at_ms + 1000;
  t.diagnostics_json =
      R"({"acquisition":"log_ei","fit":{"attempts":1,"jitter":1e-8,"lengthscales":[0.31,0.77,1.2,0.05,0.9,2.1]},)"
      R"("optimizer":{"restarts":10,"termination":"ftol_reached","value":-3.2145}})";
  return t;
}

RunResult RunOnce(const SqliteStorageOptions& options, int committers, double seconds) {
  StatusOr<std::unique_ptr<SqliteStorage>> opened = SqliteStorage::Open(options);
  if (!opened.ok()) {
    std::fprintf(stderr, "open %s: %s\n", options.path.c_str(), opened.status().ToString().c_str());
    std::exit(1);
  }
  std::unique_ptr<SqliteStorage> storage = std::move(opened).value();
  StoredStudy study;
  study.name = "bench";
  study.config_json = R"({"name":"bench"})";
  if (!storage->CreateStudy(&study).ok()) std::exit(1);

  SqliteStorageStats before = storage->stats();
  std::atomic<int64_t> commits{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  auto start = std::chrono::steady_clock::now();
  for (int c = 0; c < committers; ++c) {
    threads.emplace_back([&, c] {
      for (int64_t i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        StudyWrite write;
        write.study_id = study.id;
        write.upsert_trials = {BenchTrial(int64_t{c} * 100'000'000 + i)};
        write.strategy_state_json = R"({"told":)" + std::to_string(i) + "}";
        Status status = storage->Commit(write);
        if (!status.ok()) {
          std::fprintf(stderr, "commit: %s\n", status.ToString().c_str());
          std::exit(1);
        }
        commits.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop.store(true);
  for (std::thread& thread : threads) thread.join();
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  SqliteStorageStats after = storage->stats();
  storage->Close();

  RunResult result;
  result.commits_per_s = static_cast<double>(commits.load()) / elapsed;
  int64_t txns = after.transactions - before.transactions;
  result.commits_per_txn = txns > 0 ? static_cast<double>(after.write_requests - before.write_requests) / txns : 0;
  return result;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

void RemoveDatabase(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

}  // namespace
}  // namespace bayesd

int main(int argc, char** argv) {
  using bayesd::SqliteStorageOptions;
  CLI::App app("bayesd storage benchmark: Commit throughput by synchronous level and concurrency");
  std::string dir = std::filesystem::temp_directory_path().string();
  double seconds = 1.0;
  int repeats = 5;
  std::vector<int> committer_counts = {1, 4, 16};
  app.add_option("--dir", dir, "directory for the database files (use the daemon's disk)");
  app.add_option("--seconds", seconds, "length of one run")->check(CLI::PositiveNumber);
  app.add_option("--repeats", repeats, "runs per configuration (the median is printed)")->check(CLI::PositiveNumber);
  app.add_option("--committers", committer_counts, "concurrent committers per row (comma-separated)")
      ->delimiter(',')
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);

  struct Config {
    const char* label;
    bool in_memory;
    SqliteStorageOptions::Synchronous synchronous;
  };
  const Config configs[] = {
      {"file, synchronous=FULL", false, SqliteStorageOptions::Synchronous::kFull},
      {"file, synchronous=NORMAL", false, SqliteStorageOptions::Synchronous::kNormal},
      {":memory: (ceiling)", true, SqliteStorageOptions::Synchronous::kFull},
  };
  std::printf("median of %d runs of %.1f s each; database files in %s\n\n", repeats, seconds, dir.c_str());
  std::printf("%-26s %10s %14s %14s %14s %12s\n", "storage", "committers", "commits/s", "min", "max",
              "commits/txn");
  std::string path = dir + "/bayesd_storage_bench.db";
  for (const Config& config : configs) {
    for (int committers : committer_counts) {
      std::vector<double> rates;
      std::vector<double> grouping;
      for (int r = 0; r < repeats; ++r) {
        SqliteStorageOptions options;
        options.path = config.in_memory ? ":memory:" : path;
        options.synchronous = config.synchronous;
        if (!config.in_memory) bayesd::RemoveDatabase(path);
        bayesd::RunResult result = bayesd::RunOnce(options, committers, seconds);
        rates.push_back(result.commits_per_s);
        grouping.push_back(result.commits_per_txn);
      }
      std::printf("%-26s %10d %14.0f %14.0f %14.0f %12.1f\n", config.label, committers, bayesd::Median(rates),
                  *std::min_element(rates.begin(), rates.end()), *std::max_element(rates.begin(), rates.end()),
                  bayesd::Median(grouping));
      std::fflush(stdout);
    }
  }
  bayesd::RemoveDatabase(path);
  return 0;
}

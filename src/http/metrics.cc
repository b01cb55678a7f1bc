#include "src/http/metrics.h"

#include <sstream>

namespace bayesd {
namespace {

// Label values are route patterns and strategy names we control, but escape anyway per the format.
std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

void Metrics::Histogram::Observe(double v) {
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (v <= kBuckets[i]) ++counts[i];
  }
  ++count;
  sum += v;
}

void Metrics::RecordRequest(const std::string& route, int status, double seconds) {
  std::lock_guard lock(mu_);
  ++requests_[{route, status}];
  latency_[route].Observe(seconds);
}

void Metrics::RecordSuggest(const std::string& strategy, double seconds) {
  std::lock_guard lock(mu_);
  suggest_[strategy].Observe(seconds);
}

std::string Metrics::Render(const std::map<std::string, int64_t>& trials_by_state, size_t event_streams) const {
  std::ostringstream out;
  auto histogram = [&](const char* name, const char* label, const std::map<std::string, Histogram>& hs) {
    for (const auto& [key, h] : hs) {
      for (size_t i = 0; i < kBuckets.size(); ++i) {
        out << name << "_bucket{" << label << "=\"" << Escape(key) << "\",le=\"" << kBuckets[i] << "\"} "
            << h.counts[i] << "\n";
      }
      out << name << "_bucket{" << label << "=\"" << Escape(key) << "\",le=\"+Inf\"} " << h.count << "\n";
      out << name << "_sum{" << label << "=\"" << Escape(key) << "\"} " << h.sum << "\n";
      out << name << "_count{" << label << "=\"" << Escape(key) << "\"} " << h.count << "\n";
    }
  };
  std::lock_guard lock(mu_);
  out << "# HELP bayesd_http_requests_total HTTP requests by route and status.\n"
      << "# TYPE bayesd_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    out << "bayesd_http_requests_total{route=\"" << Escape(key.first) << "\",status=\"" << key.second << "\"} "
        << n << "\n";
  }
  out << "# HELP bayesd_http_request_duration_seconds Time to answer a request.\n"
      << "# TYPE bayesd_http_request_duration_seconds histogram\n";
  histogram("bayesd_http_request_duration_seconds", "route", latency_);
  out << "# HELP bayesd_suggest_duration_seconds Time a strategy spent producing suggestions.\n"
      << "# TYPE bayesd_suggest_duration_seconds histogram\n";
  histogram("bayesd_suggest_duration_seconds", "strategy", suggest_);
  out << "# HELP bayesd_trials Trials by state over all studies.\n# TYPE bayesd_trials gauge\n";
  for (const auto& [state, n] : trials_by_state) out << "bayesd_trials{state=\"" << state << "\"} " << n << "\n";
  out << "# HELP bayesd_event_streams Open server-sent event streams.\n# TYPE bayesd_event_streams gauge\n"
      << "bayesd_event_streams " << event_streams << "\n";
  return out.str();
}

}  // namespace bayesd

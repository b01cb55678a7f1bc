// Prometheus metrics of the daemon: requests by route and status, request latency and suggest time histograms,
// and (filled in at scrape time) trials by state and open event streams.
//
// Thread safety: all methods are thread-safe.
#ifndef BAYESD_SRC_HTTP_METRICS_H_
#define BAYESD_SRC_HTTP_METRICS_H_

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace bayesd {

class Metrics {
 public:
  // `route` is the route pattern ("POST /api/v1/studies/{name}/suggest"), not the concrete path.
  void RecordRequest(const std::string& route, int status, double seconds);
  void RecordSuggest(const std::string& strategy, double seconds);

  // The text exposition format; `trials_by_state` and `event_streams` are gauges sampled by the caller.
  std::string Render(const std::map<std::string, int64_t>& trials_by_state, size_t event_streams) const;

 private:
  static constexpr std::array<double, 14> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                       0.1,    0.25,  0.5,    1.0,   2.5,   5.0,  10.0};
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> counts{};
    uint64_t count = 0;
    double sum = 0.0;
    void Observe(double v);
  };
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
  std::map<std::string, Histogram> suggest_;
};

}  // namespace bayesd

#endif  // BAYESD_SRC_HTTP_METRICS_H_

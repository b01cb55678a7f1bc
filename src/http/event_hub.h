// Fan-out of change events to server-sent-event streams.
//
// Each subscriber has a bounded queue (a slow reader drops its oldest events and is told so with a
// `{"type":"overflow"}` message, so it can refetch). Shutdown wakes every waiter so streams end promptly.
//
// Thread safety: all methods are thread-safe.
#ifndef BAYESD_SRC_HTTP_EVENT_HUB_H_
#define BAYESD_SRC_HTTP_EVENT_HUB_H_

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace bayesd {

class EventHub {
 public:
  struct Subscriber;

  explicit EventHub(size_t max_subscribers = 64, size_t queue_limit = 1000);

  // nullptr when the hub is full or shut down. `study_filter` empty = every study.
  std::shared_ptr<Subscriber> Subscribe(const std::string& study_filter);
  void Unsubscribe(const std::shared_ptr<Subscriber>& sub);

  // Publishes one event (a JSON object text) about `study`.
  void Publish(const std::string& study, const std::string& json);

  // Waits up to `timeout` for events; returns them (empty on timeout). nullopt once the hub is shut down.
  std::optional<std::vector<std::string>> Wait(const std::shared_ptr<Subscriber>& sub,
                                               std::chrono::milliseconds timeout);

  void Shutdown();
  size_t subscriber_count();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool shutdown_ = false;
  size_t max_subscribers_;
  size_t queue_limit_;
  std::set<std::shared_ptr<Subscriber>> subs_;
};

}  // namespace bayesd

#endif  // BAYESD_SRC_HTTP_EVENT_HUB_H_

#include "src/http/event_hub.h"

namespace bayesd {

struct EventHub::Subscriber {
  std::string filter;
  std::deque<std::string> queue;
  bool overflowed = false;
};

EventHub::EventHub(size_t max_subscribers, size_t queue_limit)
    : max_subscribers_(max_subscribers), queue_limit_(queue_limit) {}

std::shared_ptr<EventHub::Subscriber> EventHub::Subscribe(const std::string& study_filter) {
  std::lock_guard lock(mu_);
  if (shutdown_ || subs_.size() >= max_subscribers_) return nullptr;
  auto sub = std::make_shared<Subscriber>();
  sub->filter = study_filter;
  subs_.insert(sub);
  return sub;
}

void EventHub::Unsubscribe(const std::shared_ptr<Subscriber>& sub) {
  std::lock_guard lock(mu_);
  subs_.erase(sub);
}

void EventHub::Publish(const std::string& study, const std::string& json) {
  {
    std::lock_guard lock(mu_);
    for (const auto& sub : subs_) {
      if (!sub->filter.empty() && sub->filter != study) continue;
      if (sub->queue.size() >= queue_limit_) {
        sub->queue.pop_front();
        sub->overflowed = true;
      }
      sub->queue.push_back(json);
    }
  }
  cv_.notify_all();
}

std::optional<std::vector<std::string>> EventHub::Wait(const std::shared_ptr<Subscriber>& sub,
                                                       std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return shutdown_ || !sub->queue.empty(); });
  if (shutdown_) return std::nullopt;
  std::vector<std::string> out;
  if (sub->overflowed) {
    out.push_back(R"({"type":"overflow"})");
    sub->overflowed = false;
  }
  out.insert(out.end(), sub->queue.begin(), sub->queue.end());
  sub->queue.clear();
  return out;
}

void EventHub::Shutdown() {
  {
    std::lock_guard lock(mu_);
    shutdown_ = true;
  }
  cv_.notify_all();
}

size_t EventHub::subscriber_count() {
  std::lock_guard lock(mu_);
  return subs_.size();
}

}  // namespace bayesd

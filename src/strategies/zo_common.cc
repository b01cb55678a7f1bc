#include "src/strategies/zo_common.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>
#include <string>

#include "src/study/composite.h"

namespace bayesd::zo {
namespace {

constexpr int kMaxJitterTries = 64;

uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Summed positive parts of the constraint violations (missing values count as a violation of 1).
double Violation(const StudyConfig& config, const Trial& trial) {
  double total = 0.0;
  for (const ConstraintSpec& c : config.constraints) {
    auto it = trial.values.find(c.name);
    if (it == trial.values.end() || !std::isfinite(it->second)) {
      total += 1.0;
      continue;
    }
    const double gap = c.op == ConstraintOp::kLessEqual ? it->second - c.bound : c.bound - it->second;
    total += std::max(0.0, gap);
  }
  return total;
}

// The slot a trial's diagnostics tag names, if any: {"batch": id, "slot": i}.
std::optional<std::pair<int64_t, int>> ParseTag(const Trial& trial) {
  if (trial.diagnostics_json.find("\"slot\"") == std::string::npos) return std::nullopt;
  const nlohmann::json d = nlohmann::json::parse(trial.diagnostics_json, nullptr, /*allow_exceptions=*/false);
  if (!d.is_object()) return std::nullopt;
  auto b = d.find("batch");
  auto s = d.find("slot");
  if (b == d.end() || s == d.end() || !b->is_number_integer() || !s->is_number_integer()) return std::nullopt;
  return std::make_pair(b->get<int64_t>(), s->get<int>());
}

}  // namespace

uint64_t Rng::Next() {
  state_ += 0x9e3779b97f4a7c15ULL;
  uint64_t z = state_;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double Rng::Uniform() { return (static_cast<double>(Next() >> 11) + 0.5) * 0x1.0p-53; }

double Rng::Normal() {
  const double u1 = Uniform();
  const double u2 = Uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

Rng StreamRng(uint64_t seed, uint64_t a, uint64_t b) { return Rng(Mix(Mix(seed ^ Mix(a)) ^ Mix(b + 0x5eedULL))); }

std::optional<double> MinimizedObjective(const StudyConfig& config, const Trial& trial, double penalty) {
  if (trial.state != TrialState::kCompleted) return std::nullopt;
  const std::optional<double> value = ObjectiveValue(config, trial.values);
  if (!value || !std::isfinite(*value)) return std::nullopt;
  const double f = config.objective.goal == Goal::kMaximize ? -*value : *value;
  if (config.constraints.empty()) return f;
  return f + penalty * Violation(config, trial);
}

bool Feasible(const StudyConfig& config, const Trial& trial) {
  if (trial.feasible) return *trial.feasible;
  return Violation(config, trial) == 0.0;
}

int ScaleExponent(const std::vector<double>& v) {
  double top = 0.0;
  for (double x : v) {
    if (std::isfinite(x)) top = std::max(top, std::abs(x));
  }
  return top > 0.0 ? std::clamp(std::ilogb(top), -1021, 1021) : 0;
}

const Trial* FindTrial(const std::vector<Trial>& trials, int64_t number) {
  if (number >= 0 && number < static_cast<int64_t>(trials.size()) && trials[number].number == number) {
    return &trials[number];
  }
  auto it = std::lower_bound(trials.begin(), trials.end(), number,
                             [](const Trial& t, int64_t n) { return t.number < n; });
  return it != trials.end() && it->number == number ? &*it : nullptr;
}

SlotOutcome Resolve(const Slot& slot, const std::vector<Trial>& trials, int max_retries) {
  if (slot.issued) return {SlotStatus::kIssued, nullptr};
  if (slot.trials.empty()) return {SlotStatus::kOpen, nullptr};
  int failures = 0;
  for (int64_t number : slot.trials) {
    const Trial* t = FindTrial(trials, number);
    if (t == nullptr) {
      ++failures;  // deleted or unknown: counts as a failed evaluation
      continue;
    }
    if (t->state == TrialState::kCompleted) return {SlotStatus::kDone, t};
    if (t->state == TrialState::kPending) return {SlotStatus::kPending, nullptr};
    ++failures;
  }
  return {failures > max_retries ? SlotStatus::kDropped : SlotStatus::kOpen, nullptr};
}

void Batch::Link(const std::vector<Trial>& trials) {
  auto first = std::lower_bound(trials.begin(), trials.end(), watermark,
                                [](const Trial& t, int64_t n) { return t.number < n; });
  for (auto it = first; it != trials.end(); ++it) {
    const auto tag = ParseTag(*it);
    if (!tag || tag->first != id || tag->second < 0 || tag->second >= static_cast<int>(slots.size())) continue;
    Slot& slot = slots[tag->second];
    slot.trials.push_back(it->number);
    slot.issued = false;
  }
  for (Slot& slot : slots) slot.issued = false;  // handed out, but the call left no trial: hand out again
  if (!trials.empty()) watermark = std::max(watermark, trials.back().number + 1);
}

nlohmann::json Batch::ToJson() const {
  nlohmann::json slots_json = nlohmann::json::array();
  for (const Slot& s : slots) {
    nlohmann::json slot = {{"trials", s.trials}, {"issued", s.issued}};
    if (!s.derived) slot["u"] = VectorToJson(s.u);
    slots_json.push_back(std::move(slot));
  }
  return {{"id", id}, {"watermark", watermark}, {"slots", std::move(slots_json)}};
}

StatusOr<Batch> Batch::FromJson(const nlohmann::json& j, int dim) {
  Batch b;
  if (!j.is_object() || !j.contains("slots") || !j["slots"].is_array()) {
    return Internal("strategy state: batch is malformed");
  }
  b.id = j.value("id", int64_t{0});
  b.watermark = j.value("watermark", int64_t{0});
  for (const nlohmann::json& s : j["slots"]) {
    Slot slot;
    if (!s.is_object()) return Internal("strategy state: batch slot is malformed");
    if (s.contains("u")) {
      ASSIGN_OR_RETURN(slot.u, VectorFromJson(s["u"], dim, "batch slot"));
    } else {
      slot.derived = true;  // regenerated by the strategy
    }
    if (s.contains("trials") && s["trials"].is_array()) {
      for (const nlohmann::json& n : s["trials"]) {
        if (n.is_number_integer()) slot.trials.push_back(n.get<int64_t>());
      }
    }
    slot.issued = s.value("issued", false);
    b.slots.push_back(std::move(slot));
  }
  return b;
}

nlohmann::json SlotTag(int64_t batch_id, int slot) { return {{"batch", batch_id}, {"slot", slot}}; }

std::set<std::vector<double>> PendingPoints(const std::vector<Trial>& trials) {
  std::set<std::vector<double>> taken;
  for (const Trial& t : trials) {
    if (t.state == TrialState::kPending) taken.insert(t.params);
  }
  return taken;
}

std::vector<double> UniqueRawPoint(const SearchSpace& space, std::vector<double>* u, Rng* rng,
                                   std::set<std::vector<double>>* taken, bool* jittered) {
  std::vector<double> raw = space.FromUnit(*u);
  double radius = 0.5 / 64.0;
  for (int attempt = 0; attempt < kMaxJitterTries && taken->count(raw) > 0; ++attempt) {
    std::vector<double> v = *u;
    for (double& x : v) x += radius * (2.0 * rng->Uniform() - 1.0);
    ClampToUnitCube(&v);
    std::vector<double> candidate = space.FromUnit(v);
    if (taken->count(candidate) == 0) {
      *u = std::move(v);
      raw = std::move(candidate);
      if (jittered != nullptr) *jittered = true;
    }
    radius = std::min(1.0, radius * 1.25);
  }
  taken->insert(raw);  // after 64 tries (a space smaller than the batch) a repeat is unavoidable
  return raw;
}

namespace {

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Value of each base64 character, -1 for any other byte.
struct Base64Table {
  int8_t value[256] = {};
  constexpr Base64Table() {
    for (int i = 0; i < 256; ++i) value[i] = -1;
    for (int i = 0; i < 64; ++i) value[static_cast<uint8_t>(kBase64[i])] = static_cast<int8_t>(i);
  }
};
constexpr Base64Table kBase64Table;

// Base64 of the little-endian bytes of the doubles (IEEE-754 binary64), independent of the host's byte order.
std::string EncodeDoubles(const std::vector<double>& v) {
  std::vector<uint8_t> bytes(v.size() * 8);
  for (size_t i = 0; i < v.size(); ++i) {
    uint64_t bits;
    std::memcpy(&bits, &v[i], 8);
    for (int b = 0; b < 8; ++b) bytes[i * 8 + b] = static_cast<uint8_t>(bits >> (8 * b));
  }
  std::string out((bytes.size() + 2) / 3 * 4, '=');
  size_t o = 0;
  for (size_t i = 0; i < bytes.size(); i += 3, o += 4) {
    const size_t left = bytes.size() - i;
    const uint32_t n = (uint32_t{bytes[i]} << 16) | (left > 1 ? uint32_t{bytes[i + 1]} << 8 : 0u) |
                       (left > 2 ? uint32_t{bytes[i + 2]} : 0u);
    out[o] = kBase64[(n >> 18) & 63];
    out[o + 1] = kBase64[(n >> 12) & 63];
    if (left > 1) out[o + 2] = kBase64[(n >> 6) & 63];
    if (left > 2) out[o + 3] = kBase64[n & 63];
  }
  return out;
}

// Inverse of EncodeDoubles; nullopt on any malformed input.
std::optional<std::vector<double>> DecodeDoubles(const std::string& text) {
  if (text.size() % 4 != 0) return std::nullopt;
  const size_t pad = text.empty() ? 0 : (text.back() == '=') + (text.size() > 1 && text[text.size() - 2] == '=');
  const size_t n_bytes = text.size() / 4 * 3 - pad;
  if (n_bytes % 8 != 0) return std::nullopt;
  std::vector<uint8_t> bytes(text.size() / 4 * 3);
  for (size_t i = 0, o = 0; i < text.size(); i += 4, o += 3) {
    int32_t n = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = text[i + k];
      const int v = c == '=' && i + 4 == text.size() ? 0 : kBase64Table.value[static_cast<uint8_t>(c)];
      if (v < 0) return std::nullopt;
      n = (n << 6) | v;
    }
    bytes[o] = static_cast<uint8_t>(n >> 16);
    bytes[o + 1] = static_cast<uint8_t>(n >> 8);
    bytes[o + 2] = static_cast<uint8_t>(n);
  }
  std::vector<double> v(n_bytes / 8);
  for (size_t i = 0; i < v.size(); ++i) {
    uint64_t bits = 0;
    for (int b = 0; b < 8; ++b) bits |= uint64_t{bytes[i * 8 + b]} << (8 * b);
    std::memcpy(&v[i], &bits, 8);
  }
  return v;
}

}  // namespace

nlohmann::json VectorToJson(const std::vector<double>& v) { return EncodeDoubles(v); }

StatusOr<std::vector<double>> VectorFromJson(const nlohmann::json& j, int dim, const char* what) {
  const std::string expected = "a vector of " + std::to_string(dim) + " numbers";
  std::vector<double> v;
  if (j.is_array()) {  // the readable form is accepted too
    for (const nlohmann::json& x : j) {
      if (!x.is_number()) return Internal(std::string("strategy state: ") + what + " is not " + expected);
      v.push_back(x.get<double>());
    }
  } else if (j.is_string()) {
    std::optional<std::vector<double>> decoded = DecodeDoubles(j.get_ref<const std::string&>());
    if (!decoded) return Internal(std::string("strategy state: ") + what + " is not base64 doubles");
    v = std::move(*decoded);
  } else {
    return Internal(std::string("strategy state: ") + what + " is not " + expected);
  }
  if (dim >= 0 && static_cast<int>(v.size()) != dim) {
    return Internal(std::string("strategy state: ") + what + " is not " + expected);
  }
  return v;
}

void ClampToUnitCube(std::vector<double>* u) {
  for (double& x : *u) x = std::isfinite(x) ? std::clamp(x, 0.0, 1.0) : 0.5;
}

uint64_t ReadU64(const nlohmann::json& j, const char* key, uint64_t fallback) {
  auto it = j.find(key);
  if (it == j.end()) return fallback;
  if (it->is_number_unsigned()) return it->get<uint64_t>();
  if (!it->is_string()) return fallback;
  try {
    return std::stoull(it->get<std::string>());
  } catch (const std::exception&) {
    return fallback;
  }
}

std::string StateFingerprint(const nlohmann::json& j, std::initializer_list<const char*> keys) {
  std::string f = j.value("seq", nlohmann::json(-1)).dump();
  for (const char* key : keys) {
    auto it = j.find(key);
    if (it != j.end()) f += "|" + it->dump();
  }
  auto b = j.find("batch");
  if (b != j.end() && b->is_object()) {
    f += "|" + b->value("id", nlohmann::json(0)).dump() + "|" + b->value("watermark", nlohmann::json(0)).dump();
    auto slots = b->find("slots");
    if (slots != b->end() && slots->is_array()) {
      f += "|" + std::to_string(slots->size());
      if (!slots->empty()) f += "|" + slots->back().dump();
    }
  }
  return f;
}

}  // namespace bayesd::zo

// Helpers shared by the batch-synchronous derivative-free strategies `zo` (zeroth-order gradient descent) and
// `cbo` (consensus-based optimization): a counter-based random generator whose whole state is one integer, the
// minimized objective of a trial, and the bookkeeping of a "batch" of points that an update step needs.
//
// A batch is a list of slots, one per point in the unit cube [0,1]^d of the SearchSpace. A slot is handed out as a
// trial (tagged in the trial's diagnostics with {"batch": id, "slot": i}); the next Suggest links the new trials to
// their slots. A slot is resolved when one of its trials completed, or dropped when its trials failed or were
// abandoned more than `max_retries` times; until then a failed slot is handed out again. A slot handed out by a call
// whose trial never appeared (the service did not persist that call) is handed out again.
//
// Thread safety: plain values and stateless functions.
#ifndef BAYESD_SRC_STRATEGIES_ZO_COMMON_H_
#define BAYESD_SRC_STRATEGIES_ZO_COMMON_H_

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "src/common/status.h"
#include "src/strategies/strategy.h"
#include "src/study/config.h"
#include "src/study/space.h"
#include "src/study/trial.h"

namespace bayesd::zo {

// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014). The whole
// state is one 64-bit integer, so it is persisted exactly in StrategyState as a decimal string.
class Rng {
 public:
  explicit Rng(uint64_t state) : state_(state) {}
  uint64_t Next();
  double Uniform();  // in (0, 1)
  double Normal();   // standard normal by Box-Muller (two uniforms per draw, nothing cached)
  uint64_t state() const { return state_; }

 private:
  uint64_t state_;
};

// A generator for stream (a, b) of a study seeded `seed`: independent streams for independent purposes.
Rng StreamRng(uint64_t seed, uint64_t a, uint64_t b);

// Objective in minimization form: the objective value (composite objectives are computed from their outputs),
// negated when the goal is maximize, plus `penalty` times the summed constraint violations. nullopt when the
// trial is not completed or its value cannot be computed.
std::optional<double> MinimizedObjective(const StudyConfig& config, const Trial& trial, double penalty);
// Whether a completed trial satisfies every constraint.
bool Feasible(const StudyConfig& config, const Trial& trial);

// The exponent e that brings the largest finite |v_i| into [1, 2) when v is scaled by 2^-e (clamped to +-1021;
// 0 when no entry is finite and nonzero). Scaling by a power of two is exact, so sums of squares taken on the
// scaled values neither underflow nor overflow and give bit-for-bit the unscaled results for ordinary values.
int ScaleExponent(const std::vector<double>& v);

// The trial with this number, or nullptr. Uses the position when numbers are dense (they are: 0, 1, 2, ...).
const Trial* FindTrial(const std::vector<Trial>& trials, int64_t number);

// Slot states derived from the trial list.
enum class SlotStatus { kOpen, kIssued, kPending, kDone, kDropped };

struct Slot {
  std::vector<double> u;        // point in [0,1]^d
  std::vector<int64_t> trials;  // trial numbers that evaluated this point, oldest first
  bool issued = false;          // handed out by the last Suggest, trial not linked yet
  // u is a function of the persisted batch (seed, batch id, iterate or consensus, radius): it is not written to the
  // state, and the strategy regenerates it after decoding. A point moved by UniqueRawPoint's jitter is not derived.
  bool derived = false;
};

struct SlotOutcome {
  SlotStatus status = SlotStatus::kOpen;
  const Trial* completed = nullptr;  // when kDone
};

// Where a slot stands given the trials linked to it.
SlotOutcome Resolve(const Slot& slot, const std::vector<Trial>& trials, int max_retries);

// Batch of slots plus linking bookkeeping; serialized in state under a key of the caller's choice.
struct Batch {
  int64_t id = 0;              // increases by one per batch
  std::vector<Slot> slots;
  int64_t watermark = 0;       // trials with number < watermark were linked already

  // Links trials created since the last call (numbers >= watermark) to slots by their diagnostics tag, and makes
  // slots whose handing-out call left no trial open again.
  void Link(const std::vector<Trial>& trials);
  nlohmann::json ToJson() const;
  // Slots written without "u" come back derived with an empty u, for the strategy to regenerate.
  static StatusOr<Batch> FromJson(const nlohmann::json& j, int dim);
};

// The diagnostics tag of a suggestion for slot `slot` of batch `batch_id`.
nlohmann::json SlotTag(int64_t batch_id, int slot);

// Raw values of the pending trials: suggestions must differ from them and from each other.
std::set<std::vector<double>> PendingPoints(const std::vector<Trial>& trials);

// Raw values for u that are not in `taken` (inserting them). In discrete spaces the rounded point may collide: then
// u is jittered with growing radius (at most 64 tries). Returns the raw point; *u is updated to the jittered point.
// *jittered (optional) is set when u was moved.
std::vector<double> UniqueRawPoint(const SearchSpace& space, std::vector<double>* u, Rng* rng,
                                   std::set<std::vector<double>>* taken, bool* jittered = nullptr);

// JSON <-> vectors of doubles. Stored as base64 of the little-endian IEEE-754 bytes: exact, and an order of
// magnitude cheaper to write, copy and parse than 10^4 decimal numbers (a 100-particle swarm in 100-d). FromJson
// also accepts a plain array of numbers, and checks the length (`dim`, or any when dim < 0).
nlohmann::json VectorToJson(const std::vector<double>& v);

// A cheap fingerprint of a persisted zo/cbo state, the key of a strategy's decoded-state cache together with the
// state's write counter: "seq", the listed top-level keys, and the batch's id, watermark, slot count and last slot.
std::string StateFingerprint(const nlohmann::json& j, std::initializer_list<const char*> keys);
StatusOr<std::vector<double>> VectorFromJson(const nlohmann::json& j, int dim, const char* what);

// Clamps every coordinate into [0, 1] (NaN becomes 0.5).
void ClampToUnitCube(std::vector<double>* u);

// Reads a uint64 persisted as a decimal string (absent: `fallback`).
uint64_t ReadU64(const nlohmann::json& j, const char* key, uint64_t fallback);

}  // namespace bayesd::zo

#endif  // BAYESD_SRC_STRATEGIES_ZO_COMMON_H_

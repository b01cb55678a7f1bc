#include "src/strategies/baseline_strategies.h"

#include <random>
#include <set>

#include <boost/random/sobol.hpp>

#include "src/study/json_fields.h"
#include "src/study/space.h"

namespace bayesd {
namespace {

constexpr int kMaxSobolDimension = 3667;  // size of Boost's Joe-Kuo direction-number table
constexpr int kMaxRedraws = 64;           // draws spent avoiding a duplicate of a pending point

// SplitMix64: decorrelates (seed, stream) pairs into generator seeds.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

Status NoOptions(const StudyConfig& config) {
  for (auto it = config.strategy.options.begin(); it != config.strategy.options.end(); ++it) {
    return InvalidArgument("strategy." + it.key() + " is not an option of strategy " + config.strategy.name,
                           "strategy." + it.key());
  }
  return OkStatus();
}

// Suggests points from a per-study point stream, skipping points equal to pending trials or to each other.
class StreamStrategy : public Strategy {
 public:
  explicit StreamStrategy(const StudyConfig& config) : space_(config.parameters) {}

  StatusOr<std::vector<Suggestion>> Suggest(const StudySnapshot& study, int count, StrategyState* state) override {
    std::set<std::vector<double>> taken;
    for (const Trial& t : study.trials) {
      if (t.state == TrialState::kPending) taken.insert(t.params);
    }
    const char* key = counter_key();
    uint64_t next = state->json.value(key, uint64_t{0});
    std::vector<Suggestion> out;
    int redraws = 0;
    while (static_cast<int>(out.size()) < count) {
      const uint64_t index = next++;
      Suggestion s;
      s.params = space_.FromUnit(Draw(study.config, index));
      if (!taken.insert(s.params).second && redraws < kMaxRedraws * count) {
        ++redraws;
        continue;  // equal to a pending point (small discrete spaces): take the next draw
      }
      if (study.config.fidelity) s.fidelity = study.config.fidelity->target();
      s.diagnostics = {{"strategy", study.config.strategy.name}, {key, index}};
      out.push_back(std::move(s));
    }
    state->json[key] = next;
    return out;
  }

 protected:
  virtual const char* counter_key() const = 0;
  virtual std::vector<double> Draw(const StudyConfig& config, uint64_t index) const = 0;
  SearchSpace space_;
};

class RandomStrategy : public StreamStrategy {
 public:
  using StreamStrategy::StreamStrategy;

 private:
  const char* counter_key() const override { return "draws"; }
  std::vector<double> Draw(const StudyConfig& config, uint64_t index) const override {
    std::mt19937_64 rng(Mix(config.seed ^ Mix(index)));
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<double> x(space_.dimension());
    for (double& v : x) v = u(rng);
    return x;
  }
};

class SobolStrategy : public StreamStrategy {
 public:
  using StreamStrategy::StreamStrategy;

 private:
  const char* counter_key() const override { return "index"; }
  std::vector<double> Draw(const StudyConfig& config, uint64_t index) const override {
    return ScrambledSobolPoints(space_.dimension(), config.seed, index, 1)[0];
  }
};

}  // namespace

std::vector<std::vector<double>> ScrambledSobolPoints(int dim, uint64_t seed, uint64_t first, int count) {
  std::mt19937_64 shift_rng(Mix(seed ^ 0x50b01ULL));
  // boost::random::sobol yields 64-bit integers whose low bits are zero for early points: shift and scale the
  // whole word, keeping the top 53 bits as the double's mantissa.
  std::vector<uint64_t> shift(dim);
  for (uint64_t& s : shift) s = shift_rng();
  std::vector<std::vector<double>> points(count, std::vector<double>(dim));
  if (dim > kMaxSobolDimension) {
    for (int i = 0; i < count; ++i) {
      std::mt19937_64 rng(Mix(seed ^ Mix(first + i)));
      for (int d = 0; d < dim; ++d) points[i][d] = (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53;
    }
    return points;
  }
  try {
    // Boost's generator starts at the first non-zero point; index 0 here is the origin, so that points
    // 0 .. 2^m - 1 form a complete (t, m, s)-net (every elementary box holds its share), shifted or not.
    boost::random::sobol gen(dim);
    if (first > 0) gen.seed(first - 1);
    for (int i = 0; i < count; ++i) {
      if (first + i == 0) {
        for (int d = 0; d < dim; ++d) points[i][d] = (static_cast<double>(shift[d] >> 11) + 0.5) * 0x1.0p-53;
        continue;
      }
      for (int d = 0; d < dim; ++d) {
        const uint64_t v = static_cast<uint64_t>(gen()) ^ shift[d];
        points[i][d] = (static_cast<double>(v >> 11) + 0.5) * 0x1.0p-53;
      }
    }
  } catch (const std::exception&) {
    // Past 2^32 points the sequence is exhausted: continue with uniform random points.
    for (int i = 0; i < count; ++i) {
      std::mt19937_64 rng(Mix(seed ^ Mix(first + i)));
      for (int d = 0; d < dim; ++d) points[i][d] = (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53;
    }
  }
  return points;
}

StrategyFactory RandomStrategyFactory() {
  return {NoOptions, [](const StudyConfig& c) -> StatusOr<std::unique_ptr<Strategy>> {
            return std::unique_ptr<Strategy>(std::make_unique<RandomStrategy>(c));
          }};
}

StrategyFactory SobolStrategyFactory() {
  return {NoOptions, [](const StudyConfig& c) -> StatusOr<std::unique_ptr<Strategy>> {
            return std::unique_ptr<Strategy>(std::make_unique<SobolStrategy>(c));
          }};
}

}  // namespace bayesd

// Helpers shared by the storage tests: temporary directories, trial builders and field-by-field comparison that
// tells -0.0 from 0.0.
#ifndef BAYESD_TESTS_STORAGE_STORAGE_TEST_UTIL_H_
#define BAYESD_TESTS_STORAGE_STORAGE_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <stdlib.h>

#include <bit>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "src/storage/storage.h"

namespace bayesd::testing_storage {

// A fresh directory under the test temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern = ::testing::TempDir() + "bayesd_storage_XXXXXX";
    char* made = mkdtemp(pattern.data());
    EXPECT_NE(made, nullptr) << "mkdtemp " << pattern;
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string File(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline StoredStudy MakeStudy(const std::string& name) {
  StoredStudy study;
  study.name = name;
  study.config_json = R"({"name":")" + name + R"(","parameters":[]})";
  study.created_at_ms = 1'700'000'000'123;
  return study;
}

inline Trial MakeTrial(int64_t number) {
  Trial t;
  t.number = number;
  t.params = {0.5, 3.0, 1.0};
  t.created_at_ms = 1'700'000'000'000 + number;
  t.updated_at_ms = t.created_at_ms;
  return t;
}

inline StudyWrite Write(int64_t study_id, std::vector<Trial> trials = {},
                        std::optional<std::string> strategy_state_json = std::nullopt) {
  StudyWrite write;
  write.study_id = study_id;
  write.upsert_trials = std::move(trials);
  write.strategy_state_json = std::move(strategy_state_json);
  return write;
}

inline uint64_t Bits(double x) { return std::bit_cast<uint64_t>(x); }

inline void ExpectSameDoubles(const std::vector<double>& a, const std::vector<double>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(Bits(a[i]), Bits(b[i])) << "[" << i << "] " << a[i] << " vs " << b[i];
}

inline void ExpectSameMap(const std::map<std::string, double>& a, const std::map<std::string, double>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
    EXPECT_EQ(ia->first, ib->first);
    EXPECT_EQ(Bits(ia->second), Bits(ib->second)) << ia->first << ": " << ia->second << " vs " << ib->second;
  }
}

inline void ExpectSameOptional(const std::optional<double>& a, const std::optional<double>& b) {
  ASSERT_EQ(a.has_value(), b.has_value());
  if (a) {
    EXPECT_EQ(Bits(*a), Bits(*b)) << *a << " vs " << *b;
  }
}

inline void ExpectSameTrial(const Trial& a, const Trial& b) {
  SCOPED_TRACE("trial " + std::to_string(a.number));
  EXPECT_EQ(a.number, b.number);
  EXPECT_EQ(a.state, b.state);
  ExpectSameDoubles(a.params, b.params);
  ExpectSameOptional(a.fidelity, b.fidelity);
  ExpectSameMap(a.values, b.values);
  ExpectSameMap(a.noise, b.noise);
  ExpectSameOptional(a.cost, b.cost);
  EXPECT_EQ(a.feasible, b.feasible);
  EXPECT_EQ(a.worker, b.worker);
  EXPECT_EQ(a.fail_reason, b.fail_reason);
  EXPECT_EQ(a.external, b.external);
  EXPECT_EQ(a.created_at_ms, b.created_at_ms);
  EXPECT_EQ(a.updated_at_ms, b.updated_at_ms);
  EXPECT_EQ(a.completed_at_ms, b.completed_at_ms);
  EXPECT_EQ(a.diagnostics_json, b.diagnostics_json);
}

inline void ExpectSameStudy(const StoredStudy& a, const StoredStudy& b) {
  SCOPED_TRACE("study " + a.name);
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.config_json, b.config_json);
  EXPECT_EQ(a.created_at_ms, b.created_at_ms);
  EXPECT_EQ(a.strategy_state_json, b.strategy_state_json);
  ASSERT_EQ(a.trials.size(), b.trials.size());
  for (size_t i = 0; i < a.trials.size(); ++i) ExpectSameTrial(a.trials[i], b.trials[i]);
}

}  // namespace bayesd::testing_storage

#endif  // BAYESD_TESTS_STORAGE_STORAGE_TEST_UTIL_H_

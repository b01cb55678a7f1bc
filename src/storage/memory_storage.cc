#include "src/storage/memory_storage.h"

#include <utility>

#include "src/storage/storage_checks.h"

namespace bayesd {
namespace {

Status Closed() { return Unavailable("storage is closed"); }
Status StudyNotFound(int64_t study_id) { return NotFound("no study with id " + std::to_string(study_id)); }

}  // namespace

StoredStudy MemoryStorage::Snapshot(const Entry& entry) {
  StoredStudy out = entry.study;
  out.trials.reserve(entry.trials.size());
  for (const auto& [number, trial] : entry.trials) out.trials.push_back(trial);
  return out;
}

Status MemoryStorage::CreateStudy(StoredStudy* study) {
  if (study == nullptr) return InvalidArgument("CreateStudy needs a study");
  RETURN_IF_ERROR(storage_internal::CheckNewStudy(*study));
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return Closed();
  if (ids_by_name_.count(study->name) > 0) {
    return AlreadyExists("a study named '" + study->name + "' already exists", "name");
  }
  Entry entry;
  entry.study = *study;
  entry.study.trials.clear();
  entry.study.id = ++last_id_;
  for (const Trial& trial : study->trials) entry.trials[trial.number] = trial;
  ids_by_name_.emplace(study->name, entry.study.id);
  study->id = entry.study.id;
  studies_.emplace(entry.study.id, std::move(entry));
  return OkStatus();
}

Status MemoryStorage::DeleteStudy(int64_t study_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return Closed();
  auto it = studies_.find(study_id);
  if (it == studies_.end()) return StudyNotFound(study_id);
  ids_by_name_.erase(it->second.study.name);
  studies_.erase(it);
  return OkStatus();
}

std::future<Status> MemoryStorage::CommitAsync(StudyWrite write) {
  std::promise<Status> done;
  done.set_value(Apply(write));
  return done.get_future();
}

Status MemoryStorage::Apply(const StudyWrite& write) {
  // Every check comes before the first change, which makes the write atomic.
  RETURN_IF_ERROR(storage_internal::CheckWrite(write));
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return Closed();
  auto it = studies_.find(write.study_id);
  if (it == studies_.end()) return StudyNotFound(write.study_id);
  Entry& entry = it->second;
  for (const Trial& trial : write.upsert_trials) entry.trials[trial.number] = trial;
  if (write.strategy_state_json) entry.study.strategy_state_json = *write.strategy_state_json;
  return OkStatus();
}

StatusOr<std::vector<StoredStudy>> MemoryStorage::LoadAll() {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return Closed();
  std::vector<StoredStudy> out;
  out.reserve(studies_.size());
  for (const auto& [id, entry] : studies_) out.push_back(Snapshot(entry));
  return out;
}

StatusOr<StoredStudy> MemoryStorage::LoadStudy(int64_t study_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return Closed();
  auto it = studies_.find(study_id);
  if (it == studies_.end()) return StudyNotFound(study_id);
  return Snapshot(it->second);
}

void MemoryStorage::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
}

}  // namespace bayesd

// Input checks shared by every Storage implementation, so they accept and refuse exactly the same writes.
//
// What is refused, with kInvalidArgument: a double that is not finite anywhere in a trial (SQLite stores NaN as
// NULL, and JSON has no spelling for NaN or infinity, so it could not come back as written), a negative trial
// number, and a values/noise key that is not valid UTF-8 (JSON text must be UTF-8).
//
// Thread safety: functions only.
#ifndef BAYESD_SRC_STORAGE_STORAGE_CHECKS_H_
#define BAYESD_SRC_STORAGE_STORAGE_CHECKS_H_

#include "src/common/status.h"
#include "src/storage/storage.h"

namespace bayesd::storage_internal {

Status CheckTrial(const Trial& trial);
Status CheckNewStudy(const StoredStudy& study);  // its name must be non-empty; its trials pass CheckTrial
Status CheckWrite(const StudyWrite& write);

}  // namespace bayesd::storage_internal

#endif  // BAYESD_SRC_STORAGE_STORAGE_CHECKS_H_

// The SQLite schema of bayesd and its migrations.
//
// The schema_version table holds one row: the number of migrations applied. Migration i (1-based) takes the schema
// from version i-1 to i; version 1 is the initial schema. Migrations are append-only: a released migration is never
// edited, a change to the schema is a new migration at the end of the list. See docs/storage.md.
//
// Thread safety: functions only; the caller owns the connection.
#ifndef BAYESD_SRC_STORAGE_SQLITE_SCHEMA_H_
#define BAYESD_SRC_STORAGE_SQLITE_SCHEMA_H_

#include "src/common/status.h"
#include "src/storage/sqlite_db.h"

namespace bayesd::storage_internal {

// The schema version this binary writes: the number of migrations it knows.
int LatestSchemaVersion();

// The database's schema version; 0 for a fresh database (no schema_version table).
StatusOr<int> ReadSchemaVersion(SqliteDb& db);

// Applies every migration newer than the database's version in one transaction, so a crash mid-way leaves the old
// version intact. kFailedPrecondition when the database is newer than this binary (it would not understand it).
Status Migrate(SqliteDb& db);

}  // namespace bayesd::storage_internal

#endif  // BAYESD_SRC_STORAGE_SQLITE_SCHEMA_H_

#include "src/storage/sqlite_schema.h"

#include <array>
#include <string>

namespace bayesd::storage_internal {
namespace {

// Migration i takes the schema from version i to i+1 (0-based index). Append only.
constexpr std::array<const char*, 1> kMigrations = {
    // Version 1: the initial schema.
    // - studies.id is AUTOINCREMENT so an id is never handed out again after its study is deleted.
    // - Doubles that may be absent (fidelity, cost) are REAL columns, NULL when unset; maps and arrays of doubles
    //   are JSON text written with shortest round-trip formatting, so every finite double survives exactly.
    // - feasible is NULL (unset), 0 or 1. completed_at_ms is 0 while pending, as in Trial.
    R"sql(
CREATE TABLE schema_version (
  version INTEGER NOT NULL
);
INSERT INTO schema_version (version) VALUES (0);
CREATE TABLE studies (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  config_json TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  strategy_state_json TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE trials (
  study_id INTEGER NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
  number INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'completed', 'failed', 'abandoned')),
  params_json TEXT NOT NULL,
  fidelity REAL,
  values_json TEXT NOT NULL,
  noise_json TEXT NOT NULL,
  cost REAL,
  feasible INTEGER CHECK (feasible IN (0, 1)),
  worker TEXT NOT NULL,
  fail_reason TEXT NOT NULL,
  external INTEGER NOT NULL CHECK (external IN (0, 1)),
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  completed_at_ms INTEGER NOT NULL,
  diagnostics_json TEXT NOT NULL,
  PRIMARY KEY (study_id, number)
) WITHOUT ROWID;
)sql",
};

StatusOr<bool> HasVersionTable(SqliteDb& db) {
  ASSIGN_OR_RETURN(Statement stmt,
                   db.Prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version'"));
  return stmt.Step();
}

Status WriteVersion(SqliteDb& db, int version) {
  ASSIGN_OR_RETURN(Statement stmt, db.Prepare("UPDATE schema_version SET version = ?"));
  stmt.BindInt64(1, version);
  return stmt.Run();
}

Status ApplyPending(SqliteDb& db) {
  ASSIGN_OR_RETURN(int version, ReadSchemaVersion(db));
  if (version > LatestSchemaVersion()) {
    return FailedPrecondition("database schema version " + std::to_string(version) +
                              " is newer than this bayesd supports (" +
                              std::to_string(LatestSchemaVersion()) + "); upgrade bayesd to open it");
  }
  for (int v = version; v < LatestSchemaVersion(); ++v) {
    RETURN_IF_ERROR(db.Exec(kMigrations[v], "migration to schema version " + std::to_string(v + 1)));
    RETURN_IF_ERROR(WriteVersion(db, v + 1));
  }
  return OkStatus();
}

}  // namespace

int LatestSchemaVersion() { return static_cast<int>(kMigrations.size()); }

StatusOr<int> ReadSchemaVersion(SqliteDb& db) {
  ASSIGN_OR_RETURN(bool exists, HasVersionTable(db));
  if (!exists) return 0;
  ASSIGN_OR_RETURN(Statement stmt, db.Prepare("SELECT version FROM schema_version"));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return Internal("schema_version table is empty: the database is damaged");
  int64_t version = stmt.ColumnInt64(0);
  ASSIGN_OR_RETURN(bool second, stmt.Step());
  if (second) return Internal("schema_version table has several rows: the database is damaged");
  if (version < 0 || version > 1'000'000) {
    return Internal("schema_version holds " + std::to_string(version) + ": the database is damaged");
  }
  return static_cast<int>(version);
}

Status Migrate(SqliteDb& db) {
  // IMMEDIATE: take the write lock before reading the version, so two processes cannot both migrate.
  RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE", "begin migration"));
  Status status = ApplyPending(db);
  if (status.ok()) status = db.Exec("COMMIT", "commit migration");
  if (!status.ok() && db.InTransaction()) (void)db.Exec("ROLLBACK", "roll back migration");
  return status;
}

}  // namespace bayesd::storage_internal

// A thin RAII layer over one sqlite3 connection: open/close, Status-mapped errors and a cache of prepared
// statements. Internal to src/storage; nothing outside the storage layer includes SQLite.
//
// Thread safety: none. A SqliteDb and the Statements it hands out are used by one thread at a time (SqliteStorage
// gives the write connection to its writer thread and guards the read connection with a mutex).
#ifndef BAYESD_SRC_STORAGE_SQLITE_DB_H_
#define BAYESD_SRC_STORAGE_SQLITE_DB_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "src/common/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace bayesd::storage_internal {

// Maps a SQLite result code to a Status: SQLITE_BUSY/LOCKED -> kUnavailable (another process holds the database;
// retrying can succeed), SQLITE_CONSTRAINT_UNIQUE/PRIMARYKEY -> kAlreadyExists, everything else -> kInternal.
// `context` says what was being done ("insert study"); `detail` is sqlite3_errmsg.
Status SqliteError(int extended_code, std::string_view context, std::string_view detail);

// A cached prepared statement borrowed from a SqliteDb. Binding indexes are 1-based, column indexes 0-based (as in
// the SQLite C API). The destructor resets the statement and clears its bindings so the cache can hand it out again.
// Bind errors are remembered and reported by the next Step/Run, so call sites bind without checking each call.
class Statement {
 public:
  Statement(sqlite3_stmt* stmt, sqlite3* db) : stmt_(stmt), db_(db) {}
  Statement(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;
  ~Statement();

  void BindInt64(int index, int64_t value);
  void BindDouble(int index, double value);
  void BindOptionalDouble(int index, const std::optional<double>& value);
  void BindText(int index, std::string_view value);  // copied by SQLite; embedded NULs are preserved

  // Advances: true when a row is available, false when done.
  StatusOr<bool> Step();
  // Steps to completion, for statements that return no rows.
  Status Run();

  bool ColumnIsNull(int column) const;
  int64_t ColumnInt64(int column) const;
  double ColumnDouble(int column) const;
  std::string ColumnText(int column) const;  // by byte length: embedded NULs survive
  std::optional<double> ColumnOptionalDouble(int column) const;

 private:
  void NoteBind(int rc);

  sqlite3_stmt* stmt_;
  sqlite3* db_;
  int bind_error_ = 0;  // first failing sqlite3_bind_* result code, 0 when all succeeded
};

class SqliteDb {
 public:
  // Opens (creating when absent) the database at `path`; ":memory:" is a private in-memory database.
  // Sets busy_timeout and foreign_keys=ON. Journal mode and synchronous level are the caller's business.
  static StatusOr<std::unique_ptr<SqliteDb>> Open(const std::string& path, int busy_timeout_ms);

  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;
  ~SqliteDb();  // finalizes every cached statement, then closes

  // Runs SQL text that binds no values (DDL, PRAGMA, BEGIN/COMMIT). May hold several statements.
  Status Exec(const char* sql, std::string_view context);

  // Prepare(sql) and Run() in one: for fixed SQL such as SAVEPOINT or COMMIT that runs often.
  Status RunCached(const char* sql);

  // A prepared statement for `sql`, compiled on first use and cached by its text. `sql` must bind values through
  // `?` parameters, never by concatenation.
  StatusOr<Statement> Prepare(const char* sql);

  // Status for the connection's most recent error.
  Status LastError(std::string_view context) const;

  // True while a transaction is open. SQLite rolls a transaction back by itself after some errors (SQLITE_FULL,
  // SQLITE_IOERR, SQLITE_NOMEM...); callers in a transaction check this after a failure.
  bool InTransaction() const;
  // Rows changed by the most recent INSERT/UPDATE/DELETE.
  int64_t Changes() const;

 private:
  explicit SqliteDb(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;  // by SQL text
};

}  // namespace bayesd::storage_internal

#endif  // BAYESD_SRC_STORAGE_SQLITE_DB_H_

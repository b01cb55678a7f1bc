#include "src/storage/open_storage.h"

#include <string_view>

#include "src/storage/memory_storage.h"

namespace bayesd {

StatusOr<std::unique_ptr<Storage>> OpenStorage(const std::string& uri) {
  return OpenStorage(uri, SqliteStorageOptions());
}

StatusOr<std::unique_ptr<Storage>> OpenStorage(const std::string& uri, const SqliteStorageOptions& sqlite) {
  constexpr std::string_view kSqlitePrefix = "sqlite:";
  if (uri.empty()) {
    return InvalidArgument("storage URI must not be empty (\"memory:\", \":memory:\" or a file path)");
  }
  if (uri == "memory:") return std::unique_ptr<Storage>(std::make_unique<MemoryStorage>());
  SqliteStorageOptions options = sqlite;
  options.path = std::string_view(uri).starts_with(kSqlitePrefix) ? uri.substr(kSqlitePrefix.size()) : uri;
  if (options.path.empty()) return InvalidArgument("storage URI \"" + uri + "\" names no file");
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteStorage> storage, SqliteStorage::Open(options));
  return std::unique_ptr<Storage>(std::move(storage));
}

}  // namespace bayesd

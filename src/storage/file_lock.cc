#include "src/storage/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace bayesd::storage_internal {

StatusOr<std::unique_ptr<FileLock>> FileLock::Acquire(const std::string& database_path) {
  const std::string path = database_path + ".lock";
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Internal("cannot create lock file " + path + ": " + std::strerror(errno));
  // flock locks belong to the open file description, so a second open of the same file in this process conflicts
  // too (unlike the POSIX record locks SQLite uses).
  while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    int error = errno;
    close(fd);
    if (error == EWOULDBLOCK) {
      return FailedPrecondition("database " + database_path +
                                " is already open in another bayesd (it holds " + path + ")");
    }
    return Internal("cannot lock " + path + ": " + std::strerror(error));
  }
  return std::unique_ptr<FileLock>(new FileLock(fd));
}

FileLock::~FileLock() { close(fd_); }

}  // namespace bayesd::storage_internal

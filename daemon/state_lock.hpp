#pragma once
// An flock on the state directory itself for the life of the process: two
// daemons on one journal would each take the other's in-flight rows for
// interrupted ones and send them again. A lock file could be deleted from
// under a running daemon (and was: a second one then shared the journal);
// the directory that holds the journal cannot be, while it holds it.
// Not copyable.

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fmt/format.h>

namespace herald {

class state_lock {
 public:
  state_lock() = default;
  state_lock(const state_lock&) = delete;
  state_lock& operator=(const state_lock&) = delete;
  ~state_lock() {
    if (fd_ >= 0) ::close(fd_);
  }
  /// "" or why the lock could not be taken.
  std::string take(const std::filesystem::path& dir) {
    fd_ = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd_ < 0) return fmt::format("cannot open the state directory {}: {}", dir.string(), std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) return {};
    if (errno == EWOULDBLOCK)
      return fmt::format("another herald is running with the state directory {} (it holds a lock on it)", dir.string());
    return fmt::format("cannot lock the state directory {}: {}", dir.string(), std::strerror(errno));
  }

 private:
  int fd_ = -1;
};

}  // namespace herald

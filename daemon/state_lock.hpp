#pragma once
// An flock on state_dir/herald.lock for the life of the process: two
// daemons on one journal would each take the other's in-flight rows for
// interrupted ones and send them again. Not copyable.

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
    auto path = dir / "herald.lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) return fmt::format("cannot open {}: {}", path.string(), std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) return {};
    if (errno == EWOULDBLOCK)
      return fmt::format("another herald is running with the state directory {} (it holds {})", dir.string(),
                         path.string());
    return fmt::format("cannot lock {}: {}", path.string(), std::strerror(errno));
  }

 private:
  int fd_ = -1;
};

}  // namespace herald

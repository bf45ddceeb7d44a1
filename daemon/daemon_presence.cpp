// A shared lock tried without waiting fails at once against the daemon's
// exclusive one, and does not touch it. When no daemon holds the file, the
// try takes the shared lock for the few microseconds until it is released:
// a daemon starting in exactly that instant would be told another runs,
// and systemd would start it again — a window small enough to accept for a
// look that needs no privilege beyond reading the file.
#include "daemon/daemon_presence.hpp"

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

namespace herald {
namespace {

// The pid holding an flock on the file with `st`, from lines such as
// "1: FLOCK  ADVISORY  WRITE 4242 fd:01:1234567 0 EOF" (major and minor in hex).
std::optional<int> holder_of(const struct stat& st) {
  std::ifstream locks("/proc/locks");
  for (std::string line; std::getline(locks, line);) {
    std::istringstream fields(line);
    std::string number, kind, advisory, mode, device;
    int pid = 0;
    if (!(fields >> number >> kind >> advisory >> mode >> pid >> device) || kind != "FLOCK") continue;
    unsigned major_number = 0, minor_number = 0;
    unsigned long long inode = 0;
    if (std::sscanf(device.c_str(), "%x:%x:%llu", &major_number, &minor_number, &inode) != 3) continue;
    if (inode == st.st_ino && major_number == major(st.st_dev) && minor_number == minor(st.st_dev)) return pid;
  }
  return std::nullopt;
}

}  // namespace

daemon_presence daemon_on(const std::filesystem::path& state_dir) {
  int fd = ::open(state_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return {};  // never made: no daemon has run here
  daemon_presence presence;
  if (::flock(fd, LOCK_SH | LOCK_NB) == 0) {
    ::flock(fd, LOCK_UN);
  } else if (errno == EWOULDBLOCK) {
    presence.running = true;
    struct stat st {};
    if (::fstat(fd, &st) == 0) presence.pid = holder_of(st);
  }
  ::close(fd);
  return presence;
}

}  // namespace herald

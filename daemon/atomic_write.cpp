#include "daemon/atomic_write.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace herald {

result<void> write_atomically(const std::filesystem::path& path, const std::string& bytes,
                              write_durability durability) {
  auto temp = path;
  temp += ".tmp";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return failure{fmt::format("cannot write {}: {}", temp.string(), std::strerror(errno))};
  std::size_t done = 0;
  while (done < bytes.size()) {
    auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  bool ok = done == bytes.size() && (durability == write_durability::unsynced || ::fsync(fd) == 0);
  auto error = errno;
  ::close(fd);
  if (!ok || ::rename(temp.c_str(), path.c_str()) != 0) {
    if (ok) error = errno;
    ::unlink(temp.c_str());
    return failure{fmt::format("cannot write {}: {}", path.string(), std::strerror(error))};
  }
  return {};
}

}  // namespace herald

// Bytes kept out of the process for a while (daemon/spilled_block.hpp).
#include "daemon/spilled_block.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <utility>

#include <fmt/format.h>

namespace herald {
namespace {

// A file of `dir` that has no name: O_TMPFILE where the file system has
// it, else a name of this process's own, unlinked at once. -1 if neither.
int unnamed_file(const std::filesystem::path& dir, spill_files tries) {
  if (tries == spill_files::unnamed_then_named) {
    int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0) return fd;
  }
  static std::atomic<unsigned> count{0};
  auto path = dir / fmt::format(".herald-spill-{}-{}", ::getpid(), count++);
  int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) ::unlink(path.c_str());
  return fd;
}

bool write_all(int fd, const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

spilled_block spilled_block::kept(std::string bytes) {
  spilled_block block;
  block.size_ = bytes.size();
  block.bytes_ = std::move(bytes);
  return block;
}

spilled_block spilled_block::spill(std::string bytes, const std::filesystem::path& dir, spill_files tries) {
  int fd = bytes.empty() ? -1 : unnamed_file(dir, tries);
  if (fd < 0) return kept(std::move(bytes));
  if (!write_all(fd, bytes)) {  // a full disk: the bytes stay in memory
    ::close(fd);
    return kept(std::move(bytes));
  }
  spilled_block block;
  block.fd_ = fd;
  block.size_ = bytes.size();
  return block;
}

spilled_block::spilled_block(spilled_block&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), size_(std::exchange(other.size_, 0)), bytes_(std::move(other.bytes_)) {}

spilled_block& spilled_block::operator=(spilled_block&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    size_ = std::exchange(other.size_, 0);
    bytes_ = std::move(other.bytes_);
    std::string().swap(other.bytes_);
  }
  return *this;
}

spilled_block::~spilled_block() {
  if (fd_ >= 0) ::close(fd_);
}

std::size_t spilled_block::read(std::size_t offset, std::span<char> buffer) const {
  if (offset >= size_) return 0;
  auto wanted = std::min(buffer.size(), size_ - offset);
  if (fd_ < 0) return bytes_.copy(buffer.data(), wanted, offset);
  for (;;) {
    auto n = ::pread(fd_, buffer.data(), wanted, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    return n < 0 ? 0 : static_cast<std::size_t>(n);
  }
}

}  // namespace herald

#include "text/piecewise_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

namespace herald {
namespace {

constexpr std::size_t piece_bytes = std::size_t{64} << 10;

// pread until `size` bytes or the end; -1 on an error.
ssize_t read_at(int fd, char* into, std::size_t size, std::size_t offset) {
  std::size_t done = 0;
  while (done < size) {
    auto n = ::pread(fd, into + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  return static_cast<ssize_t>(done);
}

// The bytes [0, size) of an open file, a piece at a time, for an istream.
class file_reader : public std::streambuf {
 public:
  file_reader(int fd, std::size_t size) : fd_(fd), size_(size), buffer_(piece_bytes, '\0') {}

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    auto want = std::min(buffer_.size(), size_ - offset_);
    auto n = want == 0 ? 0 : read_at(fd_, buffer_.data(), want, offset_);
    if (n <= 0) return traits_type::eof();
    offset_ += static_cast<std::size_t>(n);
    setg(buffer_.data(), buffer_.data(), buffer_.data() + n);
    return traits_type::to_int_type(*gptr());
  }

 private:
  int fd_;
  std::size_t size_, offset_ = 0;
  std::string buffer_;
};

}  // namespace

result<piecewise_file> piecewise_file::open(const std::string& path, std::size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  auto cannot_read = [&] { return failure{fmt::format("cannot read '{}': {}", path, std::strerror(errno))}; };
  if (fd < 0) return cannot_read();
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    if (S_ISDIR(st.st_mode)) errno = EISDIR;
    auto failed = cannot_read();
    ::close(fd);
    return failed;
  }
  auto size = static_cast<std::size_t>(st.st_size);
  if (size > max_bytes) {
    ::close(fd);
    return failure{fmt::format("'{}' is too large ({} MiB; the limit is {} MiB)", path, size >> 20, max_bytes >> 20)};
  }
  // Address space for the whole file; a page costs memory once written.
  auto mapped = std::max<std::size_t>(size, 1);
  void* data = ::mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (data == MAP_FAILED) {
    auto failed = cannot_read();
    ::close(fd);
    return failed;
  }
  return piecewise_file(fd, static_cast<char*>(data), size, mapped);
}

piecewise_file::piecewise_file(int fd, char* data, std::size_t size, std::size_t mapped)
    : fd_(fd), data_(data), size_(size), mapped_(mapped) {}

piecewise_file::piecewise_file(piecewise_file&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      data_(std::exchange(other.data_, nullptr)),
      size_(other.size_),
      mapped_(other.mapped_),
      read_(other.read_),
      hash_(other.hash_),
      failed_(other.failed_) {}

piecewise_file::~piecewise_file() {
  if (data_) ::munmap(data_, mapped_);
  if (fd_ >= 0) ::close(fd_);
}

bool piecewise_file::read_through(std::size_t offset) {
  offset = std::min(offset, size_);
  while (!failed_ && read_ < offset) {
    auto want = std::min(std::max(piece_bytes, offset - read_), size_ - read_);
    auto n = read_at(fd_, data_ + read_, want, read_);
    if (n < static_cast<ssize_t>(want)) {
      failed_ = true;
      break;
    }
    for (auto i = read_; i < read_ + want; ++i)
      hash_ = (hash_ ^ static_cast<unsigned char>(data_[i])) * 1099511628211ull;
    read_ += want;
  }
  return !failed_;
}

std::unique_ptr<std::streambuf> piecewise_file::reader() const { return std::make_unique<file_reader>(fd_, size_); }

}  // namespace herald

#include "support/notify_socket.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <system_error>

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace herald::test {
namespace {

std::vector<std::string_view> lines_of(std::string_view datagram) {
  std::vector<std::string_view> lines;
  while (!datagram.empty()) {
    auto end = datagram.find('\n');
    lines.push_back(datagram.substr(0, end));
    if (end == std::string_view::npos) break;
    datagram.remove_prefix(end + 1);
  }
  return lines;
}

}  // namespace

notify_socket::notify_socket(std::filesystem::path path) : path_(std::move(path)) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  auto text = path_.string();
  if (text.size() >= sizeof(address.sun_path))
    throw std::system_error(ENAMETOOLONG, std::generic_category(), "notify socket path " + text);
  std::memcpy(address.sun_path, text.c_str(), text.size() + 1);
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "socket(AF_UNIX, SOCK_DGRAM)");
  if (::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) < 0) {
    int error = errno;
    ::close(fd_);
    throw std::system_error(error, std::generic_category(), "bind " + text);
  }
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC);
  if (stop_fd_ < 0) {
    int error = errno;
    ::close(fd_);
    throw std::system_error(error, std::generic_category(), "eventfd");
  }
  reader_ = std::thread([this] { read_loop(); });
}

notify_socket::~notify_socket() {
  std::uint64_t one = 1;
  [[maybe_unused]] auto written = ::write(stop_fd_, &one, sizeof(one));
  reader_.join();
  ::close(stop_fd_);
  ::close(fd_);
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
}

void notify_socket::drain_locked() {
  for (;;) {
    char buffer[4096];
    auto got = ::recv(fd_, buffer, sizeof(buffer), MSG_DONTWAIT);
    if (got < 0) return;
    received_.emplace_back(buffer, static_cast<std::size_t>(got));
  }
}

void notify_socket::read_loop() {
  for (;;) {
    pollfd p[2] = {{fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (::poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (p[1].revents != 0) return;
    std::lock_guard lock(mutex_);
    drain_locked();
    arrived_.notify_all();
  }
}

std::optional<std::string> notify_socket::wait_for_datagram(const std::function<bool(std::string_view)>& match,
                                                            std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  std::unique_lock lock(mutex_);
  drain_locked();  // what is queued now counts, whether or not the reader has woken
  for (;;) {
    while (consumed_ < received_.size()) {
      std::string datagram = received_[consumed_++];
      for (auto line : lines_of(datagram))
        if (line.starts_with("STATUS=")) status_ = std::string(line.substr(7));
      if (match(datagram)) return datagram;
    }
    if (!arrived_.wait_until(lock, deadline, [&] { return consumed_ < received_.size(); })) return std::nullopt;
  }
}

std::optional<std::string> notify_socket::wait_for(const std::function<bool(std::string_view)>& match,
                                                   std::chrono::milliseconds limit) {
  return wait_for_datagram(
      [&](std::string_view datagram) {
        auto lines = lines_of(datagram);
        return std::any_of(lines.begin(), lines.end(), match);
      },
      limit);
}

void notify_socket::skip_received() {
  wait_for_datagram([](std::string_view) { return false; }, std::chrono::milliseconds{0});
}

bool notify_socket::wait_for_line(std::string_view line, std::chrono::milliseconds limit) {
  return wait_for([&](std::string_view l) { return l == line; }, limit).has_value();
}

std::optional<std::string> notify_socket::wait_for_prefix(std::string_view prefix, std::chrono::milliseconds limit) {
  std::optional<std::string> line;
  wait_for(
      [&](std::string_view l) {
        if (line || !l.starts_with(prefix)) return false;
        line = std::string(l);
        return true;
      },
      limit);
  return line;
}

std::vector<std::string> notify_socket::history() {
  std::lock_guard lock(mutex_);
  drain_locked();
  return received_;
}

}  // namespace herald::test

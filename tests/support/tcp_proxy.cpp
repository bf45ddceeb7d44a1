#include "support/tcp_proxy.hpp"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <vector>

namespace herald::test {
namespace {

struct link {
  int client = -1, server = -1;
  std::string held;  // the server's bytes not yet given to the client
};

int connect_to(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) return fd;
  if (fd >= 0) ::close(fd);
  return -1;
}

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    auto wrote = ::send(fd, data, size, MSG_NOSIGNAL);
    if (wrote <= 0) return false;
    data += wrote;
    size -= static_cast<std::size_t>(wrote);
  }
  return true;
}

}  // namespace

tcp_proxy::tcp_proxy(int target_port) : target_port_(target_port) {
  listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener_, 16) != 0 || ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    throw std::runtime_error("tcp_proxy: cannot listen");
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { run(); });
}

tcp_proxy::~tcp_proxy() {
  stop_ = true;
  thread_.join();
  ::close(listener_);
}

void tcp_proxy::hold_answers_after(const std::string& pattern) {
  std::lock_guard lock(mutex_);
  pattern_ = pattern;
}

void tcp_proxy::release() { released_ = true; }

void tcp_proxy::run() {
  std::vector<link> links;
  char buffer[65536];
  while (!stop_) {
    std::vector<pollfd> fds{{listener_, POLLIN, 0}};
    for (const auto& l : links) {
      fds.push_back({l.client, POLLIN, 0});
      fds.push_back({l.server, POLLIN, 0});
    }
    ::poll(fds.data(), fds.size(), 20);
    if (released_ && holding_) {
      holding_ = false;
      for (auto& l : links) write_all(l.client, l.held.data(), l.held.size()), l.held.clear();
    }
    auto polled = links.size();  // a link accepted below has no entry in fds yet
    if (fds[0].revents & POLLIN) {
      int client = ::accept(listener_, nullptr, nullptr);
      int server = client >= 0 ? connect_to(target_port_) : -1;
      if (server >= 0)
        links.push_back({client, server, {}});
      else if (client >= 0)
        ::close(client);
    }
    for (std::size_t i = 0; i < polled; ++i) {
      auto& l = links[i];
      bool closed = false;
      if (fds[1 + 2 * i].revents & (POLLIN | POLLHUP | POLLERR)) {
        auto got = ::recv(l.client, buffer, sizeof buffer, 0);
        if (got <= 0) {
          closed = true;
        } else {
          std::string_view chunk(buffer, static_cast<std::size_t>(got));
          {
            std::lock_guard lock(mutex_);
            if (!released_ && !pattern_.empty() && chunk.find(pattern_) != std::string_view::npos) holding_ = true;
          }
          closed = !write_all(l.server, buffer, static_cast<std::size_t>(got));
        }
      }
      if (!closed && fds[2 + 2 * i].revents & (POLLIN | POLLHUP | POLLERR)) {
        auto got = ::recv(l.server, buffer, sizeof buffer, 0);
        if (got <= 0)
          closed = true;
        else if (holding_)
          l.held.append(buffer, static_cast<std::size_t>(got));
        else
          closed = !write_all(l.client, buffer, static_cast<std::size_t>(got));
      }
      if (closed) {
        ::close(l.client);
        ::close(l.server);
        l.client = l.server = -1;
      }
    }
    std::erase_if(links, [](const link& l) { return l.client < 0; });
  }
  for (auto& l : links) ::close(l.client), ::close(l.server);
}

}  // namespace herald::test

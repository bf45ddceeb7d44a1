#pragma once
// The service manager's end of the systemd notify protocol (sd_notify(3)),
// for tests: a unix datagram socket bound at a path, which the test passes
// to the process under test as NOTIFY_SOCKET. libsystemd's sd_notify sends
// one datagram per call, newline-separated assignments ("READY=1\nSTATUS=…").
//
// Reading is in order: wait_for() consumes datagrams until one holds a
// line that matches, and returns that datagram; the datagrams before it are
// consumed with it. So two calls in a row check that the
// second message came after the first. Every datagram received is kept in
// history(), and the latest STATUS= consumed is status().
//
// Used from one thread. Not copyable.

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace herald::test {

class notify_socket {
 public:
  /// Binds a datagram socket at `path` (which must not exist; at most 107
  /// bytes). Throws std::system_error when it cannot.
  explicit notify_socket(std::filesystem::path path);
  ~notify_socket();
  notify_socket(const notify_socket&) = delete;
  notify_socket& operator=(const notify_socket&) = delete;

  const std::filesystem::path& path() const { return path_; }

  /// Consumes datagrams until a line satisfies `match`; returns the whole
  /// datagram holding it, or nullopt when `limit` passes first.
  std::optional<std::string> wait_for(const std::function<bool(std::string_view line)>& match,
                                      std::chrono::milliseconds limit = std::chrono::seconds{10});
  /// Consumes datagrams until one satisfies `match` (its whole text);
  /// returns it, or nullopt when `limit` passes first.
  std::optional<std::string> wait_for_datagram(const std::function<bool(std::string_view datagram)>& match,
                                               std::chrono::milliseconds limit = std::chrono::seconds{10});
  /// Consumes every datagram received so far, so later waits see only what
  /// comes after this call.
  void skip_received();
  /// wait_for a line equal to `line` ("READY=1").
  bool wait_for_line(std::string_view line, std::chrono::milliseconds limit = std::chrono::seconds{10});
  /// wait_for a line starting with `prefix` ("STATUS="); returns the line.
  std::optional<std::string> wait_for_prefix(std::string_view prefix,
                                             std::chrono::milliseconds limit = std::chrono::seconds{10});

  /// The value of the latest STATUS= line consumed so far ("" when none).
  const std::string& status() const { return status_; }
  /// Every datagram received so far, consumed or not, in arrival order.
  std::vector<std::string> history();

 private:
  bool receive(std::chrono::milliseconds limit);  // one datagram into pending_; false on timeout
  void drain();                                   // every datagram already queued, without waiting

  std::filesystem::path path_;
  int fd_ = -1;
  std::vector<std::string> received_;
  std::size_t consumed_ = 0;  // datagrams of received_ consumed by wait_for
  std::string status_;
};

}  // namespace herald::test

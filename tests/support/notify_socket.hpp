#pragma once
// The service manager's end of the systemd notify protocol (sd_notify(3)),
// for tests: a unix datagram socket bound at a path, which the test passes
// to the process under test as NOTIFY_SOCKET. libsystemd's sd_notify sends
// one datagram per call, newline-separated assignments ("READY=1\nSTATUS=…").
//
// A thread reads the socket all the time, as systemd does: a sender is
// never held up by a full queue (a unix datagram socket queues only
// net.unix.max_dgram_qlen datagrams, often 10, and sd_notify then blocks).
//
// Reading is in order: wait_for() consumes datagrams until one holds a
// line that matches, and returns that datagram; the datagrams before it are
// consumed with it. So two calls in a row check that the
// second message came after the first. Every datagram received is kept in
// history(), and the latest STATUS= consumed is status().
//
// The waits are used from one thread (the test's). Not copyable.

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "support/hang_limit.hpp"

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
                                      std::chrono::milliseconds limit = hang_limit);
  /// Consumes datagrams until one satisfies `match` (its whole text);
  /// returns it, or nullopt when `limit` passes first.
  std::optional<std::string> wait_for_datagram(const std::function<bool(std::string_view datagram)>& match,
                                               std::chrono::milliseconds limit = hang_limit);
  /// Consumes every datagram received so far, so later waits see only what
  /// comes after this call.
  void skip_received();
  /// wait_for a line equal to `line` ("READY=1").
  bool wait_for_line(std::string_view line, std::chrono::milliseconds limit = hang_limit);
  /// wait_for a line starting with `prefix` ("STATUS="); returns the line.
  std::optional<std::string> wait_for_prefix(std::string_view prefix, std::chrono::milliseconds limit = hang_limit);

  /// The value of the latest STATUS= line consumed so far ("" when none).
  const std::string& status() const { return status_; }
  /// Every datagram received so far, consumed or not, in arrival order,
  /// including every one queued on the socket when it is called: a
  /// datagram sd_notify has sent by then is in it.
  std::vector<std::string> history();

 private:
  void read_loop();     // the reader thread: drains the socket until stop_fd_ is readable
  void drain_locked();  // every datagram queued now into received_; REQUIRES: mutex_ held

  std::filesystem::path path_;
  int fd_ = -1;
  int stop_fd_ = -1;  // an eventfd: written once to stop the reader
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<std::string> received_;  // guarded by mutex_
  std::thread reader_;
  std::size_t consumed_ = 0;  // datagrams of received_ consumed by the waits (test thread only)
  std::string status_;        // test thread only
};

}  // namespace herald::test

#pragma once
// The status endpoint kept listening (docs/daemon.md "The status
// endpoint"): a port another process holds, or an address the machine does
// not have yet (herald started before the network gave it), must not stop
// the daemon that sends posts. status_listener starts a status_server on
// `http.listen`; when it cannot listen, it logs why once, says so through
// problem() (the daemon is degraded: daemon/health.hpp), and tries again
// after 1 s, then each wait twice the last up to 30 s, and at once when
// asked (a reload). After start(), `changed` is called whenever problem()
// changes: it listens at last, or a try failed for another reason.
//
// Thread-safety: none; the io_context's thread, as status_server.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "daemon/env.hpp"
#include "daemon/status_server.hpp"

namespace herald {

class status_listener {
 public:
  static constexpr std::chrono::milliseconds first_retry{1'000};
  static constexpr std::chrono::milliseconds longest_retry{30'000};

  /// REQUIRES: `io`, `environment` and `log` outlive the listener.
  status_listener(boost::asio::io_context& io, env& environment, logger& log, std::string listen, http_routes routes,
                  std::function<void()> changed);
  ~status_listener();
  status_listener(const status_listener&) = delete;
  status_listener& operator=(const status_listener&) = delete;

  /// The first try; does not call `changed` (the caller reads problem()).
  void start();
  /// Not listening: tries again now (a reload), calling `changed` when it
  /// listens.
  void try_again();
  /// Stops listening and trying; safe to call more than once.
  void stop();

  /// Why it does not listen ("cannot listen on 127.0.0.1:8470: Address
  /// already in use"), or none while it listens.
  const std::optional<std::string>& problem() const { return problem_; }
  /// The port listened on; 0 while it does not.
  unsigned short port() const;

 private:
  bool try_once();
  void retry_later();

  boost::asio::io_context& io_;
  env& env_;
  logger& log_;
  std::string listen_;
  http_routes routes_;
  std::function<void()> changed_;
  std::optional<status_server> server_;
  std::optional<std::string> problem_;
  std::unique_ptr<steady_timer> retry_;
  std::chrono::milliseconds wait_{0};  // the latest wait between tries; zero while listening
  bool stopped_ = false;
};

}  // namespace herald

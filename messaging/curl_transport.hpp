#pragma once
// Delivers built requests with libcurl's multi interface, driven by Asio
// socket readiness (CURLMOPT_SOCKETFUNCTION / CURLMOPT_TIMERFUNCTION, the
// shape of curl's asiohiper.cpp): one thread, many posts in flight,
// connections reused per host, TLS verification always on, a timeout per
// request.
//
// Owns its curl handles; runs on the io_context it is given and must only be
// used from that context's thread. Not copyable. Destroying it cancels what
// is in flight without calling their handlers.

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <date/date.h>

#include "messaging/delivery_outcome.hpp"
#include "messaging/wire.hpp"

namespace boost::asio {
class io_context;
}

namespace herald {

class curl_transport {
 public:
  struct options {
    std::chrono::seconds timeout{10};
    std::string ca_file;                     ///< extra CA bundle (tests); empty: the system's
    std::function<date::sys_seconds()> now;  ///< for Retry-After dates; default: system clock
  };
  using handler = std::function<void(delivery_outcome)>;

  curl_transport(boost::asio::io_context& io, options opts);
  ~curl_transport();
  curl_transport(const curl_transport&) = delete;
  curl_transport& operator=(const curl_transport&) = delete;

  /// Starts a POST; `done` runs on the io_context when it ends.
  void send(http_request request, handler done);
  /// Starts an SMTP submission; `done` runs on the io_context when it ends.
  void send(smtp_submission submission, handler done);

  /// Posts and submissions not yet ended: in curl, or waiting for a
  /// connection to their host (at most 8 per host are in curl at once).
  std::size_t in_flight() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace herald

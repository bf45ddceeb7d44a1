#pragma once
// A real HTTP/1.1 server on 127.0.0.1 (an ephemeral port) for the transport
// tests: Beast on its own thread and io_context, so the code under test can
// run its own loop on the test's thread.
//
// It records every request (method, target, headers in order, body, and the
// number of the TCP connection it came on, to check keep-alive) and answers
// from a script: each respond() answers the next request in arrival order,
// then `fallback` (200 "ok") answers the rest. An answer may wait first or
// close the connection without a word.
//
// Thread-safe: the test thread scripts and reads while the server thread
// serves. Destroying it stops the thread and drops every connection.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/hang_limit.hpp"

namespace herald::test {

class http_test_server {
 public:
  struct request {
    std::string method;
    std::string target;
    std::vector<std::pair<std::string, std::string>> headers;  ///< as received, in order
    std::string body;
    int connection = 0;  ///< 1 for the first TCP connection accepted, 2 for the next…

    /// The value of the first header called `name` (any case); "" when absent.
    std::string header(std::string_view name) const;
    bool has_header(std::string_view name) const;
  };

  struct response {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body = "ok";
    std::chrono::milliseconds delay{0};  ///< wait this long before answering
    bool close_without_answer = false;   ///< read the request, then close the connection
  };

  http_test_server();
  ~http_test_server();
  http_test_server(const http_test_server&) = delete;
  http_test_server& operator=(const http_test_server&) = delete;

  unsigned short port() const;
  /// "http://127.0.0.1:PORT" + `target`.
  std::string url(std::string_view target = "/") const;

  /// Scripts the answer to the next request not yet answered.
  void respond(response answer);
  /// The answer once the script is used up.
  void set_fallback(response answer);

  /// Waits until `count` requests have arrived; false when `limit` passes first.
  bool wait_for_requests(std::size_t count, std::chrono::milliseconds limit = hang_limit) const;
  std::vector<request> requests() const;
  /// TCP connections accepted so far.
  int connections() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace herald::test

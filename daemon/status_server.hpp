#pragma once
// The daemon's optional status endpoint (docs/daemon.md "The status
// endpoint", `http: { listen: … }`): a small HTTP/1.1 server on the
// daemon's io_context. What each path answers comes from a routes callback
// (the daemon's are in daemon_loop.cpp); the server does the HTTP:
//
//   GET           the route's answer; 404 when there is none
//   HEAD          likewise, without the body
//   ETag          a route's answer with an etag is sent with `ETag` and
//                 `Cache-Control: no-cache`, and a request whose
//                 If-None-Match names it gets 304 without a body; every
//                 other answer carries `Cache-Control: no-store`
//   other methods 405 with `Allow: GET, HEAD`
//
// status_json_routes() gives the first endpoint's two paths:
//   /status   200 application/json: the document of `herald status
//             --format json`, made afresh by the `status_json` callback;
//             503 when the callback returns "" (it could not make one,
//             and has logged why)
//   /healthz  200 text/plain "ok\n": the daemon's loop is answering
//
// The query string is ignored. Requests are small (limits below: 431 or 413
// beyond them, 400 when malformed, and the connection is closed); a client
// that has not sent a whole request within read_timeout of connecting (or
// of the previous answer) is dropped, so an idle or slow client cannot hold
// a connection forever. Keep-alive works. With max_connections open, a new
// client still gets in: the connection that has waited longest for its
// request is closed to make room, so slow clients cannot keep a health
// probe out (docs/daemon.md "The status endpoint"). Only while every
// connection is being answered do new clients wait in the kernel's listen
// queue.
//
// It serves what the routes return and nothing else: no secret can reach
// it unless a route puts one there (the status report holds none).
//
// Thread-safety: none. Everything runs on the io_context's one thread, and
// start(), stop() and the destructor are called on it (or while it does not
// run); the routes are called there too, so they may read the daemon's state.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace herald {

class logger;

/// What a GET of one path answers.
struct http_resource {
  unsigned status = 200;
  std::string content_type;
  std::string body;
  std::string etag;  ///< quoted (`"1a2b"`), or "" for none
};

/// Makes the answer to a GET; called only for GET and HEAD.
using http_handler = std::function<http_resource()>;
/// The handler for `path` (without the query string), or an empty one: 404.
using http_routes = std::function<http_handler(std::string_view path)>;

/// GET /status from `status_json` ("" → 503) and GET /healthz "ok".
http_routes status_json_routes(std::function<std::string()> status_json);

class status_server {
 public:
  struct limits {
    std::chrono::milliseconds read_timeout{10'000};  ///< for a whole request, and for writing an answer
    std::size_t max_connections = 16;
    std::size_t max_header_bytes = 8192;
    std::size_t max_body_bytes = 8192;
  };

  /// `listen` is "HOST:PORT": an IPv4 address (`127.0.0.1:8470`), an IPv6
  /// one in brackets (`[::1]:8470`) or `localhost` (127.0.0.1). Port 0 takes
  /// a free port (see port()). Nothing happens before start().
  /// REQUIRES: `io` and `log` outlive the status_server; the routes and
  /// what they refer to may go once stop() has been called.
  status_server(boost::asio::io_context& io, std::string listen, http_routes routes, logger& log, limits bounds);
  /// Serves status_json_routes(status_json).
  status_server(boost::asio::io_context& io, std::string listen, std::function<std::string()> status_json, logger& log,
                limits bounds);
  status_server(boost::asio::io_context& io, std::string listen, std::function<std::string()> status_json, logger& log);
  /// Calls stop().
  ~status_server();
  status_server(const status_server&) = delete;
  status_server& operator=(const status_server&) = delete;

  /// Binds, listens, logs one info line ("status endpoint listening on
  /// http://127.0.0.1:8470 …") and begins to accept. Returns "" or what went
  /// wrong: "cannot listen on 127.0.0.1:8470: Address already in use", or
  /// "http.listen 'x': …" for an address it cannot read.
  /// REQUIRES: called once.
  std::string start();

  /// Closes the listening socket and every connection; requests not yet
  /// answered are dropped, and the callback is not called again. What the
  /// server still has queued on the io_context ends at once
  /// (operation_aborted), so run() can return. Safe to call more than once,
  /// and before start().
  void stop();

  /// The port listened on (the one chosen for port 0); 0 before start()
  /// succeeds.
  unsigned short port() const;

 private:
  struct impl;
  std::shared_ptr<impl> impl_;  // shared with the coroutines, which may outlive a stop()
};

}  // namespace herald

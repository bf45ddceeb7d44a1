#pragma once
// The daemon's optional status endpoint (docs/channels.md, `http: { listen: … }`):
// a small HTTP/1.1 server on the daemon's io_context.
//
//   GET /status   200 application/json: the document of `herald status
//                 --format json`, made afresh by the `status_json` callback;
//                 503 when the callback returns "" (it could not make one,
//                 and has logged why)
//   GET /healthz  200 text/plain "ok\n": the daemon's loop is answering
//   HEAD          likewise, without the body
//   other paths   404; other methods 405 with `Allow: GET, HEAD`
//
// The query string is ignored. Requests are small (limits below: 431 or 413
// beyond them, 400 when malformed, and the connection is closed); a client
// that has not sent a whole request within read_timeout of connecting (or
// of the previous answer) is dropped, so an idle or slow client cannot hold
// a connection forever. Keep-alive works. With max_connections open, the
// server accepts no more until one closes: new clients wait in the
// kernel's listen queue.
//
// It serves what the callback returns and nothing else: no secret can reach
// it unless the callback puts one there (the status report holds none).
//
// Thread-safety: none. Everything runs on the io_context's one thread, and
// start(), stop() and the destructor are called on it (or while it does not
// run); the callback is called there too, so it may read the daemon's state.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace herald {

class logger;

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
  /// REQUIRES: `io` and `log` outlive the status_server; `status_json` and
  /// what it refers to may go once stop() has been called.
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

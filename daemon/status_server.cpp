// One coroutine accepts, one coroutine per connection reads a request,
// answers it and loops while the client keeps the connection alive (Asio's
// cpp20 examples; Beast's http_server_async for the HTTP side). answer() is
// pure: the request and the callback in, the response out.
//
// Limits: Beast's request parser enforces the header and body limits, and
// tcp_stream's expiry bounds each read and each write, so a slow or silent
// client costs one slot for at most read_timeout. When every slot is taken,
// a new client still gets in: the connection that has waited longest for
// its request (a silent client, one sending a byte at a time, a kept-alive
// one gone quiet) is closed to make room. So sixteen slow clients cannot
// keep a monitoring probe of /healthz waiting for read_timeout; a probe sends
// its request at once and is answered. Only when every slot is answering
// (each write bounded by read_timeout) does the accept loop wait, on a timer
// used as a condition variable, with new clients in the kernel's backlog.
#include "daemon/status_server.hpp"

#include <cstdint>
#include <list>
#include <optional>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/http/message_generator.hpp>

#include "daemon/logger.hpp"
#include "settings/listen_address.hpp"
#include "text/result.hpp"
#include "text/strings.hpp"

namespace herald {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using request = http::request<http::string_body>;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

constexpr std::string_view text_plain = "text/plain; charset=utf-8";
constexpr std::string_view allowed_methods = "GET, HEAD";

// settings/listen_address.hpp's address as an endpoint, or why not.
result<tcp::endpoint> listen_endpoint(std::string_view listen) {
  auto parsed = parse_listen(listen);
  if (!parsed.ok()) return failure{parsed.error()};
  boost::system::error_code ec;
  auto address = asio::ip::make_address(parsed.value().host, ec);
  if (ec) return failure{fmt::format("http.listen '{}': the host is not an IP address", listen)};
  return tcp::endpoint{address, parsed.value().port};
}

std::string url_of(const tcp::endpoint& endpoint) {
  auto address = endpoint.address();
  return address.is_v6() ? fmt::format("http://[{}]:{}", address.to_string(), endpoint.port())
                         : fmt::format("http://{}:{}", address.to_string(), endpoint.port());
}

// A response with `body` (only its length for HEAD). An answer with an
// ETag may be kept and checked again (no-cache); the others are not kept.
http::message_generator reply(const request& req, http::status status, std::string_view type, std::string body,
                              std::string_view etag = {}) {
  auto fill = [&](auto& res) {
    if (!type.empty()) res.set(http::field::content_type, type);
    res.set(http::field::cache_control, etag.empty() ? "no-store" : "no-cache");
    if (!etag.empty()) res.set(http::field::etag, etag);
    if (status == http::status::method_not_allowed) res.set(http::field::allow, allowed_methods);
    res.keep_alive(req.keep_alive());
  };
  if (req.method() == http::verb::head || status == http::status::not_modified) {
    http::response<http::empty_body> res{status, req.version()};
    fill(res);
    if (status != http::status::not_modified) res.content_length(body.size());
    return http::message_generator(std::move(res));
  }
  http::response<http::string_body> res{status, req.version(), std::move(body)};
  fill(res);
  res.prepare_payload();
  return http::message_generator(std::move(res));
}

// If-None-Match holds `*` or a list of entity tags (RFC 9110 §13.1.2); a
// weak one (W/"…") matches too, as the comparison there is weak.
bool not_modified(const request& req, std::string_view etag) {
  auto header = req[http::field::if_none_match];
  if (etag.empty() || header.empty()) return false;
  if (header.find('*') != std::string_view::npos) return true;
  for (auto at = header.find(etag); at != std::string_view::npos; at = header.find(etag, at + 1)) {
    auto before = at == 0 ? ',' : header[at - 1];
    if (before == ',' || before == ' ' || before == '/') return true;
  }
  return false;
}

http::message_generator answer(const request& req, const http_routes& routes) {
  auto path = req.target().substr(0, req.target().find('?'));
  auto handler = routes(std::string_view(path.data(), path.size()));
  if (!handler) return reply(req, http::status::not_found, text_plain, "not found\n");
  if (req.method() != http::verb::get && req.method() != http::verb::head)
    return reply(req, http::status::method_not_allowed, text_plain, "method not allowed\n");
  auto resource = handler();
  if (not_modified(req, resource.etag)) return reply(req, http::status::not_modified, "", "", resource.etag);
  return reply(req, static_cast<http::status>(resource.status), resource.content_type, std::move(resource.body),
               resource.etag);
}

// The answer to a request that could not be read, or nothing (the client
// went away or was too slow: there is no one to answer).
std::optional<http::response<http::string_body>> refusal(const boost::system::error_code& ec) {
  http::status status;
  if (ec == http::error::header_limit)
    status = http::status::request_header_fields_too_large;
  else if (ec == http::error::body_limit)
    status = http::status::payload_too_large;
  else if (ec.category() == http::make_error_code(http::error::bad_method).category() &&
           ec != http::error::end_of_stream && ec != http::error::partial_message)
    status = http::status::bad_request;
  else
    return std::nullopt;
  std::string body(http::obsolete_reason(status));
  body += '\n';
  http::response<http::string_body> res{status, 11, std::move(body)};
  res.set(http::field::content_type, text_plain);
  res.keep_alive(false);
  res.prepare_payload();
  return res;
}

}  // namespace

http_routes status_json_routes(std::function<std::string()> status_json) {
  auto status = [status_json = std::move(status_json)] {
    auto document = status_json();
    if (document.empty())
      return http_resource{503, std::string(text_plain), "status unavailable: see herald's log\n", {}};
    return http_resource{200, "application/json", std::move(document), {}};
  };
  return [status = std::move(status)](std::string_view path) -> http_handler {
    if (path == "/healthz") return [] { return http_resource{200, std::string(text_plain), "ok\n", {}}; };
    if (path == "/status") return status;
    return {};
  };
}

struct status_server::impl : std::enable_shared_from_this<impl> {
  impl(asio::io_context& io, std::string listen, http_routes routes, logger& log, limits bounds)
      : io(io), listen(std::move(listen)), routes(std::move(routes)), log(log), bounds(bounds) {}

  asio::io_context& io;
  std::string listen;
  http_routes routes;
  logger& log;
  limits bounds;

  // One open connection, owned by its coroutine.
  struct connection {
    beast::tcp_stream* stream;
    std::uint64_t waiting_since = 0;  // when it began to wait for its request (a count); 0: answering
    bool closing = false;             // made room for a new client: its coroutine is ending
  };

  tcp::acceptor acceptor{io};
  unsigned short port = 0;
  bool stopped = false;
  std::uint64_t reads_begun = 0;
  std::list<connection> connections;                                         // open now
  asio::steady_timer slot_freed{io, asio::steady_timer::time_point::max()};  // cancelled when one closes
  asio::steady_timer accept_pause{io};                                       // after a failed accept

  asio::awaitable<void> accept_loop();
  asio::awaitable<void> serve(tcp::socket socket);
  std::size_t open_connections() const;
  std::list<connection>::iterator longest_waiting();
};

// The connections not closing: the ones that count against max_connections.
std::size_t status_server::impl::open_connections() const {
  std::size_t open = 0;
  for (const auto& c : connections) open += c.closing ? 0 : 1;
  return open;
}

// The connection that has waited longest for its request, or end().
std::list<status_server::impl::connection>::iterator status_server::impl::longest_waiting() {
  auto oldest = connections.end();
  for (auto c = connections.begin(); c != connections.end(); ++c)
    if (!c->closing && c->waiting_since != 0 &&
        (oldest == connections.end() || c->waiting_since < oldest->waiting_since))
      oldest = c;
  return oldest;
}

asio::awaitable<void> status_server::impl::accept_loop() {
  auto self = shared_from_this();  // the frame keeps this alive, whatever happens to the status_server
  while (acceptor.is_open()) {
    if (open_connections() >= bounds.max_connections && longest_waiting() == connections.end()) {
      slot_freed.expires_at(asio::steady_timer::time_point::max());
      co_await slot_freed.async_wait(use_tuple);
      continue;
    }
    auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
    if (!acceptor.is_open()) break;
    if (ec) {
      // Out of file descriptors, or the like: say so, and try again in a
      // moment rather than spin.
      log.warning(fmt::format("status endpoint: cannot accept a connection: {}", ec.message()));
      accept_pause.expires_after(std::chrono::seconds{1});
      co_await accept_pause.async_wait(use_tuple);
      continue;
    }
    if (open_connections() >= bounds.max_connections) {
      // Every slot is taken: the client that has waited longest for its
      // request makes room (its read ends at once, and its slot with it).
      if (auto oldest = longest_waiting(); oldest != connections.end()) {
        oldest->closing = true;
        oldest->stream->close();
      }
    }
    asio::co_spawn(io, serve(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> status_server::impl::serve(tcp::socket socket) {
  auto self = shared_from_this();
  beast::tcp_stream stream(std::move(socket));
  auto slot = connections.insert(connections.end(), connection{&stream});
  struct release {
    impl& server;
    std::list<connection>::iterator slot;
    ~release() {
      server.connections.erase(slot);
      server.slot_freed.cancel();
    }
  };
  std::optional<release> held{std::in_place, *this, slot};

  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(bounds.max_header_bytes));
    parser.body_limit(bounds.max_body_bytes);
    stream.expires_after(bounds.read_timeout);
    slot->waiting_since = ++reads_begun;
    auto [read_error, read] = co_await http::async_read(stream, buffer, parser, use_tuple);
    slot->waiting_since = 0;
    if (stopped || slot->closing) break;  // a request read just before stop() is not answered: the callback may be gone
    if (read_error) {
      if (auto res = refusal(read_error)) {
        stream.expires_after(bounds.read_timeout);
        co_await http::async_write(stream, *res, use_tuple);
      }
      break;
    }
    auto message = answer(parser.get(), routes);
    bool keep_alive = message.keep_alive();
    stream.expires_after(bounds.read_timeout);
    auto [write_error, written] = co_await beast::async_write(stream, std::move(message), use_tuple);
    if (write_error || !keep_alive) break;
  }
  // The slot is free before the client sees the connection end.
  held.reset();
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream.close();
}

status_server::status_server(asio::io_context& io, std::string listen, http_routes routes, logger& log, limits bounds)
    : impl_(std::make_shared<impl>(io, std::move(listen), std::move(routes), log, bounds)) {}

status_server::status_server(asio::io_context& io, std::string listen, std::function<std::string()> status_json,
                             logger& log, limits bounds)
    : status_server(io, std::move(listen), status_json_routes(std::move(status_json)), log, bounds) {}

status_server::status_server(asio::io_context& io, std::string listen, std::function<std::string()> status_json,
                             logger& log)
    : status_server(io, std::move(listen), std::move(status_json), log, limits{}) {}

status_server::~status_server() { stop(); }

std::string status_server::start() {
  auto& s = *impl_;
  auto parsed = listen_endpoint(s.listen);
  if (!parsed.ok()) return parsed.error();
  auto endpoint = parsed.value();

  boost::system::error_code ec;
  auto failed = [&] {
    boost::system::error_code ignored;
    s.acceptor.close(ignored);
    return fmt::format("cannot listen on {}: {}", s.listen, ec.message());
  };
  s.acceptor.open(endpoint.protocol(), ec);
  if (ec) return failed();
  // A restarted daemon can listen again while old connections linger in TIME_WAIT.
  s.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (ec) return failed();
  s.acceptor.bind(endpoint, ec);
  if (ec) return failed();
  s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return failed();
  auto bound = s.acceptor.local_endpoint(ec);
  if (ec) return failed();
  s.port = bound.port();

  s.log.info(fmt::format("status endpoint listening on {}/", url_of(bound)));
  asio::co_spawn(s.io, s.accept_loop(), asio::detached);
  return {};
}

void status_server::stop() {
  auto& s = *impl_;
  s.stopped = true;
  boost::system::error_code ignored;
  s.acceptor.close(ignored);
  s.slot_freed.cancel();
  s.accept_pause.cancel();
  for (auto& c : s.connections) c.stream->close();  // their coroutines end, and leave the list
}

unsigned short status_server::port() const { return impl_->port; }

}  // namespace herald

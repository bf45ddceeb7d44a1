// The server side is one coroutine per connection (Asio's cpp20 examples):
// read a request, record it, maybe wait, answer, and loop while the client
// keeps the connection alive.

#include "support/http_test_server.hpp"

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace herald::test {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string http_test_server::request::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (iequals(key, name)) return value;
  return {};
}

bool http_test_server::request::has_header(std::string_view name) const {
  return std::any_of(headers.begin(), headers.end(), [&](const auto& h) { return iequals(h.first, name); });
}

struct http_test_server::impl {
  asio::io_context io;
  tcp::acceptor acceptor{io, tcp::endpoint{asio::ip::make_address("127.0.0.1"), 0}};
  unsigned short port = acceptor.local_endpoint().port();
  std::thread thread;

  mutable std::mutex mutex;
  mutable std::condition_variable arrived;
  std::vector<request> received;
  std::deque<response> script;
  response fallback;
  int accepted = 0;

  asio::awaitable<void> accept_loop();
  asio::awaitable<void> serve(tcp::socket socket, int connection);
  response record(const http::request<http::string_body>& message, int connection);
};

asio::awaitable<void> http_test_server::impl::accept_loop() {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
    if (ec) co_return;
    int connection = 0;
    {
      std::lock_guard lock(mutex);
      connection = ++accepted;
    }
    asio::co_spawn(io, serve(std::move(socket), connection), asio::detached);
  }
}

http_test_server::response http_test_server::impl::record(const http::request<http::string_body>& message,
                                                          int connection) {
  request r;
  r.method = std::string(message.method_string());
  r.target = std::string(message.target());
  for (const auto& field : message) r.headers.emplace_back(field.name_string(), field.value());
  r.body = message.body();
  r.connection = connection;
  std::lock_guard lock(mutex);
  received.push_back(std::move(r));
  arrived.notify_all();
  if (script.empty()) return fallback;
  auto answer = std::move(script.front());
  script.pop_front();
  return answer;
}

asio::awaitable<void> http_test_server::impl::serve(tcp::socket socket, int connection) {
  boost::beast::flat_buffer buffer;
  for (;;) {
    http::request<http::string_body> message;
    auto [read_error, read_bytes] = co_await http::async_read(socket, buffer, message, use_tuple);
    if (read_error) co_return;
    auto answer = record(message, connection);
    if (answer.delay.count() > 0) {
      asio::steady_timer wait(io, answer.delay);
      co_await wait.async_wait(use_tuple);
    }
    if (answer.close_without_answer) co_return;  // the socket closes with the frame

    http::response<http::string_body> reply{static_cast<http::status>(answer.status), message.version()};
    for (const auto& [name, value] : answer.headers) reply.set(name, value);
    reply.body() = answer.body;
    reply.keep_alive(message.keep_alive());
    reply.prepare_payload();
    auto [write_error, written] = co_await http::async_write(socket, reply, use_tuple);
    if (write_error || !reply.keep_alive()) co_return;
  }
}

http_test_server::http_test_server() : impl_(std::make_unique<impl>()) {
  asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

http_test_server::~http_test_server() {
  impl_->io.stop();
  impl_->thread.join();
}

unsigned short http_test_server::port() const { return impl_->port; }

std::string http_test_server::url(std::string_view target) const {
  return "http://127.0.0.1:" + std::to_string(port()) + std::string(target);
}

void http_test_server::respond(response answer) {
  std::lock_guard lock(impl_->mutex);
  impl_->script.push_back(std::move(answer));
}

void http_test_server::set_fallback(response answer) {
  std::lock_guard lock(impl_->mutex);
  impl_->fallback = std::move(answer);
}

bool http_test_server::wait_for_requests(std::size_t count, std::chrono::milliseconds limit) const {
  std::unique_lock lock(impl_->mutex);
  return impl_->arrived.wait_for(lock, limit, [&] { return impl_->received.size() >= count; });
}

std::vector<http_test_server::request> http_test_server::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->received;
}

int http_test_server::connections() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->accepted;
}

}  // namespace herald::test

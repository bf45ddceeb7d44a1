// The status endpoint over real TCP on 127.0.0.1 (an ephemeral port). The
// server and a small client (raw requests written by hand, answers read by
// Beast's parser) run as coroutines on one io_context on the test's thread,
// as the server runs on the daemon's: no threads, no sleeps. Each test ends
// by stopping the server and requires that the io_context then runs out of
// work, so stop() leaves nothing behind; a deadline bounds every test.
#include "daemon/status_server.hpp"

#include <chrono>
#include <exception>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <date/date.h>
#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "daemon/logger.hpp"
#include "daemon/status_report.hpp"
#include "journal/sqlite_journal.hpp"
#include "settings/calendar_sources.hpp"
#include "support/temp_dir.hpp"
#include "test_support.hpp"

namespace herald {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using asio::ip::tcp;
using namespace std::chrono_literals;
using response = http::response<http::string_body>;

// One client connection.
struct client {
  tcp::socket socket;
  beast::flat_buffer buffer;

  static asio::awaitable<client> connect(unsigned short port,
                                         asio::ip::address address = asio::ip::address_v4::loopback()) {
    tcp::socket socket(co_await asio::this_coro::executor);
    co_await socket.async_connect({address, port}, asio::use_awaitable);
    co_return client{std::move(socket), {}};
  }

  asio::awaitable<void> send(std::string bytes) {
    co_await asio::async_write(socket, asio::buffer(bytes), asio::use_awaitable);
  }

  /// The next answer; for the answer to a HEAD request, `head`.
  asio::awaitable<response> receive(bool head = false) {
    http::response_parser<http::string_body> parser;
    parser.skip(head);
    co_await http::async_read(socket, buffer, parser, asio::use_awaitable);
    co_return parser.release();
  }

  asio::awaitable<response> request(std::string_view method, std::string_view target) {
    co_await send(std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
    co_return co_await receive(method == "HEAD");
  }

  /// Reads until the server ends the connection; its error (eof: closed
  /// cleanly). Bytes that arrive first fail the test.
  asio::awaitable<boost::system::error_code> end() {
    char byte;
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(&byte, 1), asio::as_tuple(asio::use_awaitable));
    CHECK(n == 0);
    co_return ec;
  }
};

// A server on 127.0.0.1:0 whose callback returns `document` and counts its
// calls; the log has journal prefixes, so its lines are exact.
struct fixture {
  asio::io_context io;
  std::ostringstream log_text;
  logger log{log_text, true};
  int calls = 0;
  std::string document = "{\"now\": \"2027-06-22T12:00:00Z\", \"next\": []}\n";
  std::optional<status_server> server;

  explicit fixture(status_server::limits limits = {}, std::string listen = "127.0.0.1:0") {
    server.emplace(
        io, std::move(listen),
        [this] {
          ++calls;
          return document;
        },
        log, limits);
  }

  void start() {
    auto problem = server->start();
    INFO(problem);
    REQUIRE(problem.empty());
    REQUIRE(server->port() != 0);
  }

  // Runs `test` as a client coroutine, then stops the server; requires
  // that the test finished and that the io_context ran out of work.
  template <class Test>
  void run(Test test) {
    std::exception_ptr failure;
    bool done = false;
    asio::co_spawn(io, test(), [&](std::exception_ptr e) {
      failure = e;
      done = true;
      server->stop();
    });
    io.run_for(20s);  // returns as soon as the work is done; 20 s is the deadline
    REQUIRE(done);
    if (failure) std::rethrow_exception(failure);
    CHECK(io.stopped());  // stop() left no work behind
  }
};

TEST_CASE("status_server: GET /status answers the callback's document, made afresh for each request",
          "[status_server]") {
  // Given a started server, then GETs on one kept-alive connection each
  // call the callback once and answer 200 with its document as JSON, or
  // 503 when it returns "".
  fixture f;
  f.start();
  CHECK(f.log_text.str() == fmt::format("<6>status endpoint listening on http://127.0.0.1:{}/\n", f.server->port()));
  f.run([&]() -> asio::awaitable<void> {
    auto c = co_await client::connect(f.server->port());
    auto first = co_await c.request("GET", "/status");
    CHECK(first.result() == http::status::ok);
    CHECK(first[http::field::content_type] == "application/json");
    CHECK(first[http::field::cache_control] == "no-store");
    CHECK(first.keep_alive());
    CHECK(first.body() == f.document);
    CHECK(json::parse(first.body()).at("now") == "2027-06-22T12:00:00Z");
    CHECK(f.calls == 1);

    f.document = "{\"now\": \"2027-06-22T12:00:05Z\"}\n";
    auto second = co_await c.request("GET", "/status?pretty=1");  // the query is ignored
    CHECK(second.result() == http::status::ok);
    CHECK(second.body() == f.document);
    CHECK(f.calls == 2);

    // A callback that could not make the document returns "": 503.
    f.document.clear();
    auto third = co_await c.request("GET", "/status");
    CHECK(third.result() == http::status::service_unavailable);
    CHECK(third.body() == "status unavailable: see herald's log\n");
    CHECK(third.keep_alive());
    CHECK(f.calls == 3);
  });
}

TEST_CASE("status_server: /healthz, HEAD, unknown paths and other methods", "[status_server]") {
  fixture f;
  f.start();
  f.run([&]() -> asio::awaitable<void> {
    auto c = co_await client::connect(f.server->port());

    auto health = co_await c.request("GET", "/healthz");
    CHECK(health.result() == http::status::ok);
    CHECK(health[http::field::content_type] == "text/plain; charset=utf-8");
    CHECK(health.body() == "ok\n");
    CHECK(f.calls == 0);  // no report is made for a health check

    // HEAD: the length of the document, and no body. The next answer on the
    // same connection parses cleanly only if no body bytes were sent.
    auto head = co_await c.request("HEAD", "/status");
    CHECK(head.result() == http::status::ok);
    CHECK(head[http::field::content_length] == std::to_string(f.document.size()));
    CHECK(head[http::field::content_type] == "application/json");
    auto head_health = co_await c.request("HEAD", "/healthz");
    CHECK(head_health.result() == http::status::ok);
    CHECK(head_health[http::field::content_length] == "3");

    for (auto target : {"/", "/nope", "/status/", "/statusx", "/healthz/x"}) {
      INFO(target);
      auto missing = co_await c.request("GET", target);
      CHECK(missing.result() == http::status::not_found);
      CHECK(missing.body() == "not found\n");
    }
    auto post_missing = co_await c.request("POST", "/nope");
    CHECK(post_missing.result() == http::status::not_found);

    co_await c.send("POST /status HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello");
    auto post = co_await c.receive();
    CHECK(post.result() == http::status::method_not_allowed);
    CHECK(post[http::field::allow] == "GET, HEAD");
    CHECK(post.body() == "method not allowed\n");
    auto del = co_await c.request("DELETE", "/healthz");
    CHECK(del.result() == http::status::method_not_allowed);
    CHECK(del[http::field::allow] == "GET, HEAD");
    CHECK(f.calls == 1);  // HEAD /status made the document, for its length; 404 and 405 made none

    auto still = co_await c.request("GET", "/healthz");  // the connection is still alive
    CHECK(still.body() == "ok\n");
  });
}

TEST_CASE("status_server: HTTP/1.0 and Connection: close end the connection after the answer", "[status_server]") {
  fixture f;
  f.start();
  f.run([&]() -> asio::awaitable<void> {
    auto old = co_await client::connect(f.server->port());
    co_await old.send("GET /healthz HTTP/1.0\r\n\r\n");
    auto answer = co_await old.receive();
    CHECK(answer.result() == http::status::ok);
    CHECK(answer.version() == 10);
    CHECK(!answer.keep_alive());
    auto old_end = co_await old.end();
    CHECK(old_end == asio::error::eof);

    auto closing = co_await client::connect(f.server->port());
    co_await closing.send("GET /status HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    auto status = co_await closing.receive();
    CHECK(status.body() == f.document);
    CHECK(!status.keep_alive());
    auto closing_end = co_await closing.end();
    CHECK(closing_end == asio::error::eof);
  });
}

TEST_CASE("status_server: requests over the limits or malformed are refused and the connection closed",
          "[status_server]") {
  fixture f;  // 8 KiB of header, 8 KiB of body
  f.start();
  f.run([&]() -> asio::awaitable<void> {
    struct refused {
      std::string request;
      http::status status;
    };
    for (const auto& [request, status] :
         {// 200 KB: far over the limit, and more than the server reads at once.
          refused{
              fmt::format("GET /status HTTP/1.1\r\nHost: localhost\r\nX-Big: {}\r\n\r\n", std::string(200'000, 'a')),
              http::status::request_header_fields_too_large},
          refused{fmt::format("POST /status HTTP/1.1\r\nHost: localhost\r\nContent-Length: 200000\r\n\r\n{}",
                              std::string(200'000, 'b')),
                  http::status::payload_too_large},
          refused{"HELLO\r\n\r\n", http::status::bad_request},
          refused{"GET /status HTTP/1.1\r\nContent-Length: x\r\n\r\n", http::status::bad_request}}) {
      INFO(request.substr(0, 40));
      auto c = co_await client::connect(f.server->port());
      co_await c.send(request);
      auto answer = co_await c.receive();
      CHECK(answer.result() == status);
      CHECK(!answer.keep_alive());
      auto end = co_await c.end();
      CHECK(end == asio::error::eof);
    }
    // Just under the header limit is fine.
    auto c = co_await client::connect(f.server->port());
    co_await c.send(
        fmt::format("GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: {}\r\n\r\n", std::string(7000, 'a')));
    auto answer = co_await c.receive();
    CHECK(answer.body() == "ok\n");
    CHECK(f.calls == 0);
  });
}

TEST_CASE("status_server: a client that sends nothing, or half a request, is dropped after read_timeout",
          "[status_server]") {
  // Given a read timeout of 300 ms, then a silent client and one that stops
  // in the middle of its headers are both closed by the server, and not
  // before the timeout.
  status_server::limits limits;
  limits.read_timeout = 300ms;
  fixture f(limits);
  f.start();
  f.run([&]() -> asio::awaitable<void> {
    auto began = std::chrono::steady_clock::now();
    auto silent = co_await client::connect(f.server->port());
    auto half = co_await client::connect(f.server->port());
    co_await half.send("GET /status HTTP/1.1\r\nHost: local");
    auto silent_end = co_await silent.end();
    auto half_end = co_await half.end();
    CHECK(silent_end == asio::error::eof);
    CHECK(half_end == asio::error::eof);
    CHECK(std::chrono::steady_clock::now() - began >= limits.read_timeout);

    // Between requests of a kept-alive connection too. The clock starts
    // before the request is sent: the server starts its wait for the next
    // request after it has written the answer, which the client may read
    // before the server's coroutine gets to that (it once measured 299.57 ms
    // from the answer's arrival); the request's sending comes before either.
    auto idle = co_await client::connect(f.server->port());
    auto sent = std::chrono::steady_clock::now();
    auto health = co_await idle.request("GET", "/healthz");
    CHECK(health.body() == "ok\n");
    auto idle_end = co_await idle.end();
    CHECK(idle_end == asio::error::eof);
    CHECK(std::chrono::steady_clock::now() - sent >= limits.read_timeout);
    CHECK(f.calls == 0);
  });
}

TEST_CASE("status_server: beyond max_connections the connection idle the longest makes room", "[status_server]") {
  // Given max_connections 3 and three kept-alive connections gone quiet,
  // then a fourth client is answered, the first of the three (quiet the
  // longest) is closed, and the other two are still served.
  status_server::limits limits;
  limits.max_connections = 3;
  limits.read_timeout = 60s;  // far beyond the test's deadline: nothing here waits for it
  fixture f(limits);
  f.start();
  f.run([&]() -> asio::awaitable<void> {
    std::vector<client> open;
    for (int i = 0; i < 3; ++i) {
      open.push_back(co_await client::connect(f.server->port()));
      auto health = co_await open.back().request("GET", "/healthz");  // accepted and served
      CHECK(health.body() == "ok\n");
    }
    auto fourth = co_await client::connect(f.server->port());
    auto answer = co_await fourth.request("GET", "/healthz");
    CHECK(answer.result() == http::status::ok);
    CHECK(answer.body() == "ok\n");
    auto first_end = co_await open[0].end();
    CHECK(first_end == asio::error::eof);
    for (int i = 1; i < 3; ++i) {
      auto again = co_await open[i].request("GET", "/healthz");
      CHECK(again.body() == "ok\n");
    }
  });
}

TEST_CASE("status_server: max_connections slow clients do not keep /healthz waiting", "[status_server][slow_clients]") {
  // Given the default 16 slots held by clients that send nothing and by
  // clients that send a request a byte at a time, with a read timeout far
  // beyond the test's deadline: a probe of /healthz is answered, at once.
  status_server::limits limits;
  limits.read_timeout = 60s;
  fixture f(limits);
  f.start();
  f.run([&]() -> asio::awaitable<void> {
    std::vector<client> slow;
    for (std::size_t i = 0; i < limits.max_connections; ++i) {
      slow.push_back(co_await client::connect(f.server->port()));
      if (i % 2 == 1) co_await slow.back().send("G");  // the first byte of a request never finished
    }
    // A round trip on each kind first: the server has accepted them all.
    for (int round = 0; round < 2; ++round) {
      auto probe = co_await client::connect(f.server->port());
      auto health = co_await probe.request("GET", "/healthz");
      CHECK(health.result() == http::status::ok);
      CHECK(health.body() == "ok\n");
      // A byte at a time; one the server closed to make room may refuse it.
      for (std::size_t i = 1; i < slow.size(); i += 2)
        co_await asio::async_write(slow[i].socket, asio::buffer("E", 1), asio::as_tuple(asio::use_awaitable));
    }
  });
}

TEST_CASE("status_server: stop() closes the listener and every connection", "[status_server]") {
  fixture f;
  f.start();
  auto port = f.server->port();
  f.run([&]() -> asio::awaitable<void> {
    auto kept = co_await client::connect(port);
    auto first = co_await kept.request("GET", "/healthz");
    CHECK(first.body() == "ok\n");
    auto midway = co_await client::connect(port);
    co_await midway.send("GET /status HTTP/1.1\r\n");
    // A round trip, so that the server holds both connections before it stops.
    auto second = co_await kept.request("GET", "/healthz");
    CHECK(second.body() == "ok\n");

    f.server->stop();
    f.server->stop();  // twice is harmless
    auto kept_end = co_await kept.end();
    auto midway_end = co_await midway.end();
    CHECK((kept_end == asio::error::eof || kept_end == asio::error::connection_reset));
    CHECK((midway_end == asio::error::eof || midway_end == asio::error::connection_reset));

    tcp::socket late(co_await asio::this_coro::executor);
    auto [refused] =
        co_await late.async_connect({asio::ip::address_v4::loopback(), port}, asio::as_tuple(asio::use_awaitable));
    CHECK(refused == asio::error::connection_refused);
  });
  CHECK(f.calls == 0);
}

TEST_CASE("status_server: the listen errors", "[status_server]") {
  SECTION("a port in use") {
    asio::io_context other;
    tcp::acceptor taken(other, {asio::ip::address_v4::loopback(), 0});  // binds and listens
    auto listen = fmt::format("127.0.0.1:{}", taken.local_endpoint().port());
    fixture f({}, listen);
    CHECK(f.server->start() == fmt::format("cannot listen on {}: Address already in use", listen));
    CHECK(f.server->port() == 0);
    CHECK(f.log_text.str().empty());
    f.io.run_for(5s);
    CHECK(f.io.stopped());  // a server that did not start holds no work
  }
  SECTION("an address it cannot read") {
    const std::string hint = "; write HOST:PORT with an IP address or localhost, e.g. 127.0.0.1:8470 or [::1]:8470";
    for (auto [listen, why] : std::initializer_list<std::pair<std::string, std::string>>{
             {"8470", "no host"},
             {"127.0.0.1", "no port"},
             {":99999", "no host"},
             {"[::1]", "no port"},
             {"[::1]8470", "no port"},
             {"[::1:8470", "no ']' after the IPv6 address"},
             {"::1:8470", "an IPv6 address goes in brackets"},
             {"[127.0.0.1]:8470", "only an IPv6 address goes in brackets"},
             {"example.org:8470", "the host is not an IP address"},
             {":8470", "no host"},
             {"127.0.0.1:", "the port is not a number from 0 to 65535"},
             {"127.0.0.1:65536", "the port is not a number from 0 to 65535"},
             {"127.0.0.1:-1", "the port is not a number from 0 to 65535"},
             {"127.0.0.1:80x", "the port is not a number from 0 to 65535"}}) {
      fixture f({}, listen);
      CHECK(f.server->start() == fmt::format("http.listen '{}': {}{}", listen, why, hint));
      CHECK(f.server->port() == 0);
    }
  }
}

TEST_CASE("status_server: localhost and IPv6 addresses", "[status_server]") {
  SECTION("localhost is 127.0.0.1") {
    fixture f({}, "localhost:0");
    f.start();
    CHECK(f.log_text.str().find(fmt::format("http://127.0.0.1:{}/", f.server->port())) != std::string::npos);
    f.run([&]() -> asio::awaitable<void> {
      auto c = co_await client::connect(f.server->port());
      auto health = co_await c.request("GET", "/healthz");
      CHECK(health.body() == "ok\n");
    });
  }
  SECTION("[::1]") {
    {
      asio::io_context probe;
      tcp::acceptor v6(probe);
      boost::system::error_code ec;
      v6.open(tcp::v6(), ec);
      if (!ec) v6.bind({asio::ip::address_v6::loopback(), 0}, ec);
      if (ec) {
        WARN("no IPv6 loopback here (" << ec.message() << "): not tested");
        return;
      }
    }
    fixture f({}, "[::1]:0");
    f.start();
    CHECK(f.log_text.str().find(fmt::format("http://[::1]:{}/", f.server->port())) != std::string::npos);
    f.run([&]() -> asio::awaitable<void> {
      auto c = co_await client::connect(f.server->port(), asio::ip::address_v6::loopback());
      auto status = co_await c.request("GET", "/status");
      CHECK(status.body() == f.document);
    });
  }
}

TEST_CASE("status_server: serves the document herald status --format json prints", "[status_server]") {
  // Given a config, a calendar and a journal with rows, when the callback
  // is the daemon's (build_status_report + status_json at a fixed now),
  // then GET /status answers byte for byte what `herald status --format
  // json` prints at that instant, and no secret.
  test::temp_dir dir{"herald-status-server"};
  std::ofstream(dir / "calendar.yaml") << R"(version: 1
timezone: Europe/London
defaults: {time: "09:30", channels: [staff]}
events:
  - id: windrush-day
    title: Windrush Day
    every: June 22
    steps: [{at: 0, message: "Today is {{title}}."}, {at: -1d, message: "Tomorrow is {{title}}."}]
)";
  std::ofstream(dir / "herald.yaml") << R"(version: 1
calendar: calendar.yaml
state_dir: state
channels:
  staff: { type: slack, url: "https://hooks.slack.com/services/T000/B000/SECRETxyz" }
http: { listen: "127.0.0.1:0" }
)";
  const date::sys_seconds now = date::sys_days{date::year{2027} / 6 / 22} + 12h;
  const auto journal_file = dir / "state" / "journal.db";
  std::filesystem::create_directories(journal_file.parent_path());
  auto opened = sqlite_journal::open(journal_file);
  REQUIRE(opened.ok());
  auto& store = *opened.value();
  REQUIRE(store.begin_attempt("windrush-day/2027-06-22/0d/staff", now - 3h, "staff", "windrush-day", now - 3h).ok());
  REQUIRE(store.record_retry("windrush-day/2027-06-22/0d/staff", now - 3h, now + 5min, "HTTP 503: busy").ok());

  auto loaded = load_sources((dir / "herald.yaml").string(), "");
  std::ostringstream errors;
  print_diagnostics(loaded.errors, errors);
  INFO(errors.str());
  REQUIRE(loaded.ok());
  auto& sources = loaded.value;
  REQUIRE(sources->cfg->http_listen == "127.0.0.1:0");

  asio::io_context io;
  std::ostringstream log_text;
  logger log{log_text, true};
  std::string served_error;
  status_server server(
      io, *sources->cfg->http_listen,
      [&] {
        auto report = build_status_report(*sources->cfg, sources->calendars, journal_file, &store, now);
        if (!report.ok()) served_error = report.error();
        return report.ok() ? status_json(report.value()) : std::string("{}");
      },
      log);
  REQUIRE(server.start().empty());

  std::optional<response> answer;
  std::exception_ptr failure;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        auto c = co_await client::connect(server.port());
        answer = co_await c.request("GET", "/status");
      },
      [&](std::exception_ptr e) {
        failure = e;
        server.stop();
      });
  io.run_for(20s);
  if (failure) std::rethrow_exception(failure);
  REQUIRE(answer);
  CHECK(served_error.empty());

  auto cli = test::run_herald({"status", "--config", (dir / "herald.yaml").string(), "--format", "json"},
                              std::chrono::system_clock::time_point{now}, [](const char*) { return nullptr; });
  INFO(cli.err);
  REQUIRE(cli.status == 0);
  CHECK(answer->body() == cli.out);
  auto doc = json::parse(answer->body());
  CHECK(doc.at("pending").at(0).at("key") == "windrush-day/2027-06-22/0d/staff");
  CHECK(doc.at("next").at(0).at("key") == "windrush-day/2028-06-22/-1d/staff");
  CHECK(answer->body().find("SECRET") == std::string::npos);
}

}  // namespace
}  // namespace herald

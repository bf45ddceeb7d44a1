// The transport against real peers on 127.0.0.1: a Beast HTTP server in this
// binary and aiosmtpd. Every wait has a deadline; nothing sleeps.

#include "messaging/curl_transport.hpp"

#include <optional>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>

#include "support/http_test_server.hpp"
#include "support/smtp_test_server.hpp"

namespace herald {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using kind = delivery_outcome::kind;
using test::http_test_server;
using test::smtp_test_server;

// Runs the loop, a few milliseconds at a time, until `done` or `limit`.
template <class Done>
bool run_until(asio::io_context& io, Done done, std::chrono::milliseconds limit = 10s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    if (io.stopped()) io.restart();
    io.run_one_for(5ms);
  }
  return true;
}

// 12:00:00 UTC on Friday 1 March 2024, the clock for Retry-After dates.
const date::sys_seconds fixed_now = date::sys_days{date::year{2024} / 3 / 1} + std::chrono::hours{12};

struct client {
  explicit client(std::chrono::seconds timeout = 10s, std::string ca_file = {})
      : transport(io, {timeout, std::move(ca_file), [] { return fixed_now; }}) {}

  template <class Request>
  delivery_outcome deliver(Request request) {
    std::optional<delivery_outcome> got;
    transport.send(std::move(request), [&](delivery_outcome outcome) { got = std::move(outcome); });
    REQUIRE(run_until(io, [&] { return got.has_value(); }));
    CHECK(transport.in_flight() == 0);
    return *got;
  }

  delivery_outcome post(std::string url, std::string body = R"({"text":"hello"})") {
    http_request request;
    request.url = std::move(url);
    request.body = std::move(body);
    return deliver(std::move(request));
  }

  asio::io_context io;
  curl_transport transport;
};

http_test_server::response answer(int status, std::string body = "",
                                  std::vector<std::pair<std::string, std::string>> headers = {}) {
  http_test_server::response r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

// A port on 127.0.0.1 where nothing listens (it was free a moment ago).
unsigned short free_port() {
  asio::io_context io;
  asio::ip::tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
  return probe.local_endpoint().port();
}

smtp_submission submission(std::string server, std::string message) {
  smtp_submission s;
  s.server = std::move(server);
  s.tls = smtp_submission::tls_mode::none;
  s.mail_from = "edi@example.org";
  s.recipients = {"members@example.org", "chair@example.org"};
  s.message = std::move(message);
  return s;
}

const std::string sample_message =
    "From: EDI Network <edi@example.org>\r\n"
    "To: members@example.org\r\n"
    "Subject: =?UTF-8?B?Q2Fmw6k=?=\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "Caf\xc3\xa9 at noon.\r\n"
    ".a line that starts with a dot\r\n"
    ".\r\n"
    "..two dots\r\n"
    "the end\r\n";

}  // namespace

TEST_CASE("HTTP 200 and 202 are sent", "[transport]") {
  http_test_server server;
  server.respond(answer(200, "ok"));
  server.respond(answer(202, ""));
  client c;
  auto first = c.post(server.url("/hook"));
  auto second = c.post(server.url("/hook"));
  CHECK(first.sent());
  CHECK(second.sent());
  CHECK(first.detail == "HTTP 200: ok");
}

TEST_CASE("HTTP 4xx answers other than 408 and 429 are permanent", "[transport]") {
  http_test_server server;
  client c;
  SECTION("Slack's 404 no_service") {
    server.respond(answer(404, "no_service"));
    auto outcome = c.post(server.url("/services/T000/B000/XXXX"));
    CHECK(outcome.result == kind::permanent);
    CHECK_THAT(outcome.detail, Catch::Contains("no_service"));
    CHECK_THAT(outcome.detail, Catch::Contains("404"));
  }
  SECTION("410 gone") {
    server.respond(answer(410, "channel_is_archived"));
    CHECK(c.post(server.url()).result == kind::permanent);
  }
  SECTION("a redirect is not followed") {
    server.respond(answer(302, "", {{"Location", server.url("/elsewhere")}}));
    CHECK(c.post(server.url()).result == kind::permanent);
    CHECK(server.requests().size() == 1);
  }
}

TEST_CASE("HTTP 429 is transient and Retry-After is obeyed", "[transport]") {
  http_test_server server;
  client c;
  SECTION("in seconds") {
    server.respond(answer(429, "rate_limited", {{"Retry-After", "7"}}));
    auto outcome = c.post(server.url());
    CHECK(outcome.result == kind::transient);
    CHECK(outcome.retry_after == 7s);
  }
  SECTION("as an HTTP-date, 5 s after the client's now") {
    server.respond(answer(429, "", {{"Retry-After", "Fri, 01 Mar 2024 12:00:05 GMT"}}));
    auto outcome = c.post(server.url());
    CHECK(outcome.result == kind::transient);
    CHECK(outcome.retry_after == 5s);
  }
  SECTION("without it") {
    server.respond(answer(429, ""));
    CHECK_FALSE(c.post(server.url()).retry_after.has_value());
  }
}

TEST_CASE("HTTP 500 is transient", "[transport]") {
  http_test_server server;
  server.respond(answer(500, "internal_error"));
  client c;
  auto outcome = c.post(server.url());
  CHECK(outcome.result == kind::transient);
  CHECK(outcome.detail == "HTTP 500: internal_error");
}

TEST_CASE("Failures to get an answer are transient", "[transport]") {
  SECTION("an answer slower than the timeout, after the whole request was sent: unanswered") {
    http_test_server server;
    auto slow = answer(200, "too late");
    slow.delay = 5s;
    server.respond(slow);
    client c(1s);
    auto outcome = c.post(server.url());
    CHECK(outcome.result == kind::transient);
    CHECK(outcome.unanswered);
    CHECK(outcome.detail == "no answer within 1 s after the whole request was sent: it may have arrived");
  }
  SECTION("a connection closed without an answer") {
    http_test_server server;
    http_test_server::response hang_up;
    hang_up.close_without_answer = true;
    server.respond(hang_up);
    client c;
    auto outcome = c.post(server.url());
    CHECK(outcome.result == kind::transient);
    CHECK_THAT(outcome.detail, Catch::Contains("closed the connection"));
  }
  SECTION("a refused connection") {
    client c;
    auto outcome = c.post("http://127.0.0.1:" + std::to_string(free_port()) + "/hook");
    CHECK(outcome.result == kind::transient);
    CHECK(outcome.detail == "connection refused");
  }
}

TEST_CASE("A long answer is read to its end and the connection kept", "[transport]") {
  http_test_server server;
  server.respond(answer(503, "busy\n" + std::string(200000, 'x')));
  client c;
  auto outcome = c.post(server.url());
  CHECK(outcome.result == kind::transient);
  CHECK(outcome.detail == "HTTP 503: busy");
  CHECK(c.post(server.url()).sent());
  CHECK(server.connections() == 1);
}

TEST_CASE("The body, content type and headers arrive byte for byte", "[transport]") {
  http_test_server server;
  client c;
  http_request request;
  request.url = server.url("/hooks/herald?x=1");
  request.content_type = "application/json; charset=utf-8";
  request.headers = {{"Idempotency-Key", "2024-03-01/pride/staff-slack"}, {"Authorization", "Bearer t0k\xc3\xa9n"}};
  // Over 1 KiB, so curl would otherwise send "Expect: 100-continue" and wait.
  request.body = R"({"text":"Caf\u00e9 \"quoted\"\n","raw":"é ü 🎉"})" + std::string(2000, 'x');
  auto outcome = c.deliver(request);
  REQUIRE(outcome.sent());
  REQUIRE(server.requests().size() == 1);
  auto got = server.requests().front();
  CHECK(got.method == "POST");
  CHECK(got.target == "/hooks/herald?x=1");
  CHECK(got.body == request.body);
  CHECK(got.header("Content-Type") == request.content_type);
  CHECK(got.header("Idempotency-Key") == "2024-03-01/pride/staff-slack");
  CHECK(got.header("Authorization") == "Bearer t0k\xc3\xa9n");
  CHECK_FALSE(got.has_header("Expect"));
}

// The transport reuses the easy handles of finished posts: nothing of an
// earlier post (its headers, content type, body) may go out with the next.
TEST_CASE("A post after another carries only its own headers and body", "[transport]") {
  http_test_server server;
  client c;
  http_request first;
  first.url = server.url("/first");
  first.content_type = "text/plain";
  first.headers = {{"Authorization", "Bearer first-post-token"}, {"Idempotency-Key", "first/key"}};
  first.body = "first body, longer than the second";
  REQUIRE(c.deliver(first).sent());
  http_request second;
  second.url = server.url("/second");
  second.body = "second";
  REQUIRE(c.deliver(second).sent());
  auto got = server.requests();
  REQUIRE(got.size() == 2);
  CHECK(got[1].target == "/second");
  CHECK(got[1].body == "second");
  CHECK(got[1].header("Content-Type") == "application/json");
  CHECK_FALSE(got[1].has_header("Authorization"));
  CHECK_FALSE(got[1].has_header("Idempotency-Key"));
  CHECK(got[0].header("Authorization") == "Bearer first-post-token");
}

TEST_CASE("A header with a line break is refused, not sent", "[transport]") {
  http_test_server server;
  client c;
  http_request request;
  request.url = server.url();
  request.headers = {{"X-Token", "a\r\nX-Injected: 1"}};
  CHECK(c.deliver(request).result == kind::permanent);
  CHECK(server.requests().empty());
}

TEST_CASE("Sequential posts to one host reuse the connection", "[transport]") {
  http_test_server server;
  client c;
  CHECK(c.post(server.url("/a")).sent());
  CHECK(c.post(server.url("/b")).sent());
  auto got = server.requests();
  REQUIRE(got.size() == 2);
  CHECK(got[0].connection == got[1].connection);
  CHECK(server.connections() == 1);
}

TEST_CASE("Twenty posts in flight at once all complete on the loop's thread", "[transport]") {
  http_test_server server;
  client c;
  std::vector<delivery_outcome> outcomes;
  std::vector<std::thread::id> threads;
  for (int i = 0; i < 20; ++i) {
    http_request request;
    request.url = server.url("/post/" + std::to_string(i));
    request.body = std::to_string(i);
    c.transport.send(request, [&](delivery_outcome outcome) {
      outcomes.push_back(std::move(outcome));
      threads.push_back(std::this_thread::get_id());
    });
  }
  CHECK(c.transport.in_flight() == 20);
  REQUIRE(run_until(c.io, [&] { return outcomes.size() == 20; }));
  CHECK(c.transport.in_flight() == 0);
  for (const auto& outcome : outcomes) CHECK(outcome.sent());
  for (auto id : threads) CHECK(id == std::this_thread::get_id());
  CHECK(server.requests().size() == 20);
  CHECK(server.connections() <= 8);  // CURLMOPT_MAX_HOST_CONNECTIONS
}

TEST_CASE("A post waiting for a connection to a slow host is not timed out by its wait", "[transport]") {
  // 40 posts to one host that takes 0.6 s to answer each: 8 connections
  // take them in 5 waves, 3 s in all, longer than the 2 s timeout. Each
  // post's own answer comes well within it; only a timeout counted from
  // the send rather than from the transfer's start would fail the later
  // waves (docs/decisions.md "Channels and secrets").
  http_test_server server;
  auto slow = answer(200);
  slow.delay = 600ms;
  server.set_fallback(slow);
  client c(2s);
  std::vector<delivery_outcome> outcomes;
  for (int i = 0; i < 40; ++i) {
    http_request request;
    request.url = server.url("/post/" + std::to_string(i));
    c.transport.send(request, [&](delivery_outcome outcome) { outcomes.push_back(std::move(outcome)); });
  }
  CHECK(c.transport.in_flight() == 40);
  REQUIRE(run_until(
      c.io, [&] { return outcomes.size() == 40; }, 30s));
  CHECK(c.transport.in_flight() == 0);
  std::size_t sent = 0;
  for (const auto& outcome : outcomes) sent += outcome.sent() ? 1 : 0;
  CHECK(sent == 40);
  CHECK(server.requests().size() == 40);
  CHECK(server.connections() <= 8);
}

TEST_CASE("No detail holds the webhook URL's path or query", "[transport]") {
  http_test_server server;
  auto secret_target = std::string("/services/T000/B000/SECRETxyz?sig=SECRET");
  std::vector<delivery_outcome> outcomes;
  {
    client c;
    // A service that echoes the path it did not find.
    server.respond(answer(404, "no route for /services/T000/B000/SECRETxyz"));
    server.respond(answer(500, "failed: sig=SECRET"));
    server.respond(answer(403, "invalid token SECRETxyz"));
    // Then hang up on every request: curl tries a reused connection that
    // closes without an answer once more on a new one, which would get 200.
    http_test_server::response hang_up;
    hang_up.close_without_answer = true;
    server.set_fallback(hang_up);
    for (int i = 0; i < 4; ++i) outcomes.push_back(c.post(server.url(secret_target)));
    outcomes.push_back(c.post("http://127.0.0.1:" + std::to_string(free_port()) + secret_target));
    outcomes.push_back(c.post("http://user:SECRETpw@127.0.0.1:" + std::to_string(free_port()) + secret_target));
    outcomes.push_back(c.post("ftp://127.0.0.1" + secret_target));
  }
  {
    client c(1s);
    auto slow = answer(200);
    slow.delay = 5s;
    server.respond(slow);
    outcomes.push_back(c.post(server.url(secret_target)));
  }
  for (const auto& outcome : outcomes) {
    INFO(outcome.detail);
    CHECK_FALSE(outcome.sent());
    CHECK(outcome.detail.find("SECRET") == std::string::npos);
    CHECK(outcome.detail.find("T000") == std::string::npos);
  }
}

TEST_CASE("No detail holds a header's secret or the base64 form of the URL's userinfo", "[transport][scrub]") {
  // A service that echoes the request's headers in its error body: the
  // Authorization value, the token alone, and curl's Basic form of the
  // URL's user:password all came back into the log and /status.
  http_test_server server;
  server.respond(answer(401, "bad credentials: Bearer tok-SECRET-123"));
  server.respond(answer(403, "token tok-SECRET-123 is revoked"));
  server.respond(answer(400, "got Authorization: Basic dXNlcjpTRUNSRVRwdw== and X-Api-Key: key-SECRET-9"));
  client c;
  std::vector<delivery_outcome> outcomes;
  for (int i = 0; i < 3; ++i) {
    http_request request{"http://user:SECRETpw@" + server.url("/hook").substr(7),
                         {{"Authorization", "Bearer tok-SECRET-123"}, {"X-Api-Key", "key-SECRET-9"}},
                         "application/json",
                         "{}"};
    outcomes.push_back(c.deliver(std::move(request)));
  }
  for (const auto& outcome : outcomes) {
    INFO(outcome.detail);
    CHECK_FALSE(outcome.sent());
    CHECK(outcome.detail.find("SECRET") == std::string::npos);
    CHECK(outcome.detail.find("dXNlcjpTRUNSRVRwdw") == std::string::npos);  // base64("user:SECRETpw")
  }
  CHECK(outcomes.at(2).detail.find("X-Api-Key") != std::string::npos);  // the rest of the answer stays
}

TEST_CASE("Each post's detail is scrubbed of its own headers' secrets, the URL being the same", "[transport][scrub]") {
  // The transport keeps a scrub list per URL and header values: a list
  // kept by the URL alone would scrub the second post with the first's.
  http_test_server server;
  server.respond(answer(401, "bad token tok-FIRST-123"));
  server.respond(answer(401, "bad token tok-SECOND-456"));
  server.respond(answer(401, "bad token tok-THIRD-789"));
  client c;
  std::vector<delivery_outcome> outcomes;
  for (std::string token : {"tok-FIRST-123", "tok-SECOND-456"}) {
    http_request request{server.url("/hook"), {{"Authorization", "Bearer " + token}}, "application/json", "{}"};
    outcomes.push_back(c.deliver(std::move(request)));
  }
  // A webhook's: its list holds the post's key, and is built for it alone.
  http_request webhook{server.url("/hook"),
                       {{"Idempotency-Key", "event/2027-01-01/0d/hook"}, {"Authorization", "Bearer tok-THIRD-789"}},
                       "application/json",
                       "{}"};
  outcomes.push_back(c.deliver(std::move(webhook)));
  for (const auto& outcome : outcomes) {
    INFO(outcome.detail);
    CHECK(outcome.result == kind::permanent);
    CHECK(outcome.detail.find("tok-") == std::string::npos);
    CHECK(outcome.detail.find("bad token") != std::string::npos);
  }
}

TEST_CASE("Destroying the transport drops what is in flight without calling it", "[transport]") {
  http_test_server server;
  auto slow = answer(200);
  slow.delay = 5s;
  server.respond(slow);
  asio::io_context io;
  bool called = false;
  {
    curl_transport transport(io, {});
    http_request request;
    request.url = server.url();
    transport.send(request, [&](delivery_outcome) { called = true; });
    REQUIRE(run_until(io, [&] { return server.requests().size() == 1; }));
  }
  io.restart();
  io.poll();  // what was queued (aborted waits) runs now, and must not call it
  CHECK_FALSE(called);
}

TEST_CASE("A handler may destroy the transport, the other posts are dropped", "[transport]") {
  http_test_server server;
  asio::io_context io;
  std::optional<curl_transport> transport(std::in_place, io, curl_transport::options{});
  int calls = 0;
  for (int i = 0; i < 3; ++i) {
    http_request request;
    request.url = server.url();
    transport->send(request, [&](delivery_outcome) {
      ++calls;
      transport.reset();
    });
  }
  REQUIRE(run_until(io, [&] { return calls > 0; }));
  io.restart();
  io.poll();
  CHECK(calls == 1);
}

TEST_CASE("SMTP: a message reaches the server with its envelope, byte for byte", "[transport]") {
  smtp_test_server server;
  client c;
  auto outcome = c.deliver(submission(server.url(), sample_message));
  CHECK(outcome.sent());
  CHECK_THAT(outcome.detail, Catch::StartsWith("SMTP 250"));
  REQUIRE(server.wait_for_messages(1));
  auto got = server.messages().front();
  CHECK(got.mail_from == "edi@example.org");
  CHECK(got.rcpt_tos == std::vector<std::string>{"members@example.org", "chair@example.org"});
  CHECK(got.data == sample_message);
  CHECK(got.login.empty());
  CHECK_FALSE(got.tls);
}

TEST_CASE("SMTP: AUTH with user and password", "[transport]") {
  auto mechanism = GENERATE(std::string("PLAIN"), std::string("LOGIN"));
  smtp_test_server::options options;
  options.username = "herald";
  options.password = "s3cret pass";
  options.mechanisms = mechanism;
  smtp_test_server server(options);
  client c;
  auto mail = submission(server.url(), sample_message);
  mail.username = "herald";
  SECTION("the right password: " + mechanism) {
    mail.password = "s3cret pass";
    CHECK(c.deliver(mail).sent());
    REQUIRE(server.wait_for_messages(1));
    CHECK(server.messages().front().login == "herald");
  }
  SECTION("a wrong password is permanent: " + mechanism) {
    mail.password = "wrong";
    auto outcome = c.deliver(mail);
    CHECK(outcome.result == kind::permanent);
    CHECK_THAT(outcome.detail, Catch::Contains("535"));
    CHECK(outcome.detail.find("wrong") == std::string::npos);
  }
}

TEST_CASE("SMTP: a 5xx reply is permanent, a 4xx transient", "[transport]") {
  client c;
  SECTION("550 on RCPT") {
    smtp_test_server::options options;
    options.rcpt_reply = "550 5.1.1 <members@example.org>: no such user";
    smtp_test_server server(options);
    auto outcome = c.deliver(submission(server.url(), sample_message));
    CHECK(outcome.result == kind::permanent);
    CHECK(outcome.detail == "SMTP 550 5.1.1 <members@example.org>: no such user");
  }
  SECTION("451 after the message") {
    smtp_test_server::options options;
    options.data_reply = "451 4.3.0 try again later";
    smtp_test_server server(options);
    auto outcome = c.deliver(submission(server.url(), sample_message));
    CHECK(outcome.result == kind::transient);
    CHECK(outcome.detail == "SMTP 451 4.3.0 try again later");
  }
  SECTION("a refused connection is transient") {
    auto outcome = c.deliver(submission("smtp://127.0.0.1:" + std::to_string(free_port()), sample_message));
    CHECK(outcome.result == kind::transient);
    CHECK(outcome.detail == "connection refused");
  }
}

TEST_CASE("SMTP: STARTTLS is used, verified, and never skipped", "[transport]") {
  SECTION("with the server's certificate as CA file") {
    smtp_test_server::options options;
    options.starttls = true;
    smtp_test_server server(options);
    client c(10s, server.ca_file());
    auto mail = submission(server.url(), sample_message);
    mail.tls = smtp_submission::tls_mode::starttls;
    CHECK(c.deliver(mail).sent());
    REQUIRE(server.wait_for_messages(1));
    CHECK(server.messages().front().tls);
    CHECK(server.messages().front().data == sample_message);
  }
  SECTION("tls: TLS from the start, on smtps://") {
    smtp_test_server::options options;
    options.implicit_tls = true;
    options.username = "herald";
    options.password = "pw";
    smtp_test_server server(options);
    client c(10s, server.ca_file());
    auto mail = submission(server.url(), sample_message);
    mail.tls = smtp_submission::tls_mode::tls;
    mail.username = "herald";
    mail.password = "pw";
    CHECK(c.deliver(mail).sent());
    REQUIRE(server.wait_for_messages(1));
    CHECK(server.messages().front().tls);
    CHECK(server.messages().front().login == "herald");
  }
  SECTION("a certificate nobody vouches for is refused") {
    smtp_test_server::options options;
    options.starttls = true;
    smtp_test_server server(options);
    client c;
    auto mail = submission(server.url(), sample_message);
    mail.tls = smtp_submission::tls_mode::starttls;
    auto outcome = c.deliver(mail);
    CHECK(outcome.result == kind::permanent);
    CHECK_THAT(outcome.detail, Catch::StartsWith("TLS: "));
    CHECK(server.messages().empty());
  }
  SECTION("a server without STARTTLS gets nothing") {
    smtp_test_server server;
    client c;
    auto mail = submission(server.url(), sample_message);
    mail.tls = smtp_submission::tls_mode::starttls;
    auto outcome = c.deliver(mail);
    CHECK(outcome.result == kind::permanent);
    CHECK(outcome.detail == "the server does not offer STARTTLS");
    CHECK(server.messages().empty());
  }
}

}  // namespace herald

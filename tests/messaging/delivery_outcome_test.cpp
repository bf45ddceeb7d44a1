#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>

#include "messaging/delivery_outcome.hpp"

using namespace herald;
using std::chrono::seconds;
using kind = delivery_outcome::kind;

namespace {

// Tuesday 26 May 2026, 08:30:00 UTC.
const date::sys_seconds now =
    date::sys_days{date::year{2026} / 5 / 26} + std::chrono::hours{8} + std::chrono::minutes{30};

std::optional<seconds> retry_after(std::string_view value) { return parse_retry_after(value, now); }

}  // namespace

TEST_CASE("outcome: HTTP 2xx is sent", "[outcome]") {
  for (long status : {200L, 201L, 202L, 204L, 299L}) {
    INFO(status);
    CHECK(classify_http(status, "", "ok", now).sent());
  }
  CHECK(classify_http(200, "", "ok", now).detail == "HTTP 200: ok");
}

TEST_CASE("outcome: HTTP 408, 429 and 5xx are transient", "[outcome]") {
  for (long status : {408L, 429L, 500L, 502L, 503L, 504L, 599L}) {
    INFO(status);
    auto out = classify_http(status, "", "", now);
    CHECK(out.result == kind::transient);
    CHECK_FALSE(out.retry_after);
  }
  // No status at all: nothing answered, like a dropped connection.
  CHECK(classify_http(0, "", "", now).result == kind::transient);
}

TEST_CASE("outcome: other HTTP answers are permanent", "[outcome]") {
  for (long status : {100L, 301L, 302L, 400L, 401L, 403L, 404L, 410L, 413L, 600L}) {
    INFO(status);
    CHECK(classify_http(status, "", "", now).result == kind::permanent);
  }
  auto out = classify_http(404, "", "channel_not_found", now);
  CHECK(out.detail == "HTTP 404: channel_not_found");
  CHECK(classify_http(403, "", "", now).detail == "HTTP 403");
}

TEST_CASE("outcome: a transient answer carries its Retry-After", "[outcome]") {
  CHECK(classify_http(429, "120", "rate_limited", now).retry_after == seconds{120});
  CHECK(classify_http(503, "Tue, 26 May 2026 08:31:00 GMT", "", now).retry_after == seconds{60});
  CHECK_FALSE(classify_http(503, "soon", "", now).retry_after);
  // Retry-After on a permanent failure changes nothing.
  CHECK_FALSE(classify_http(404, "120", "", now).retry_after);
}

TEST_CASE("outcome: the detail is the body's first line, cleaned and short", "[outcome]") {
  CHECK(classify_http(400, "", "\r\n  invalid_payload  \r\nsecond line", now).detail == "HTTP 400: invalid_payload");
  CHECK(classify_http(400, "", "bad\x1b[31m red\x07\x7f tab\there", now).detail == "HTTP 400: bad[31m red tab here");
  CHECK(classify_http(400, "", "ok \xc2\x9b C1 \xff broken \xc3", now).detail == "HTTP 400: ok  C1  broken");
  // Strict UTF-8 (text/utf8.hpp): a surrogate, an overlong form and a code
  // point past U+10FFFF are broken too, and dropped (they were kept before).
  CHECK(classify_http(400, "",
                      "a\xed\xa0\x80"
                      "b\xe0\x80\xaf"
                      "c\xf4\x90\x80\x80"
                      "d",
                      now)
            .detail == "HTTP 400: abcd");
  auto long_body = std::string(150, 'a') + std::string(100, 'b');
  auto detail = classify_http(500, "", long_body, now).detail;
  CHECK(detail == "HTTP 500: " + std::string(150, 'a') + std::string(50, 'b') + "\u2026");
  // Characters, not bytes: 300 two-byte letters keep 200 of them whole.
  std::string umlauts;
  for (int i = 0; i < 300; ++i) umlauts += "ü";
  CHECK(classify_http(500, "", umlauts, now).detail.size() == std::string("HTTP 500: ").size() + 400 + 3);
}

TEST_CASE("outcome: SMTP 2xx sent, 4xx transient, 5xx permanent", "[outcome]") {
  CHECK(classify_smtp(250, "250 2.0.0 Ok: queued as 12345").sent());
  CHECK(classify_smtp(250, "250 2.0.0 Ok: queued as 12345").detail == "SMTP 250 2.0.0 Ok: queued as 12345");
  auto busy = classify_smtp(421, "421 4.7.0 Try again later\r\n");
  CHECK(busy.result == kind::transient);
  CHECK(busy.detail == "SMTP 421 4.7.0 Try again later");
  auto unknown = classify_smtp(550, "550-5.1.1 The email account does not exist.\r\n550 5.1.1 More here");
  CHECK(unknown.result == kind::permanent);
  CHECK(unknown.detail == "SMTP 550 5.1.1 The email account does not exist.");
  CHECK(classify_smtp(554, "").detail == "SMTP 554");
  CHECK(classify_smtp(552, "Message too big").detail == "SMTP 552 Message too big");
  CHECK(classify_smtp(0, "").result == kind::transient);
}

TEST_CASE("outcome: Retry-After in delta-seconds", "[outcome]") {
  CHECK(retry_after("120") == seconds{120});
  CHECK(retry_after(" 0 ") == seconds{0});
  CHECK(retry_after("86400") == seconds{86400});
  // A day at most, however many digits.
  CHECK(retry_after("86401") == seconds{86400});
  CHECK(retry_after("99999999999999999999999") == seconds{86400});
  for (auto bad : {"", " ", "-1", "+5", "1.5", "12s", "soon", "120 120"}) {
    INFO(bad);
    CHECK_FALSE(retry_after(bad));
  }
}

TEST_CASE("outcome: Retry-After as an HTTP-date", "[outcome]") {
  CHECK(retry_after("Tue, 26 May 2026 08:32:00 GMT") == seconds{120});
  CHECK(retry_after("Tuesday, 26-May-26 08:32:00 GMT") == seconds{120});  // RFC 850
  CHECK(retry_after("Tue May 26 08:32:00 2026") == seconds{120});         // asctime
  CHECK(retry_after("Tue May  6 08:30:00 2026") == seconds{0});           // asctime, one-digit day, past
  // In the past, or right now: go at once.
  CHECK(retry_after("Sun, 06 Nov 1994 08:49:37 GMT") == seconds{0});
  CHECK(retry_after("Tue, 26 May 2026 08:30:00 GMT") == seconds{0});
  // Far ahead: capped at a day.
  CHECK(retry_after("Fri, 01 Jan 2100 00:00:00 GMT") == seconds{86400});
  for (auto bad : {"Tue, 26 May 2026 08:32:00", "Tue, 31 Feb 2026 08:32:00 GMT", "Tue, 26 Mai 2026 08:32:00 GMT",
                   "Tue, 26 May 2026 25:00:00 GMT", "Xyz, 26 May 2026 08:32:00 GMT", "26 May 2026",
                   "Tue, 26 May 2026 08:32 GMT"}) {
    INFO(bad);
    CHECK_FALSE(retry_after(bad));
  }
}

TEST_CASE("outcome: backoff grows to ten minutes with full jitter", "[outcome]") {
  // The ceiling: 20 s, 40 s, 80 s … 600 s; the wait is random01 of it.
  CHECK(backoff(1, 0.5) == seconds{10});
  CHECK(backoff(2, 0.5) == seconds{20});
  CHECK(backoff(3, 0.5) == seconds{40});
  CHECK(backoff(6, 0.5) == seconds{300});
  CHECK(backoff(7, 0.5) == seconds{300});
  CHECK(backoff(1000000, 0.5) == seconds{300});
  CHECK(backoff(1000000, 0.999999) <= seconds{600});
  CHECK(backoff(1000000, 0.999999) >= seconds{599});
}

TEST_CASE("outcome: the first retry is within 30 s and never immediate", "[outcome]") {
  for (double r = 0.0; r < 1.0; r += 0.01) {
    INFO(r);
    auto first = backoff(1, r);
    CHECK(first >= seconds{1});
    CHECK(first <= seconds{30});
    for (int attempt = 1; attempt < 40; ++attempt) {
      auto wait = backoff(attempt, r);
      CHECK(wait >= seconds{1});
      CHECK(wait <= seconds{600});
    }
  }
  // Out-of-range randoms are held to [0, 1].
  CHECK(backoff(1, -3.0) == seconds{1});
  CHECK(backoff(1, 7.0) == seconds{20});
  CHECK(backoff(1, std::nan("")) == seconds{1});
  CHECK(backoff(0, 0.5) == seconds{10});
  CHECK(backoff(3, 0.5, seconds{0}) == seconds{1});
}

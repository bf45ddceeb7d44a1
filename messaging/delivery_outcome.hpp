#pragma once
// The result of one delivery attempt, as a value (docs/daemon.md "Delivery rules"): sent, transient
// (try again, maybe after a time the service gave) or permanent.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <date/date.h>

namespace herald {

struct delivery_outcome {
  enum class kind { sent, transient, permanent };
  kind result = kind::transient;
  /// When the service said when to come back (Retry-After), that wait.
  std::optional<std::chrono::seconds> retry_after;
  /// For people: "HTTP 404: channel_not_found", "connection refused", "SMTP 550 …".
  /// Never holds a secret (URLs are redacted before they get here).
  std::string detail;
  /// Transient, but the request went out whole and no answer came (a
  /// timeout after the last byte was sent): it may have reached the
  /// channel, so it is sent once more at most (docs/daemon.md "Delivery rules").
  bool unanswered = false;

  bool sent() const { return result == kind::sent; }
};

/// An HTTP answer: 2xx sent; 408, 429, 5xx transient; other 4xx (and 3xx,
/// 1xx) permanent. `retry_after` is the header's value ("120" or an
/// HTTP-date), `body` the start of the answer for the detail.
delivery_outcome classify_http(long status, std::string_view retry_after, std::string_view body, date::sys_seconds now);

/// An SMTP reply code after the message: 2xx sent, 4xx transient, 5xx permanent.
delivery_outcome classify_smtp(long code, std::string_view detail);

/// Parses Retry-After: delta-seconds or an HTTP-date (RFC 9110 §10.2.3);
/// a date in the past is zero. nullopt when unreadable.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value, date::sys_seconds now);

/// The wait before attempt `attempt` (1 = first retry) without Retry-After:
/// exponential from `base` (20 s: the first retry within 20 s, inside the
/// 30 s that docs/daemon.md "Delivery rules" promises), doubling, capped at
/// `cap` (10 min), with full jitter from `random01` in [0, 1).
std::chrono::seconds backoff(int attempt, double random01, std::chrono::seconds base = std::chrono::seconds{20},
                             std::chrono::seconds cap = std::chrono::minutes{10});

}  // namespace herald

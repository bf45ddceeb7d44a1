#pragma once
// GET /metrics (docs/daemon.md "Metrics"): the daemon's counters, and the
// Prometheus text exposition format 0.0.4 they are written in.
//
// delivery_counters is fed by the sender and the journal guard as things
// happen, and only ever grows (counters restart at 0 with the process,
// which Prometheus' rate() understands). write_prometheus() is pure: a
// snapshot in, the text out, every family with its HELP and TYPE lines.
// Channels appear by name only, as label values: no secret is written.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <date/date.h>

#include "journal/journal.hpp"
#include "messaging/delivery_outcome.hpp"

namespace herald {

/// The upper bounds (seconds) of the lateness histogram's buckets; +Inf follows.
inline constexpr std::array<double, 9> lateness_buckets{1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 12 * 3600};

struct delivery_counters {
  /// Attempts by (channel, outcome): sent, transient, permanent.
  std::map<std::pair<std::string, std::string>, std::uint64_t> deliveries;
  std::uint64_t retries = 0;         ///< failed attempts scheduled to be tried again
  std::uint64_t journal_errors = 0;  ///< journal calls that failed
  /// Seconds from due to sent, per bucket of lateness_buckets (not cumulative) and above the last.
  std::array<std::uint64_t, lateness_buckets.size() + 1> lateness{};
  double lateness_sum = 0;
  std::uint64_t lateness_count = 0;

  void attempt_ended(std::string_view channel, delivery_outcome::kind outcome);
  void sent_late_by(std::chrono::seconds lateness);
};

struct metrics_snapshot {
  const delivery_counters* counters = nullptr;
  std::optional<std::map<post_state, std::size_t>> posts;  ///< the journal's counts; nullopt when unreadable
  std::optional<date::sys_seconds> next_due;
  std::optional<date::sys_seconds> last_reload;
  bool last_reload_ok = true;
  bool degraded = false;
  std::string replica{};  ///< this replica's name over a shared journal; "" otherwise
};

/// The text exposition format 0.0.4, ending in a newline.
std::string write_prometheus(const metrics_snapshot& snapshot);

/// `value` as a label value: `\`, `"` and newlines escaped.
std::string prometheus_label_value(std::string_view value);

}  // namespace herald

// The format is Prometheus' text exposition 0.0.4
// (prometheus.io/docs/instrumenting/exposition_formats): `# HELP`, `# TYPE`,
// then samples; counters end in _total; a histogram's buckets are
// cumulative and end with le="+Inf", followed by _sum and _count.
#include "daemon/metrics.hpp"

#include <array>

#include <fmt/format.h>

namespace herald {
namespace {

constexpr std::string_view outcome_name(delivery_outcome::kind k) {
  switch (k) {
    case delivery_outcome::kind::sent:
      return "sent";
    case delivery_outcome::kind::transient:
      return "transient";
    case delivery_outcome::kind::permanent:
      return "permanent";
  }
  return "unknown";
}

void family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void gauge(std::string& out, std::string_view name, std::string_view help, double value) {
  family(out, name, "gauge", help);
  out += fmt::format("{} {}\n", name, value);
}

void write_posts(std::string& out, const metrics_snapshot& s) {
  family(out, "herald_posts", "gauge", "Posts in the journal by state.");
  if (!s.posts) return;  // the journal is paused: no sample beats a wrong one
  for (auto state : all_post_states) {
    auto it = s.posts->find(state);
    out += fmt::format("herald_posts{{state=\"{}\"}} {}\n", to_string(state), it == s.posts->end() ? 0 : it->second);
  }
}

void write_counters(std::string& out, const delivery_counters& c) {
  family(out, "herald_deliveries_total", "counter", "Delivery attempts by channel and outcome.");
  for (const auto& [labels, count] : c.deliveries)
    out += fmt::format("herald_deliveries_total{{channel=\"{}\",outcome=\"{}\"}} {}\n",
                       prometheus_label_value(labels.first), labels.second, count);
  family(out, "herald_retries_total", "counter", "Failed attempts scheduled to be tried again.");
  out += fmt::format("herald_retries_total {}\n", c.retries);
  family(out, "herald_journal_errors_total", "counter", "Journal calls that failed.");
  out += fmt::format("herald_journal_errors_total {}\n", c.journal_errors);

  family(out, "herald_post_lateness_seconds", "histogram", "Seconds from a post's due instant to its sending.");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < lateness_buckets.size(); ++i) {
    cumulative += c.lateness[i];
    out += fmt::format("herald_post_lateness_seconds_bucket{{le=\"{}\"}} {}\n", lateness_buckets[i], cumulative);
  }
  out += fmt::format("herald_post_lateness_seconds_bucket{{le=\"+Inf\"}} {}\n", c.lateness_count);
  out += fmt::format("herald_post_lateness_seconds_sum {}\nherald_post_lateness_seconds_count {}\n", c.lateness_sum,
                     c.lateness_count);
}

// Whole seconds, written as integers: fmt's shortest form of a double would be 1.7e+09.
long long unix_seconds(date::sys_seconds t) { return static_cast<long long>(t.time_since_epoch().count()); }

}  // namespace

void delivery_counters::attempt_ended(std::string_view channel, delivery_outcome::kind outcome) {
  ++deliveries[{std::string(channel), std::string(outcome_name(outcome))}];
}

void delivery_counters::sent_late_by(std::chrono::seconds late) {
  auto seconds = static_cast<double>(std::max(late.count(), std::chrono::seconds::rep{0}));
  std::size_t bucket = 0;
  while (bucket < lateness_buckets.size() && seconds > lateness_buckets[bucket]) ++bucket;
  ++lateness[bucket];
  lateness_sum += seconds;
  ++lateness_count;
}

std::string prometheus_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string write_prometheus(const metrics_snapshot& s) {
  std::string out;
  write_posts(out, s);
  if (s.counters) write_counters(out, *s.counters);
  family(out, "herald_next_due_timestamp_seconds", "gauge", "When the next planned post is due (unix seconds).");
  if (s.next_due) out += fmt::format("herald_next_due_timestamp_seconds {}\n", unix_seconds(*s.next_due));
  family(out, "herald_last_reload_timestamp_seconds", "gauge", "When the config was last loaded (unix seconds).");
  if (s.last_reload) out += fmt::format("herald_last_reload_timestamp_seconds {}\n", unix_seconds(*s.last_reload));
  gauge(out, "herald_last_reload_success", "1 when the last load of the config succeeded, else 0.",
        s.last_reload_ok ? 1 : 0);
  gauge(out, "herald_degraded", "1 while the daemon is degraded (see /healthz), else 0.", s.degraded ? 1 : 0);
  if (!s.replica.empty()) {  // the counters above are this replica's own (docs/service.md "Replicas")
    family(out, "herald_replica_info", "gauge", "This replica of a shared journal; its counters are its own.");
    out += fmt::format("herald_replica_info{{replica=\"{}\"}} 1\n", prometheus_label_value(s.replica));
  }
  return out;
}

}  // namespace herald

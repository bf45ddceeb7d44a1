// The Prometheus text of daemon/metrics.hpp: families, samples, label
// escaping, the histogram's cumulative buckets. promtool checks the real
// daemon's answer in web_process_test.cpp.
#include "daemon/metrics.hpp"

#include <catch2/catch.hpp>

using namespace herald;

TEST_CASE("metrics: label values are escaped as the format says", "[web][metrics]") {
  CHECK(prometheus_label_value("staff-slack") == "staff-slack");
  CHECK(prometheus_label_value("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
}

TEST_CASE("metrics: every family has HELP and TYPE, and the samples add up", "[web][metrics]") {
  delivery_counters c;
  c.attempt_ended("staff \"slack\"", delivery_outcome::kind::sent);
  c.attempt_ended("hook", delivery_outcome::kind::transient);
  c.attempt_ended("hook", delivery_outcome::kind::transient);
  c.retries = 2;
  c.journal_errors = 1;
  c.sent_late_by(std::chrono::seconds{0});
  c.sent_late_by(std::chrono::seconds{30});
  c.sent_late_by(std::chrono::seconds{100000});
  metrics_snapshot s;
  s.counters = &c;
  s.posts = std::map<post_state, std::size_t>{{post_state::sent, 7}, {post_state::failed, 1}};
  s.next_due = date::sys_seconds{std::chrono::seconds{1800000000}};
  s.last_reload = date::sys_seconds{std::chrono::seconds{1799990000}};
  s.last_reload_ok = false;
  s.degraded = true;
  auto text = write_prometheus(s);
  for (const auto* line : {
           "# TYPE herald_posts gauge\n",
           "herald_posts{state=\"sent\"} 7\n",
           "herald_posts{state=\"pending\"} 0\n",
           "# TYPE herald_deliveries_total counter\n",
           "herald_deliveries_total{channel=\"hook\",outcome=\"transient\"} 2\n",
           "herald_deliveries_total{channel=\"staff \\\"slack\\\"\",outcome=\"sent\"} 1\n",
           "herald_retries_total 2\n",
           "herald_journal_errors_total 1\n",
           "# TYPE herald_post_lateness_seconds histogram\n",
           "herald_post_lateness_seconds_bucket{le=\"1\"} 1\n",
           "herald_post_lateness_seconds_bucket{le=\"60\"} 2\n",
           "herald_post_lateness_seconds_bucket{le=\"43200\"} 2\n",
           "herald_post_lateness_seconds_bucket{le=\"+Inf\"} 3\n",
           "herald_post_lateness_seconds_sum 100030\n",
           "herald_post_lateness_seconds_count 3\n",
           "herald_next_due_timestamp_seconds 1800000000\n",
           "herald_last_reload_timestamp_seconds 1799990000\n",
           "herald_last_reload_success 0\n",
           "herald_degraded 1\n",
       }) {
    CAPTURE(line);
    CHECK(text.find(line) != std::string::npos);
  }
  // Every family named in a sample has its HELP and TYPE before it.
  for (const auto* family :
       {"herald_posts", "herald_deliveries_total", "herald_retries_total", "herald_journal_errors_total",
        "herald_post_lateness_seconds", "herald_next_due_timestamp_seconds", "herald_last_reload_timestamp_seconds",
        "herald_last_reload_success", "herald_degraded"}) {
    CAPTURE(family);
    auto help = text.find(std::string("# HELP ") + family + " ");
    REQUIRE(help != std::string::npos);
    CHECK(help < text.find(std::string("\n") + family));
  }
}

TEST_CASE("metrics: an unreadable journal leaves the posts family without samples", "[web][metrics]") {
  metrics_snapshot s;
  auto text = write_prometheus(s);
  CHECK(text.find("# TYPE herald_posts gauge\n") != std::string::npos);
  CHECK(text.find("herald_posts{") == std::string::npos);
  CHECK(text.find("herald_degraded 0\n") != std::string::npos);
}

TEST_CASE("metrics: a replica of a shared journal names itself in herald_replica_info", "[web][metrics]") {
  metrics_snapshot s;
  CHECK(write_prometheus(s).find("herald_replica_info") == std::string::npos);  // one host: no such family
  s.replica = "web-\"1\"";
  auto text = write_prometheus(s);
  CHECK(text.find("# TYPE herald_replica_info gauge\n") != std::string::npos);
  CHECK(text.find("herald_replica_info{replica=\"web-\\\"1\\\"\"} 1\n") != std::string::npos);
}

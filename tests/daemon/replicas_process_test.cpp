// Replicas (docs/service.md "Replicas"): two real `herald-daemon run`
// processes share one PostgreSQL journal (a throwaway cluster,
// tests/support/pg_cluster.hpp) and one calendar, posting to one HTTP sink.
// Every post arrives once; killing one replica with kill -9 loses none and
// sends none more than twice; stopping the database pauses sending, which
// resumes by itself. Every wait is on a condition with a deadline.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <date/date.h>
#include <fmt/format.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "journal/postgresql_journal.hpp"
#include "support/hang_limit.hpp"
#include "support/herald_process.hpp"
#include "support/http_test_server.hpp"
#include "support/pg_cluster.hpp"
#include "support/shell_command.hpp"
#include "support/stop_cleanly.hpp"
#include "support/tcp_proxy.hpp"
#include "support/temp_dir.hpp"

using namespace herald;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

using herald::test::stop_cleanly;

namespace {

date::sys_days yesterday() { return date::floor<date::days>(std::chrono::system_clock::now()) - date::days{1}; }

/// `count` events whose one post, yesterday at 12:00 UTC, is due now (catch_up is 3 days).
std::vector<std::string> write_calendar(const fs::path& path, const std::string& prefix, int count) {
  std::string yaml = "version: 1\ntimezone: UTC\ndefaults: {channels: [hook]}\nevents:\n";
  std::vector<std::string> keys;
  auto day = date::format("%F", yesterday());
  for (int i = 1; i <= count; ++i) {
    auto id = fmt::format("{}{:02}", prefix, i);
    yaml += fmt::format(
        "  - id: {}\n    title: Event {}\n    dates: [{}]\n    steps:\n      - at: 0\n        time: \"12:00\"\n"
        "        message: \"{{{{title}}}} is on {{{{date}}}}.\"\n",
        id, id, day);
    keys.push_back(fmt::format("{}/{}/0d/hook", id, day));
  }
  if (count == 0) yaml += "  []\n";
  test::replace_file(path, yaml);
  return keys;
}

/// Two replicas' configs (herald-a.yaml, herald-b.yaml) on one calendar, one sink, one journal.
struct replicas_fixture {
  test::temp_dir dir{"herald-replicas"};
  test::http_test_server sink;
  std::string url = test::pg_cluster::shared().fresh_database();
  fs::path calendar = dir / "calendar.yaml";
  std::map<std::string, int> started;

  /// With `http`, each replica serves its status endpoint on a port of the kernel's choosing.
  explicit replicas_fixture(bool http = false) {
    write_calendar(calendar, "none", 0);
    for (std::string name : {"a", "b"})
      std::ofstream(dir / ("herald-" + name + ".yaml")) << fmt::format(
          "version: 1\n"
          "calendar: calendar.yaml\n"
          "state_dir: {}\n"
          "catch_up: 3d\n"
          "delivery: {{timeout: 1s, attempts: 3, rate: 100/s}}\n"
          "journal: {{postgresql: {{env: HERALD_JOURNAL_URL}}, replica: {}, lease: 3s}}\n"
          "channels:\n"
          "  hook: {{type: webhook, url: \"{}\"}}\n"
          "{}",
          (dir / ("state-" + name)).string(), name, sink.url("/hook"), http ? "http: {listen: \"127.0.0.1:0\"}\n" : "");
  }

  /// Starts replica `name`, reaching the journal at `through` (default: `url`).
  test::herald_process start(const std::string& name, const std::string& through = {}) {
    auto n = ++started[name];
    return test::herald_process::start({"run", "--config", (dir / ("herald-" + name + ".yaml")).string()},
                                       {{"HERALD_JOURNAL_URL", through.empty() ? url : through}},
                                       dir / fmt::format("{}-{}.out", name, n),
                                       dir / fmt::format("{}-{}.err", name, n));
  }

  std::map<std::string, int> arrivals() const {
    std::map<std::string, int> count;
    for (const auto& r : sink.requests()) ++count[r.header("Idempotency-Key")];
    return count;
  }
  bool all_arrived(const std::vector<std::string>& keys) const {
    auto count = arrivals();
    for (const auto& key : keys)
      if (!count.contains(key)) return false;
    return true;
  }
  /// The journal holds exactly these posts, each recorded sent.
  bool all_recorded_sent(const std::vector<std::string>& keys) const {
    auto found = rows();
    return found.size() == keys.size() &&
           std::all_of(found.begin(), found.end(), [](const auto& r) { return r.second.state == post_state::sent; });
  }
  /// The journal's rows, read as a third party.
  std::map<std::string, journal_entry> rows() const {
    auto opened = postgresql_journal::open({url, "test", {}, true});
    INFO((opened.ok() ? "" : opened.error()));
    REQUIRE(opened.ok());
    std::map<std::string, journal_entry> all;
    for (auto state : all_post_states) {
      auto found = opened.value()->entries_in(state);
      REQUIRE(found.ok());
      for (auto& e : found.value()) all.emplace(e.key, e);
    }
    return all;
  }
};

std::string describe(const std::map<std::string, int>& counts) {
  std::string text;
  for (const auto& [key, n] : counts) text += fmt::format("  {} x{}\n", key, n);
  return text;
}

std::string describe(const std::map<std::string, journal_entry>& rows) {
  std::string text;
  for (const auto& [key, e] : rows)
    text += fmt::format("  {} {} by {} attempts={} interrupted={}\n", key, to_string(e.state), e.replica, e.attempts,
                        e.interrupted);
  return text;
}

/// `herald ARGS… --config herald-NAME.yaml` over the shared journal, as the operator "ops-tester", run to its end.
test::process_exit operate(replicas_fixture& f, const std::string& name, std::vector<std::string> args) {
  args.push_back("--config");
  args.push_back((f.dir / ("herald-" + name + ".yaml")).string());
  auto n = ++f.started["command"];
  auto command =
      test::herald_process::start(args, {{"HERALD_JOURNAL_URL", f.url}, {"SUDO_USER", "ops-tester"}},
                                  f.dir / fmt::format("command-{}.out", n), f.dir / fmt::format("command-{}.err", n));
  auto exit = command.wait(20s);
  INFO(command.err());
  REQUIRE(exit);
  return *exit;
}

// The port a replica logged: "status endpoint listening on http://127.0.0.1:PORT/".
unsigned short port_of(test::herald_process& replica) {
  const std::string prefix = "status endpoint listening on http://127.0.0.1:";
  REQUIRE(replica.wait_for_err(prefix, 15s));
  auto err = replica.err();
  auto at = err.find(prefix) + prefix.size();
  return static_cast<unsigned short>(std::stoi(err.substr(at, err.find('/', at) - at)));
}

// The body of one GET over a fresh connection (its status must be 200).
std::string get(unsigned short port, const std::string& target) {
  namespace http = boost::beast::http;
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::address_v4::loopback(), port});
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1");
  http::write(socket, req);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(socket, buffer, res);
  INFO(target << ": " << res.body());
  REQUIRE(res.result_int() == 200);
  return res.body();
}

/// The sample `series` (its name and labels, as written) of a Prometheus text, or nullopt.
std::optional<std::string> sample(const std::string& metrics, const std::string& series) {
  auto at = metrics.find("\n" + series + " ");
  if (at == std::string::npos) return std::nullopt;
  at += series.size() + 2;
  return metrics.substr(at, metrics.find('\n', at) - at);
}

}  // namespace

TEST_CASE("replicas: two replicas on one calendar send every post exactly once", "[daemon_process][postgresql]") {
  replicas_fixture f;
  auto a = f.start("a");
  auto b = f.start("b");
  REQUIRE(a.wait_for_err("started", 15s));
  REQUIRE(b.wait_for_err("started", 15s));
  // Due as both watch the calendar: they race for every post.
  auto keys = write_calendar(f.calendar, "race", 30);
  INFO(a.err() << b.err());
  REQUIRE(test::eventually([&] { return f.all_arrived(keys); }, 30s));
  // The last records reach the journal; a late second copy would reach the sink by then.
  REQUIRE(test::eventually([&] { return f.all_recorded_sent(keys); }, 15s));
  stop_cleanly(a);
  stop_cleanly(b);
  auto counts = f.arrivals();
  INFO("arrivals:\n" << describe(counts));
  CHECK(counts.size() == keys.size());
  for (const auto& key : keys) {
    CAPTURE(key);
    CHECK(counts[key] == 1);
  }
  std::set<std::string> senders;
  for (const auto& [key, row] : f.rows()) senders.insert(row.replica);
  CHECK(senders.size() >= 1);
  for (const auto& name : senders) CHECK((name == "a" || name == "b"));
}

// The fail matrix: a is killed early in the burst (its first posts in
// flight), in the middle, and late (most of its share sent, some recorded).
TEST_CASE("replicas: kill -9 of one replica at points of a burst loses no post and sends none more than twice",
          "[daemon_process][postgresql]") {
  const std::size_t arrived_at_kill = GENERATE(1u, 6u, 18u);
  CAPTURE(arrived_at_kill);
  replicas_fixture f;
  f.sink.set_fallback({200, {}, "ok", 250ms});  // slow, so posts are in flight at the kill
  auto a = f.start("a");
  auto b = f.start("b");
  REQUIRE(a.wait_for_err("started", 15s));
  REQUIRE(b.wait_for_err("started", 15s));
  auto keys = write_calendar(f.calendar, "burst", 24);
  REQUIRE(f.sink.wait_for_requests(arrived_at_kill, 20s));
  CHECK(a.kill9().killed_by(SIGKILL));
  auto at_kill = f.rows();
  std::set<std::string> held_by_a;
  for (const auto& [key, row] : at_kill)
    if (row.state == post_state::in_flight && row.replica == "a") held_by_a.insert(key);

  // b takes over a's claims when their lease lapses, and sends the rest.
  {
    bool done = test::eventually([&] { return f.all_arrived(keys); }, 60s) &&
                test::eventually(
                    [&] {
                      auto rows = f.rows();
                      return std::all_of(keys.begin(), keys.end(), [&](const std::string& key) {
                        return rows.contains(key) && is_final(rows[key].state);
                      });
                    },
                    30s);
    INFO("b's log:\n" << b.err() << "a's log:\n" << a.err());
    INFO("journal at the kill:\n" << describe(at_kill) << "journal now:\n" << describe(f.rows()));
    REQUIRE(done);
  }
  if (!held_by_a.empty()) CHECK(b.err().find("took over") != std::string::npos);
  stop_cleanly(b);
  auto counts = f.arrivals();
  auto rows = f.rows();
  INFO("arrivals:\n" << describe(counts) << "journal:\n" << describe(rows));
  CHECK(counts.size() == keys.size());
  for (const auto& key : keys) {
    CAPTURE(key);
    CHECK(counts[key] >= 1);
    CHECK(counts[key] <= 2);
    if (counts[key] == 2) CHECK(held_by_a.contains(key));  // only a post a had in flight may go twice
    CHECK(rows[key].state == post_state::sent);
  }
}

TEST_CASE("replicas: a database stopped while posts come due pauses sending, then each goes out once",
          "[daemon_process][postgresql][outage]") {
  auto& cluster = test::pg_cluster::shared();
  replicas_fixture f;
  auto a = f.start("a");
  auto b = f.start("b");
  REQUIRE(a.wait_for_err("started", 15s));
  REQUIRE(b.wait_for_err("started", 15s));
  cluster.stop();
  auto keys = write_calendar(f.calendar, "outage", 10);  // due now, with the journal away
  REQUIRE(a.wait_for_err("reloaded", 15s));
  REQUIRE(b.wait_for_err("reloaded", 15s));
  // Nothing goes out while no replica can claim: each waits, degraded.
  CHECK(test::eventually([&] { return a.err().find("trying again in") != std::string::npos; }, 20s));
  CHECK(f.sink.requests().empty());
  cluster.start();
  INFO(a.err() << b.err());
  REQUIRE(test::eventually([&] { return f.all_arrived(keys); }, 90s));
  REQUIRE(test::eventually(
      [&] {
        auto rows = f.rows();
        return std::all_of(keys.begin(), keys.end(), [&](const std::string& key) {
          return rows.contains(key) && rows[key].state == post_state::sent;
        });
      },
      30s));
  stop_cleanly(a);
  stop_cleanly(b);
  auto counts = f.arrivals();
  INFO("arrivals:\n" << describe(counts));
  CHECK(counts.size() == keys.size());
  for (const auto& key : keys) CHECK(counts[key] == 1);
  // The URL (a secret) is in no log.
  CHECK(a.err().find(f.url) == std::string::npos);
  CHECK(b.err().find(f.url) == std::string::npos);
}

TEST_CASE("replicas: a replica whose claim's answer comes after its lease lapsed does not send",
          "[daemon_process][postgresql][partition]") {
  // a reaches the database through a proxy that, from a's claim on, holds
  // every answer: the claim is recorded, a does not know it. b takes the
  // post over when the 3 s lease lapses and sends it. When the answers
  // reach a at last, its claim is older than its lease allows: it must not
  // send (its own steady clock says so), and the post arrives once.
  auto& cluster = test::pg_cluster::shared();
  replicas_fixture f;
  test::tcp_proxy proxy(cluster.port());
  auto through_proxy = f.url;
  through_proxy.replace(through_proxy.find(fmt::format(":{}/", cluster.port())),
                        fmt::format(":{}/", cluster.port()).size(), fmt::format(":{}/", proxy.port()));
  proxy.hold_answers_after("'in_flight', 1, $5");
  auto a = f.start("a", through_proxy);
  REQUIRE(a.wait_for_err("started", 15s));
  auto keys = write_calendar(f.calendar, "cut", 1);
  REQUIRE(test::eventually([&] { return proxy.holding(); }, 15s));
  auto b = f.start("b");
  {
    bool sent = test::eventually([&] { return f.all_arrived(keys); }, 30s) &&
                test::eventually([&] { return f.rows()[keys[0]].state == post_state::sent; }, 15s);
    INFO("a's log:\n" << a.err() << "b's log:\n" << b.err() << "journal:\n" << describe(f.rows()));
    REQUIRE(sent);
  }
  CHECK(f.rows()[keys[0]].replica == "b");
  proxy.release();
  auto refrained = [&] { return a.err().find("is not sent now") != std::string::npos; };
  CHECK(test::eventually([&] { return refrained() || f.sink.requests().size() > 1; }, 15s));
  CHECK(refrained());
  stop_cleanly(a);
  stop_cleanly(b);
  INFO(a.err());
  CHECK(f.sink.requests().size() == 1);
}

TEST_CASE("replicas: a replica whose listening connection was ended listens again by itself and hears operators",
          "[daemon_process][postgresql]") {
  // Only the listening connection (application_name "herald-listen a")
  // is ended; the journal's own stays up, so nothing pauses the journal:
  // the replica must make the listener again by itself, well before the
  // 30 s journal pause would have ended, and take in the pause that an
  // operator made meanwhile or after.
  auto& cluster = test::pg_cluster::shared();
  replicas_fixture f;
  auto a = f.start("a");
  REQUIRE(a.wait_for_err("started", 15s));
  auto database = f.url.substr(f.url.rfind('/') + 1, f.url.find('?') - f.url.rfind('/') - 1);
  auto listening = [&] {
    return cluster.psql(database,
                        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'herald-listen a' AND "
                        "query LIKE 'LISTEN%'") == "1\n";
  };
  REQUIRE(test::eventually(listening, 10s));
  CHECK(cluster.psql(database, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'herald a'") == "1\n");
  CHECK(cluster.psql(database,
                     "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = "
                     "'herald-listen a'") == "1\n");
  INFO(a.err());
  REQUIRE(a.wait_for_err("listening for other replicas and operators:", 10s));
  REQUIRE(operate(f, "a", {"pause", "--channel", "hook"}).exited_with(0));
  CHECK(a.wait_for_err("pause by ops-tester: hook", 10s));
  CHECK(test::eventually(listening, 10s));
  // And notifications flow again: a resume is heard too.
  REQUIRE(operate(f, "a", {"resume", "--channel", "hook"}).exited_with(0));
  CHECK(a.wait_for_err("resume by ops-tester: hook", 10s));
  CHECK(a.err().find("trying again in") == std::string::npos);  // the journal was never paused
  stop_cleanly(a);
  CHECK(a.err().find(f.url) == std::string::npos);
}

TEST_CASE("replicas: /status of either replica lists every post as sent by its sender, /metrics agree",
          "[daemon_process][postgresql][web]") {
  replicas_fixture f(true);
  auto a = f.start("a");
  auto b = f.start("b");
  REQUIRE(a.wait_for_err("started", 15s));
  REQUIRE(b.wait_for_err("started", 15s));
  std::map<std::string, unsigned short> ports{{"a", port_of(a)}, {"b", port_of(b)}};
  auto keys = write_calendar(f.calendar, "web", 8);  // within /status's 10 recent rows
  INFO(a.err() << b.err());
  REQUIRE(test::eventually([&] { return f.all_arrived(keys); }, 30s));
  REQUIRE(test::eventually([&] { return f.all_recorded_sent(keys); }, 15s));
  // Who sent each post, by the replicas' own logs.
  std::map<std::string, std::string> sender;
  for (const auto& key : keys) {
    for (auto* replica : {&a, &b})
      if (replica->err().find("sent " + key + " to 'hook'") != std::string::npos)
        sender[key] = replica == &a ? "a" : "b";
    CAPTURE(key);
    REQUIRE(sender.contains(key));
  }

  for (const auto& [name, port] : ports) {
    CAPTURE(name);
    // /status is rebuilt within seconds of the other replica's records.
    boost::json::value doc;
    auto lists_all = [&] {
      doc = boost::json::parse(get(port, "/status"));
      std::size_t seen = 0;
      for (const auto& row : doc.at("recent").as_array()) {
        std::string key(row.at("key").as_string());
        if (!sender.contains(key)) continue;
        if (row.at("state").as_string() != "sent" || row.at("replica").as_string() != sender[key]) return false;
        ++seen;
      }
      return seen == keys.size();
    };
    bool listed = test::eventually(lists_all, 15s);
    INFO(boost::json::serialize(doc));
    CHECK(listed);
    CHECK(doc.at("journal").at("replica").as_string() == name);
    CHECK(doc.at("journal").at("counts").at("sent").as_int64() == static_cast<std::int64_t>(keys.size()));
  }

  std::map<std::string, std::string> metrics;
  for (const auto& [name, port] : ports) {
    CAPTURE(name);
    metrics[name] = get(port, "/metrics");
    const auto& body = metrics[name];
    INFO(body);
    CHECK(sample(body, fmt::format("herald_replica_info{{replica=\"{}\"}}", name)) == "1");
    CHECK(body.find(fmt::format("herald_replica_info{{replica=\"{}\"}}", name == "a" ? "b" : "a")) ==
          std::string::npos);
    // Its own deliveries: the posts its log says it sent.
    auto own = std::count_if(sender.begin(), sender.end(), [&](const auto& s) { return s.second == name; });
    CHECK(sample(body, "herald_deliveries_total{channel=\"hook\",outcome=\"sent\"}").value_or("0") ==
          std::to_string(own));
    auto file = f.dir / ("metrics-" + name + ".txt");
    std::ofstream(file) << body;
    REQUIRE(fs::exists("/usr/bin/promtool"));  // Debian's prometheus (scripts/setup)
    auto check = test::run_shell("/usr/bin/promtool check metrics < '" + file.string() + "' 2>&1");
    INFO("promtool: " << check.out);
    CHECK(check.status == 0);
    CHECK(check.out.empty());
  }
  // The posts by state are the shared journal's: the same from both.
  for (auto state : all_post_states) {
    auto series = fmt::format("herald_posts{{state=\"{}\"}}", to_string(state));
    CAPTURE(series);
    auto of_a = sample(metrics["a"], series);
    REQUIRE(of_a);
    CHECK(of_a == sample(metrics["b"], series));
  }
  CHECK(sample(metrics["a"], "herald_posts{state=\"sent\"}") == std::to_string(keys.size()));
  stop_cleanly(a);
  stop_cleanly(b);
}

TEST_CASE("replicas: herald status shows the health of the replica on its own state directory",
          "[daemon_process][postgresql][health]") {
  // Given replica a on a port this test holds (degraded: its endpoint is
  // down) and a healthy replica b on one journal, `herald status` with
  // each replica's config shows that replica's daemon and health: the
  // health is per host, not the journal's.
  replicas_fixture f;
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor held(io, {boost::asio::ip::address_v4::loopback(), 0});
  auto address = fmt::format("127.0.0.1:{}", held.local_endpoint().port());
  std::ofstream(f.dir / "herald-a.yaml", std::ios::app) << fmt::format("http: {{listen: \"{}\"}}\n", address);
  auto a = f.start("a");
  auto b = f.start("b");
  REQUIRE(a.wait_for_err("started", 15s));
  REQUIRE(b.wait_for_err("started", 15s));
  auto status_of = [&](const std::string& name) {
    auto n = ++f.started["command"];
    auto out = f.dir / fmt::format("command-{}.out", n);
    auto command = test::herald_process::start(
        {"status", "--format", "json", "--config", (f.dir / ("herald-" + name + ".yaml")).string()},
        {{"HERALD_JOURNAL_URL", f.url}}, out, f.dir / fmt::format("command-{}.err", n));
    auto exit = command.wait(20s);
    INFO(command.err());
    REQUIRE(exit);
    REQUIRE(exit->exited_with(0));
    return boost::json::parse(command.out());
  };
  boost::json::value of_a, of_b;
  REQUIRE(test::eventually(
      [&] {
        of_a = status_of("a");
        of_b = status_of("b");
        return !of_a.at("health").is_null() && !of_b.at("health").is_null();
      },
      test::hang_limit));
  INFO(boost::json::serialize(of_a) << "\n" << boost::json::serialize(of_b));
  CHECK(of_a.at("daemon").at("pid") == a.pid());
  CHECK(of_a.at("health").at("degraded") == true);
  CHECK(of_a.at("health").at("reasons").at(0).as_string().find(
            fmt::format("the status endpoint is down (cannot listen on {}", address)) == 0);
  CHECK(of_b.at("daemon").at("pid") == b.pid());
  CHECK(of_b.at("health").at("degraded") == false);
  stop_cleanly(a);
  stop_cleanly(b);
}

// The status endpoint of the real `herald run` (docs/daemon.md "The status
// endpoint"), with real peers: HTTP over 127.0.0.1 (a port the kernel
// picks, read from herald's log), promtool checking /metrics, chromium
// reading the page, a notify socket for STATUS=. Every wait is on a
// condition with a deadline.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <date/date.h>
#include <fmt/format.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "support/herald_process.hpp"
#include "support/http_test_server.hpp"
#include "support/notify_socket.hpp"
#include "support/shell_command.hpp"
#include "support/stop_cleanly.hpp"
#include "support/temp_dir.hpp"

using namespace herald;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
namespace http = boost::beast::http;

using herald::test::stop_cleanly;

namespace {

std::string iso(date::sys_days day) { return date::format("%F", day); }

date::sys_days today() { return date::floor<date::days>(std::chrono::system_clock::now()); }

// Two events: one the sink fails for (its post is due in the past, within
// catch_up), one in ten days (so the next six weeks hold an observance).
std::string calendar_yaml() {
  return fmt::format(
      "version: 1\ntimezone: UTC\ndefaults: {{channels: [hook]}}\nevents:\n"
      "  - id: past\n    title: Yesterday's Observance\n    dates: [{}]\n"
      "    steps: [{{at: 0, time: \"00:00\", message: \"{{{{title}}}}\"}}]\n"
      "  - id: inwed\n    title: International Women in Engineering Day\n    dates: [{}]\n"
      "    description: \"Celebrating <women> engineers & more.\"\n"
      "    steps: [{{at: 0, time: \"12:00\", message: \"{{{{title}}}}\"}}]\n",
      iso(today() - date::days{1}), iso(today() + date::days{10}));
}

struct response {
  unsigned status = 0;
  std::string body, etag, content_type;
};

// One GET over a fresh connection.
response get(unsigned short port, const std::string& target, const std::string& if_none_match = {}) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::address_v4::loopback(), port});
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1");
  if (!if_none_match.empty()) req.set(http::field::if_none_match, if_none_match);
  http::write(socket, req);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(socket, buffer, res);
  return {res.result_int(), res.body(), std::string(res[http::field::etag]),
          std::string(res[http::field::content_type])};
}

// One GET over a fresh connection, answered within `deadline`, or nullopt.
std::optional<response> get_within(unsigned short port, const std::string& target, std::chrono::milliseconds deadline) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1");
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> res;
  bool done = false;
  socket.async_connect({boost::asio::ip::address_v4::loopback(), port}, [&](boost::system::error_code ec) {
    if (ec) return;
    http::async_write(socket, req, [&](boost::system::error_code ec, std::size_t) {
      if (ec) return;
      http::async_read(socket, buffer, res, [&](boost::system::error_code ec, std::size_t) { done = !ec; });
    });
  });
  io.run_for(deadline);
  if (!done) return std::nullopt;
  return response{res.result_int(), res.body(), std::string(res[http::field::etag]),
                  std::string(res[http::field::content_type])};
}

struct web_fixture {
  test::temp_dir dir{"herald-web"};
  test::http_test_server sink;
  fs::path config = dir / "herald.yaml";
  fs::path calendar = dir / "calendar.yaml";
  fs::path logs = dir / "logs";
  test::notify_socket notify{dir / "notify"};

  web_fixture() {
    fs::create_directories(logs);
    sink.set_fallback({500, {}, "down", 0ms});
    std::ofstream(config) << fmt::format(
        "version: 1\ncalendar: calendar.yaml\nstate_dir: {}\ncatch_up: 3d\n"
        "delivery: {{timeout: 5s, attempts: 2, rate: 100/s}}\n"
        "channels:\n  hook: {{type: webhook, url: \"{}\"}}\n"
        "http: {{listen: \"127.0.0.1:0\"}}\n",
        (dir / "state").string(), sink.url("/hook"));
    test::replace_file(calendar, calendar_yaml());
  }

  test::herald_process start() {
    return test::herald_process::start({"run", "--config", config.string()},
                                       {{"NOTIFY_SOCKET", notify.path().string()}}, logs / "herald.out",
                                       logs / "herald.err");
  }

  // The port herald logged: "status endpoint listening on http://127.0.0.1:PORT/".
  static unsigned short port_of(test::herald_process& herald) {
    // A loaded CI machine has taken more than 10 s here once: wait longer,
    // and show what herald said if it never listens.
    bool listening = herald.wait_for_err("status endpoint listening on http://127.0.0.1:", std::chrono::seconds{30});
    INFO("herald's stderr: " << herald.err() << "; running: " << herald.running());
    REQUIRE(listening);
    std::smatch m;
    auto err = herald.err();
    REQUIRE(std::regex_search(err, m, std::regex("listening on http://127\\.0\\.0\\.1:([0-9]+)/")));
    return static_cast<unsigned short>(std::stoi(m[1]));
  }
};

bool has(const std::string& text, std::string_view needle) { return text.find(needle) != std::string::npos; }

std::string chromium(const std::string& args) {
  REQUIRE(fs::exists("/usr/bin/chromium"));  // Debian's chromium (scripts/setup)
  auto result =
      test::run_shell("timeout 90 /usr/bin/chromium --headless --no-sandbox --disable-gpu " + args + " 2>/dev/null");
  INFO(result.out);
  REQUIRE(result.status == 0);
  return result.out;
}

}  // namespace

TEST_CASE("web: /metrics passes promtool and has the series", "[web][daemon_process]") {
  web_fixture f;
  auto herald = f.start();
  auto port = web_fixture::port_of(herald);
  REQUIRE(f.sink.wait_for_requests(1, 10s));  // the past post was tried, and failed (HTTP 500)
  response metrics;
  REQUIRE(test::eventually(
      [&] {
        metrics = get(port, "/metrics");
        return has(metrics.body, "herald_deliveries_total{channel=\"hook\",outcome=\"transient\"}");
      },
      10s));
  INFO(metrics.body);
  CHECK(metrics.status == 200);
  CHECK(metrics.content_type == "text/plain; version=0.0.4; charset=utf-8");
  auto file = f.dir / "metrics.txt";
  std::ofstream(file) << metrics.body;
  REQUIRE(fs::exists("/usr/bin/promtool"));  // Debian's prometheus (scripts/setup)
  auto check = test::run_shell("/usr/bin/promtool check metrics < '" + file.string() + "' 2>&1");
  INFO("promtool: " << check.out);
  CHECK(check.status == 0);
  CHECK(check.out.empty());
  for (const auto* series :
       {"herald_posts{state=\"pending\"}", "herald_retries_total ", "herald_journal_errors_total 0",
        "herald_post_lateness_seconds_bucket{le=\"+Inf\"}", "herald_next_due_timestamp_seconds ",
        "herald_last_reload_timestamp_seconds ", "herald_last_reload_success 1", "herald_degraded 0"}) {
    CAPTURE(series);
    CHECK(has(metrics.body, series));
  }
  stop_cleanly(herald);
}

TEST_CASE("web: /calendar.ics is the export, and its ETag answers 304", "[web][daemon_process]") {
  web_fixture f;
  auto herald = f.start();
  auto port = web_fixture::port_of(herald);
  auto feed = get(port, "/calendar.ics");
  CHECK(feed.status == 200);
  CHECK(feed.content_type == "text/calendar; charset=utf-8");
  REQUIRE(feed.etag.size() > 2);
  CHECK(has(feed.body, "UID:inwed-" + iso(today() + date::days{10}) + "@herald\r\n"));
  auto exported = test::run_shell("'" HERALD_BINARY "' export --config '" + f.config.string() + "'");
  REQUIRE(exported.status == 0);
  CHECK(exported.out == feed.body);
  auto again = get(port, "/calendar.ics", feed.etag);
  CHECK(again.status == 304);
  CHECK(again.body.empty());
  CHECK(get(port, "/calendar.ics", "\"other\"").status == 200);
  stop_cleanly(herald);
}

TEST_CASE("web: a failed reload makes /healthz 503 and STATUS= degraded, a fixed one heals both",
          "[web][daemon_process]") {
  web_fixture f;
  auto herald = f.start();
  auto port = web_fixture::port_of(herald);
  REQUIRE(f.notify.wait_for_line("READY=1"));
  auto healthy = get(port, "/healthz");
  CHECK(healthy.status == 200);
  CHECK(healthy.body == "ok\n");

  test::replace_file(f.calendar, calendar_yaml() + "  - id: [broken\n");
  response sick;
  REQUIRE(test::eventually(
      [&] {
        sick = get(port, "/healthz");
        return sick.status == 503;
      },
      10s));
  INFO(sick.body);
  CHECK(sick.body.starts_with("degraded\nreload failed (calendar.yaml:"));
  auto status = f.notify.wait_for_prefix("STATUS=degraded: reload failed (calendar.yaml:");
  REQUIRE(status);
  CHECK(has(*status, "; next: "));
  CHECK(has(get(port, "/metrics").body, "herald_degraded 1\n"));
  CHECK(has(get(port, "/metrics").body, "herald_last_reload_success 0\n"));

  // The page, in a real browser: the banner, the landmarks, the observances.
  auto dom = chromium(fmt::format("--dump-dom http://127.0.0.1:{}/", port));
  INFO(dom);
  CHECK(has(dom, "<html lang=\"en\">"));
  CHECK(has(dom, "<h1>herald status</h1>"));
  for (const auto* landmark : {"<header>", "<main>", "<footer>"}) CHECK(has(dom, landmark));
  CHECK(has(dom, "class=\"banner\" role=\"alert\""));
  CHECK(has(dom, "reload failed (calendar.yaml:"));
  CHECK(has(dom, "<th scope=\"row\">International Women in Engineering Day</th>"));
  CHECK_FALSE(has(dom, "<script"));
  auto shots = fs::path(HERALD_BINARY).parent_path() / "screenshots";
  fs::create_directories(shots);
  fs::remove(shots / "status-page-phone.png");
  chromium(fmt::format("--window-size=390,844 --screenshot={} http://127.0.0.1:{}/",
                       (shots / "status-page-phone.png").string(), port));
  CHECK(fs::file_size(shots / "status-page-phone.png") > 10000);

  test::replace_file(f.calendar, calendar_yaml());
  REQUIRE(test::eventually([&] { return get(port, "/healthz").status == 200; }, 10s));
  auto healed = f.notify.wait_for(
      [](std::string_view line) { return line.starts_with("STATUS=") && !line.starts_with("STATUS=degraded"); });
  REQUIRE(healed);
  auto page = get(port, "/");
  CHECK(page.status == 200);
  CHECK_FALSE(has(page.body, "class=\"banner\""));
  stop_cleanly(herald);
}

// /calendar.ics without its DTSTAMP lines: they carry the calendar file's
// time, which an edit moves even when the events stay.
std::string feed_events(unsigned short port) {
  auto body = get(port, "/calendar.ics").body;
  return std::regex_replace(body, std::regex("DTSTAMP:[0-9TZ]*\r?\n"), "");
}

// The keys of the posts /status lists (a retried post may move from one list to another).
std::set<std::string> status_keys(unsigned short port) {
  auto body = get(port, "/status").body;
  std::set<std::string> keys;
  std::regex key("\"key\":\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(body.begin(), body.end(), key); it != std::sregex_iterator(); ++it)
    keys.insert((*it)[1]);
  return keys;
}

TEST_CASE("web: a failed reload leaves the running daemon's feed, status and last good copy as they were",
          "[web][daemon_process][last_good]") {
  // Given a running herald, when an edit breaks the calendar: the reload
  // dropped the calendars before loading the file and made them again from
  // the last good copy, so /calendar.ics has the same events, /status
  // lists the same posts, the copy on disk is untouched and the log says
  // nothing of it; the past post is not sent again. Fixing the file heals
  // the daemon with the same feed.
  web_fixture f;
  auto herald = f.start();
  auto port = web_fixture::port_of(herald);
  REQUIRE(f.notify.wait_for_line("READY=1"));
  auto manifest = f.dir / "state" / "last-good" / "manifest";
  auto text = [](const fs::path& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  auto copy_before = text(manifest);
  auto feed = feed_events(port);
  REQUIRE(has(feed, "SUMMARY:International Women in Engineering Day"));
  auto keys = status_keys(port);
  CHECK(keys.contains(fmt::format("inwed/{}/0d/hook", iso(today() + date::days{10}))));

  test::replace_file(f.calendar, calendar_yaml() + "  - id: [broken\n");
  REQUIRE(test::eventually([&] { return get(port, "/healthz").status == 503; }, 10s));
  CHECK(feed_events(port) == feed);
  CHECK(status_keys(port) == keys);
  CHECK(text(manifest) == copy_before);
  CHECK_FALSE(has(herald.err(), "last good copy"));
  CHECK(has(herald.err(), "reload (a watched file changed) failed, the old schedule keeps running: "));

  test::replace_file(f.calendar, calendar_yaml());
  REQUIRE(test::eventually([&] { return get(port, "/healthz").status == 200; }, 10s));
  CHECK(feed_events(port) == feed);
  stop_cleanly(herald);
  // The sink fails the past post: it is tried on its own schedule
  // (attempts: 2), not once more for each reload.
  CHECK(f.sink.requests().size() <= 2);
}

TEST_CASE("web: a failed reload with the last good copy gone or changed keeps the running calendars",
          "[web][daemon_process][last_good]") {
  // Given a copy deleted or edited by hand while herald runs, when an edit
  // breaks the calendar: herald says once that the copy will not do, keeps
  // the running calendars while the file loads, and shows what it showed.
  web_fixture f;
  auto herald = f.start();
  auto port = web_fixture::port_of(herald);
  REQUIRE(f.notify.wait_for_line("READY=1"));
  auto feed = feed_events(port);
  auto copy = f.dir / "state" / "last-good";
  std::string said;
  SECTION("gone") {
    fs::remove_all(copy);
    said = "last-good is missing or not whole; this reload and the next ones keep the running calendars";
  }
  SECTION("changed") {
    for (const auto& entry : fs::directory_iterator(copy))
      if (entry.path().filename() != "manifest") std::ofstream(entry.path(), std::ios::app) << "# edited\n";
    said = "last-good is damaged: ";
  }
  test::replace_file(f.calendar, calendar_yaml() + "  - id: [broken\n");
  REQUIRE(test::eventually([&] { return get(port, "/healthz").status == 503; }, 10s));
  CHECK(herald.wait_for_err(said));
  CHECK(feed_events(port) == feed);
  CHECK(herald.running());
  stop_cleanly(herald);
}

TEST_CASE("web: a channel failing every attempt of its last 3 posts degrades the daemon", "[web][daemon_process]") {
  web_fixture f;
  std::string yaml = "version: 1\ntimezone: UTC\ndefaults: {channels: [hook]}\nevents:\n";
  for (int i = 1; i <= 3; ++i)
    yaml += fmt::format(
        "  - id: e{}\n    title: E{}\n    dates: [{}]\n    steps: [{{at: 0, time: \"00:00\", "
        "message: \"m\"}}]\n",
        i, i, iso(today() - date::days{1}));
  f.sink.set_fallback({404, {}, "no_such_channel", 0ms});  // permanent: one attempt each
  test::replace_file(f.calendar, yaml);
  auto herald = f.start();
  auto port = web_fixture::port_of(herald);
  response sick;
  REQUIRE(test::eventually(
      [&] {
        sick = get(port, "/healthz");
        return sick.status == 503;
      },
      10s));
  CHECK(sick.body == "degraded\nchannel 'hook' failed every attempt of its last 3 posts\n");
  CHECK(f.notify.wait_for_prefix("STATUS=degraded: channel 'hook' failed every attempt of its last 3 posts; "));
  auto metrics = get(port, "/metrics").body;
  CHECK(has(metrics, "herald_deliveries_total{channel=\"hook\",outcome=\"permanent\"} 3\n"));
  CHECK(has(metrics, "herald_posts{state=\"failed\"} 3\n"));
  CHECK_FALSE(has(get(port, "/").body, f.sink.url("/hook")));  // the webhook URL is a secret
  CHECK_FALSE(has(metrics, f.sink.url("/hook")));
  stop_cleanly(herald);
}

TEST_CASE("web: 16 slow clients holding every connection do not keep /healthz waiting", "[web][daemon_process]") {
  // Given the 16 connections the endpoint allows held by clients that send
  // nothing or a byte of a request and no more (herald drops them only after
  // 10 s), then a probe of /healthz is still answered, well within 5 s.
  web_fixture f;
  auto herald = f.start();
  auto port = web_fixture::port_of(herald);
  REQUIRE(get(port, "/healthz").status == 200);
  boost::asio::io_context io;
  std::vector<boost::asio::ip::tcp::socket> slow;
  for (int i = 0; i < 16; ++i) {
    slow.emplace_back(io);
    slow.back().connect({boost::asio::ip::address_v4::loopback(), port});
    if (i % 2 == 1) boost::asio::write(slow.back(), boost::asio::buffer("G", 1));
  }
  auto probe = get_within(port, "/healthz", 5s);
  REQUIRE(probe);
  CHECK(probe->body == "ok\n");
  auto again = get_within(port, "/healthz", 5s);  // and the next one too
  REQUIRE(again);
  CHECK(again->status == 200);
  stop_cleanly(herald);
}

TEST_CASE("web: the page lists the paused channels and the operators' actions, in a real browser",
          "[web][daemon_process][operator]") {
  // Given `herald pause --channel hook` run beside the daemon by ops-tester,
  // then the page, as chromium reads it, has the channel in the table of
  // paused channels, in words, and the action in the table of actions.
  web_fixture f;
  auto herald = f.start();
  auto port = web_fixture::port_of(herald);
  auto pause = test::herald_process::start({"pause", "--channel", "hook", "--config", f.config.string()},
                                           {{"SUDO_USER", "ops-tester"}}, f.logs / "pause.out", f.logs / "pause.err");
  auto paused = pause.wait(20s);
  REQUIRE(paused);
  REQUIRE(paused->exited_with(0));
  REQUIRE(herald.wait_for_err("pause by ops-tester: hook"));
  auto dom = chromium(fmt::format("--dump-dom http://127.0.0.1:{}/", port));
  INFO(dom);
  CHECK(has(dom, "<h2 id=\"operators\">Operators</h2>"));
  CHECK(has(dom, "<caption>Channels paused by an operator: their posts wait for a resume</caption>"));
  CHECK(
      has(dom, "<th scope=\"row\">hook</th><td data-label=\"State\"><span class=\"state state-paused\">paused</span>"));
  CHECK(has(dom, "<caption>Operator actions, latest first</caption>"));
  CHECK(has(dom,
            "<td data-label=\"By\">ops-tester</td><td data-label=\"Action\">paused the channel</td>"
            "<th scope=\"row\">hook</th>"));
  stop_cleanly(herald);
}

TEST_CASE("web: a start on an invalid calendar runs the last good copy, degraded, /healthz 503 naming the file",
          "[web][daemon_process][last_good]") {
  // Given a herald that started once on good files (keeping a copy), then
  // stopped, and the calendar broken: the next start runs the copy (its
  // posts planned: the page lists the observance), says so in the log, and
  // /healthz answers 503 with the reason; fixing the file heals it.
  web_fixture f;
  {
    auto first = f.start();
    REQUIRE(f.notify.wait_for_line("READY=1"));
    first.signal(SIGTERM);
    auto stopped = first.wait(12s);
    REQUIRE(stopped);
    REQUIRE(stopped->exited_with(0));
  }
  test::replace_file(f.calendar, calendar_yaml() + "  - id: [broken\n");
  auto herald =
      test::herald_process::start({"run", "--config", f.config.string()}, {{"NOTIFY_SOCKET", f.notify.path().string()}},
                                  f.logs / "herald-2.out", f.logs / "herald-2.err");
  auto port = web_fixture::port_of(herald);
  CHECK(herald.wait_for_err("running the last good copy"));
  auto sick = get(port, "/healthz");
  INFO(sick.body);
  CHECK(sick.status == 503);
  CHECK(sick.body.starts_with("degraded\n"));
  CHECK(has(sick.body, "calendar.yaml:"));
  CHECK(f.notify.wait_for_prefix("STATUS=degraded: "));
  CHECK(has(get(port, "/").body, "<th scope=\"row\">International Women in Engineering Day</th>"));

  test::replace_file(f.calendar, calendar_yaml());
  CHECK(test::eventually([&] { return get(port, "/healthz").status == 200; }, 10s));
  stop_cleanly(herald);
}

TEST_CASE("web: a port another process holds degrades STATUS=, and /healthz answers ok once herald listens",
          "[web][daemon_process]") {
  // Given http.listen on a port this test holds: herald starts all the
  // same, STATUS= says the endpoint is down and why; once the port is free
  // a retry listens, /healthz answers ok and STATUS= is healthy again.
  web_fixture f;
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor held(io, {boost::asio::ip::address_v4::loopback(), 0});
  auto port = held.local_endpoint().port();
  auto text = fmt::format(
      "version: 1\ncalendar: calendar.yaml\nstate_dir: {}\ncatch_up: 3d\n"
      "channels:\n  hook: {{type: console}}\nhttp: {{listen: \"127.0.0.1:{}\"}}\n",
      (f.dir / "state").string(), port);
  test::replace_file(f.config, text);
  auto herald = f.start();
  REQUIRE(f.notify.wait_for_line("READY=1"));
  auto status = f.notify.status();
  INFO(herald.err());
  CHECK(status.starts_with(fmt::format(
      "degraded: the status endpoint is down (cannot listen on 127.0.0.1:{}: Address already in use)", port)));
  CHECK(herald.running());

  held.close();
  REQUIRE(test::eventually(
      [&] {
        auto healthz = get_within(port, "/healthz", 1s);
        return healthz && healthz->status == 200 && healthz->body == "ok\n";
      },
      test::hang_limit));
  auto healed = f.notify.wait_for(
      [](std::string_view line) { return line.starts_with("STATUS=") && !line.starts_with("STATUS=degraded"); });
  CHECK(healed);
  CHECK(has(get(port, "/metrics").body, "herald_degraded 0\n"));
  stop_cleanly(herald);
}

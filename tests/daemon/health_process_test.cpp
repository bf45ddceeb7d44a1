// The daemon's health in `herald status` (docs/daemon.md "Health"): the
// real `herald run` degraded (a failed reload, a port this test holds),
// `herald status` run as a process beside it, text and JSON, and the
// daemon's own GET /status. Every wait is on a condition with a deadline.
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include <date/date.h>
#include <fmt/format.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "support/hang_limit.hpp"
#include "support/herald_process.hpp"
#include "support/stop_cleanly.hpp"
#include "support/temp_dir.hpp"

using namespace herald;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
namespace json = boost::json;
namespace http = boost::beast::http;

using herald::test::stop_cleanly;

namespace {

bool has(const std::string& text, std::string_view needle) { return text.find(needle) != std::string::npos; }

std::string calendar_yaml() {
  auto in_ten_days = date::floor<date::days>(std::chrono::system_clock::now()) + date::days{10};
  return fmt::format(
      "version: 1\ntimezone: UTC\ndefaults: {{channels: [log]}}\nevents:\n"
      "  - id: inwed\n    title: International Women in Engineering Day\n    dates: [{}]\n"
      "    steps: [{{at: 0, time: \"12:00\", message: \"{{{{title}}}}\"}}]\n",
      date::format("%F", in_ten_days));
}

// One GET /status over a fresh connection: its body.
std::string get_status(unsigned short port) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::address_v4::loopback(), port});
  http::request<http::empty_body> req{http::verb::get, "/status", 11};
  req.set(http::field::host, "127.0.0.1");
  http::write(socket, req);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(socket, buffer, res);
  REQUIRE(res.result_int() == 200);
  return res.body();
}

struct status_output {
  test::process_exit exit;
  std::string out, err;
};

struct health_fixture {
  test::temp_dir dir{"herald-health"};
  fs::path config = dir / "herald.yaml";
  fs::path calendar = dir / "calendar.yaml";
  fs::path state = dir / "state";
  fs::path logs = dir / "logs";
  int commands = 0;

  /// `listen`: http.listen's address.
  explicit health_fixture(const std::string& listen = "127.0.0.1:0") {
    fs::create_directories(logs);
    std::ofstream(config) << fmt::format(
        "version: 1\ncalendar: calendar.yaml\nstate_dir: {}\ncatch_up: 3d\n"
        "channels:\n  log: {{type: console}}\nhttp: {{listen: \"{}\"}}\n",
        state.string(), listen);
    test::replace_file(calendar, calendar_yaml());
  }

  test::herald_process start_daemon() {
    return test::herald_process::start({"run", "--config", config.string()}, {}, logs / "daemon.out",
                                       logs / "daemon.err");
  }

  /// `herald status --config herald.yaml ARGS…`, run to its end.
  status_output status(std::vector<std::string> args = {}) {
    args.insert(args.begin(), {"status", "--config", config.string()});
    ++commands;
    auto out = logs / fmt::format("status-{}.out", commands), err = logs / fmt::format("status-{}.err", commands);
    auto process = test::herald_process::start(args, {}, out, err);
    auto exit = process.wait(test::hang_limit);
    REQUIRE(exit);
    return {*exit, process.out(), process.err()};
  }

  json::value status_json() {
    auto r = status({"--format", "json"});
    INFO(r.err);
    return json::parse(r.out);
  }

  // The port herald logged: "status endpoint listening on http://127.0.0.1:PORT/".
  static unsigned short port_of(test::herald_process& herald) {
    REQUIRE(herald.wait_for_err("status endpoint listening on http://127.0.0.1:", test::hang_limit));
    std::smatch m;
    auto err = herald.err();
    REQUIRE(std::regex_search(err, m, std::regex("listening on http://127\\.0\\.0\\.1:([0-9]+)/")));
    return static_cast<unsigned short>(std::stoi(m[1]));
  }
};

// The text's health line and the reasons under it.
std::string health_lines(const std::string& text) {
  auto from = text.find("  health:   ");
  if (from == std::string::npos) return {};
  auto to = text.find("\n  journal:", from);
  return text.substr(from, to == std::string::npos ? std::string::npos : to - from + 1);
}

}  // namespace

TEST_CASE("health: herald status and /status show a failed reload, the fix, and never a crashed daemon's health",
          "[health][daemon_process]") {
  health_fixture f;
  auto herald = f.start_daemon();
  auto port = health_fixture::port_of(herald);

  // Healthy: ok, in text and JSON, from the file the daemon published at start.
  json::value doc;
  REQUIRE(test::eventually(
      [&] {
        doc = f.status_json();
        return !doc.at("health").is_null();
      },
      test::hang_limit));
  CHECK(doc.at("daemon").at("pid") == herald.pid());
  CHECK(doc.at("health").at("degraded") == false);
  CHECK(doc.at("health").at("reasons") == json::array{});
  auto healthy = f.status();
  INFO(healthy.out << healthy.err);
  CHECK(healthy.exit.exited_with(0));
  CHECK(has(healthy.out, fmt::format("  daemon:   running (pid {})\n  health:   ok\n", herald.pid())));
  CHECK(json::parse(get_status(port)).at("health").at("degraded") == false);

  // A reload that fails: degraded, with the reason /healthz gives, in both.
  test::replace_file(f.calendar, calendar_yaml() + "  - id: [broken\n");
  REQUIRE(test::eventually(
      [&] {
        doc = f.status_json();
        return doc.at("health").is_object() && doc.at("health").at("degraded") == true;
      },
      test::hang_limit));
  auto reasons = doc.at("health").at("reasons").as_array();
  REQUIRE(reasons.size() == 1);
  auto reason = std::string(reasons.at(0).as_string());
  CHECK(reason.starts_with("reload failed (calendar.yaml:"));
  CHECK(has(reason, "the old schedule keeps running"));
  auto sick = f.status();
  INFO(sick.out << sick.err);
  CHECK(sick.exit.exited_with(2));  // the calendar is invalid; a degraded daemon alone is data (docs/decisions.md)
  auto lines = health_lines(sick.out);
  CHECK(lines.starts_with("  health:   degraded since "));
  CHECK(has(lines, "\n            reload failed (calendar.yaml:"));
  // The daemon's own /status: the same shape, its live reasons, the same since.
  auto served = json::parse(get_status(port));
  CHECK(served.at("health") == doc.at("health"));

  // Killed while degraded: its file stays, but no daemon runs, so it is not shown.
  REQUIRE(herald.kill9().killed_by(SIGKILL));
  auto left = f.state / "health.json";
  REQUIRE(fs::exists(left));
  std::ifstream in(left);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(has(text, "\"degraded\":true"));
  auto stale = f.status();
  INFO(stale.out);
  CHECK(has(stale.out, "  daemon:   not running"));
  CHECK_FALSE(has(stale.out, "health:"));
  CHECK(f.status_json().at("health").is_null());

  // Fixed and started again: the new daemon's health, not the old file's.
  test::replace_file(f.calendar, calendar_yaml());
  auto again = f.start_daemon();
  REQUIRE(test::eventually(
      [&] {
        doc = f.status_json();
        return doc.at("daemon").at("pid") == again.pid() && !doc.at("health").is_null();
      },
      test::hang_limit));
  CHECK(doc.at("health").at("degraded") == false);
  stop_cleanly(again);
}

TEST_CASE("health: herald status shows a status endpoint that cannot listen, which /healthz cannot",
          "[health][daemon_process][web]") {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor held(io, {boost::asio::ip::address_v4::loopback(), 0});
  auto port = held.local_endpoint().port();
  auto address = fmt::format("127.0.0.1:{}", port);
  health_fixture f(address);
  auto herald = f.start_daemon();
  REQUIRE(herald.wait_for_err(fmt::format("cannot listen on {}", address)));

  json::value doc;
  REQUIRE(test::eventually(
      [&] {
        doc = f.status_json();
        return doc.at("health").is_object() && doc.at("health").at("degraded") == true;
      },
      test::hang_limit));
  auto expected = fmt::format(
      "the status endpoint is down (cannot listen on {}: Address already in use): herald keeps trying, and tries at "
      "once on a reload",
      address);
  CHECK(doc.at("health").at("reasons") == json::array{json::string(expected)});
  auto text = f.status();
  INFO(text.out << text.err);
  CHECK(text.exit.exited_with(0));
  CHECK(has(health_lines(text.out), "\n            " + expected + "\n"));

  // Freed: a reload tries at once, herald listens, and status says ok.
  held.close();
  herald.signal(SIGHUP);
  REQUIRE(test::eventually(
      [&] {
        doc = f.status_json();
        return doc.at("health").is_object() && doc.at("health").at("degraded") == false;
      },
      test::hang_limit));
  CHECK(has(f.status().out, "  health:   ok\n"));
  stop_cleanly(herald);
}

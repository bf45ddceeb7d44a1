// herald send-test against a real HTTP server on 127.0.0.1.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include <date/date.h>
#include <boost/json.hpp>

#include "cli/cli.hpp"
#include "support/http_test_server.hpp"
#include "test_support.hpp"

using namespace herald;
namespace fs = std::filesystem;

namespace {

struct fixture {
  test::http_test_server server;
  fs::path dir = fs::temp_directory_path() / ("herald-send-test-" + std::to_string(::getpid()));
  std::string hook_url = server.url("/services/T000/B000/SECRETxyz");

  fixture() {
    fs::create_directories(dir);
    std::ofstream(dir / "calendar.yaml") << R"(version: 1
timezone: Europe/London
defaults: {channels: [staff]}
events:
  - id: inwed
    title: International Women in Engineering Day
    every: June 23
    url: https://www.inwed.org.uk/
    steps: [{at: 0, message: "Today is {{title}} & more"}]
)";
    std::ofstream(dir / "herald.yaml") << "version: 1\ncalendar: calendar.yaml\ndelivery: {timeout: 5s}\nchannels:\n"
                                          "  staff: { type: slack, url: {env: HOOK} }\n";
  }
  ~fixture() { fs::remove_all(dir); }

  test::cli_result run(std::vector<std::string> args) {
    args.insert(args.begin(), {"send-test", "--config", (dir / "herald.yaml").string()});
    auto now = std::chrono::system_clock::time_point{date::sys_days{date::year{2027} / 5 / 1}};
    return test::run_herald(std::move(args), now, [this](const char* name) -> const char* {
      return std::string_view(name) == "HOOK" && !hook_url.empty() ? hook_url.c_str() : nullptr;
    });
  }
};

}  // namespace

TEST_CASE("send-test: the event's next post reaches Slack as Block Kit, exit 0", "[send-test]") {
  fixture f;
  auto r = f.run({"--channel", "staff", "--event", "inwed"});
  INFO(r.err);
  CHECK(r.status == 0);
  REQUIRE(f.server.wait_for_requests(1));
  auto request = f.server.requests().at(0);
  CHECK(request.target == "/services/T000/B000/SECRETxyz");
  auto body = boost::json::parse(request.body).as_object();
  CHECK(body.at("text") == "Today is International Women in Engineering Day &amp; more");
  CHECK(body.at("blocks").as_array().at(0).at("text").at("text") == "International Women in Engineering Day");
  CHECK(r.err.starts_with("sent inwed/2027-06-23/0d/staff to 'staff' (http://127.0.0.1:"));
  CHECK(r.err.find("SECRET") == std::string::npos);
}

TEST_CASE("send-test: a refusal is printed with the service's answer, exit 1", "[send-test]") {
  fixture f;
  f.server.respond({404, {}, "no_service"});
  auto r = f.run({"--channel", "staff"});
  CHECK(r.status == 1);
  CHECK(r.err.find("HTTP 404: no_service") != std::string::npos);
  CHECK(r.err.find("SECRET") == std::string::npos);
  REQUIRE(f.server.wait_for_requests(1));
  auto body = boost::json::parse(f.server.requests().at(0).body).as_object();
  CHECK(body.at("text").as_string().starts_with("This is a test post from herald"));
}

TEST_CASE("send-test: a peer that never answers ends in the delivery timeout, exit 1", "[send-test]") {
  fixture f;
  std::ofstream(f.dir / "herald.yaml") << "version: 1\ncalendar: calendar.yaml\ndelivery: {timeout: 1s}\nchannels:\n"
                                          "  staff: { type: slack, url: {env: HOOK} }\n";
  f.server.respond({200, {}, "ok", std::chrono::milliseconds{2500}});
  // Ended by curl's timer, not by a socket: the command must still return.
  auto r = f.run({"--channel", "staff"});
  CHECK(r.status == 1);
  CHECK(r.err.starts_with("failed, would retry"));
  CHECK(r.err.find("SECRET") == std::string::npos);
}

TEST_CASE("send-test: a missing secret or channel is reported without sending", "[send-test]") {
  fixture f;
  f.hook_url.clear();  // HOOK unset
  auto r = f.run({"--channel", "staff"});
  CHECK(r.status == 1);
  CHECK(r.err == "herald: error: channel 'staff': url: environment variable HOOK is not set\n");
  auto unknown = f.run({"--channel", "staf"});
  CHECK(unknown.status == 2);
  CHECK(unknown.err ==
        "herald: error: unknown channel 'staf' (did you mean 'staff'?)\n  hint: the config's channels: staff\n");
  CHECK(f.server.requests().empty());
}

TEST_CASE("send-test: --mark begins the text and the heading with [test]", "[send-test]") {
  fixture f;
  auto r = f.run({"--channel", "staff", "--event", "inwed", "--mark"});
  INFO(r.err);
  CHECK(r.status == 0);
  REQUIRE(f.server.wait_for_requests(1));
  auto body = boost::json::parse(f.server.requests().at(0).body).as_object();
  CHECK(body.at("text") == "[test] Today is International Women in Engineering Day &amp; more");
  CHECK(body.at("blocks").as_array().at(0).at("text").at("text") == "[test] International Women in Engineering Day");
}

TEST_CASE("send-test: an SMTP server with a password in it is refused, and not printed", "[send-test][secrets]") {
  // Given an email channel whose server holds user:password (the
  // credentials have their own keys), send-test refuses the config as
  // validate does (exit 2, the line's FILE:LINE:COL) and prints no part of it.
  fixture f;
  std::ofstream(f.dir / "herald.yaml") << "version: 1\ncalendar: calendar.yaml\nchannels:\n"
                                          "  staff: { type: email, server: \"smtp://user:SECRET@127.0.0.1:1\", "
                                          "from: herald@example.org, to: [members@example.org] }\n";
  auto r = f.run({"--channel", "staff", "--event", "inwed"});
  INFO(r.err);
  CHECK(r.status == 2);
  CHECK(r.err.find("herald.yaml:4:") != std::string::npos);
  CHECK(r.err.find("SECRET") == std::string::npos);
  CHECK(r.out.find("SECRET") == std::string::npos);
}

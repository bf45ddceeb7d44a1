// The status page's HTML (daemon/status_page.hpp): escaping, the banner,
// the structure an assistive technology relies on. A real browser reads it
// in web_process_test.cpp.
#include "daemon/status_page.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

#include <fmt/format.h>

#include "journal/sqlite_journal.hpp"
#include "support/temp_dir.hpp"
#include "test_support.hpp"

using namespace herald;

namespace {

std::size_t count(const std::string& text, std::string_view needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

bool has(const std::string& text, std::string_view needle) { return text.find(needle) != std::string::npos; }

status_row row(std::string event, std::string channel, const status_report& r, std::string state, int attempts,
               std::optional<std::string> error = std::nullopt) {
  status_row out;
  out.key = event + "/2027-06-20/0d/" + channel;
  out.event = std::move(event);
  out.channel = std::move(channel);
  out.zone = r.zone;
  out.due = r.now;
  out.state = std::move(state);
  out.attempts = attempts;
  out.last_error = std::move(error);
  return out;
}

status_report sample_report() {
  status_report r;
  r.now = date::sys_days{date::year{2027} / 6 / 20};
  r.zone = date::locate_zone("Europe/London");
  r.pending.push_back(row("a", "hook", r, "pending", 2, "HTTP 503 <busy>"));
  auto failed = row("b", "hook", r, "failed", 8, "HTTP 404");
  r.failed.push_back(failed);
  r.recent.push_back(row("c", "mail", r, "sent", 1));
  r.recent.push_back(failed);  // recent lists every change; the page shows it once
  r.past = r.recent;           // the latest final rows, whatever their state
  return r;
}

}  // namespace

TEST_CASE("status page: calendar text is escaped, and there is no script", "[web][status_page]") {
  auto report = sample_report();
  status_page_input in;
  in.report = &report;
  in.today = test::day(2027, 6, 20);
  in.observances = {{"<script>alert('x')</script> & Pride", test::day(2027, 6, 1), test::day(2027, 6, 30)}};
  auto html = render_status_page(in);
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Pride") != std::string::npos);
  CHECK(html.find("HTTP 503 &lt;busy&gt;") != std::string::npos);
  CHECK(html_escape(R"(<a href="x">'&'</a>)") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
}

TEST_CASE("status page: landmarks, one h1, captions and scopes, states in words", "[web][status_page]") {
  auto report = sample_report();
  status_page_input in;
  in.report = &report;
  in.today = test::day(2027, 6, 20);
  in.observances = {{"International Women in Engineering Day", test::day(2027, 6, 23), test::day(2027, 6, 23)}};
  auto html = render_status_page(in);
  CHECK(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
  CHECK(html.find("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">") != std::string::npos);
  CHECK(count(html, "<h1>") == 1);
  for (const auto* landmark : {"<header>", "<main>", "<footer>"}) CHECK(count(html, landmark) == 1);
  CHECK(count(html, "<table") == count(html, "<caption>"));
  CHECK(count(html, "<th scope=\"col\">") == 2 + 5 + 6 + 4 + 4);
  CHECK(html.find("No channel is paused.") != std::string::npos);
  CHECK(html.find("Wed 23 Jun 2027</td><th scope=\"row\">International Women in Engineering Day</th>") !=
        std::string::npos);
  CHECK(html.find(">retrying</span>") != std::string::npos);
  CHECK(html.find(">failed</span>") != std::string::npos);
  CHECK(count(html, ">failed</span>") == 1);
  CHECK(html.find(">sent</span>") != std::string::npos);
  CHECK(html.find("class=\"banner\"") == std::string::npos);
  CHECK(html.find("Healthy.") != std::string::npos);
  CHECK(html.find("http://") == std::string::npos);  // nothing fetched from elsewhere
  CHECK(html.find("https://") == std::string::npos);
}

TEST_CASE("status page: a banner says why it is degraded", "[web][status_page]") {
  status_page_input in;
  in.today = test::day(2027, 6, 20);
  in.degraded = {"reload failed (calendar.yaml:3:1: error: <oops>)"};
  auto html = render_status_page(in);
  CHECK(html.find("<section class=\"banner\" role=\"alert\"") != std::string::npos);
  CHECK(html.find("<li>reload failed (calendar.yaml:3:1: error: &lt;oops&gt;)</li>") != std::string::npos);
  CHECK(html.find("<title>herald status (degraded)</title>") != std::string::npos);
  CHECK(html.find("The journal cannot be read just now") != std::string::npos);  // no report
}

TEST_CASE("status page: the paused channels and the operators' latest actions, in words", "[web][status_page]") {
  auto report = sample_report();
  report.paused.push_back({"staff-<slack>", report.now - std::chrono::hours{2}, "alice"});
  report.actions.push_back({2, report.now - std::chrono::hours{1}, "bob", "skip", "a/2027-06-20/0d/hook"});
  report.actions.push_back({1, report.now - std::chrono::hours{2}, "alice", "pause", "staff-<slack>"});
  status_page_input in;
  in.report = &report;
  in.today = test::day(2027, 6, 20);
  report.past.push_back(row("a", "hook", report, "skipped", 0));
  auto html = render_status_page(in);
  // The skipped post is a past post too, its state in words as the others'.
  auto past = html.find("<h2 id=\"past\">Past posts</h2>");
  REQUIRE(past != std::string::npos);
  CHECK(html.find("<caption>Posts recently sent, failed, missed and skipped, latest change first</caption>", past) !=
        std::string::npos);
  CHECK(html.find("<th scope=\"row\">a</th><td data-label=\"Channel\">hook</td><td data-label=\"State\"><span "
                  "class=\"state state-skipped\">skipped</span></td>",
                  past) < html.find("<h2 id=\"operators\">"));
  CHECK(html.find("<h2 id=\"operators\">Operators</h2>") != std::string::npos);
  CHECK(html.find("<caption>Channels paused by an operator: their posts wait for a resume</caption>") !=
        std::string::npos);
  CHECK(html.find("<tr><th scope=\"row\">staff-&lt;slack&gt;</th><td data-label=\"State\"><span class=\"state "
                  "state-paused\">paused</span></td><td data-label=\"Since\">Sat 19 Jun 2027 23:00 BST</td>"
                  "<td data-label=\"By\">alice</td></tr>") != std::string::npos);
  CHECK(html.find("<caption>Operator actions, latest first</caption>") != std::string::npos);
  auto skip = html.find(
      "<td data-label=\"By\">bob</td><td data-label=\"Action\">skipped the post</td>"
      "<th scope=\"row\">a/2027-06-20/0d/hook</th>");
  auto pause = html.find(
      "<td data-label=\"By\">alice</td><td data-label=\"Action\">paused the channel</td>"
      "<th scope=\"row\">staff-&lt;slack&gt;</th>");
  CHECK(skip != std::string::npos);
  CHECK(pause != std::string::npos);
  CHECK(skip < pause);  // newest first
  CHECK(count(html, "<table") == count(html, "<caption>"));
}

TEST_CASE("status page: past posts are one table, latest change first, whatever their state", "[web][status_page]") {
  // Given a sent, a failed, a missed and a skipped post whose changes
  // interleave, then the past table lists them by their last change,
  // newest first, not list by list; each row says its state and when.
  status_report report;
  report.now = date::sys_days{date::year{2027} / 6 / 20} + std::chrono::hours{12};
  report.zone = date::locate_zone("Europe/London");
  auto at = [&](std::string event, std::string state, int hours_ago) {
    auto r = row(std::move(event), "hook", report, std::move(state), 1);
    r.updated_at = report.now - std::chrono::hours{hours_ago};
    return r;
  };
  report.past.push_back(at("sent-3h", "sent", 3));
  report.past.push_back(at("sent-1h", "sent", 1));
  report.past.push_back(at("failed-4h", "failed", 4));
  report.past.push_back(at("missed-2h", "missed", 2));
  report.past.push_back(at("skipped-0h", "skipped", 0));
  status_page_input in;
  in.report = &report;
  in.today = test::day(2027, 6, 20);
  auto html = render_status_page(in);
  auto past = html.find("<h2 id=\"past\">Past posts</h2>");
  REQUIRE(past != std::string::npos);
  CHECK(html.find("<th scope=\"col\">Changed</th><th scope=\"col\">Due</th>", past) != std::string::npos);
  std::vector<std::size_t> where;
  for (auto event : {"skipped-0h", "sent-1h", "missed-2h", "sent-3h", "failed-4h"}) {
    CAPTURE(event);
    where.push_back(html.find(fmt::format("<th scope=\"row\">{}</th>", event), past));
    CHECK(where.back() != std::string::npos);
  }
  CHECK(std::is_sorted(where.begin(), where.end()));
  CHECK(html.find("<tr><td data-label=\"Changed\">Sun 20 Jun 2027 11:00 BST</td>", past) ==
        html.rfind("<tr>", where[2]));
  CHECK(count(html.substr(past), "<tr><td data-label=\"Changed\">") == 5);
  for (auto word : {">sent</span>", ">failed</span>", ">missed</span>", ">skipped</span>"})
    CHECK(html.find(word, past) != std::string::npos);
}

TEST_CASE("status page: past posts are the 10 latest changes of the whole journal, not of each list",
          "[web][status_page]") {
  // Given more than 10 sent, failed and missed rows each, where the missed
  // posts changed last but in the opposite order of their due dates: the
  // page shows those 10 missed posts, the latest change first, and nothing
  // else. (Each list cut to 10 before the merge showed 30 rows, and lost
  // the two latest changes: a missed list is cut by due date.)
  test::temp_dir dir{"herald-page"};
  auto opened = sqlite_journal::open(dir / "journal.db");
  REQUIRE(opened.ok());
  auto& store = *opened.value();
  const date::sys_seconds now = date::sys_days{date::year{2027} / 6 / 20} + std::chrono::hours{12};
  auto key = [](std::string_view event, int i) { return fmt::format("{}-{}/2027-06-{:02}/0d/hook", event, i, i + 1); };
  auto due = [](int i) { return date::sys_seconds{date::sys_days{date::year{2027} / 6 / (i + 1)}}; };
  using std::chrono::hours, std::chrono::minutes;
  for (int i = 0; i < 12; ++i) {
    REQUIRE(store.begin_attempt(key("sent", i), due(i), "hook", fmt::format("sent-{}", i), now - hours{100}).ok());
    REQUIRE(store.record_sent(key("sent", i), now - hours{100} + minutes{i}).ok());
    REQUIRE(store.begin_attempt(key("failed", i), due(i), "hook", fmt::format("failed-{}", i), now - hours{50}).ok());
    REQUIRE(store.record_failed(key("failed", i), now - hours{50} + minutes{i}, "HTTP 404").ok());
    // missed-0 changed last and is due first.
    REQUIRE(store.record_missed(key("missed", i), due(i), "hook", fmt::format("missed-{}", i), now - minutes{i}).ok());
  }
  config cfg;
  auto report = build_status_report(cfg, {}, dir / "journal.db", &store, now);
  REQUIRE(report.ok());
  status_page_input in;
  in.report = &report.value();
  in.today = test::day(2027, 6, 20);
  auto html = render_status_page(in);
  auto past = html.find("<h2 id=\"past\">Past posts</h2>");
  REQUIRE(past != std::string::npos);
  auto table = html.substr(past, html.find("</section>", past) - past);
  INFO(table);
  CHECK(count(table, "<tr><td data-label=\"Changed\">") == 10);
  std::vector<std::size_t> where;
  for (int i = 0; i < 10; ++i) where.push_back(table.find(fmt::format("<th scope=\"row\">missed-{}</th>", i)));
  CHECK(std::find(where.begin(), where.end(), std::string::npos) == where.end());
  CHECK(std::is_sorted(where.begin(), where.end()));
  CHECK_FALSE(has(table, ">sent</span>"));
  CHECK_FALSE(has(table, ">failed</span>"));
}

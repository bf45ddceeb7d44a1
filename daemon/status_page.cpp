// The page is built by appending to one string: it is small (tens of rows),
// and a template engine would be a dependency for a few lines of markup.
// Colours: #1b1b1b on #fff is 17:1; every state's text colour on its tint
// is 7:1 or more, and the state is always written as a word.
#include "daemon/status_page.hpp"

#include <algorithm>
#include <iterator>

#include <fmt/format.h>

#include "text/civil.hpp"

namespace herald {
namespace {

constexpr std::string_view style = R"(
body{margin:0;font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;background:#fff}
header,main,footer{max-width:60rem;margin:0 auto;padding:0 1rem}
header{border-bottom:1px solid #767676}
h1{font-size:1.6rem;margin:.8rem 0 .2rem}
h2{font-size:1.25rem;margin:1.6rem 0 .4rem}
p{margin:.4rem 0}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%}
caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{text-align:left;vertical-align:top;padding:.35rem .5rem;border-bottom:1px solid #d0d0d0}
tbody th,tbody td{overflow-wrap:anywhere}
thead th{border-bottom:2px solid #1b1b1b}
.banner{border:3px solid #8a1c1c;background:#fdecea;color:#5c0f0f;padding:.6rem 1rem;margin-top:1rem}
.banner h2{margin-top:0}
.healthy{border-left:6px solid #1e6b34;background:#e9f5ec;color:#0f3d1c;padding:.4rem .8rem;margin-top:1rem}
.state{font-weight:600;padding:0 .3rem;border-radius:.2rem;white-space:nowrap}
.state-failed,.state-missed,.state-unconfirmed{background:#fdecea;color:#5c0f0f}
.state-retrying,.state-sending,.state-pending,.state-overdue{background:#fff4e0;color:#5a3800}
.state-sent{background:#e9f5ec;color:#0f3d1c}
.state-planned{background:#eef2fb;color:#1b2f5c}
.state-skipped,.state-paused{background:#f0f0f0;color:#333}
footer{border-top:1px solid #767676;margin-top:2rem;padding-bottom:1rem}
a{color:#0b4fa8}
@media (max-width:40rem){
h1{font-size:1.35rem}
.posts thead{position:absolute;left:-9999px}
.posts tr{display:block;border-bottom:1px solid #d0d0d0;padding:.3rem 0}
.posts th,.posts td{display:block;border:0;padding:.05rem .25rem}
.posts td[data-label]::before{content:attr(data-label) ": ";font-weight:600}
}
)";

std::string short_date(date::local_days day) {
  date::year_month_day ymd{day};
  return fmt::format("{} {} {} {}", weekday_short_name(date::weekday{day}), static_cast<unsigned>(ymd.day()),
                     month_name(ymd.month()).substr(0, 3), static_cast<int>(ymd.year()));
}

std::string local_time(const date::time_zone* zone, date::sys_seconds t) {
  if (!zone) return format_iso_date_time(date::local_seconds{t.time_since_epoch()}) + " UTC";
  auto info = zone->get_info(t);
  auto local = date::local_seconds{(t + info.offset).time_since_epoch()};
  return short_date(date::floor<date::days>(local)) + date::format(" %H:%M ", local) + info.abbrev;
}

// The state in words: a pending row that has been tried is waiting to be
// tried again.
std::string state_word(const status_row& row) {
  if (row.state == "pending") return row.attempts > 0 ? "retrying" : "pending";
  if (row.state == "in_flight") return "sending";
  return row.state;
}

void open_table(std::string& out, std::string_view css_class, std::string_view caption,
                std::initializer_list<std::string_view> columns) {
  out +=
      fmt::format("<div class=\"scroll\"><table class=\"{}\">\n<caption>{}</caption>\n<thead><tr>", css_class, caption);
  for (auto column : columns) out += fmt::format("<th scope=\"col\">{}</th>", column);
  out += "</tr></thead>\n<tbody>\n";
}

void close_table(std::string& out) { out += "</tbody>\n</table></div>\n"; }

void empty_row(std::string& out, int columns, std::string_view text) {
  out += fmt::format("<tr><td colspan=\"{}\">{}</td></tr>\n", columns, text);
}

void write_health(std::string& out, const status_page_input& in) {
  if (in.degraded.empty()) {
    out += "<p class=\"healthy\"><strong>Healthy.</strong> Posts go out as planned.</p>\n";
    return;
  }
  out +=
      "<section class=\"banner\" role=\"alert\" aria-labelledby=\"degraded\">\n"
      "<h2 id=\"degraded\">Degraded</h2>\n<ul>\n";
  for (const auto& reason : in.degraded) out += fmt::format("<li>{}</li>\n", html_escape(reason));
  out += "</ul>\n</section>\n";
}

void write_observances(std::string& out, const status_page_input& in) {
  out += fmt::format("<section aria-labelledby=\"observances\">\n<h2 id=\"observances\">Coming observances</h2>\n");
  open_table(out, "observances", fmt::format("Observances from {} for {} weeks", short_date(in.today), in.weeks),
             {"Dates", "Observance"});
  for (const auto& o : in.observances) {
    auto when = o.start == o.end ? short_date(o.start) : short_date(o.start) + " – " + short_date(o.end);
    out += fmt::format("<tr><td>{}</td><th scope=\"row\">{}</th></tr>\n", when, html_escape(o.title));
  }
  if (in.observances.empty()) empty_row(out, 2, "None in these weeks.");
  close_table(out);
  out += "</section>\n";
}

// `changed`: the first cell, when the row was last changed (past posts).
void write_row(std::string& out, const status_row& row, std::string_view word,
               std::optional<date::sys_seconds> changed = std::nullopt) {
  std::string detail;
  if (row.last_error) detail = html_escape(*row.last_error);
  if (row.next_try) detail += (detail.empty() ? "" : "; ") + ("next try " + local_time(row.zone, *row.next_try));
  if (row.attempts > 0)
    detail += fmt::format("{}{} attempt{}", detail.empty() ? "" : "; ", row.attempts, row.attempts == 1 ? "" : "s");
  out += "<tr>";
  if (changed) out += fmt::format("<td data-label=\"Changed\">{}</td>", local_time(row.zone, *changed));
  out += fmt::format(
      "<td data-label=\"Due\">{}</td><th scope=\"row\">{}</th><td data-label=\"Channel\">{}</td>"
      "<td data-label=\"State\"><span class=\"state state-{}\">{}</span></td><td{}>{}</td></tr>\n",
      local_time(row.zone, row.due), html_escape(row.event), html_escape(row.channel), word, word,
      detail.empty() ? "" : " data-label=\"Detail\"", detail);
}

void write_posts(std::string& out, std::string_view id, std::string_view heading, std::string_view caption,
                 std::initializer_list<std::pair<const std::vector<status_row>*, std::string_view>> lists) {
  out += fmt::format("<section aria-labelledby=\"{}\">\n<h2 id=\"{}\">{}</h2>\n", id, id, heading);
  open_table(out, "posts", caption, {"Due", "Event", "Channel", "State", "Detail"});
  bool any = false;
  for (const auto& [rows, forced] : lists)
    for (const auto& row : *rows) {
      write_row(out, row, forced.empty() ? state_word(row) : std::string(forced));
      any = true;
    }
  if (!any) empty_row(out, 5, "None.");
  close_table(out);
  out += "</section>\n";
}

// When a past post last changed: the journal's update, else its send.
date::sys_seconds last_change(const status_row& row) { return row.updated_at.value_or(row.sent_at.value_or(row.due)); }

// The latest changed sent, failed, missed and skipped posts (the report's
// `past`) in one table, latest change first, each with its state in words.
void write_past_posts(std::string& out, const status_report& r) {
  std::vector<const status_row*> rows;
  for (const auto& row : r.past) rows.push_back(&row);
  std::stable_sort(rows.begin(), rows.end(), [](const status_row* a, const status_row* b) {
    auto at_a = last_change(*a), at_b = last_change(*b);
    return at_a != at_b ? at_a > at_b : a->due > b->due;
  });
  out += "<section aria-labelledby=\"past\">\n<h2 id=\"past\">Past posts</h2>\n";
  open_table(out, "posts", "Posts recently sent, failed, missed and skipped, latest change first",
             {"Changed", "Due", "Event", "Channel", "State", "Detail"});
  for (const auto* row : rows) write_row(out, *row, state_word(*row), last_change(*row));
  if (rows.empty()) empty_row(out, 6, "None.");
  close_table(out);
  out += "</section>\n";
}

// An operator's action in words: "skip" → "skipped the post".
std::string_view action_words(std::string_view action) {
  if (action == "skip") return "skipped the post";
  if (action == "resend") return "resent the post";
  if (action == "pause") return "paused the channel";
  if (action == "resume") return "resumed the channel";
  return action;
}

// What operators decided (docs/service.md "Operating herald"): the channels
// paused now, and the latest actions, newest first.
void write_operators(std::string& out, const status_report& r) {
  out += "<section aria-labelledby=\"operators\">\n<h2 id=\"operators\">Operators</h2>\n";
  open_table(out, "posts", "Channels paused by an operator: their posts wait for a resume",
             {"Channel", "State", "Since", "By"});
  for (const auto& p : r.paused)
    out += fmt::format(
        "<tr><th scope=\"row\">{}</th><td data-label=\"State\"><span class=\"state state-paused\">paused</span></td>"
        "<td data-label=\"Since\">{}</td><td data-label=\"By\">{}</td></tr>\n",
        html_escape(p.channel), local_time(r.zone, p.since), html_escape(p.user));
  if (r.paused.empty()) empty_row(out, 4, "No channel is paused.");
  close_table(out);
  open_table(out, "posts", "Operator actions, latest first", {"When", "By", "Action", "Post or channel"});
  for (const auto& a : r.actions)
    out += fmt::format(
        "<tr><td data-label=\"When\">{}</td><td data-label=\"By\">{}</td><td data-label=\"Action\">{}</td>"
        "<th scope=\"row\">{}</th></tr>\n",
        local_time(r.zone, a.at), html_escape(a.user), html_escape(action_words(a.action)), html_escape(a.target));
  if (r.actions.empty()) empty_row(out, 4, "None.");
  close_table(out);
  out += "</section>\n";
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string render_status_page(const status_page_input& in) {
  std::string out;
  out.reserve(16 * 1024);
  out += fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>herald status{}</title>\n<style>{}</style>\n</head>\n<body>\n",
      in.degraded.empty() ? "" : " (degraded)", style);
  out += fmt::format("<header>\n<h1>herald status</h1>\n<p>{} ({})</p>\n</header>\n<main>\n",
                     in.report ? local_time(in.report->zone, in.report->now) : short_date(in.today),
                     html_escape(in.zone_name));
  write_health(out, in);
  write_observances(out, in);
  if (in.report) {
    const auto& r = *in.report;
    write_posts(out, "coming", "Coming posts", "Posts waiting, being retried and planned, soonest first",
                {{&r.overdue, "overdue"}, {&r.pending, ""}, {&r.next, ""}});
    write_past_posts(out, r);
    write_operators(out, r);
  } else {
    out +=
        "<section aria-labelledby=\"posts\">\n<h2 id=\"posts\">Posts</h2>\n"
        "<p>The journal cannot be read just now; see herald's log.</p>\n</section>\n";
  }
  out += fmt::format(
      "</main>\n<footer>\n<p>herald {} · <a href=\"/calendar.ics\">Subscribe to the calendar (iCalendar)</a> · "
      "<a href=\"/status\">Status as JSON</a> · <a href=\"/metrics\">Metrics</a></p>\n</footer>\n</body>\n</html>\n",
      html_escape(in.version));
  return out;
}

}  // namespace herald

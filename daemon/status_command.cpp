// herald status (SPEC §4, §6): the next posts from the plan, and what the
// journal knows — posts waiting to be retried, recent changes, failures and
// missed posts. Reads only: the journal is opened read-only, and a journal
// (or state directory) that does not exist yet is reported, not created.
//
// The output is a report for people (`--format text`) or one JSON document
// (`--format json`, fields in docs/cli.md). Times of a post are shown in its
// calendar's zone; rows whose event is no longer in any calendar use the
// first calendar's zone.
#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "calendar/civil.hpp"
#include "daemon/calendar_sources.hpp"
#include "daemon/commands.hpp"
#include "daemon/preview_format.hpp"
#include "daemon/scheduler.hpp"
#include "daemon/sqlite_journal.hpp"
#include "daemon/state_dir.hpp"

namespace herald {
namespace {
namespace json = boost::json;

// How many rows the next, overdue, recent, failed and missed lists show.
// Pending rows (current work) are all shown.
constexpr std::size_t list_limit = 10;
// How far ahead to look for the next posts: a year, so a quiet month still
// shows what comes after it (the daemon itself plans 35 days at a time).
constexpr date::days look_ahead{366};

constexpr std::array all_states{post_state::pending, post_state::in_flight, post_state::sent, post_state::failed,
                                post_state::missed};

// One line of any list: a planned post, or a journal row.
struct status_row {
  std::string key, event, channel;
  const date::time_zone* zone = nullptr;
  date::sys_seconds due;
  std::string state;  ///< "planned" (not in the journal yet) or a post_state word
  int attempts = 0;
  std::optional<std::string> last_error;
  std::optional<date::sys_seconds> next_try, sent_at, updated_at;
};

struct status_report {
  std::string config;
  std::filesystem::path journal;
  bool journal_exists = false;
  std::map<post_state, std::size_t> counts;
  std::optional<date::sys_seconds> last_change;
  date::sys_seconds now;
  const date::time_zone* zone = nullptr;  ///< the first calendar's, for `now`
  int attempts_per_post = 0;
  std::chrono::seconds catch_up{};
  std::vector<status_row> next, overdue, pending, recent, failed, missed;
  std::size_t overdue_total = 0;
};

// Gathers the report. Returns "" or the journal's error (exit status 1).
class report_builder {
 public:
  report_builder(const calendar_sources& sources, status_report& report) : sources_(sources), report_(report) {
    for (const auto& cal : sources.calendars)
      for (const auto& e : cal.events) zones_.emplace(e.id, cal.zone);
  }

  std::string read_journal(sqlite_journal& store) {
    store_ = &store;
    auto counts = store.count_by_state();
    if (!counts.ok()) return counts.error();
    report_.counts = std::move(counts.value());
    // Sent rows are only counted (recent() shows the latest); the others
    // are few, and listed.
    for (auto state : {post_state::pending, post_state::in_flight, post_state::failed, post_state::missed}) {
      auto rows = store.entries_in(state);
      if (!rows.ok()) return rows.error();
      auto& into = state == post_state::failed   ? report_.failed
                   : state == post_state::missed ? report_.missed
                                                 : report_.pending;
      for (const auto& row : rows.value()) into.push_back(from_entry(row));
    }
    std::sort(report_.pending.begin(), report_.pending.end(),
              [](const status_row& a, const status_row& b) { return std::tie(a.due, a.key) < std::tie(b.due, b.key); });
    for (auto* list : {&report_.failed, &report_.missed}) {
      // The latest first, then by key.
      std::sort(list->begin(), list->end(), [](const status_row& a, const status_row& b) {
        return a.due != b.due ? a.due > b.due : a.key < b.key;
      });
      if (list->size() > list_limit) list->resize(list_limit);
    }
    auto recent = store.recent(list_limit);
    if (!recent.ok()) return recent.error();
    for (const auto& row : recent.value()) report_.recent.push_back(from_entry(row));
    if (!recent.value().empty()) report_.last_change = recent.value().front().updated_at;
    return {};
  }

  // The next posts and the overdue ones, from the plan and the journal.
  std::string read_plan() {
    auto planned = plan_calendars(sources_.calendars, report_.now, report_.catch_up, look_ahead);
    for (const auto& post : planned.posts) {
      if (post.due < report_.now - report_.catch_up) continue;  // its window closed: the daemon records it missed
      bool overdue = post.due < report_.now;
      if (!overdue && report_.next.size() == list_limit) break;
      auto key = post.key();
      std::optional<journal_entry> row;
      if (store_) {
        auto found = store_->find(key);
        if (!found.ok()) return found.error();
        row = std::move(found.value());
      }
      if (overdue) {
        // A row means the daemon has it in hand: in the pending or a final list.
        if (row) continue;
        if (report_.overdue.size() < list_limit) report_.overdue.push_back(from_post(post, key));
        ++report_.overdue_total;
      } else if (!row || row->state == post_state::pending) {
        report_.next.push_back(row ? from_entry(*row) : from_post(post, key));
      }
    }
    return {};
  }

 private:
  const date::time_zone* zone_of(const std::string& event) const {
    auto it = zones_.find(event);
    return it != zones_.end() ? it->second : report_.zone;
  }

  status_row from_entry(const journal_entry& e) const {
    return {e.key,      e.event,      e.channel,  zone_of(e.event), e.due,       std::string(to_string(e.state)),
            e.attempts, e.last_error, e.next_try, e.sent_at,        e.updated_at};
  }

  status_row from_post(const planned_post& p, std::string key) const {
    status_row row;
    row.key = std::move(key);
    row.event = p.cal->events[p.event].id;
    row.channel = p.cal->channels[p.channel];
    row.zone = p.cal->zone;
    row.due = p.due;
    row.state = "planned";
    return row;
  }

  const calendar_sources& sources_;
  status_report& report_;
  journal* store_ = nullptr;
  std::unordered_map<std::string, const date::time_zone*> zones_;
};

// ---- JSON -------------------------------------------------------------

json::value optional_utc(const std::optional<date::sys_seconds>& t) {
  return t ? json::value(format_utc_instant(*t)) : json::value(nullptr);
}

json::object row_json(const status_row& r) {
  return {{"key", r.key},
          {"event", r.event},
          {"channel", r.channel},
          {"due", format_local_instant(*r.zone, r.due)},
          {"due_utc", format_utc_instant(r.due)},
          {"state", r.state},
          {"attempts", r.attempts},
          {"last_error", r.last_error ? json::value(*r.last_error) : json::value(nullptr)},
          {"next_try", optional_utc(r.next_try)},
          {"sent_at", optional_utc(r.sent_at)},
          {"updated_at", optional_utc(r.updated_at)}};
}

// One row per line, as `herald preview` writes its posts.
void write_rows(std::ostream& out, std::string_view name, const std::vector<status_row>& rows, bool last) {
  out << "  \"" << name << "\": [";
  for (std::size_t i = 0; i < rows.size(); ++i) out << (i ? ",\n    " : "\n    ") << json::serialize(row_json(rows[i]));
  out << (rows.empty() ? "]" : "\n  ]") << (last ? "\n" : ",\n");
}

void write_json(const status_report& r, std::ostream& out) {
  json::object counts;
  for (auto state : all_states) {
    auto it = r.counts.find(state);
    counts[to_string(state)] = it == r.counts.end() ? 0 : it->second;
  }
  json::object journal{{"path", r.journal.string()},
                       {"exists", r.journal_exists},
                       {"counts", std::move(counts)},
                       {"last_change", optional_utc(r.last_change)}};
  out << "{\n  \"now\": " << json::serialize(json::string(format_utc_instant(r.now))) << ",\n"
      << "  \"config\": " << json::serialize(json::string(r.config)) << ",\n"
      << "  \"journal\": " << json::serialize(journal) << ",\n";
  write_rows(out, "next", r.next, false);
  write_rows(out, "overdue", r.overdue, false);
  write_rows(out, "pending", r.pending, false);
  write_rows(out, "recent", r.recent, false);
  write_rows(out, "failed", r.failed, false);
  write_rows(out, "missed", r.missed, true);
  out << "}\n";
}

// ---- text -------------------------------------------------------------

struct palette {
  std::string_view bold, date, error, reset;
};

// `Wed 23 Jun 2027 09:30 BST +01:00`: the calendar's local time, its
// abbreviation and its offset, so no reader has to guess the zone.
std::string local_time(const date::time_zone& zone, date::sys_seconds t) {
  auto info = zone.get_info(t);
  auto local = date::local_seconds{(t + info.offset).time_since_epoch()};
  auto day = date::floor<date::days>(local);
  date::year_month_day ymd{day};
  auto iso = format_local_instant(zone, t);  // …T09:30:00+01:00
  return fmt::format("{} {:2} {} {} {} {} {}", weekday_short_name(date::weekday{day}), static_cast<unsigned>(ymd.day()),
                     month_name(ymd.month()).substr(0, 3), static_cast<int>(ymd.year()), date::format("%H:%M", local),
                     info.abbrev, iso.substr(iso.size() - 6));
}

// `in 3h 20min`, `2 days 3h ago`, `12 days ago`, as systemctl writes
// them: two units below a week, whole days above.
std::string relative(date::sys_seconds t, date::sys_seconds now) {
  auto seconds = (t - now).count();
  if (seconds == 0) return "now";
  auto a = std::llabs(seconds);
  std::string span;
  if (a < 60) {
    span = fmt::format("{}s", a);
  } else if (a < 3600) {
    span = fmt::format("{}min", a / 60);
  } else if (a < 86400) {
    span = a % 3600 >= 60 ? fmt::format("{}h {}min", a / 3600, a % 3600 / 60) : fmt::format("{}h", a / 3600);
  } else {
    auto days = a / 86400, hours = a % 86400 / 3600;
    span = fmt::format("{} day{}", days, days == 1 ? "" : "s");
    if (days < 7 && hours) span += fmt::format(" {}h", hours);
  }
  return seconds > 0 ? "in " + span : span + " ago";
}

// An error as one safe line: a service's answer may hold line breaks or
// terminal escapes, which must not reach the terminal.
std::string one_line(std::string_view text) {
  std::string out;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (c == '\n' || c == '\r' || c == '\t')
      out += ' ';
    else if (u < 0x20 || u == 0x7f)
      out += fmt::format("\\x{:02x}", u);
    else
      out += c;
  }
  return out;
}

// A duration as the config writes it: `12h`, `30m`, `1d`, `90s`.
std::string config_duration(std::chrono::seconds d) {
  auto n = d.count();
  if (n != 0 && n % 86400 == 0) return fmt::format("{}d", n / 86400);
  if (n != 0 && n % 3600 == 0) return fmt::format("{}h", n / 3600);
  if (n != 0 && n % 60 == 0) return fmt::format("{}m", n / 60);
  return fmt::format("{}s", n);
}

std::string plural(std::size_t n, std::string_view word) { return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s"); }

class text_writer {
 public:
  text_writer(const status_report& r, std::ostream& out, palette c) : r_(r), out_(out), c_(c) {}

  void write() {
    out_ << c_.bold << "herald status" << c_.reset << "\n";
    out_ << "  config:   " << r_.config << "\n";
    if (!r_.journal_exists) {
      out_ << "  journal:  no journal yet at " << r_.journal.string() << ": herald run has not run\n";
    } else {
      out_ << "  journal:  " << r_.journal.string() << "\n";
      out_ << "  posts:    " << count(post_state::sent) << " sent, " << count(post_state::failed) << " failed, "
           << count(post_state::missed) << " missed, " << count(post_state::pending) << " pending, "
           << count(post_state::in_flight) << " in flight\n";
      if (r_.last_change)
        out_ << "  changed:  " << when(*r_.last_change, *r_.zone) << ", " << relative(*r_.last_change, r_.now) << "\n";
    }
    out_ << "  now:      " << when(r_.now, *r_.zone) << "\n";

    heading("Next posts");
    for (const auto& row : r_.next) {
      out_ << "  " << when(row.due, *row.zone) << "  " << pad(relative(row.due, r_.now), 16) << "  " << row.key;
      if (row.state != "planned") out_ << "  (" << row.state << ", " << plural(row.attempts, "attempt") << ")";
      out_ << "\n";
    }
    none(r_.next);

    if (!r_.overdue.empty()) {
      heading(fmt::format("Overdue: due, not sent yet (herald run sends them within catch_up, {})",
                          config_duration(r_.catch_up)));
      for (const auto& row : r_.overdue)
        out_ << "  " << when(row.due, *row.zone) << "  " << pad(relative(row.due, r_.now), 16) << "  " << row.key
             << "\n";
      more(r_.overdue_total, r_.overdue.size());
    }
    if (!r_.journal_exists) return;

    heading("Pending");
    for (const auto& row : r_.pending) {
      out_ << "  " << row.key << "  " << (row.state == "in_flight" ? "in flight" : "pending") << "\n";
      out_ << "    due " << when(row.due, *row.zone) << ", " << relative(row.due, r_.now) << "; "
           << fmt::format("{} of {} attempts used", row.attempts, r_.attempts_per_post);
      if (row.next_try) out_ << "; next try " << relative(*row.next_try, r_.now);
      out_ << "\n";
      if (row.last_error) out_ << "    " << c_.error << "last error: " << one_line(*row.last_error) << c_.reset << "\n";
    }
    none(r_.pending);

    heading("Recent");
    for (const auto& row : r_.recent)
      out_ << "  " << when(*row.updated_at, *row.zone) << "  " << pad(relative(*row.updated_at, r_.now), 16) << "  "
           << pad(row.state, 9) << "  " << row.key << "\n";
    none(r_.recent);

    heading("Failed");
    for (const auto& row : r_.failed) {
      out_ << "  " << when(row.due, *row.zone) << "  " << row.key << "\n";
      out_ << "    " << c_.error << "failed " << relative(*row.updated_at, r_.now) << " after "
           << plural(row.attempts, "attempt") << ": " << one_line(row.last_error.value_or("(no error recorded)"))
           << c_.reset << "\n";
    }
    none(r_.failed);
    more(count(post_state::failed), r_.failed.size());

    heading("Missed");
    for (const auto& row : r_.missed)
      out_ << "  " << when(row.due, *row.zone) << "  " << row.key << "  (recorded " << relative(*row.updated_at, r_.now)
           << ")\n";
    none(r_.missed);
    more(count(post_state::missed), r_.missed.size());
  }

 private:
  std::size_t count(post_state state) const {
    auto it = r_.counts.find(state);
    return it == r_.counts.end() ? 0 : it->second;
  }
  std::string when(date::sys_seconds t, const date::time_zone& zone) const {
    return fmt::format("{}{}{}", c_.date, local_time(zone, t), c_.reset);
  }
  static std::string pad(std::string s, std::size_t width) {
    if (s.size() < width) s.resize(width, ' ');
    return s;
  }
  void heading(std::string_view title) { out_ << "\n" << c_.bold << title << c_.reset << "\n"; }
  void none(const std::vector<status_row>& rows) {
    if (rows.empty()) out_ << "  (none)\n";
  }
  void more(std::size_t total, std::size_t shown) {
    if (total > shown) out_ << "  … and " << total - shown << " more\n";
  }

  const status_report& r_;
  std::ostream& out_;
  palette c_;
};

palette colours(cli_context& context) {
  const char* no_colour = context.getenv("NO_COLOR");  // no-color.org
  if (!context.out_is_terminal || (no_colour && *no_colour)) return {};
  return {"\x1b[1m", "\x1b[36m", "\x1b[31m", "\x1b[0m"};
}

}  // namespace

int status_command(const status_options& options, cli_context& context) {
  status_report report;
  report.config = default_config_path({options.config, {}}, context);
  int status = 0;
  auto sources = load_sources(report.config, "", context.err, status);
  if (!sources) return status;
  const auto& cfg = *sources->cfg;
  report.now = date::floor<std::chrono::seconds>(context.now());
  report.zone = sources->calendars.front().zone;
  report.attempts_per_post = cfg.delivery.attempts;
  report.catch_up = cfg.catch_up;
  report.journal = journal_path(state_dir_of(cfg, context.getenv));

  auto fail = [&](const std::string& problem) {
    context.err << "herald: error: " << problem << "\n";
    return 1;
  };
  // Never created here: a missing state directory or journal means herald
  // run has not run yet, which is worth saying but is not an error.
  std::error_code looked;
  report.journal_exists = std::filesystem::exists(report.journal, looked);
  if (looked) return fail(fmt::format("cannot read journal {}: {}", report.journal.string(), looked.message()));

  report_builder builder(*sources, report);
  std::unique_ptr<sqlite_journal> store;
  if (report.journal_exists) {
    auto opened = sqlite_journal::open_read_only(report.journal);
    if (!opened.ok()) return fail(opened.error());
    store = std::move(opened.value());
    if (auto problem = builder.read_journal(*store); !problem.empty()) return fail(problem);
  }
  if (auto problem = builder.read_plan(); !problem.empty()) return fail(problem);

  if (options.format == "json")
    write_json(report, context.out);
  else
    text_writer(report, context.out, colours(context)).write();
  context.out.flush();
  return context.out ? 0 : 1;
}

}  // namespace herald

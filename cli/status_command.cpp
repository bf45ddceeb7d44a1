// herald status (docs/daemon.md "Delivery rules", docs/cli.md): the next posts from the plan, and what the
// journal knows — posts waiting to be retried, recent changes, failures and
// missed posts — and whether the daemon runs and is degraded (the health
// it published in the state directory, daemon/health_file.hpp). Reads
// only: the journal is opened read-only, and a journal (or state
// directory) that does not exist yet is reported, not created.
//
// The output is a report for people (`--format text`, written here) or one
// JSON document (`--format json`, fields in docs/cli.md; written by
// daemon/status_report.cpp, which also gathers the report).
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "calendar/diagnostic.hpp"
#include "cli/commands.hpp"
#include "daemon/daemon_presence.hpp"
#include "daemon/health_file.hpp"
#include "daemon/journal_store.hpp"
#include "daemon/status_report.hpp"
#include "settings/calendar_sources.hpp"
#include "settings/state_dir.hpp"
#include "text/civil.hpp"
#include "text/instant_format.hpp"
#include "text/one_line.hpp"
#include "text/terminal.hpp"

namespace herald {
namespace {

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
    write_daemon();
    write_health();
    if (!r_.calendar_valid)
      out_ << "  calendar: " << c_.error << "invalid (" << plural(r_.calendar_errors.size(), "error")
           << ", printed above): no plan is shown; a running daemon keeps its last good one" << c_.reset << "\n";
    if (!r_.journal_exists && r_.daemon.running) {
      // A running daemon opened it: it was deleted or replaced since (docs/daemon.md "A deleted journal").
      out_ << "  journal:  " << c_.error << "missing at " << r_.journal.string()
           << " while herald run is running: it was deleted or replaced; the daemon sends nothing until it "
              "restarts, and a restart without the journal sends again every post within catch_up"
           << c_.reset << "\n";
    } else if (!r_.journal_exists) {
      out_ << "  journal:  no journal yet at " << r_.journal.string() << ": herald run has not run\n";
    } else {
      out_ << "  journal:  " << r_.journal.string()
           << (r_.replica.empty() ? std::string() : " (shared; this replica: " + terminal_line(r_.replica) + ")")
           << "\n";
      out_ << "  posts:    " << count(post_state::sent) << " sent, " << count(post_state::failed) << " failed, "
           << count(post_state::missed) << " missed, " << count(post_state::pending) << " pending, "
           << count(post_state::in_flight) << " in flight"
           << (count(post_state::skipped) ? fmt::format(", {} skipped", count(post_state::skipped)) : "")
           << (count(post_state::unconfirmed) ? fmt::format(", {} unconfirmed", count(post_state::unconfirmed)) : "")
           << "\n";
      if (r_.last_change)
        out_ << "  changed:  " << when(*r_.last_change, *r_.zone) << ", " << relative(*r_.last_change, r_.now) << "\n";
    }
    out_ << "  now:      " << when(r_.now, *r_.zone) << "\n";

    heading("Next posts");
    for (const auto& row : r_.next) {
      out_ << "  " << when(row.due, *row.zone) << "  " << pad(relative(row.due, r_.now), 16) << "  " << row.key
           << title(row);
      if (row.state != "planned") out_ << "  (" << row.state << ", " << plural(row.attempts, "attempt") << ")";
      out_ << "\n";
    }
    if (!r_.calendar_valid)
      out_ << "  (unknown while the calendar is invalid)\n";
    else
      none(r_.next);

    if (!r_.overdue.empty()) {
      heading(fmt::format("Overdue: due, not sent yet (herald run sends them within catch_up, {})",
                          config_duration(r_.catch_up)));
      for (const auto& row : r_.overdue)
        out_ << "  " << when(row.due, *row.zone) << "  " << pad(relative(row.due, r_.now), 16) << "  " << row.key
             << title(row) << (row.state == "paused" ? "  (paused)" : "") << "\n";
      more(r_.overdue_total, r_.overdue.size());
    }
    if (!r_.journal_exists) return;

    heading("Pending");
    for (const auto& row : r_.pending) {
      out_ << "  " << row.key << "  " << (row.state == "in_flight" ? "in flight" : row.state) << title(row) << "\n";
      out_ << "    due " << when(row.due, *row.zone) << ", " << relative(row.due, r_.now) << "; "
           << fmt::format("{} of {} attempts used", row.attempts, r_.attempts_per_post);
      if (row.next_try) out_ << "; next try " << relative(*row.next_try, r_.now);
      out_ << "\n";
      if (row.last_error)
        out_ << "    " << c_.error << "last error: " << terminal_line(*row.last_error) << c_.reset << "\n";
    }
    none(r_.pending);

    heading("Recent");
    for (const auto& row : r_.recent)
      out_ << "  " << when(*row.updated_at, *row.zone) << "  " << pad(relative(*row.updated_at, r_.now), 16) << "  "
           << pad(row.state, 9) << "  " << row.key << title(row)
           << (row.replica.empty() ? std::string() : "  (by " + terminal_line(row.replica) + ")") << "\n";
    none(r_.recent);

    heading("Failed");
    for (const auto& row : r_.failed) {
      out_ << "  " << when(row.due, *row.zone) << "  " << row.key << title(row) << "\n";
      // unconfirmed: sent, never answered; it may have arrived (docs/daemon.md "Delivery rules").
      out_ << "    " << c_.error << (row.state == "unconfirmed" ? "unconfirmed (may have arrived) " : "failed ")
           << relative(*row.updated_at, r_.now) << " after " << plural(row.attempts, "attempt") << ": "
           << terminal_line(row.last_error.value_or("(no error recorded)")) << c_.reset << "\n";
    }
    none(r_.failed);
    more(count(post_state::failed) + count(post_state::unconfirmed), r_.failed.size());

    heading("Missed");
    for (const auto& row : r_.missed)
      out_ << "  " << when(row.due, *row.zone) << "  " << row.key << title(row) << "  (recorded "
           << relative(*row.updated_at, r_.now) << ")\n";
    none(r_.missed);
    more(count(post_state::missed), r_.missed.size());

    if (!r_.skipped.empty()) {
      heading("Skipped (by an operator; `herald resend KEY` sends one after all)");
      for (const auto& row : r_.skipped)
        out_ << "  " << when(row.due, *row.zone) << "  " << row.key << title(row) << "  (skipped "
             << relative(*row.updated_at, r_.now) << ")\n";
      more(count(post_state::skipped), r_.skipped.size());
    }
    if (!r_.paused.empty()) {
      heading("Paused channels (`herald resume --channel NAME`)");
      for (const auto& pause : r_.paused)
        out_ << "  " << pause.channel << "  since " << when(pause.since, *r_.zone) << ", "
             << relative(pause.since, r_.now) << ", by " << terminal_line(pause.user) << "\n";
    }
    if (!r_.actions.empty()) {
      heading("Operator actions");
      for (const auto& action : r_.actions)
        out_ << "  " << when(action.at, *r_.zone) << "  " << pad(relative(action.at, r_.now), 16) << "  "
             << pad(terminal_line(action.user), 10) << "  " << pad(action.action, 6) << "  "
             << terminal_line(action.target) << "\n";
    }
  }

 private:
  void write_daemon() {
    out_ << "  daemon:   ";
    if (r_.daemon.running)
      out_ << "running" << (r_.daemon.pid ? fmt::format(" (pid {})", *r_.daemon.pid) : "") << "\n";
    else
      out_ << "not running (no process holds the lock on the state directory)\n";
  }
  // The running daemon's health, as /healthz has it: the reasons one a line.
  void write_health() {
    if (!r_.daemon.running) return;  // a file left by a daemon that stopped is not its health now
    out_ << "  health:   ";
    if (!r_.health) {
      out_ << (r_.daemon.pid ? "unknown (the daemon has not published it: it is starting, or is an older herald)\n"
                             : "unknown (/proc/locks does not name the daemon's pid, so its file cannot be trusted)\n");
      return;
    }
    if (!r_.health->degraded()) {
      out_ << "ok\n";
      return;
    }
    out_ << c_.error << "degraded" << c_.reset << " since " << when(r_.health->since, *r_.zone) << ", "
         << relative(r_.health->since, r_.now) << "\n";
    for (const auto& reason : r_.health->reasons)
      out_ << "            " << c_.error << terminal_line(reason) << c_.reset << "\n";
  }
  // "  Windrush Day" after a key; nothing when the title is the key's event id.
  static std::string title(const status_row& row) {
    return row.title.empty() || row.title == row.event ? std::string() : "  " + terminal_line(row.title);
  }
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
  if (!colour_wanted(context.out_is_terminal, context.getenv("NO_COLOR"))) return {};
  return {"\x1b[1m", "\x1b[36m", "\x1b[31m", "\x1b[0m"};
}

}  // namespace

int status_command(const status_options& options, cli_context& context) {
  auto config_file = default_config_path({options.config, {}}, context);
  auto loaded = load_sources(config_file, "");
  // A broken calendar hides the plan, not the journal: the errors are
  // printed first, then what the journal says, and the exit status is 2.
  std::optional<config> config_only;
  if (!loaded.ok()) {
    int status = report_failure(loaded, context.err);
    auto cfg = load_config_file(config_file);
    if (!cfg.value) return status;
    config_only = std::move(*cfg.value);
  }
  const auto& cfg = loaded.ok() ? *loaded.value->cfg : *config_only;
  static const std::vector<calendar> no_calendars;
  const auto& calendars = loaded.ok() ? loaded.value->calendars : no_calendars;
  auto state_dir = state_dir_of(cfg, context.getenv);
  auto journal_file = journal_path(state_dir);

  auto fail = [&](const std::string& problem) {
    context.err << "herald: error: " << problem << "\n";
    return 1;
  };
  // Never created here: a missing state directory or journal means herald
  // run has not run yet, which is worth saying but is not an error.
  std::error_code looked;
  bool journal_exists = std::filesystem::exists(journal_file, looked);
  if (looked) return fail(fmt::format("cannot read journal {}: {}", journal_file.string(), looked.message()));

  bool shared = shared_journal(cfg);
  if (shared) journal_exists = true, journal_file = "postgresql";
  std::unique_ptr<operated_journal> store;
  if (journal_exists) {
    auto opened = open_journal_store(cfg, state_dir, secret_sources{context.getenv}, journal_use::read_only);
    if (!opened.ok()) return fail(opened.error());
    store = std::move(opened.value());
  }
  auto report =
      build_status_report(cfg, calendars, journal_file, store.get(), date::floor<std::chrono::seconds>(context.now()));
  if (!report.ok()) return fail(report.error());
  if (shared) report.value().replica = replica_name(cfg);
  report.value().daemon = daemon_on(state_dir);
  // This host's daemon, on this state directory: with a shared journal,
  // each replica's own (docs/service.md "Replicas").
  report.value().health = current_health(state_dir, report.value().daemon);
  if (!loaded.ok()) {
    report.value().calendar_valid = false;
    for (const auto& error : loaded.errors) {
      auto line = format_diagnostic(error, "");
      report.value().calendar_errors.push_back(line.substr(0, line.find('\n')));
    }
  }

  if (options.format == "json")
    write_status_json(report.value(), context.out);
  else
    text_writer(report.value(), context.out, colours(context)).write();
  context.out.flush();
  if (!context.out) return 1;
  return loaded.ok() ? 0 : loaded.status;
}

}  // namespace herald

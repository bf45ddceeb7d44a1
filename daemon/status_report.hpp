#pragma once
// The report of `herald status` (docs/cli.md, "herald status"):
// the next posts from the plan, and what the journal knows — posts waiting
// to be retried, recent changes, failures and missed posts.
//
// build_status_report() gathers it from the calendars and a journal, and
// only reads; status_json() turns it into the document that `herald status
// --format json` prints and the daemon's `GET /status` serves. The text for
// people is the CLI's own (daemon/status_command.cpp).
//
// A report is a value: it holds no pointer into the calendars or the
// journal (its zones are the tz database's, which live as long as the
// process). It holds no secret: channels appear by name only.

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <date/tz.h>

#include "calendar/calendar.hpp"
#include "daemon/daemon_presence.hpp"
#include "daemon/health_file.hpp"
#include "journal/journal.hpp"
#include "settings/config.hpp"

namespace herald {

/// One line of any list: a planned post, or a journal row.
struct status_row {
  std::string key, event, channel;
  std::string title;                      ///< the event's title; its id when no calendar holds it any more
  const date::time_zone* zone = nullptr;  ///< the zone of the post's calendar
  date::sys_seconds due;
  /// "planned" (not in the journal yet), a post_state word, or "paused":
  /// planned or pending on a channel an operator paused.
  std::string state;
  int attempts = 0;
  std::optional<std::string> last_error;
  std::optional<date::sys_seconds> next_try, sent_at, updated_at;
  /// The replica that claimed it last, so sent it when sent (a shared
  /// journal, docs/service.md "Replicas"); "" otherwise.
  std::string replica{};
};

struct status_report {
  std::string config;             ///< the config file read
  std::filesystem::path journal;  ///< the SQLite file, or "postgresql" for a shared journal
  bool journal_exists = false;
  std::string replica{};                     ///< a shared journal: the replica reporting (the daemon, or the config's)
  std::map<post_state, std::size_t> counts;  ///< of the whole journal; states with none left out
  std::optional<date::sys_seconds> last_change;
  date::sys_seconds now;
  const date::time_zone* zone = nullptr;  ///< the first calendar's, for `now`
  int attempts_per_post = 0;              ///< delivery.attempts
  std::chrono::seconds catch_up{};
  /// The lists of docs/cli.md, each in its order; pending is whole, the
  /// others hold at most status_list_limit rows.
  std::vector<status_row> next, overdue, pending, recent, failed, missed, skipped;
  std::size_t overdue_total = 0;  ///< overdue posts, counting those cut from `overdue`
  /// The status_list_limit rows in a final state (sent, failed, missed,
  /// skipped, unconfirmed) changed last, newest first: the page's past
  /// posts, cut after the states are merged, not list by list.
  std::vector<status_row> past;
  /// docs/service.md "Operating herald": the channels paused, and the latest
  /// operator actions (at most status_list_limit), newest first.
  std::vector<channel_pause> paused;
  std::vector<operator_action> actions;
  daemon_presence daemon;  ///< set by the caller (the daemon's own report: running)
  /// The running daemon's health (docs/daemon.md "Health"), set by the
  /// caller: the file it published (health_file.hpp), or the daemon's own
  /// live reasons; none when no daemon runs or its health is unknown.
  std::optional<published_health> health;
  /// False when the calendars could not be loaded: then the report holds
  /// the journal alone, and `calendar_errors` the first line of each error.
  bool calendar_valid = true;
  std::vector<std::string> calendar_errors;
};

/// How many rows the next, overdue, recent, failed and missed lists keep.
inline constexpr std::size_t status_list_limit = 10;

/// The report at `now` on the posts of `calendars` (planned a year ahead)
/// and on `store`, the journal at `journal_file`. A null `store` means no
/// journal exists yet: the report says so and lists only the next and
/// overdue posts. From `cfg` it takes the config file's name, catch_up and
/// delivery.attempts. Only reads the journal. Returns the report, or the
/// journal's error. Empty `calendars` (they could not be loaded) give a
/// report of the journal alone, its times in UTC.
result<status_report> build_status_report(const config& cfg, const std::vector<calendar>& calendars,
                                          const std::filesystem::path& journal_file, journal* store,
                                          date::sys_seconds now);

/// The JSON document of docs/cli.md ("JSON output"), one row per line,
/// ending in a newline.
void write_status_json(const status_report& report, std::ostream& out);
std::string status_json(const status_report& report);

}  // namespace herald

// herald skip, resend, pause and resume (docs/cli.md, docs/service.md
// "Operating herald"): an operator's say over posts and channels, written
// to the journal with who did it and when. A running daemon hears of it
// within a second (daemon/operator_watch.hpp); one not started yet reads it
// when it starts. Nothing here decides when a post goes out: the journal
// records, the daemon decides.
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "calendar/diagnostic.hpp"
#include "cli/commands.hpp"
#include "daemon/daemon_presence.hpp"
#include "daemon/journal_store.hpp"
#include "scheduling/scheduler.hpp"
#include "settings/calendar_sources.hpp"
#include "settings/state_dir.hpp"
#include "text/instant_format.hpp"
#include "text/one_line.hpp"

namespace herald {
namespace {

// How far ahead a post may be skipped before it is planned: a year, as
// `herald status` looks.
constexpr date::days skip_horizon{366};

// Who ran the command: the user behind sudo when there is one, since
// "root" tells the next operator nothing; else the login name of the uid.
std::string operator_name(cli_context& context) {
  if (const char* sudo_user = context.getenv("SUDO_USER"); sudo_user && *sudo_user) return sudo_user;
  if (const passwd* entry = ::getpwuid(::getuid())) return entry->pw_name;
  return fmt::format("uid {}", ::getuid());
}

// The config, its calendars and the journal, opened for writing.
struct operator_session {
  std::optional<calendar_sources> sources;
  std::filesystem::path state_dir;
  std::unique_ptr<operated_journal> store;
  operator_action who;
  bool shared = false;  // a PostgreSQL journal: every replica hears of the action
};

// A journal made here by root belongs to root, and the service (its own
// user) could then not open it: it is given to the state directory's owner.
void give_to_directory_owner(const std::filesystem::path& state_dir, const std::filesystem::path& journal_file) {
  struct stat dir {};
  if (::geteuid() != 0 || ::stat(state_dir.c_str(), &dir) != 0 || dir.st_uid == 0) return;
  for (const auto* suffix : {"", "-wal", "-shm"}) {
    auto file = journal_file.string() + suffix;
    if (::chown(file.c_str(), dir.st_uid, dir.st_gid) != 0 && errno != ENOENT) return;
  }
}

// 0 and the session ready, or the exit status after the error is printed.
int open_session(const std::string& config, const std::string& action, cli_context& context,
                 operator_session& session) {
  auto loaded = load_sources(default_config_path({config, {}}, context), "");
  if (!loaded.ok()) return report_failure(loaded, context.err);
  session.sources = std::move(loaded.value);
  session.state_dir = state_dir_of(*session.sources->cfg, context.getenv);
  auto ensured = ensure_state_dir(session.state_dir);
  if (!ensured.ok()) {
    context.err << "herald: error: " << ensured.error() << "\n";
    return 1;
  }
  auto journal_file = journal_path(session.state_dir);
  session.shared = shared_journal(*session.sources->cfg);
  bool existed = session.shared || std::filesystem::exists(journal_file);
  auto opened =
      open_journal_store(*session.sources->cfg, session.state_dir, secret_sources{context.getenv}, journal_use::write);
  if (!opened.ok()) {
    context.err << "herald: error: " << opened.error() << "\n";
    return 1;
  }
  if (!existed) give_to_directory_owner(session.state_dir, journal_file);
  session.store = std::move(opened.value());
  session.who = {0, date::floor<std::chrono::seconds>(context.now()), operator_name(context), action, {}};
  return 0;
}

// Where the action takes effect, said once after the rest.
void tell_daemon(const operator_session& session, cli_context& context) {
  if (session.shared) {
    context.out << "Every running replica takes this in within a second (the shared journal tells them).\n";
    return;
  }
  auto presence = daemon_on(session.state_dir);
  if (presence.running)
    context.out << "The running daemon" << (presence.pid ? fmt::format(" (pid {})", *presence.pid) : "")
                << " takes this in within a second.\n";
  else
    context.out << "No daemon is running on " << session.state_dir.string()
                << "; `herald run` honours this when it starts.\n";
}

// The event's title, or its id when no calendar holds it any more.
std::string title_of(const calendar_sources& sources, std::string_view event) {
  for (const auto& cal : sources.calendars)
    for (const auto& e : cal.events)
      if (e.id == event) return std::string(e.title);
  return std::string(event);
}

struct post_ref {
  std::string key, event, channel;
  date::sys_seconds due;
  const date::time_zone* zone;
};

// The posts planned from catch_up back to a year ahead, by key.
std::map<std::string, post_ref, std::less<>> planned_posts(const calendar_sources& sources, date::sys_seconds now) {
  std::map<std::string, post_ref, std::less<>> posts;
  auto planned = plan_calendars(sources.calendars, now, sources.cfg->catch_up, skip_horizon);
  for (const auto& p : planned.posts) {
    auto key = p.key();
    posts.emplace(
        key, post_ref{key, std::string(p.cal->events[p.event].id), p.cal->channels[p.channel], p.due, p.cal->zone});
  }
  return posts;
}

// The keys a mistyped one may have meant: the journal's and the plan's.
std::string key_hint(std::string_view key, journal& store,
                     const std::map<std::string, post_ref, std::less<>>& planned) {
  std::vector<std::string> journal_keys;
  for (auto state : all_post_states)
    if (auto rows = store.entries_in(state); rows.ok())
      for (auto& row : rows.value()) journal_keys.push_back(std::move(row.key));
  std::vector<std::string_view> candidates(journal_keys.begin(), journal_keys.end());
  for (const auto& [planned_key, post] : planned) candidates.push_back(planned_key);
  return did_you_mean(key, candidates);
}

int unknown_key(std::string_view key, const std::string& hint, cli_context& context) {
  context.err << fmt::format("herald: error: unknown post key '{}'{}\n", terminal_line(key), hint)
              << "  hint: `herald status` lists the journal's keys, `herald preview --format json` the planned ones\n";
  return 2;
}

std::string when(const date::time_zone* zone, date::sys_seconds t) {
  return zone ? format_local_instant(*zone, t) : format_utc_instant(t);
}

// The keys, each known to the journal or the plan; 0, or 2 after the first unknown one is reported.
int check_keys(const std::vector<std::string>& keys, operator_session& s, cli_context& context,
               std::map<std::string, post_ref, std::less<>>& planned) {
  planned = planned_posts(*s.sources, s.who.at);
  for (const auto& key : keys) {
    auto row = s.store->find(key);
    if (!row.ok()) {
      context.err << "herald: error: " << row.error() << "\n";
      return 1;
    }
    if (!row.value() && !planned.contains(key)) return unknown_key(key, key_hint(key, *s.store, planned), context);
  }
  return 0;
}

int fail_journal(const std::string& error, cli_context& context) {
  context.err << "herald: error: " << error << "\n";
  return 1;
}

int skip_one(const std::string& key, operator_session& s, const std::map<std::string, post_ref, std::less<>>& planned,
             cli_context& context) {
  auto row = s.store->find(key).value();
  post_ref post;
  if (auto it = planned.find(key); it != planned.end()) post = it->second;
  if (row) post = {key, row->event, row->channel, row->due, post.zone};
  s.who.target = key;
  auto skipped = s.store->skip(key, post.due, post.channel, post.event, s.who);
  if (!skipped.ok()) return fail_journal(skipped.error(), context);
  if (skipped.value() == journal_change::applied) {
    context.out << fmt::format("skipped {} ({}, due {}): it will not be sent\n", key, title_of(*s.sources, post.event),
                               when(post.zone, post.due));
    return 0;
  }
  auto state = row ? row->state : post_state::pending;
  if (state == post_state::skipped) {
    context.out << fmt::format("{} was skipped already\n", key);
    return 0;
  }
  if (state == post_state::in_flight) {
    context.err << fmt::format("herald: error: {} is being sent right now and cannot be skipped\n", key);
    return 1;
  }
  context.err << fmt::format("herald: error: {} is {} already: there is nothing left to skip\n", key, to_string(state));
  return 2;
}

int resend_one(const std::string& key, operator_session& s, cli_context& context) {
  auto row = s.store->find(key).value();
  if (!row) {
    context.err << fmt::format(
        "herald: error: {} has not been sent yet: there is nothing to resend (it goes out when due)\n", key);
    return 2;
  }
  if (row->state == post_state::sent) {
    context.err << fmt::format(
        "herald: error: {} was sent at {}; herald never sends a post twice\n"
        "  hint: to send its text again, `herald send-test --event {} --channel {} --mark`\n",
        key, format_utc_instant(row->sent_at.value_or(row->updated_at)), row->event, row->channel);
    return 2;
  }
  if (row->state == post_state::pending || row->state == post_state::in_flight) {
    context.err << fmt::format("herald: error: {} is {}: herald is still sending it\n", key,
                               row->state == post_state::pending ? "pending" : "in flight");
    return 2;
  }
  if (!plan_one(s.sources->calendars, row->event, key, row->due)) {
    context.err << fmt::format("herald: error: {} is no longer in the calendar: there is nothing to send\n", key);
    return 2;
  }
  s.who.target = key;
  auto resent = s.store->resend(key, s.who);
  if (!resent.ok()) return fail_journal(resent.error(), context);
  if (resent.value() == journal_change::refused) {  // the daemon changed it meanwhile
    context.err << fmt::format("herald: error: {} changed while this ran; look at `herald status`\n", key);
    return 1;
  }
  context.out << fmt::format("resending {} ({}): it goes out now; its window closes at {}\n", key,
                             title_of(*s.sources, row->event), format_utc_instant(s.who.at + s.sources->cfg->catch_up));
  return 0;
}

int key_command(const operator_key_options& options, cli_context& context, bool skip) {
  operator_session session;
  if (int status = open_session(options.config, skip ? "skip" : "resend", context, session)) return status;
  std::map<std::string, post_ref, std::less<>> planned;
  if (int status = check_keys(options.keys, session, context, planned)) return status;
  int worst = 0;
  for (const auto& key : options.keys)
    worst = std::max(worst, skip ? skip_one(key, session, planned, context) : resend_one(key, session, context));
  tell_daemon(session, context);
  return worst;
}

int channel_command(const operator_channel_options& options, cli_context& context, bool pause) {
  operator_session session;
  if (int status = open_session(options.config, pause ? "pause" : "resume", context, session)) return status;
  auto names = session.sources->cfg->channel_names();
  if (std::find(names.begin(), names.end(), options.channel) == names.end()) {
    context.err << fmt::format(
        "herald: error: unknown channel '{}'{}\n", options.channel,
        did_you_mean(options.channel, std::vector<std::string_view>(names.begin(), names.end())));
    return 2;
  }
  session.who.target = options.channel;
  auto changed = pause ? session.store->pause_channel(session.who) : session.store->resume_channel(session.who);
  if (!changed.ok()) return fail_journal(changed.error(), context);
  if (changed.value() == journal_change::refused)
    context.out << fmt::format("channel '{}' is {} already\n", options.channel, pause ? "paused" : "not paused");
  else if (pause)
    context.out << fmt::format("paused channel '{}': its posts wait until `herald resume --channel {}`\n",
                               options.channel, options.channel);
  else
    context.out << fmt::format(
        "resumed channel '{}': posts that came due while it was paused go out if still within catch_up ({}), older "
        "ones are recorded missed\n",
        options.channel, format_utc_instant(session.who.at - session.sources->cfg->catch_up));
  tell_daemon(session, context);
  return 0;
}

}  // namespace

int skip_command(const operator_key_options& options, cli_context& context) {
  return key_command(options, context, true);
}

int resend_command(const operator_key_options& options, cli_context& context) {
  return key_command(options, context, false);
}

int pause_command(const operator_channel_options& options, cli_context& context) {
  return channel_command(options, context, true);
}

int resume_command(const operator_channel_options& options, cli_context& context) {
  return channel_command(options, context, false);
}

}  // namespace herald

// Times of a post are in its calendar's zone; rows whose event is no longer
// in any calendar use the first calendar's zone.
#include "daemon/status_report.hpp"

#include <algorithm>
#include <array>
#include <ostream>
#include <set>
#include <sstream>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>

#include <boost/json.hpp>

#include "journal/sqlite_journal.hpp"
#include "scheduling/scheduler.hpp"
#include "text/instant_format.hpp"

namespace herald {
namespace {
namespace json = boost::json;

// How far ahead to look for the next posts: a year, so a quiet month still
// shows what comes after it (the daemon itself plans 35 days at a time).
constexpr date::days look_ahead{366};

// Gathers the report. Each step returns "" or the journal's error.
class report_builder {
 public:
  report_builder(const std::vector<calendar>& calendars, status_report& report)
      : calendars_(calendars), report_(report) {
    for (const auto& cal : calendars)
      for (const auto& e : cal.events) events_.emplace(e.id, std::pair{cal.zone, e.title});
  }

  result<void> read_operators(journal& store) {
    auto paused = store.paused_channels();
    if (!paused.ok()) return failure{paused.error()};
    report_.paused = std::move(paused.value());
    for (const auto& pause : report_.paused) paused_.insert(pause.channel);
    auto actions = store.actions(status_list_limit);
    if (!actions.ok()) return failure{actions.error()};
    report_.actions = std::move(actions.value());
    return {};
  }

  result<void> read_journal(journal& store) {
    store_ = &store;
    if (auto read = read_operators(store); !read.ok()) return read;
    auto counts = store.count_by_state();
    if (!counts.ok()) return failure{counts.error()};
    report_.counts = std::move(counts.value());
    // Sent rows are only counted (recent() shows the latest); the others
    // are few, and listed.
    for (auto state : {post_state::pending, post_state::in_flight, post_state::failed, post_state::missed,
                       post_state::skipped, post_state::unconfirmed}) {
      auto rows = store.entries_in(state);
      if (!rows.ok()) return failure{rows.error()};
      // Unconfirmed rows are listed with the failed ones, their state telling them apart.
      auto& into = state == post_state::failed || state == post_state::unconfirmed ? report_.failed
                   : state == post_state::missed                                   ? report_.missed
                   : state == post_state::skipped                                  ? report_.skipped
                                                                                   : report_.pending;
      for (const auto& row : rows.value()) into.push_back(from_entry(row));
    }
    std::sort(report_.pending.begin(), report_.pending.end(),
              [](const status_row& a, const status_row& b) { return std::tie(a.due, a.key) < std::tie(b.due, b.key); });
    for (auto* list : {&report_.failed, &report_.missed, &report_.skipped}) {
      // The latest first, then by key.
      std::sort(list->begin(), list->end(), [](const status_row& a, const status_row& b) {
        return a.due != b.due ? a.due > b.due : a.key < b.key;
      });
      if (list->size() > status_list_limit) list->resize(status_list_limit);
    }
    // Among the latest changes, at most every pending and in-flight row
    // comes before the final ones: reading that many more holds the
    // status_list_limit final rows changed last.
    std::size_t not_final = 0;
    for (auto state : {post_state::pending, post_state::in_flight})
      if (auto count = report_.counts.find(state); count != report_.counts.end()) not_final += count->second;
    auto recent = store.recent(status_list_limit + not_final);
    if (!recent.ok()) return failure{recent.error()};
    for (const auto& row : recent.value()) {
      if (report_.recent.size() < status_list_limit) report_.recent.push_back(from_entry(row));
      if (is_final(row.state) && report_.past.size() < status_list_limit) report_.past.push_back(from_entry(row));
    }
    if (!recent.value().empty()) report_.last_change = recent.value().front().updated_at;
    return {};
  }

  // The next posts and the overdue ones, from the plan and the journal.
  result<void> read_plan() {
    auto planned = plan_calendars(calendars_, report_.now, report_.catch_up, look_ahead);
    for (const auto& post : planned.posts) {
      if (post.due < report_.now - report_.catch_up) continue;  // its window closed: the daemon records it missed
      bool overdue = post.due < report_.now;
      if (!overdue && report_.next.size() == status_list_limit) break;
      auto key = post.key();
      std::optional<journal_entry> row;
      if (store_) {
        auto found = store_->find(key);
        if (!found.ok()) return failure{found.error()};
        row = std::move(found.value());
      }
      if (overdue) {
        // A row means the daemon has it in hand: in the pending or a final list.
        if (row) continue;
        if (report_.overdue.size() < status_list_limit) report_.overdue.push_back(from_post(post, key));
        ++report_.overdue_total;
      } else if (!row || row->state == post_state::pending) {
        report_.next.push_back(row ? from_entry(*row) : from_post(post, key));
      }
    }
    return {};
  }

 private:
  // The zone and title of `event`; the first calendar's zone (or UTC) and
  // the id for an event no calendar holds.
  std::pair<const date::time_zone*, std::string> event_of(const std::string& event) const {
    auto it = events_.find(event);
    return it != events_.end() ? it->second : std::pair{report_.zone, event};
  }

  // A post waiting only for its channel's resume is "paused".
  std::string state_word(std::string_view state, const std::string& channel) const {
    if ((state == "planned" || state == "pending") && paused_.contains(channel)) return "paused";
    return std::string(state);
  }

  status_row from_entry(const journal_entry& e) const {
    auto [zone, title] = event_of(e.event);
    return {e.key,
            e.event,
            e.channel,
            std::move(title),
            zone,
            e.due,
            state_word(to_string(e.state), e.channel),
            e.attempts,
            e.last_error,
            e.next_try,
            e.sent_at,
            e.updated_at,
            e.replica};
  }

  status_row from_post(const planned_post& p, std::string key) const {
    status_row row;
    row.key = std::move(key);
    row.event = p.cal->events[p.event].id;
    row.title = p.cal->events[p.event].title;
    row.channel = p.cal->channels[p.channel];
    row.zone = p.cal->zone;
    row.due = p.due;
    row.state = state_word("planned", row.channel);
    return row;
  }

  const std::vector<calendar>& calendars_;
  status_report& report_;
  journal* store_ = nullptr;
  std::unordered_map<std::string, std::pair<const date::time_zone*, std::string>> events_;
  std::set<std::string, std::less<>> paused_;
};

json::value optional_utc(const std::optional<date::sys_seconds>& t) {
  return t ? json::value(format_utc_instant(*t)) : json::value(nullptr);
}

json::object row_json(const status_row& r) {
  return {{"key", r.key},
          {"event", r.event},
          {"title", r.title},
          {"channel", r.channel},
          {"due", format_local_instant(*r.zone, r.due)},
          {"due_utc", format_utc_instant(r.due)},
          {"state", r.state},
          {"attempts", r.attempts},
          {"last_error", r.last_error ? json::value(*r.last_error) : json::value(nullptr)},
          {"next_try", optional_utc(r.next_try)},
          {"sent_at", optional_utc(r.sent_at)},
          {"updated_at", optional_utc(r.updated_at)},
          {"replica", r.replica}};
}

// One row per line, as `herald preview` writes its posts.
void write_rows(std::ostream& out, std::string_view name, const std::vector<status_row>& rows, bool last) {
  out << "  \"" << name << "\": [";
  for (std::size_t i = 0; i < rows.size(); ++i) out << (i ? ",\n    " : "\n    ") << json::serialize(row_json(rows[i]));
  out << (rows.empty() ? "]" : "\n  ]") << (last ? "\n" : ",\n");
}

}  // namespace

result<status_report> build_status_report(const config& cfg, const std::vector<calendar>& calendars,
                                          const std::filesystem::path& journal_file, journal* store,
                                          date::sys_seconds now) {
  status_report report;
  report.config = cfg.file;
  report.journal = journal_file;
  report.journal_exists = store != nullptr;
  report.now = now;
  report.zone = calendars.empty() ? date::locate_zone("UTC") : calendars.front().zone;
  report.attempts_per_post = cfg.delivery.attempts;
  report.catch_up = cfg.catch_up;

  report_builder builder(calendars, report);
  if (store)
    if (auto read = builder.read_journal(*store); !read.ok()) return failure{read.error()};
  if (!calendars.empty())
    if (auto read = builder.read_plan(); !read.ok()) return failure{read.error()};
  return report;
}

void write_status_json(const status_report& r, std::ostream& out) {
  json::object counts;
  for (auto state : all_post_states) {
    auto it = r.counts.find(state);
    counts[to_string(state)] = it == r.counts.end() ? 0 : it->second;
  }
  json::object journal{{"path", r.journal.string()},
                       {"exists", r.journal_exists},
                       {"replica", r.replica},
                       {"counts", std::move(counts)},
                       {"last_change", optional_utc(r.last_change)}};
  json::object daemon{{"running", r.daemon.running},
                      {"pid", r.daemon.pid ? json::value(*r.daemon.pid) : json::value(nullptr)}};
  json::value health = nullptr;
  if (r.health) {
    json::array reasons;
    for (const auto& reason : r.health->reasons) reasons.emplace_back(reason);
    health = json::object{{"degraded", r.health->degraded()},
                          {"since", format_utc_instant(r.health->since)},
                          {"reasons", std::move(reasons)}};
  }
  json::array calendar_errors;
  for (const auto& error : r.calendar_errors) calendar_errors.emplace_back(error);
  json::object calendar{{"valid", r.calendar_valid}, {"errors", std::move(calendar_errors)}};
  json::array paused;
  for (const auto& p : r.paused)
    paused.push_back(json::object{{"channel", p.channel}, {"since", format_utc_instant(p.since)}, {"by", p.user}});
  json::array actions;
  for (const auto& a : r.actions)
    actions.push_back(
        json::object{{"at", format_utc_instant(a.at)}, {"user", a.user}, {"action", a.action}, {"target", a.target}});
  out << "{\n  \"now\": " << json::serialize(json::string(format_utc_instant(r.now))) << ",\n"
      << "  \"config\": " << json::serialize(json::string(r.config)) << ",\n"
      << "  \"daemon\": " << json::serialize(daemon) << ",\n"
      << "  \"health\": " << json::serialize(health) << ",\n"
      << "  \"calendar\": " << json::serialize(calendar) << ",\n"
      << "  \"journal\": " << json::serialize(journal) << ",\n"
      << "  \"paused_channels\": " << json::serialize(paused) << ",\n"
      << "  \"actions\": " << json::serialize(actions) << ",\n";
  write_rows(out, "next", r.next, false);
  write_rows(out, "overdue", r.overdue, false);
  write_rows(out, "pending", r.pending, false);
  write_rows(out, "recent", r.recent, false);
  write_rows(out, "failed", r.failed, false);
  write_rows(out, "missed", r.missed, false);
  write_rows(out, "skipped", r.skipped, true);
  out << "}\n";
}

std::string status_json(const status_report& report) {
  std::ostringstream out;
  write_status_json(report, out);
  return std::move(out).str();
}

}  // namespace herald

// Times of a post are in its calendar's zone; rows whose event is no longer
// in any calendar use the first calendar's zone.
#include "daemon/status_report.hpp"

#include <algorithm>
#include <array>
#include <ostream>
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
      for (const auto& e : cal.events) zones_.emplace(e.id, cal.zone);
  }

  result<void> read_journal(journal& store) {
    store_ = &store;
    auto counts = store.count_by_state();
    if (!counts.ok()) return failure{counts.error()};
    report_.counts = std::move(counts.value());
    // Sent rows are only counted (recent() shows the latest); the others
    // are few, and listed.
    for (auto state : {post_state::pending, post_state::in_flight, post_state::failed, post_state::missed}) {
      auto rows = store.entries_in(state);
      if (!rows.ok()) return failure{rows.error()};
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
      if (list->size() > status_list_limit) list->resize(status_list_limit);
    }
    auto recent = store.recent(status_list_limit);
    if (!recent.ok()) return failure{recent.error()};
    for (const auto& row : recent.value()) report_.recent.push_back(from_entry(row));
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

  const std::vector<calendar>& calendars_;
  status_report& report_;
  journal* store_ = nullptr;
  std::unordered_map<std::string, const date::time_zone*> zones_;
};

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

}  // namespace

result<status_report> build_status_report(const config& cfg, const std::vector<calendar>& calendars,
                                          const std::filesystem::path& journal_file, journal* store,
                                          date::sys_seconds now) {
  status_report report;
  report.config = cfg.file;
  report.journal = journal_file;
  report.journal_exists = store != nullptr;
  report.now = now;
  report.zone = calendars.front().zone;
  report.attempts_per_post = cfg.delivery.attempts;
  report.catch_up = cfg.catch_up;

  report_builder builder(calendars, report);
  if (store)
    if (auto read = builder.read_journal(*store); !read.ok()) return failure{read.error()};
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

std::string status_json(const status_report& report) {
  std::ostringstream out;
  write_status_json(report, out);
  return std::move(out).str();
}

}  // namespace herald

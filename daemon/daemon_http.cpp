// herald run, the status endpoint's paths (docs/daemon.md "The status
// endpoint"): what each answers, made from the loop's state on its thread.
// The HTTP itself is status_server's.
#include <unistd.h>

#include <cstdint>

#include "daemon/calendar_feed.hpp"
#include "daemon/daemon_loop_impl.hpp"
#include "daemon/status_page.hpp"

namespace herald {
namespace {

using std::chrono::seconds;

// How long GET /status and / may answer from a report already built.
constexpr seconds status_cache_age{5};
// How far ahead the page lists observances.
constexpr int page_weeks = 6;

constexpr std::string_view text_plain = "text/plain; charset=utf-8";

// A strong validator for a body: its FNV-1a hash. Stable across restarts,
// so a subscriber's copy stays valid while the calendar does not change.
std::string etag_of(std::string_view body) {
  std::uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : body) hash = (hash ^ c) * 1099511628211ull;
  return fmt::format("\"{:016x}\"", hash);
}

}  // namespace

http_handler daemon_loop::impl::route(std::string_view path) {
  if (path == "/") return [this] { return page_answer(); };
  if (path == "/healthz") return [this] { return health_answer(); };
  if (path == "/metrics") return [this] { return metrics_answer(); };
  if (path == "/calendar.ics") return [this] { return calendar_answer(); };
  if (path == "/status") return [this] { return status_answer(); };
  return {};
}

http_resource daemon_loop::impl::status_answer() {
  const auto* report = fresh_report();
  if (!report) return {503, std::string(text_plain), "status unavailable: see herald's log\n", {}};
  return {200, "application/json", status_json(*report), {}};
}

// Building the report plans a year ahead, on the loop's thread: a client
// polling every second must not delay posts, so it is reused for a few
// seconds. Null when the journal could not be read (logged).
const status_report* daemon_loop::impl::fresh_report() {
  auto now = environment.steady_now();
  if (report_cache && now - report_at < status_cache_age) {
    report_cache->health = live_health();
    return &*report_cache;
  }
  auto journal = guard->paused() ? nullptr : store.get();  // a paused journal is not touched
  auto report =
      build_status_report(sources->cfg, calendars, replica.empty() ? journal_file : std::filesystem::path("postgresql"),
                          journal, current_time());
  if (!report.ok()) {
    log.error(fmt::format("status endpoint: {}", report.error()));
    report_cache.reset();
    return nullptr;
  }
  report_cache = std::move(report.value());
  report_cache->daemon = {true, static_cast<int>(::getpid())};  // this one
  report_cache->replica = replica;
  report_cache->health = live_health();
  report_at = now;
  return &*report_cache;
}

// The daemon's health as `herald status` reads it from the file, but live:
// /status is the same document (docs/cli.md), its reasons those of /healthz now.
std::optional<published_health> daemon_loop::impl::live_health() {
  publish_health(degraded_reasons(), current_time());
  return published ? published->current() : std::nullopt;
}

std::vector<std::string> daemon_loop::impl::degraded_reasons() const {
  std::optional<std::string> journal_problem;
  if (guard && guard->paused() && !guard->file_lost()) journal_problem = guard->last_problem();
  return state.reasons(journal_problem);
}

http_resource daemon_loop::impl::health_answer() const {
  auto reasons = degraded_reasons();
  if (reasons.empty()) return {200, std::string(text_plain), "ok\n", {}};
  std::string body = "degraded\n";
  for (const auto& reason : reasons) body += reason + '\n';
  return {503, std::string(text_plain), std::move(body), {}};
}

// The same bytes as `herald export --config CONFIG` on the same day: made
// again only when they could differ.
http_resource daemon_loop::impl::calendar_answer() {
  if (calendars.empty()) return {503, std::string(text_plain), "no calendar loaded: see herald's log\n", {}};
  auto today = feed_today(calendars, environment.wall_now());
  auto stamp = feed_identity(options.config_path, calendars).stamp;
  if (feed.body.empty() || feed.calendars_made != calendars_made || feed.today != today || feed.stamp != stamp) {
    auto body = calendar_feed(options.config_path, calendars, default_export_window(today));
    auto etag = etag_of(body);
    feed = {calendars_made, today, stamp, std::move(body), std::move(etag)};
  }
  return {200, "text/calendar; charset=utf-8", feed.body, feed.etag};
}

http_resource daemon_loop::impl::metrics_answer() {
  counters.journal_errors = guard->failures();
  metrics_snapshot snapshot;
  snapshot.counters = &counters;
  if (!guard->paused())
    if (auto counts = store->count_by_state(); counts.ok()) snapshot.posts = std::move(counts.value());
  snapshot.next_due = next_due;
  snapshot.last_reload = state.last_reload();
  snapshot.last_reload_ok = state.last_reload_ok();
  snapshot.degraded = !degraded_reasons().empty();
  snapshot.replica = replica;
  return {200, "text/plain; version=0.0.4; charset=utf-8", write_prometheus(snapshot), {}};
}

http_resource daemon_loop::impl::page_answer() {
  status_page_input input;
  input.report = fresh_report();
  // No calendar: a failed reload whose last good copy did not load either (the page says degraded).
  static const std::vector<calendar> utc_only = [] {
    std::vector<calendar> one(1);
    one.front().timezone = "UTC";
    one.front().zone = date::locate_zone("UTC");
    return one;
  }();
  const auto& shown = calendars.empty() ? utc_only : calendars;
  input.today = feed_today(shown, environment.wall_now());
  input.weeks = page_weeks;
  input.zone_name = shown.front().timezone;
  input.degraded = degraded_reasons();
  input.version = HERALD_VERSION;
  auto window = export_window{input.today, input.today + date::days{7 * page_weeks - 1}};
  for (const auto& o : export_occurrences(calendars, window))
    input.observances.push_back({std::string(o.cal->events[o.event].title), o.span.start, o.span.end});
  return {200, "text/html; charset=utf-8", render_status_page(input), {}};
}

// Every attempt the journal took: counted, and judged for the channel's
// health; a change of health shows in STATUS= at once.
void daemon_loop::impl::attempt_recorded(const sender::recorded_attempt& recorded) {
  const auto& a = recorded.what;
  counters.attempt_ended(a.channel, recorded.outcome.result);
  if (recorded.retry) ++counters.retries;
  if (recorded.outcome.sent()) counters.sent_late_by(recorded.at - a.due);
  auto before = degraded_reasons();
  state.attempt_ended(a.channel, a.key, recorded.outcome.sent());
  if (degraded_reasons() != before) update_status(recorded.at);
}

}  // namespace herald

#pragma once
// The inside of daemon_loop (daemon_loop.hpp), shared by its two halves:
// daemon_loop.cpp (start, signals, reload, stop, the status endpoint) and
// daemon_tick.cpp (planning and deciding). Sending, the journal pause and
// the wall clock are parts of their own (sender, journal_guard,
// clock_watch). Private to those two files.

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "daemon/clock_watch.hpp"
#include "daemon/daemon_loop.hpp"
#include "daemon/file_watcher.hpp"
#include "daemon/health.hpp"
#include "daemon/health_file.hpp"
#include "daemon/journal_guard.hpp"
#include "daemon/last_good.hpp"
#include "daemon/loaded_sources.hpp"
#include "daemon/metrics.hpp"
#include "daemon/operator_watch.hpp"
#include "daemon/sender.hpp"
#include "daemon/spilled_block.hpp"
#include "daemon/state_lock.hpp"
#include "daemon/status_listener.hpp"
#include "daemon/status_report.hpp"
#include "messaging/curl_transport.hpp"
#include "scheduling/scheduler.hpp"
#include "settings/config.hpp"

namespace herald {

/// One load of the config and calendars: the sources, or why not.
struct load_result {
  std::shared_ptr<const loaded_sources> value;
  int status = 0;
  std::vector<std::string> problems;  ///< one line each: "calendar.yaml:12:5: error: … (hint: …)"
  std::string warnings{};             ///< one line: each warning's first line (docs/calendar.md "Warnings")
  /// A dry run's secrets that could not be read: "channel 'slack': url: environment variable SLACK_URL is not set".
  std::vector<std::string> unread_secrets{};
  std::vector<calendar> calendars{};  ///< those `value`'s config names
};

struct daemon_loop::impl {
  daemon_options options;
  env& environment;
  logger& log;
  service_notifier& notifier;
  secret_sources secrets;
  std::set<std::string, std::less<>> told_unread;  // a dry run's unread secrets, warned of once per process

  boost::asio::io_context io;
  std::optional<status_listener> http;  // after io: destroyed before it
  boost::asio::signal_set signals{io, SIGHUP, SIGTERM, SIGINT};
  std::unique_ptr<steady_timer> drain;
  std::unique_ptr<steady_timer> watchdog;
  std::optional<file_watcher> watcher;

  state_lock lock;
  std::unique_ptr<journal> store;
  std::filesystem::path journal_file;
  std::optional<journal_guard> guard;
  std::unique_ptr<curl_transport> transport;
  std::optional<sender> out;
  std::optional<clock_watch> clock;
  std::optional<operator_watch> operators;
  std::unique_ptr<steady_timer> lapse;  // a shared journal: when another replica's claim lapses
  std::string replica;                  // a shared journal: this replica's name, as opened (a reload keeps it)
  // Another replica's records come one by one through a burst: each would
  // be a decision over every due post, so the news settles this long first.
  static constexpr std::chrono::milliseconds news_settle{100};
  std::unique_ptr<steady_timer> news;
  bool news_pending = false;
  std::map<std::string, date::sys_seconds, std::less<>> paused_since;  // channels paused by an operator
  std::shared_ptr<const loaded_sources> sources;
  // The running calendars: the plan points into them. A reload drops them
  // before it loads the files, and on a failed load makes them again from
  // the last good copy (docs/daemon.md "A reload's memory"); empty only when that
  // copy did not load either (`state` says so).
  std::vector<calendar> calendars;
  std::uint64_t calendars_made = 0;  // counts each making of `calendars`: what the feed cache was made from
  daemon_plan plan;
  date::sys_seconds planned_at;         // the plan's inputs besides the calendars: the same
  std::chrono::seconds planned_back{};  // calendars planned with them again make the same plan
  // When the last good copy on disk holds the files the calendars were
  // loaded from: its stamp. None in a dry run (it writes no copy) or when
  // that copy could not be written or may hold a later edit.
  std::optional<date::sys_seconds> copy_of_running;
  schedule_policy policy;

  bool tick_posted = false;
  bool stopping = false;
  std::string last_status;
  std::optional<date::sys_seconds> next_due;  // of the post STATUS= names
  health state;                               // degraded, and why (daemon/health.hpp)
  std::optional<health_publisher> published;  // the same, for `herald status` (daemon/health_file.hpp)
  delivery_counters counters;                 // for GET /metrics
  std::optional<status_report> report_cache;  // GET /status and /, at most status_cache_age old
  std::chrono::steady_clock::time_point report_at;
  struct feed_cache {
    std::uint64_t calendars_made = 0;
    date::local_days today;
    date::sys_seconds stamp;
    std::string body, etag;
  } feed;  // GET /calendar.ics, made again when the load, the day or a file's time changes

  impl(daemon_options opts, env& e, logger& l, service_notifier& n)
      : options(std::move(opts)),
        environment(e),
        log(l),
        notifier(n),
        secrets{environment.getenv_function()},
        drain(environment.make_steady_timer(io)),
        watchdog(environment.make_steady_timer(io)) {}

  date::sys_seconds current_time() { return environment.now_seconds(); }

  int start();
  std::optional<last_good_copy> start_from_copy(const load_result& failed);
  void tell_unread_secrets(const load_result& loaded);
  void keep_last_good(const file_stamps& read);
  void use_calendars(std::vector<calendar> made);
  bool open_journal(const std::filesystem::path& state_dir);
  bool recover_interrupted();
  void make_parts();
  void watch_files();
  void watch(const std::vector<std::filesystem::path>& files);
  void watch_files_named_by_broken_config();
  void start_status_server();
  void status_endpoint_changed();
  // The status endpoint's paths: daemon_http.cpp.
  http_handler route(std::string_view path);
  http_resource status_answer();
  const status_report* fresh_report();
  std::vector<std::string> degraded_reasons() const;
  std::optional<published_health> live_health();
  http_resource health_answer() const;
  http_resource calendar_answer();
  http_resource metrics_answer();
  http_resource page_answer();
  void attempt_recorded(const sender::recorded_attempt& recorded);
  void wait_for_signal();
  void pet_watchdog(std::chrono::microseconds interval);

  schedule_policy policy_of(const config& cfg) const;
  result<std::chrono::seconds> read_paused(date::sys_seconds now);
  bool operators_acted(std::int64_t seen);
  void replan(date::sys_seconds now, std::chrono::seconds back);
  void give_up_unplanned(date::sys_seconds now);
  void tick();
  void request_tick();
  void woke(bool clock_stepped);
  void carry_out_all(const std::vector<scheduled_action>& actions, date::sys_seconds now);
  /// `log_miss`: a line per missed post (false: carry_out_all sums them up).
  void carry_out(const scheduled_action& action, date::sys_seconds now, bool log_miss);
  void update_status(date::sys_seconds now);
  void publish_health(const std::vector<std::string>& reasons, date::sys_seconds now);
  void watch_leases();
  void take_lapsed();

  void reload(std::string_view why);
  std::optional<last_good_copy> copy_to_rebuild_from();
  spilled_block drop_calendars();
  void rebuild_from(const last_good_copy& copy);
  void give_back_memory();
  void keep_big_blocks_apart();
  void stop(int signal_number);
};

}  // namespace herald

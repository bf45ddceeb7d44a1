// herald run, the loop's life: start, signals, watchdog, reload, stop and
// the status endpoint. The other half, daemon_tick.cpp, plans and decides;
// the sender (daemon/sender.hpp) sends.
#include <malloc.h>
#include <unistd.h>
#include <algorithm>
#include <csignal>
#include <cstring>
#include <sstream>
#include <utility>

#include <fmt/ranges.h>
#include <boost/asio/post.hpp>

#include "daemon/daemon_loop_impl.hpp"
#include "daemon/journal_store.hpp"
#include "daemon/last_good.hpp"
#include "daemon/reload_changes.hpp"
#include "journal/sqlite_journal.hpp"
#include "settings/calendar_sources.hpp"
#include "settings/state_dir.hpp"
#include "text/instant_format.hpp"

namespace herald {
namespace {

using std::chrono::seconds;

// How long in-flight posts may take to finish after SIGTERM (docs/daemon.md).
constexpr seconds drain_limit = delivery_defaults::drain_limit;

// One diagnostic as one line of the log: where, what, and the hint.
std::string problem_line(const diagnostic& d) {
  auto line = d.mark.line > 0 ? fmt::format("{}:{}:{}: error: {}", d.file, d.mark.line, d.mark.col, d.message)
                              : fmt::format("{}: error: {}", d.file, d.message);
  if (!d.hint.empty()) line += fmt::format(" (hint: {})", d.hint);
  return line;
}

// The first line of each warning, for one log entry: the journal keeps a
// reload's warnings together, and `herald validate` shows them in full.
std::string warnings_in_one_line(const std::vector<diagnostic>& warnings) {
  std::string line;
  for (const auto& w : warnings) {
    auto text = format_diagnostic(w, {});
    line += (line.empty() ? "" : " | ") + text.substr(0, text.find('\n'));
  }
  return line.empty() ? line
                      : fmt::format("{} calendar warning(s) (`herald validate` shows them): {}", warnings.size(), line);
}

// `now` is the env's clock: "today" for the date warnings. `read_from`:
// where each file is read (the last good copy), as load_sources takes it.
// A dry run contacts no channel, so it runs without the secrets it cannot
// read (beside a service whose secrets are credentials only it gets) and
// lists them in unread_secrets.
load_result load(const std::string& config_path, const secret_sources& secrets, date::sys_seconds now, bool dry_run,
                 const source_reader& read_from = {}) {
  auto sources = load_sources(config_path, {}, now, read_from);
  if (!sources.ok()) {
    load_result failed{nullptr, sources.status, {}};
    for (const auto& d : sources.errors) failed.problems.push_back(problem_line(d));
    return failed;
  }
  auto loaded = std::make_shared<loaded_sources>();
  loaded->cfg = std::move(*sources.value->cfg);
  std::vector<std::string> unread;
  for (const auto& channel : loaded->cfg.channels) {
    auto prepared = ready_channel::prepare(channel, secrets, dry_run ? &unread : nullptr);
    if (auto* error = std::get_if<std::string>(&prepared)) return {nullptr, 1, {*error}};
    loaded->channels.emplace(channel.name, std::get<ready_channel>(std::move(prepared)));
  }
  return {std::move(loaded),
          0,
          {},
          warnings_in_one_line(sources.warnings),
          std::move(unread),
          std::move(sources.value->calendars)};
}

// Reads each file where it is, noting its stamp as the load reads it: what
// tells whether the last good copy saved after the load holds those bytes.
source_reader noting_stamps(file_stamps& read) {
  return [&read](const std::string& path) {
    if (auto stamp = stamp_of(path)) read.insert_or_assign(path, *stamp);
    return path;
  };
}

std::vector<std::filesystem::path> watched_files(const std::string& config_path, const config& cfg) {
  std::vector<std::filesystem::path> files{config_path};
  files.insert(files.end(), cfg.calendars.begin(), cfg.calendars.end());
  return files;
}

// A failed load is one entry in the log, however many errors it found: the
// journal takes a line as one happening, and five lines of one reload read
// as five (the quoted source and caret are `herald validate`'s to show).
std::string failed_load_entry(std::string_view what, const load_result& loaded, const std::string& config_path) {
  return fmt::format(
      "{}: {}{}", what, fmt::join(loaded.problems, "; "),
      loaded.status == 2 ? fmt::format(" (`herald validate --config {}` shows each in its line)", config_path) : "");
}

// What a failed load says first, for /healthz and STATUS=: its first line,
// with the file's folder left out ("calendar.yaml:12:5: error: …").
std::string first_problem(const load_result& loaded) {
  auto line = loaded.problems.empty() ? std::string("unknown error") : loaded.problems.front();
  if (auto colon = line.find(':'); colon != std::string::npos)
    if (auto slash = line.rfind('/', colon); slash != std::string::npos) line.erase(0, slash + 1);
  return line;
}

}  // namespace

result<std::unique_ptr<journal>> open_daemon_journal(const std::filesystem::path& path, bool dry_run) {
  auto opened = dry_run ? sqlite_journal::open_snapshot(path) : sqlite_journal::open(path);
  if (!opened.ok()) return failure{opened.error()};
  return std::unique_ptr<journal>(std::move(opened.value()));
}

daemon_loop::daemon_loop(daemon_options options, env& environment, logger& log, service_notifier& notifier)
    : impl_(std::make_unique<impl>(std::move(options), environment, log, notifier)) {}

daemon_loop::~daemon_loop() = default;

int daemon_loop::run() {
  if (int status = impl_->start(); status != 0) return status;
  impl_->io.run();
  impl_->log.info("stopped");
  return 0;
}

int daemon_loop::start() { return impl_->start(); }

boost::asio::io_context& daemon_loop::io() { return impl_->io; }

void daemon_loop::stop() { impl_->stop(SIGTERM); }

// A dry run's secrets it could not read: a warning each, naming the channel
// and where the secret was expected, never a value. Once per process: a
// reload says nothing of one it already named, only of a new one.
void daemon_loop::impl::tell_unread_secrets(const load_result& loaded) {
  for (const auto& unread : loaded.unread_secrets)
    if (told_unread.insert(unread).second)
      log.warning(fmt::format(
          "dry run: {}; `herald run` would stop here, the dry run goes on as it contacts no channel", unread));
}

int daemon_loop::impl::start() {
  keep_big_blocks_apart();
  file_stamps read;
  auto loaded = load(options.config_path, secrets, current_time(), options.dry_run, noting_stamps(read));
  std::optional<last_good_copy> copy;
  if (!loaded.value) {
    copy = start_from_copy(loaded);
    if (!copy) return loaded.status;
  } else {
    sources = std::move(loaded.value);
    use_calendars(std::move(loaded.calendars));
    tell_unread_secrets(loaded);
  }
  if (!loaded.warnings.empty()) log.warning(loaded.warnings);
  const auto& cfg = sources->cfg;
  auto state_dir = state_dir_of(cfg, environment.getenv_function());
  if (!open_journal(state_dir)) return 1;
  if (copy) {
    state.started_from_copy(current_time(), copy->saved_at, first_problem(loaded));
    if (!options.dry_run) copy_of_running = copy->saved_at;
  } else {
    keep_last_good(read);
  }
  auto back = clock_watch::back_on_start(*store, log, current_time(), cfg.catch_up);  // before take_in_flight
  // The channels paused before the start stay paused (docs/service.md "Operating herald").
  if (auto paused = read_paused(current_time()); !paused.ok()) {
    log.error(fmt::format("reading the paused channels: {}", paused.error()));
    return 1;
  }
  policy = policy_of(cfg);
  if (!recover_interrupted()) return 1;
  try {
    make_parts();
  } catch (const std::system_error& e) {
    log.error(fmt::format("cannot start: {}", e.what()));
    return 1;
  }
  watch_files();
  if (!copy) state.reloaded(current_time(), cfg.channel_names());
  start_status_server();
  log.info(fmt::format("herald {} started{}: {} calendar file(s), {} channel(s), journal {}", HERALD_VERSION,
                       options.dry_run ? " for a dry run (no channel is contacted, the journal is not changed)" : "",
                       cfg.calendars.size(), cfg.channels.size(),
                       describe_journal(cfg, state_dir_of(cfg, environment.getenv_function()))));
  replan(current_time(), back);
  tick();
  log.info(last_status);  // "next: KEY at TIME", what a person starting herald wants to know
  give_back_memory();
  notifier.ready(last_status);
  if (auto interval = notifier.watchdog_interval()) pet_watchdog(*interval);
  wait_for_signal();
  return 0;
}

// The files are invalid at start: the last good copy runs instead, when
// there is one (docs/daemon.md "The last good copy"); sets `sources`.
std::optional<last_good_copy> daemon_loop::impl::start_from_copy(const load_result& failed) {
  log.error(failed_load_entry("the files are invalid", failed, options.config_path));
  auto state_dir = state_dir_hint(options.config_path, environment.getenv_function());
  auto copy = read_last_good(state_dir, options.config_path);
  if (!copy) {
    log.error(fmt::format("no last good copy of {} in {} to run instead", options.config_path,
                          last_good_dir(state_dir).string()));
    return std::nullopt;
  }
  // As a reload does before it rebuilds from the copy: bytes changed since
  // they were saved are not what last loaded well.
  if (auto intact = check_last_good(*copy); !intact.ok()) {
    log.error(fmt::format("the last good copy in {} is damaged: {}; it is not run instead",
                          last_good_dir(state_dir).string(), intact.error()));
    return std::nullopt;
  }
  auto from_copy = load(options.config_path, secrets, current_time(), options.dry_run,
                        [&](const std::string& path) { return copy->read_from(path); });
  if (!from_copy.value) {
    log.error(failed_load_entry("the last good copy does not load either", from_copy, options.config_path));
    return std::nullopt;
  }
  log.warning(fmt::format("running the last good copy of {} (copied {}) until the files are fixed", options.config_path,
                          format_utc_instant(copy->saved_at)));
  sources = std::move(from_copy.value);
  use_calendars(std::move(from_copy.calendars));
  tell_unread_secrets(from_copy);
  return copy;
}

// After every load that succeeded: what a start on broken files runs, and
// what a reload makes the calendars again from when the new files do not
// load. A dry run changes nothing in the state directory. The copy reads
// the files again: one written since the load read it may hold other
// bytes than those running, so it is not trusted to rebuild them.
void daemon_loop::impl::keep_last_good(const file_stamps& read) {
  copy_of_running.reset();
  if (options.dry_run) return;
  auto state_dir = state_dir_of(sources->cfg, environment.getenv_function());
  auto now = current_time();
  auto saved = save_last_good(state_dir, options.config_path, sources->cfg.calendars, now);
  if (!saved.ok()) {
    log.warning(fmt::format("cannot keep a last good copy: {}", saved.error()));
    return;
  }
  auto files = sources->cfg.calendars;
  files.push_back(options.config_path);
  if (unchanged_since_read(files, read)) copy_of_running = saved.value();
}

// The plan points into the calendars: whoever replaces them plans again
// before anything reads the plan.
void daemon_loop::impl::use_calendars(std::vector<calendar> made) {
  calendars = std::move(made);
  ++calendars_made;
  report_cache.reset();
}

// One journal, opened here and handed to every part as the interface.
bool daemon_loop::impl::open_journal(const std::filesystem::path& state_dir) {
  journal_file = journal_path(state_dir);
  if (!options.dry_run) {
    auto ensured = ensure_state_dir(state_dir);
    std::string problem = ensured.ok() ? lock.take(state_dir) : ensured.error();
    if (!problem.empty()) {
      log.error(problem);
      return false;
    }
  }
  // A dry run runs beside the service: the state directory's health file is the service's.
  published.emplace(options.dry_run ? std::filesystem::path() : state_dir, static_cast<int>(::getpid()));
  published->remove_stale();  // a crashed daemon's: until the first tick publishes, `herald status` says unknown
  if (!options.open_journal && shared_journal(sources->cfg)) {  // PostgreSQL: no file to watch
    journal_file.clear();
    auto shared = open_journal_store(sources->cfg, state_dir, secrets,
                                     options.dry_run ? journal_use::snapshot : journal_use::replica);
    if (!shared.ok()) {
      log.error(shared.error());
      return false;
    }
    store = std::move(shared.value());
    replica = replica_name(sources->cfg);
    return true;
  }
  auto opened = options.open_journal ? options.open_journal(journal_file, options.dry_run)
                                     : open_daemon_journal(journal_file, options.dry_run);
  if (!opened.ok()) {
    log.error(opened.error());
    return false;
  }
  store = std::move(opened.value());
  return true;
}

// Rows left in flight were being sent when herald last stopped: each may
// have reached its channel. decide() sends such a post once more, and gives
// it up after a second interruption (docs/daemon.md "Delivery rules": once more, never more).
// Without them in hand herald cannot tell which posts may go out once
// more, so a failure here stops the start (systemd restarts it).
bool daemon_loop::impl::recover_interrupted() {
  auto rows = store->take_in_flight(current_time());
  if (!rows.ok()) {
    log.error(fmt::format("reading posts left in flight: {}", rows.error()));
    return false;
  }
  for (const auto& row : rows.value())
    log.warning(fmt::format("{} was being sent to '{}' when herald stopped and may have gone out{}", row.key,
                            row.channel, row.interrupted > 1 ? " (for the second time): it is not sent again" : ""));
  return true;
}

// Throws std::system_error when the kernel refuses a timerfd or inotify.
void daemon_loop::impl::make_parts() {
  const auto& cfg = sources->cfg;
  transport = std::make_unique<curl_transport>(
      io, curl_transport::options{cfg.delivery.timeout, {}, [this] { return current_time(); }});
  guard.emplace(*store, environment, io, log, [this] {
    out->record_unrecorded();
    operators->check();  // an action written during the pause
    request_tick();
  });
  // A pause begun by the sender (an outcome it could not record) comes
  // outside a decision: STATUS= and the health file say so at once, not
  // at the next decision, which may come after the pause has ended.
  guard->on_pause([this] {
    boost::asio::post(io, [this] {
      if (!stopping) update_status(current_time());
    });
  });
  if (!journal_file.empty())
    guard->watch_file(journal_file, [this] {
      state.journal_file_lost(journal_file.string());
      report_cache.reset();
      request_tick();  // STATUS= says so
    });
  out.emplace(io, environment, log, *guard, *transport,
              sender::settings{cfg.delivery.rate_per_second, options.dry_run, options.console, cfg.delivery.burst,
                               options.console_format},
              sender::hooks{[this] { request_tick(); }, [this] { io.stop(); },
                            [this](const sender::recorded_attempt& recorded) { attempt_recorded(recorded); }});
  out->use(sources, policy);
  clock.emplace(environment, io, log, [this](bool stepped) { woke(stepped); });
  operators.emplace(
      *guard, environment, log, io, journal_file, [this](std::int64_t seen) { return operators_acted(seen); },
      [this] {  // another replica recorded a post: decide again, once per burst of news
        report_cache.reset();
        if (news_pending) return;
        news_pending = true;
        news->wait_until(environment.steady_now() + news_settle, [this] {
          news_pending = false;
          request_tick();
        });
      });
  lapse = environment.make_steady_timer(io);
  news = environment.make_steady_timer(io);
  // A dry run with no journal yet has nothing for an operator to act on.
  bool nothing_to_watch = options.dry_run && !std::filesystem::exists(journal_file);
  for (const auto& problem : operators->problems())
    if (!nothing_to_watch) log.warning(fmt::format("{}; operators' actions reach herald when it restarts", problem));
  watcher.emplace(io, [this] { reload("a watched file changed"); });
}

void daemon_loop::impl::watch_files() { watch(watched_files(options.config_path, sources->cfg)); }

void daemon_loop::impl::watch(const std::vector<std::filesystem::path>& files) {
  for (const auto& problem : watcher->watch(files))
    log.warning(fmt::format("{}; changes there need `systemctl reload herald` or SIGHUP", problem));
}

// A reload that failed on a calendar the new config names must see that
// calendar's fix: watch it too, beside the files of the schedule kept.
void daemon_loop::impl::watch_files_named_by_broken_config() {
  auto files = watched_files(options.config_path, sources->cfg);
  if (auto cfg = load_config_file(options.config_path); cfg.value)
    files.insert(files.end(), cfg.value->calendars.begin(), cfg.value->calendars.end());
  watch(files);
}

// The optional http.listen endpoint (docs/daemon.md "The status endpoint"),
// its paths in daemon_http.cpp. A dry run does not listen: it would take
// the running service's port. An address it cannot listen on degrades the
// daemon, which runs on and keeps trying (daemon/status_listener.hpp).
void daemon_loop::impl::start_status_server() {
  const auto& listen = sources->cfg.http_listen;
  if (!listen) return;
  if (options.dry_run) {
    log.warning(fmt::format("dry run: the status endpoint on {} is not started", *listen));
    return;
  }
  http.emplace(
      io, environment, log, *listen, [this](std::string_view path) { return route(path); },
      [this] { status_endpoint_changed(); });
  http->start();
  state.status_endpoint(http->problem());
}

// It listens at last, or fails otherwise: STATUS= says so at once.
void daemon_loop::impl::status_endpoint_changed() {
  state.status_endpoint(http->problem());
  update_status(current_time());
}

void daemon_loop::impl::wait_for_signal() {
  signals.async_wait([this](const boost::system::error_code& error, int signal_number) {
    if (error) return;
    if (signal_number == SIGHUP)
      reload("SIGHUP");
    else
      stop(signal_number);
    wait_for_signal();
  });
}

void daemon_loop::impl::pet_watchdog(std::chrono::microseconds interval) {
  notifier.watchdog();
  watchdog->wait_until(environment.steady_now() + interval, [this, interval] { pet_watchdog(interval); });
}

// An invalid new file is reported and the old schedule keeps running
// (docs/daemon.md). state_dir, delivery.timeout and delivery.rate belong to the
// journal, transport and queue made at start: they change on restart.
// A load's YAML tree and, after a reload, the old calendars are freed but
// glibc keeps the pages: hand them back, so the resident memory between
// loads is what the daemon holds, not what its last load needed at most
// (docs/PERFORMANCE.md "2026-12-03"). SQLite's page cache first: it holds
// every page the start touched, and what it frees is then trimmed too
// (docs/PERFORMANCE.md "2026-12-03, last session: private memory at READY").
void daemon_loop::impl::give_back_memory() {
  if (store) store->release_memory();
  ::malloc_trim(0);
}

// A calendar's text and a plan's vectors are blocks of megabytes. glibc
// maps such a block on its own and unmaps it when freed, but after the
// first such free it raises that threshold and puts the next ones in the
// heap, where they stay part of the heap's high-water mark. A fixed
// threshold keeps every block of 1 MiB or more mapped apart: 10 000
// events, peak at READY 29.3 -> 27.1 MiB with the loader giving its text
// back (docs/PERFORMANCE.md "The remaining goals (2026-12-03)").
void daemon_loop::impl::keep_big_blocks_apart() { ::mallopt(M_MMAP_THRESHOLD, 1 << 20); }

// A reload first drops the running calendars and their plan, then loads
// the files: the old calendars and the new ones are never in memory at
// once (docs/PERFORMANCE.md "2026-12-03, afternoon: reload memory"). A
// failed load makes them again from the last good copy, which holds the
// bytes they were loaded from, and plans them as they were planned: the
// posts queued and in flight never depended on them, so the old schedule
// goes on undisturbed. Without such a copy (a dry run, a copy that could
// not be written or was changed on disk) the calendars stay while the
// files load, as before.
void daemon_loop::impl::reload(std::string_view why) {
  if (stopping) return;
  notifier.reloading();
  if (http) http->try_again();  // a status endpoint that cannot listen
  auto copy = copy_to_rebuild_from();
  auto running_events = copy ? drop_calendars() : spilled_block::kept(event_ids(calendars));
  if (copy && options.calendars_dropped) options.calendars_dropped();
  file_stamps read;
  auto loaded = load(options.config_path, secrets, current_time(), options.dry_run, noting_stamps(read));
  if (!loaded.value) {
    log.error(failed_load_entry(fmt::format("reload ({}) failed, the old schedule keeps running", why), loaded,
                                options.config_path));
    auto problem = first_problem(loaded);
    loaded = {};  // what the failed load holds, before the copy loads
    if (copy) rebuild_from(*copy);
    watch_files_named_by_broken_config();
    state.reload_failed(current_time(), std::move(problem));
    update_status(current_time());
    give_back_memory();
    notifier.ready(last_status);
    return;
  }
  tell_unread_secrets(loaded);
  if (!loaded.warnings.empty()) log.warning(loaded.warnings);
  if (auto waiting = restart_only_changes(sources->cfg, loaded.value->cfg); !waiting.empty())
    log.notice(
        fmt::format("{} changed: this takes effect when herald restarts; the running values stay until then", waiting));
  // Closed and freed here, not when the reload ends.
  auto events =
      event_changes([&](std::size_t offset, std::span<char> buffer) { return running_events.read(offset, buffer); },
                    loaded.calendars);
  running_events = {};
  sources = std::move(loaded.value);
  use_calendars(std::move(loaded.calendars));  // the old plan points into the old ones until replanned below
  keep_last_good(read);
  state.reloaded(current_time(), sources->cfg.channel_names());
  policy = policy_of(sources->cfg);
  out->use(sources, policy);
  out->drop_waiting();  // decide() below queues what is still due
  watch_files();
  replan(current_time(), policy.catch_up);
  tick();
  log.info(fmt::format("reloaded ({}): {} post(s) planned{}", why, plan.posts.size(), events));
  give_back_memory();
  notifier.ready(last_status);
}

// The last good copy a failed reload can make the running calendars again
// from: the one saved from the files they were loaded from, with every
// file's bytes as saved. Anything else is said once, and the reload keeps
// the calendars while it loads.
std::optional<last_good_copy> daemon_loop::impl::copy_to_rebuild_from() {
  if (options.dry_run || !copy_of_running) return std::nullopt;
  auto state_dir = state_dir_of(sources->cfg, environment.getenv_function());
  auto copy = read_last_good(state_dir, options.config_path);
  std::string problem;
  auto files = sources->cfg.calendars;
  files.push_back(options.config_path);
  auto lacking = std::find_if(files.begin(), files.end(),
                              [&](const std::string& file) { return copy && !copy->copies.contains(file); });
  if (!copy)
    problem = "is missing or not whole";
  else if (lacking != files.end())
    problem = fmt::format("holds no copy of {}", *lacking);
  else if (copy->saved_at != *copy_of_running)
    problem = fmt::format("was replaced (saved {}, not {})", format_utc_instant(copy->saved_at),
                          format_utc_instant(*copy_of_running));
  else if (auto intact = check_last_good(*copy); !intact.ok())
    problem = fmt::format("is damaged: {}", intact.error());
  if (problem.empty()) return copy;
  log.warning(fmt::format(
      "the last good copy in {} {}; this reload and the next ones keep the running calendars in memory while "
      "the files load, until a good load writes a new copy",
      last_good_dir(state_dir).string(), problem));
  copy_of_running.reset();
  return std::nullopt;
}

// Frees the calendars and the plan that points into them; returns the ids
// of their events, for the reload's "events added / removed", in an
// unnamed file of the state directory while the files load: the largest
// thing a reload would hold that the start's load does not (0.76 MB at
// 100 000 events; docs/PERFORMANCE.md "2026-12-03, seventh session:
// reload ids"). Kept in memory when no file can be written there. A dry
// run never comes here (it has no copy to rebuild from), so it writes
// nothing into the state directory.
spilled_block daemon_loop::impl::drop_calendars() {
  auto ids = spilled_block::spill(event_ids(calendars), state_dir_of(sources->cfg, environment.getenv_function()));
  plan = {{}, date::sys_seconds::max(), date::sys_seconds::max()};
  use_calendars({});
  feed = {};
  give_back_memory();
  return ids;
}

// A failed reload: the calendars again from the copy, planned with the
// inputs the dropped plan was made with (the same posts, pointing into the
// new calendars). The channels were kept: no secret is read again. When the
// copy does not load either (changed on disk while the files loaded), the
// daemon goes on without calendars: what is queued and in flight goes out,
// nothing more is planned until a reload succeeds, and it says so.
void daemon_loop::impl::rebuild_from(const last_good_copy& copy) {
  auto from_copy = load_sources(options.config_path, {}, std::nullopt,
                                [&](const std::string& path) { return copy.read_from(path); });
  if (!from_copy.ok()) {
    load_result failed{nullptr, from_copy.status, {}};
    for (const auto& d : from_copy.errors) failed.problems.push_back(problem_line(d));
    log.error(
        fmt::format("the last good copy (copied {}) does not load either; herald runs on without a schedule: the posts "
                    "already queued or in flight go out, no other post is planned until a reload succeeds: {}",
                    format_utc_instant(copy.saved_at), fmt::join(failed.problems, "; ")));
    state.schedule_lost(first_problem(failed));
    copy_of_running.reset();
    return;
  }
  use_calendars(std::move(from_copy.value->calendars));
  plan = plan_calendars(calendars, planned_at, planned_back);
  give_up_unplanned(current_time());
  request_tick();  // the same plan decides the same; a tick costs nothing and settles any doubt
}

void daemon_loop::impl::stop(int signal_number) {
  if (http) http->stop();
  if (stopping) {  // a second signal: stop now; what is in flight stays so in the journal
    log.warning("stopping at once; posts still in flight go out once more on the next start");
    io.stop();
    return;
  }
  stopping = true;
  notifier.stopping();
  auto in_flight = out->stop();
  clock->cancel();
  if (lapse) lapse->cancel();
  if (news) news->cancel();
  log.info(
      fmt::format("stopping on {}: {} post(s) in flight", signal_number == SIGINT ? "SIGINT" : "SIGTERM", in_flight));
  if (in_flight == 0) {
    io.stop();
    return;
  }
  drain->wait_until(environment.steady_now() + drain_limit, [this] {
    // A last try for outcomes the journal did not take: at most one busy
    // timeout, since the first failure pauses the journal for the rest.
    guard->resume_now();
    out->record_unrecorded();
    if (io.stopped()) return;
    log.warning(fmt::format("{} post(s) still in flight after {} s; they go out once more on the next start",
                            out->in_flight(), drain_limit.count()));
    io.stop();
  });
}

}  // namespace herald

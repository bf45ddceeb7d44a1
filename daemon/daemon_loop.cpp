#include "daemon/daemon_loop.hpp"

#include <algorithm>
#include <csignal>
#include <cstring>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <span>
#include <sstream>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fmt/format.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "daemon/calendar_sources.hpp"
#include "daemon/channel.hpp"
#include "daemon/file_watcher.hpp"
#include "daemon/post_builder.hpp"
#include "daemon/preview_format.hpp"
#include "daemon/scheduler.hpp"
#include "daemon/send_queue.hpp"
#include "daemon/sqlite_journal.hpp"
#include "daemon/state_dir.hpp"
#include "daemon/status_report.hpp"
#include "daemon/status_server.hpp"
#include "daemon/wall_clock_timer.hpp"

namespace herald {
namespace {

namespace asio = boost::asio;
using std::chrono::seconds;

// How long in-flight posts may take to finish after SIGTERM (SPEC §5).
constexpr seconds drain_limit{10};
// How long to wait before trying again when the journal itself failed.
constexpr seconds journal_pause{30};
// How far back a start looks for posts that came due while herald was
// down, to record them missed: to the journal's last change, at most this.
constexpr date::days longest_look_back{92};
// How long GET /status may answer from a document already built.
constexpr seconds status_cache_age{5};
// Posts of one channel in flight at once: curl keeps 4 connections per host.
constexpr int in_flight_per_channel = 4;

// What one load of the config and its calendars gives. The plan points into
// `calendars` and each channel into `cfg`, so it never moves once made;
// in-flight deliveries keep the load they started with alive across a reload.
struct loaded_sources {
  config cfg;
  std::vector<calendar> calendars;
  std::map<std::string, ready_channel, std::less<>> channels;
};

struct load_result {
  std::shared_ptr<const loaded_sources> value;
  int status = 0;
  std::string errors;  ///< as `herald validate` prints them
};

load_result load(const std::string& config_path, const secret_sources& secrets) {
  std::ostringstream errors;
  int status = 0;
  auto sources = load_sources(config_path, {}, errors, status);
  if (!sources) return {nullptr, status, errors.str()};
  auto loaded = std::make_shared<loaded_sources>();
  loaded->cfg = std::move(*sources->cfg);
  loaded->calendars = std::move(sources->calendars);
  for (const auto& channel : loaded->cfg.channels) {
    auto prepared = ready_channel::prepare(channel, secrets);
    if (auto* error = std::get_if<std::string>(&prepared))
      return {nullptr, 1, fmt::format("herald: error: {}\n", *error)};
    loaded->channels.emplace(channel.name, std::get<ready_channel>(std::move(prepared)));
  }
  return {std::move(loaded), 0, {}};
}

std::vector<std::filesystem::path> watched_files(const std::string& config_path, const config& cfg) {
  std::vector<std::filesystem::path> files{config_path};
  files.insert(files.end(), cfg.calendars.begin(), cfg.calendars.end());
  return files;
}

// An flock on state_dir/herald.lock for the life of the process: two
// daemons on one journal would each take the other's in-flight rows for
// interrupted ones and send them again.
class state_lock {
 public:
  ~state_lock() {
    if (fd_ >= 0) ::close(fd_);
  }
  /// "" or why the lock could not be taken.
  std::string take(const std::filesystem::path& dir) {
    auto path = dir / "herald.lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) return fmt::format("cannot open {}: {}", path.string(), std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) return {};
    if (errno == EWOULDBLOCK)
      return fmt::format("another herald is running with the state directory {} (it holds {})", dir.string(),
                         path.string());
    return fmt::format("cannot lock {}: {}", path.string(), std::strerror(errno));
  }

 private:
  int fd_ = -1;
};

// Diagnostics come as `herald validate` prints them: the FILE:LINE:COL
// line, the quoted source, the caret and the hint, each its own log line.
void log_each_line(logger& log, const std::string& text) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) log.error(line);
}

// One attempt in flight: what its outcome needs to be recorded.
struct attempt {
  std::string key, channel, event;
  date::sys_seconds due;
};

}  // namespace

struct daemon_loop::impl {
  daemon_options options;
  logger& log;
  service_notifier& notifier;
  secret_sources secrets;

  asio::io_context io;
  std::optional<status_server> http;  // after io: destroyed before it
  asio::signal_set signals{io, SIGHUP, SIGTERM, SIGINT};
  std::optional<wall_clock_timer> wake_timer;
  asio::steady_timer pacing{io};
  asio::steady_timer drain{io};
  asio::steady_timer watchdog{io};
  asio::steady_timer journal_pause_timer{io};
  std::optional<file_watcher> watcher;

  state_lock lock;
  std::unique_ptr<sqlite_journal> store;
  std::filesystem::path journal_file;
  std::unique_ptr<curl_transport> transport;
  std::shared_ptr<const loaded_sources> sources;
  daemon_plan plan;
  std::optional<send_queue> queue;
  schedule_policy policy;
  std::mt19937_64 random{std::random_device{}()};

  std::optional<journal_entry> looked_up;  // decide()'s lookup answer, valid until the next lookup
  bool journal_paused = false;             // a journal call failed: journal_pause_timer is armed
  // Outcomes the journal could not take yet. Their keys stay in flight in
  // the queue, and the outcome is written again after journal_pause: a sent
  // post must reach the journal, or a restart would send it again.
  std::vector<std::pair<attempt, delivery_outcome>> unrecorded;
  date::sys_seconds last_tick;                         // to look back over a suspend or a clock step
  std::chrono::system_clock::duration clock_offset{};  // wall minus monotonic at the last arming
  bool tick_posted = false;
  bool dispatch_posted = false;
  bool stopping = false;
  std::string last_status;
  std::string status_document_cache;  // GET /status, at most status_cache_age old
  std::chrono::steady_clock::time_point status_document_at;

  impl(daemon_options opts, logger& l, service_notifier& n)
      : options(std::move(opts)), log(l), notifier(n), secrets{options.getenv} {}

  date::sys_seconds current_time() const { return date::floor<seconds>(options.now()); }

  int run();
  bool open_journal(const std::filesystem::path& state_dir);
  bool recover_interrupted();
  void watch_files();
  void watch(const std::vector<std::filesystem::path>& files);
  void watch_files_named_by_broken_config();
  bool start_status_server();
  std::string status_document();
  void wait_for_signal();
  void pet_watchdog(std::chrono::microseconds interval);

  void replan(date::sys_seconds now, std::chrono::seconds back);
  void give_up_unplanned(date::sys_seconds now);
  std::chrono::seconds look_back(date::sys_seconds now);
  void tick();
  void request_tick();
  const journal_entry* lookup(std::string_view key);
  void carry_out(const scheduled_action& action, date::sys_seconds now);
  void arm_wake(std::optional<date::sys_seconds> wake, date::sys_seconds now);
  void update_status(date::sys_seconds now);

  void dispatch();
  void request_dispatch();
  void start(send_queue::job job);
  void finished(const attempt& a, const delivery_outcome& outcome);
  bool record_outcome(const attempt& a, const delivery_outcome& outcome);
  bool record_failure(const attempt& a, const delivery_outcome& outcome, date::sys_seconds now);
  void record_unrecorded();
  void journal_failed(std::string_view what, const std::string& error);
  void clock_changed();

  void reload(std::string_view why);
  void stop(int signal_number);
};

daemon_loop::daemon_loop(daemon_options options, logger& log, service_notifier& notifier)
    : impl_(std::make_unique<impl>(std::move(options), log, notifier)) {}

daemon_loop::~daemon_loop() = default;

int daemon_loop::run() { return impl_->run(); }

int daemon_loop::impl::run() {
  auto loaded = load(options.config_path, secrets);
  if (!loaded.value) {
    log_each_line(log, loaded.errors);
    return loaded.status;
  }
  sources = std::move(loaded.value);
  const auto& cfg = sources->cfg;
  auto state_dir = state_dir_of(cfg, options.getenv);
  if (!open_journal(state_dir)) return 1;
  transport = std::make_unique<curl_transport>(
      io, curl_transport::options{cfg.delivery.timeout, {}, [this] { return current_time(); }});
  queue.emplace(cfg.delivery.rate_per_second, in_flight_per_channel);
  policy = {cfg.catch_up, cfg.delivery.attempts};
  auto back = look_back(current_time());  // before take_in_flight changes rows
  if (!recover_interrupted()) return 1;
  try {
    wake_timer.emplace(io);
    watcher.emplace(io, [this] { reload("a watched file changed"); });
  } catch (const std::system_error& e) {
    log.error(fmt::format("cannot start: {}", e.what()));
    return 1;
  }
  watch_files();
  if (!start_status_server()) return 1;
  log.info(fmt::format("herald {} started{}: {} calendar file(s), {} channel(s), journal {}", HERALD_VERSION,
                       options.dry_run ? " for a dry run (no channel is contacted, the journal is not changed)" : "",
                       cfg.calendars.size(), cfg.channels.size(), journal_path(state_dir).string()));
  replan(current_time(), back);
  tick();
  notifier.ready(last_status);
  if (auto interval = notifier.watchdog_interval()) pet_watchdog(*interval);
  wait_for_signal();
  io.run();
  log.info("stopped");
  return 0;
}

bool daemon_loop::impl::open_journal(const std::filesystem::path& state_dir) {
  auto path = journal_path(state_dir);
  journal_file = path;
  if (options.dry_run) {
    auto snapshot = sqlite_journal::open_snapshot(path);
    if (!snapshot.ok()) {
      log.error(snapshot.error());
      return false;
    }
    store = std::move(snapshot.value());
    return true;
  }
  std::string problem = ensure_state_dir(state_dir);
  if (problem.empty()) problem = lock.take(state_dir);
  if (!problem.empty()) {
    log.error(problem);
    return false;
  }
  auto opened = sqlite_journal::open(path);
  if (!opened.ok()) {
    log.error(opened.error());
    return false;
  }
  store = std::move(opened.value());
  return true;
}

// Rows left in flight were being sent when herald last stopped: each may
// have reached its channel. decide() sends such a post once more, and gives
// it up after a second interruption (SPEC §4: once more, never more).
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

// The optional http.listen endpoint (SPEC §3): GET /status answers what
// `herald status --format json` prints. A dry run does not listen: it would
// take the running service's port.
bool daemon_loop::impl::start_status_server() {
  const auto& listen = sources->cfg.http_listen;
  if (!listen) return true;
  if (options.dry_run) {
    log.warning(fmt::format("dry run: the status endpoint on {} is not started", *listen));
    return true;
  }
  http.emplace(
      io, *listen, [this] { return status_document(); }, log);
  if (auto problem = http->start(); !problem.empty()) {
    log.error(problem);
    return false;
  }
  return true;
}

// Building the report plans a year ahead, on the loop's thread: a client
// polling every second must not delay posts, so the document is reused for
// a few seconds.
std::string daemon_loop::impl::status_document() {
  auto now = std::chrono::steady_clock::now();
  if (!status_document_cache.empty() && now - status_document_at < status_cache_age) return status_document_cache;
  auto report = build_status_report(sources->cfg, sources->calendars, journal_file, store.get(), current_time());
  if (!report.ok()) {
    log.error(fmt::format("status endpoint: {}", report.error()));
    return {};  // answered 503
  }
  status_document_cache = status_json(report.value());
  status_document_at = now;
  return status_document_cache;
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
  watchdog.expires_after(interval);
  watchdog.async_wait([this, interval](const boost::system::error_code& error) {
    if (!error) pet_watchdog(interval);
  });
}

// `back`: how far before now posts are planned; catch_up normally, longer
// after a start, a suspend or a clock step, so what came due meanwhile is
// recorded missed (SPEC §4) rather than silently left out.
void daemon_loop::impl::replan(date::sys_seconds now, std::chrono::seconds back) {
  plan = plan_calendars(sources->calendars, now, std::max(back, policy.catch_up));
  give_up_unplanned(now);
}

// A pending row (waiting for a retry, or interrupted) that the plan no
// longer holds was removed from the calendar by an edit, or its window
// closed: decide() never sees it again, so it is given up here rather than
// left pending for ever. History stays; the post is not sent.
void daemon_loop::impl::give_up_unplanned(date::sys_seconds now) {
  auto pending = store->entries_in(post_state::pending);
  if (!pending.ok()) return journal_failed("reading pending posts", pending.error());
  if (pending.value().empty()) return;
  std::set<std::string, std::less<>> planned;
  for (const auto& post : plan.posts) planned.insert(post.key());
  for (const auto& row : pending.value()) {
    // A row due after the plan's reach (a clock far behind) may be planned later.
    if (planned.contains(row.key) || row.due >= plan.covers_until) continue;
    auto reason = row.due + policy.catch_up < now ? "its window closed" : "it is no longer in the calendar";
    auto recorded = store->record_failed(row.key, now, fmt::format("{}; not sent", reason));
    if (!recorded.ok()) return journal_failed("recording a post given up", recorded.error());
    log.notice(fmt::format("gave up {} to '{}': {}", row.key, row.channel, reason));
  }
}

// Posts that came due while herald was down and are past catch_up are
// recorded missed (SPEC §4), so the first plan reaches back to when herald
// last changed the journal: every post between then and now that is not
// final was never handled. A fresh journal looks back a week beyond
// catch_up, so a first start says what it came too late for.
std::chrono::seconds daemon_loop::impl::look_back(date::sys_seconds now) {
  auto newest = store->recent(1);
  if (!newest.ok() || newest.value().empty()) return policy.catch_up + date::days{7};
  auto since = now - newest.value().front().updated_at;
  auto longest = std::chrono::duration_cast<seconds>(longest_look_back);
  if (since > longest)
    log.notice(fmt::format("herald last worked {} days ago; posts due before the last {} days are not listed as missed",
                           std::chrono::duration_cast<date::days>(since).count(), longest_look_back.count()));
  return std::clamp(since, policy.catch_up, std::max(policy.catch_up, longest));
}

void daemon_loop::impl::request_tick() {
  if (tick_posted || stopping) return;
  tick_posted = true;
  asio::post(io, [this] { tick(); });
}

// The heart of the loop: decide what is due, carry it out, sleep until the
// next instant anything can change.
void daemon_loop::impl::tick() {
  tick_posted = false;
  if (stopping) return;
  auto now = current_time();
  if (now >= plan.replan_at) replan(now, policy.catch_up);
  last_tick = now;
  auto decided = decide(
      plan.posts, [this](std::string_view key) { return lookup(key); }, now, policy);
  for (const auto& action : decided.actions) carry_out(action, now);
  dispatch();
  arm_wake(decided.wake, now);
  update_status(now);
}

// A journal that cannot be read answers "in flight": nothing is sent that
// might have been sent already; the loop looks again after journal_pause.
const journal_entry* daemon_loop::impl::lookup(std::string_view key) {
  // Each failing call may wait out SQLite's busy timeout: after one failure
  // the rest of the pass answers at once (and the watchdog stays fed).
  auto found =
      journal_paused ? journal_result<std::optional<journal_entry>>(journal_error{"paused"}) : store->find(key);
  if (!found.ok()) {
    if (!journal_paused) journal_failed("reading a post", found.error());
    looked_up.emplace();
    looked_up->key = key;
    looked_up->state = post_state::in_flight;
    return &*looked_up;
  }
  looked_up = std::move(found.value());
  return looked_up ? &*looked_up : nullptr;
}

void daemon_loop::impl::carry_out(const scheduled_action& action, date::sys_seconds now) {
  const auto& post = *action.post;
  const auto& channel = post.cal->channels[post.channel];
  const auto& event = post.cal->events[post.event].id;
  switch (action.what) {
    case scheduled_action::kind::send:
      if (!queue->contains(action.key)) queue->push({make_post_content(post), post.due});
      break;
    case scheduled_action::kind::miss: {
      auto recorded = store->record_missed(action.key, post.due, channel, event, now);
      if (!recorded.ok()) return journal_failed("recording a missed post", recorded.error());
      log.warning(fmt::format("missed {}: it was due at {}, longer ago than catch_up allows; it is not sent",
                              action.key, format_utc_instant(post.due)));
      break;
    }
    case scheduled_action::kind::give_up: {
      auto recorded = store->record_failed(action.key, now, action.reason);
      if (!recorded.ok()) return journal_failed("recording a failed post", recorded.error());
      log.error(fmt::format("failed {} to '{}': {}", action.key, channel, action.reason));
      break;
    }
  }
}

void daemon_loop::impl::arm_wake(std::optional<date::sys_seconds> wake, date::sys_seconds now) {
  auto at = std::min(wake.value_or(date::sys_seconds::max()), plan.replan_at);
  at = std::max(at, now + seconds{1});  // never a busy loop, whatever the core says
  clock_offset =
      std::chrono::system_clock::now().time_since_epoch() - std::chrono::steady_clock::now().time_since_epoch();
  wake_timer->wait_until(at, [this](wall_clock_timer::event event) {
    if (event == wall_clock_timer::event::clock_changed) clock_changed();
    tick();
  });
}

// The kernel reports every setting of the clock, also the tiny steps some
// hypervisors and NTP make many times an hour: only a step of a second or
// more (or a resume, which moves the wall clock against the monotonic one)
// is worth a new plan and a log line.
void daemon_loop::impl::clock_changed() {
  auto offset =
      std::chrono::system_clock::now().time_since_epoch() - std::chrono::steady_clock::now().time_since_epoch();
  auto step = offset - clock_offset;
  if (step < seconds{1} && step > -seconds{1}) return;
  auto now = current_time();
  log.notice(fmt::format("the wall clock moved {} s (set, or the machine resumed); planning again",
                         std::chrono::duration_cast<seconds>(step).count()));
  auto since_last = now > last_tick ? std::chrono::duration_cast<seconds>(now - last_tick) : seconds{0};
  replan(now, std::min(policy.catch_up + since_last, std::chrono::duration_cast<seconds>(longest_look_back)));
}

// STATUS= names the next post (SPEC §5), for `systemctl status herald`.
// Sent only when it changes, which sends do not: sd_notify blocks when
// systemd's socket queue is full, so one message per post would be a risk.
void daemon_loop::impl::update_status(date::sys_seconds now) {
  std::string status = "no post planned in the coming weeks";
  auto first_future = std::upper_bound(plan.posts.begin(), plan.posts.end(), now,
                                       [](date::sys_seconds t, const planned_post& post) { return t < post.due; });
  for (const auto& post : std::span(first_future, plan.posts.end())) {
    auto key = post.key();
    auto row = store->find(key);
    if (row.ok() && row.value() && is_final(row.value()->state)) continue;
    status = fmt::format("next: {} at {}", key, format_local_instant(*post.cal->zone, post.due));
    break;
  }
  if (status == last_status) return;
  last_status = status;
  notifier.status(status);
}

void daemon_loop::impl::request_dispatch() {
  if (dispatch_posted) return;
  dispatch_posted = true;
  asio::post(io, [this] {
    dispatch_posted = false;
    dispatch();
  });
}

void daemon_loop::impl::dispatch() {
  if (stopping) return;
  auto ready = queue->take_ready(send_queue::clock::now());
  for (auto& job : ready.start) start(std::move(job));
  if (!ready.next) return;
  pacing.expires_at(*ready.next);
  pacing.async_wait([this](const boost::system::error_code& error) {
    if (!error) dispatch();
  });
}

// The journal first, then the channel: once begin_attempt has returned the
// attempt is on disk, so a crash after this point can only cause one more
// copy, never a lost record (SPEC §4).
void daemon_loop::impl::start(send_queue::job job) {
  const auto& content = job.content;
  attempt a{content.key, content.channel, content.event, job.due};
  auto now = current_time();
  if (now > job.due + policy.catch_up) {  // it waited in the queue past its window
    queue->finished(a.key);
    request_tick();
    return;
  }
  if (journal_paused) {  // the tick after the pause queues it again
    queue->finished(a.key);
    return;
  }
  auto began = store->begin_attempt(a.key, a.due, a.channel, a.event, now);
  if (!began.ok() || began.value() == journal_change::refused) {
    queue->finished(a.key);
    if (!began.ok()) journal_failed("recording an attempt", began.error());
    return;
  }
  auto channel = sources->channels.find(a.channel);
  if (channel == sources->channels.end()) {  // load_sources checks every step's channel; kept as a guard
    finished(a, {delivery_outcome::kind::permanent, std::nullopt, "no such channel in the config"});
    return;
  }
  if (options.dry_run) {
    log.info(fmt::format("dry run: would send {} to '{}' ({})", a.key, a.channel, channel->second.describe()));
    finished(a, {delivery_outcome::kind::sent, std::nullopt, "dry run"});
    return;
  }
  channel->second.deliver(content, *transport, *options.console, now,
                          [this, a, keep = sources](const delivery_outcome& outcome) { finished(a, outcome); });
}

void daemon_loop::impl::finished(const attempt& a, const delivery_outcome& outcome) {
  if (!record_outcome(a, outcome)) {
    unrecorded.emplace_back(a, outcome);  // its key stays in flight until recorded
    return;
  }
  queue->finished(a.key);
  if (stopping && queue->in_flight() == 0) {
    io.stop();
    return;
  }
  request_dispatch();
}

// False when the journal refused to take it (logged; try again later).
bool daemon_loop::impl::record_outcome(const attempt& a, const delivery_outcome& outcome) {
  auto now = current_time();
  if (!outcome.sent()) return record_failure(a, outcome, now);
  auto recorded = store->record_sent(a.key, now);
  if (!recorded.ok()) {
    journal_failed(fmt::format("recording that {} was sent", a.key), recorded.error());
    return false;
  }
  if (!options.dry_run) log.info(fmt::format("sent {} to '{}': {}", a.key, a.channel, outcome.detail));
  return true;
}

bool daemon_loop::impl::record_failure(const attempt& a, const delivery_outcome& outcome, date::sys_seconds now) {
  auto row = store->find(a.key);
  if (!row.ok()) {
    journal_failed("reading a post", row.error());
    return false;
  }
  int attempts = row.value() ? row.value()->attempts : 1;
  std::uniform_real_distribution<double> jitter(0.0, 1.0);
  auto decision = after_failure(outcome, attempts, a.due, now, policy, jitter(random));
  if (decision.next_try) {
    auto recorded = store->record_retry(a.key, now, *decision.next_try, decision.reason);
    if (!recorded.ok()) {
      journal_failed("recording a retry", recorded.error());
      return false;
    }
    log.warning(fmt::format("{} to '{}' did not go out ({}); trying again at {} (attempt {} of {})", a.key, a.channel,
                            decision.reason, format_utc_instant(*decision.next_try), attempts + 1, policy.attempts));
    request_tick();  // the retry may come before the armed wake-up
    return true;
  }
  auto recorded = store->record_failed(a.key, now, decision.reason);
  if (!recorded.ok()) {
    journal_failed("recording a failed post", recorded.error());
    return false;
  }
  log.error(fmt::format("failed {} to '{}': {}", a.key, a.channel, decision.reason));
  return true;
}

void daemon_loop::impl::record_unrecorded() {
  auto waiting = std::move(unrecorded);
  unrecorded.clear();
  for (const auto& [a, outcome] : waiting) finished(a, outcome);
}

// A journal that fails (locked by another process, disk full) is tried
// again after journal_pause: then the outcomes it could not take are
// written, and the loop decides again what it could not read.
void daemon_loop::impl::journal_failed(std::string_view what, const std::string& error) {
  log.error(fmt::format("{}: {}; trying again in {} s", what, error, journal_pause.count()));
  if (journal_paused) return;
  journal_paused = true;
  journal_pause_timer.expires_after(journal_pause);
  journal_pause_timer.async_wait([this](const boost::system::error_code& failure) {
    if (failure) return;
    journal_paused = false;
    record_unrecorded();
    request_tick();
  });
}

// An invalid new file is reported and the old schedule keeps running
// (SPEC §5). state_dir, delivery.timeout and delivery.rate belong to the
// journal, transport and queue made at start: they change on restart.
void daemon_loop::impl::reload(std::string_view why) {
  if (stopping) return;
  notifier.reloading();
  auto loaded = load(options.config_path, secrets);
  if (!loaded.value) {
    log_each_line(log, loaded.errors);
    log.error(fmt::format("reload ({}) failed: the old schedule keeps running", why));
    watch_files_named_by_broken_config();
    notifier.ready(last_status);
    return;
  }
  const auto& before = sources->cfg;
  const auto& after = loaded.value->cfg;
  if (before.state_dir != after.state_dir || before.delivery.timeout != after.delivery.timeout ||
      before.delivery.rate_per_second != after.delivery.rate_per_second || before.http_listen != after.http_listen)
    log.notice("state_dir, delivery.timeout, delivery.rate and http changes take effect when herald restarts");
  auto previous = std::exchange(sources, std::move(loaded.value));  // the plan points into it until replanned
  policy = {sources->cfg.catch_up, sources->cfg.delivery.attempts};
  queue->drop_waiting();  // decide() below queues what is still due
  watch_files();
  replan(current_time(), policy.catch_up);
  tick();
  log.info(fmt::format("reloaded ({}): {} post(s) planned", why, plan.posts.size()));
  notifier.ready(last_status);
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
  queue->drop_waiting();
  wake_timer->cancel();
  pacing.cancel();
  auto in_flight = queue->in_flight();
  log.info(
      fmt::format("stopping on {}: {} post(s) in flight", signal_number == SIGINT ? "SIGINT" : "SIGTERM", in_flight));
  if (in_flight == 0) {
    io.stop();
    return;
  }
  drain.expires_after(drain_limit);
  drain.async_wait([this](const boost::system::error_code& error) {
    if (error) return;
    record_unrecorded();  // a last try for outcomes the journal did not take
    if (io.stopped()) return;
    log.warning(fmt::format("{} post(s) still in flight after {} s; they go out once more on the next start",
                            queue->in_flight(), drain_limit.count()));
    io.stop();
  });
}

}  // namespace herald

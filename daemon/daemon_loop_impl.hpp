#pragma once
// The inside of daemon_loop (daemon_loop.hpp), shared by its two halves:
// daemon_loop.cpp (start, signals, reload, stop, the status endpoint) and
// daemon_sending.cpp (planning, deciding, sending, recording outcomes).
// Private to those two files.

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fmt/format.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "daemon/channel.hpp"
#include "daemon/daemon_loop.hpp"
#include "daemon/file_watcher.hpp"
#include "daemon/status_server.hpp"
#include "daemon/wall_clock_timer.hpp"
#include "journal/sqlite_journal.hpp"
#include "messaging/curl_transport.hpp"
#include "scheduling/scheduler.hpp"
#include "scheduling/send_queue.hpp"
#include "settings/config.hpp"

namespace herald {
namespace daemon_detail {

namespace asio = boost::asio;
using std::chrono::seconds;

// How long to wait before trying again when the journal itself failed.
constexpr seconds journal_pause{30};
// How far back a start looks for posts that came due while herald was
// down, to record them missed: to the journal's last change, at most this.
constexpr date::days longest_look_back{92};
// Posts of one channel in flight at once.
using delivery_defaults::in_flight_per_channel;

// What one load of the config and its calendars gives. The plan points into
// `calendars` and each channel into `cfg`, so it never moves once made;
// in-flight deliveries keep the load they started with alive across a reload.
struct loaded_sources {
  config cfg;
  std::vector<calendar> calendars;
  std::map<std::string, ready_channel, std::less<>> channels;
};

// An flock on state_dir/herald.lock for the life of the process: two
// daemons on one journal would each take the other's in-flight rows for
// interrupted ones and send them again.
class state_lock {
 public:
  state_lock() = default;
  state_lock(const state_lock&) = delete;
  state_lock& operator=(const state_lock&) = delete;
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

// One attempt in flight: what its outcome needs to be recorded.
struct attempt {
  std::string key, channel, event;
  date::sys_seconds due;
};

}  // namespace daemon_detail

using namespace daemon_detail;

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

}  // namespace herald

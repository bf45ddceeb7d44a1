#pragma once
// Whether the daemon is degraded, and why (docs/daemon.md "Health"). It is
// degraded while:
//   - the last reload failed (the old schedule keeps running; or, when the
//     last good copy it makes the calendars again from does not load either,
//     no schedule at all);
//   - the files were invalid at start and it runs the last good copy
//     (daemon/last_good.hpp) until a reload succeeds;
//   - the journal is paused after a failure (daemon/journal_guard.hpp);
//   - the journal file was deleted or replaced under it (until a restart);
//   - the status endpoint (http.listen) cannot listen (daemon/status_listener.hpp);
//   - a channel has failed every attempt of each of its last
//     `failing_posts` posts (3): no attempt of any of them got through.
// One success on a channel clears it; a good reload clears the first.
//
// A value fed by the loop (reloads, delivery outcomes) and read by
// /healthz, /metrics, the page and STATUS=. Pure: no clock, no I/O.

#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <date/date.h>

namespace herald {

class health {
 public:
  /// How many posts in a row must fail on a channel to degrade it.
  static constexpr std::size_t failing_posts = 3;

  /// A reload (or the start) at `at` succeeded; channels not in `channels`
  /// are forgotten.
  void reloaded(date::sys_seconds at, const std::vector<std::string>& channels);
  /// A reload at `at` failed; `problem` is its first diagnostic line.
  void reload_failed(date::sys_seconds at, std::string problem);
  /// The start at `at` found the files invalid (`problem`, the first
  /// error) and runs the last good copy saved at `saved_at`.
  void started_from_copy(date::sys_seconds at, date::sys_seconds saved_at, std::string problem);
  /// A failed reload's last good copy did not load either (`problem`, its
  /// first error): the daemon runs without calendars until a reload succeeds.
  void schedule_lost(std::string problem) { copy_problem_ = std::move(problem); }
  /// The journal file `file` was deleted or replaced (journal_guard::file_intact).
  void journal_file_lost(std::string file) { lost_journal_ = std::move(file); }
  /// The status endpoint cannot listen (`problem`: "cannot listen on …"),
  /// or listens again (none).
  void status_endpoint(std::optional<std::string> problem) { endpoint_problem_ = std::move(problem); }
  /// An attempt of post `key` on `channel` ended: `sent`, or not.
  void attempt_ended(std::string_view channel, std::string_view key, bool sent);

  /// The reasons the daemon is degraded, none when it is healthy;
  /// `journal_problem` is set while the journal is paused.
  std::vector<std::string> reasons(const std::optional<std::string>& journal_problem) const;

  std::optional<date::sys_seconds> last_reload() const { return last_reload_; }
  bool last_reload_ok() const { return !reload_problem_; }

 private:
  struct post_record {
    std::string key;
    bool sent = false;
  };
  std::optional<date::sys_seconds> last_reload_;
  std::optional<std::string> reload_problem_;
  std::optional<std::string> copy_problem_;         // the last good copy did not load after a failed reload
  std::optional<std::string> lost_journal_;         // the journal file, deleted or replaced
  std::optional<std::string> endpoint_problem_;     // why the status endpoint does not listen
  std::optional<date::sys_seconds> copy_saved_at_;  // running the last good copy, saved then
  std::map<std::string, std::deque<post_record>, std::less<>> channels_;  // the last posts attempted on each
};

/// "degraded: R1; R2; next: …" (or `status` alone when healthy): the
/// systemd STATUS= line.
std::string status_line(const std::vector<std::string>& reasons, const std::string& status);

}  // namespace herald

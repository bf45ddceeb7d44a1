#pragma once
// The daemon's health, published in its state directory for `herald
// status` (docs/daemon.md "Health"): `STATE_DIR/health.json`, beside the
// journal, the lock and last-good/. The status endpoint cannot say the
// daemon is degraded when the endpoint itself is down; a file the
// operator's own `herald status` reads can.
//
//   {"pid":812,"since":"2026-11-23T12:30:00Z","degraded":true,"reasons":["…"]}
//
// `since`: when the reasons last changed (or the daemon started). The
// reasons are /healthz's lines: file paths and error text, never a secret.
//
// Written by the daemon only when its reasons change (health_publisher),
// never on a timer: the idle daemon stays without wake-ups. Replaced whole
// by a rename and not synced: a reader never sees half a file, and after
// a power loss no daemon runs, so the file is not read anyway.
//
// Read as current only when a daemon holds the state directory's lock and
// its pid is the file's: a crashed daemon's file, or one left when it
// stopped, is never shown as the running daemon's health. A daemon removes
// a file left behind as soon as it holds the lock, so until its first
// write `herald status` says "unknown" (as for an older herald that
// writes none).

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <date/date.h>

#include "daemon/daemon_presence.hpp"
#include "text/result.hpp"

namespace herald {

struct published_health {
  int pid = 0;
  date::sys_seconds since;
  std::vector<std::string> reasons;  ///< none when healthy
  bool degraded() const { return !reasons.empty(); }
  bool operator==(const published_health&) const = default;
};

/// `state_dir/health.json`.
std::filesystem::path health_file_path(const std::filesystem::path& state_dir);

/// The file's text, one JSON object and a newline.
std::string health_file_text(const published_health& health);
/// The health in `text`; none when it is not such a file.
std::optional<published_health> parse_health_file(std::string_view text);

/// The health the running daemon published in `state_dir`: none when no
/// daemon runs (`presence`), when its pid is unknown, when it published
/// none (an older herald, or one starting), or the file is another
/// process's, unreadable or damaged.
std::optional<published_health> current_health(const std::filesystem::path& state_dir, const daemon_presence& presence);

/// The daemon's side: keeps its health, and writes the file when the
/// reasons change. Used from the loop's thread only.
class health_publisher {
 public:
  /// Publishes for process `pid` into `state_dir`; an empty `state_dir`
  /// writes nothing (a dry run changes nothing there) but keeps `since`.
  health_publisher(std::filesystem::path state_dir, int pid) : dir_(std::move(state_dir)), pid_(pid) {}

  /// Removes the file: one left by an earlier daemon (call once the lock
  /// is held), or one a failed write leaves out of date.
  void remove_stale() const;
  /// The reasons at `now`. When they differ from the last ones, `since`
  /// becomes `now` and the file is written. Returns the write's error the
  /// first time writing fails; then the file is removed (its older
  /// reasons are not the daemon's), the write is tried again at the next
  /// change, and a failure is said again only after a write succeeded.
  std::optional<std::string> update(const std::vector<std::string>& reasons, date::sys_seconds now);
  /// The health as last updated; none before the first update().
  const std::optional<published_health>& current() const { return last_; }

 private:
  std::filesystem::path dir_;
  int pid_;
  std::optional<published_health> last_;
  bool failing_ = false;
};

}  // namespace herald

#pragma once
// The last good start (docs/daemon.md "The last good copy"). After every
// load that succeeded, herald keeps a copy of the config and calendars it
// runs in `state_dir/last-good/`; a start on files that became invalid runs
// that copy (degraded, the errors reported) instead of failing in a restart
// loop.
//
// The folder holds each file's bytes under a name made of a hash of its
// content, and a `manifest` naming, for each copy, the path it was copied
// from (the config first), so errors and resolved paths still name the real
// files. Each file is written under a temporary name and renamed, the
// manifest last: a reader sees the old copy or the new one, never half.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <date/date.h>

#include "text/result.hpp"

namespace herald {

struct last_good_copy {
  date::sys_seconds saved_at;
  std::string config_path;
  std::map<std::string, std::filesystem::path, std::less<>> copies;  ///< original path → its copy

  /// Where to read `path` from: its copy, or `path` when there is none.
  std::string read_from(const std::string& path) const;
};

/// The folder of the copy in `state_dir`.
inline std::filesystem::path last_good_dir(const std::filesystem::path& state_dir) { return state_dir / "last-good"; }

/// Copies `config_path` and `calendars` (as they are now on disk) into
/// `state_dir/last-good/`, stamped `now`; returns the stamp of the copy
/// there. A copy that already holds these files, each with the bytes it has
/// now (a reload of unchanged files), is left as it is, with its own stamp.
result<date::sys_seconds> save_last_good(const std::filesystem::path& state_dir, const std::string& config_path,
                                         const std::vector<std::string>& calendars, date::sys_seconds now);

/// The copy in `state_dir` made for `config_path`, if there is a whole one.
std::optional<last_good_copy> read_last_good(const std::filesystem::path& state_dir, const std::string& config_path);

/// Whether each file of `copy` still holds the bytes it was saved with (its
/// name is their hash): a failure names the first that does not, or that
/// cannot be read. A reload checks this before it drops the calendars it
/// would rebuild from the copy (docs/daemon.md "A reload's memory").
result<void> check_last_good(const last_good_copy& copy);

/// What tells a file's bytes apart without reading them: a write, a rename
/// over it or a change of its mode changes it.
struct file_stamp {
  std::uint64_t device = 0, inode = 0, size = 0;
  std::int64_t modified_ns = 0, changed_ns = 0;  ///< mtime, ctime
  bool operator==(const file_stamp&) const = default;
};
using file_stamps = std::map<std::string, file_stamp, std::less<>>;

/// `path`'s stamp; none when it cannot be looked at.
std::optional<file_stamp> stamp_of(const std::string& path);

/// Whether each of `files` has the stamp `read` has for it (taken when the
/// load read it): then a copy saved since holds the bytes that were loaded.
bool unchanged_since_read(const std::vector<std::string>& files, const file_stamps& read);

}  // namespace herald

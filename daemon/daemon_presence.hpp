#pragma once
// Whether a daemon runs on a state directory, for `herald status` and the
// operators' commands (docs/service.md "Operating herald"): the daemon
// holds an exclusive flock on the state directory itself (state_lock.hpp)
// for its life. Looked at without disturbing it: the directory is opened
// read-only, and a shared lock is only tried, without waiting; the
// holder's pid comes from /proc/locks when the kernel lists it.
// Linux only, as the daemon is. Any thread.

#include <filesystem>
#include <optional>

namespace herald {

struct daemon_presence {
  bool running = false;
  std::optional<int> pid;  ///< the holder's, when /proc/locks names it
};

/// The daemon on `state_dir`, as far as its lock tells.
daemon_presence daemon_on(const std::filesystem::path& state_dir);

}  // namespace herald

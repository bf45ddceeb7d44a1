#pragma once
// A file replaced whole: written under `PATH.tmp`, then renamed over
// `path`, so a reader sees the old bytes or the new ones, never a part.
// Used by the last good copy's manifest (daemon/last_good.hpp) and the
// health file (daemon/health_file.hpp). The caller is the only writer of
// `path` (the daemon, which holds the state directory's lock).

#include <filesystem>
#include <string>

#include "text/result.hpp"

namespace herald {

/// Whether the bytes reach the disk before the rename: `synced` survives a
/// power loss; `unsynced` only a crash of the process, and never blocks
/// on a slow disk.
enum class write_durability { synced, unsynced };

/// Replaces `path` with `bytes` (mode 0600: only its owner reads it),
/// or fails with "cannot write PATH: REASON" and leaves `path` as it was.
result<void> write_atomically(const std::filesystem::path& path, const std::string& bytes,
                              write_durability durability = write_durability::synced);

}  // namespace herald

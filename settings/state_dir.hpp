#pragma once
// Where the journal lives (docs/cli.md "The config file"): the config's state_dir, else
// $STATE_DIRECTORY (systemd's StateDirectory=; the first when it lists
// several), else ./state. Created when missing.

#include <filesystem>
#include <functional>
#include <string>
#include <variant>

#include "settings/config.hpp"
#include "text/result.hpp"

namespace herald {

/// The state directory for `cfg`; `getenv` reads the environment.
std::filesystem::path state_dir_of(const config& cfg, const std::function<const char*(const char*)>& getenv);

/// The state directory the config at `config_path` names, read leniently
/// from a config that does not load (an unknown key, a bad channel): its
/// `state_dir` when the YAML holds one as text, else the default above. The
/// daemon finds its last good copy there (docs/daemon.md "The last good copy").
std::filesystem::path state_dir_hint(const std::string& config_path,
                                     const std::function<const char*(const char*)>& getenv);

/// The journal's file in `state_dir`.
inline std::filesystem::path journal_path(const std::filesystem::path& state_dir) { return state_dir / "journal.db"; }

/// Creates `dir` (and its parents) when missing, or fails with
/// "cannot create state directory /var/lib/herald: Permission denied".
result<void> ensure_state_dir(const std::filesystem::path& dir);

}  // namespace herald

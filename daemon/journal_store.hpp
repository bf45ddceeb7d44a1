#pragma once
// Which journal a config names (docs/channels.md "The journal"), opened for
// the daemon, `herald status` or an operator's command: the SQLite file in
// the state directory, or the PostgreSQL database replicas share. The one
// place that picks, so every command reads the same journal.

#include <filesystem>
#include <memory>
#include <string>

#include "journal/journal.hpp"
#include "journal/postgresql_journal.hpp"
#include "settings/config.hpp"
#include "settings/secrets.hpp"

namespace herald {

enum class journal_use {
  write,      ///< an operator's command: created or migrated when needed
  replica,    ///< the daemon's: as write; a shared journal also holds the replica's name (one process per name)
  read_only,  ///< `herald status`: nothing is created or changed
  snapshot,   ///< `herald run --dry-run`: a copy nothing reaches (SQLite only)
};

/// This replica's name: journal.replica, else the hostname.
std::string replica_name(const config& cfg);

/// True when the config names a shared (PostgreSQL) journal.
inline bool shared_journal(const config& cfg) { return cfg.journal.postgresql.has_value(); }

/// The journal as messages may name it, never with its URL:
/// "/var/lib/herald/journal.db" or "postgresql (shared; this replica: web-1)".
std::string describe_journal(const config& cfg, const std::filesystem::path& state_dir);

/// The shared journal the config names (REQUIRES: shared_journal(cfg)).
/// The URL's secret is resolved here; errors never show it.
result<std::unique_ptr<postgresql_journal>> open_shared_journal(const config& cfg, const secret_sources& secrets,
                                                                bool read_only, bool hold_name = false);

/// Opens it. The URL's secret is resolved here; errors never show it.
result<std::unique_ptr<operated_journal>> open_journal_store(const config& cfg, const std::filesystem::path& state_dir,
                                                             const secret_sources& secrets, journal_use use);

}  // namespace herald

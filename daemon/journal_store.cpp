#include "daemon/journal_store.hpp"

#include <unistd.h>

#include <array>

#include <fmt/format.h>

#include "journal/sqlite_journal.hpp"
#include "settings/state_dir.hpp"

namespace herald {

std::string replica_name(const config& cfg) {
  if (!cfg.journal.replica.empty()) return cfg.journal.replica;
  std::array<char, 256> host{};
  if (::gethostname(host.data(), host.size() - 1) != 0 || host[0] == '\0') return "herald";
  return host.data();
}

std::string describe_journal(const config& cfg, const std::filesystem::path& state_dir) {
  if (shared_journal(cfg)) return fmt::format("postgresql (shared; this replica: {})", replica_name(cfg));
  return journal_path(state_dir).string();
}

result<std::unique_ptr<operated_journal>> open_journal_store(const config& cfg, const std::filesystem::path& state_dir,
                                                             const secret_sources& secrets, journal_use use) {
  if (!shared_journal(cfg)) {
    auto path = journal_path(state_dir);
    auto opened = use == journal_use::write || use == journal_use::replica ? sqlite_journal::open(path)
                  : use == journal_use::read_only                          ? sqlite_journal::open_read_only(path)
                                                                           : sqlite_journal::open_snapshot(path);
    if (!opened.ok()) return failure{opened.error()};
    return std::unique_ptr<operated_journal>(std::move(opened.value()));
  }
  if (use == journal_use::snapshot)
    return failure{
        "a dry run needs a journal of its own to copy; over a shared (postgresql) journal it is not available"};
  auto opened = open_shared_journal(cfg, secrets, use == journal_use::read_only, use == journal_use::replica);
  if (!opened.ok()) return failure{opened.error()};
  return std::unique_ptr<operated_journal>(std::move(opened.value()));
}

result<std::unique_ptr<postgresql_journal>> open_shared_journal(const config& cfg, const secret_sources& secrets,
                                                                bool read_only, bool hold_name) {
  auto url = resolve_secret(*cfg.journal.postgresql, secrets);
  if (!url.ok()) return failure{fmt::format("journal postgresql: {}", url.error())};
  postgresql_journal::options how{std::move(url.value()), replica_name(cfg),
                                  std::chrono::duration_cast<std::chrono::milliseconds>(cfg.journal.lease), read_only,
                                  hold_name};
  return postgresql_journal::open(std::move(how));
}

}  // namespace herald

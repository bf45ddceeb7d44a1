// herald journal copy --to postgresql (docs/cli.md "herald journal copy"):
// a single host's SQLite journal history, every post with its state, the
// operators' log and the paused channels, into the shared PostgreSQL
// journal the config names, in one transaction. The source is only read;
// the target must hold no posts yet, so a second run copies nothing twice.
#include <filesystem>
#include <limits>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "daemon/daemon_presence.hpp"
#include "daemon/journal_store.hpp"
#include "journal/sqlite_journal.hpp"
#include "settings/config.hpp"
#include "settings/state_dir.hpp"

namespace herald {

int journal_copy_command(const journal_copy_options& options, cli_context& context) {
  auto fail = [&](const std::string& problem) {
    context.err << "herald: error: " << problem << "\n";
    return 1;
  };
  auto path = default_config_path({options.config, {}}, context);
  auto loaded = load_config_file(path);
  if (!loaded.value) {
    for (const auto& error : loaded.errors) context.err << format_diagnostic(error, "") << "\n";
    return 2;
  }
  const auto& cfg = *loaded.value;
  if (!shared_journal(cfg))
    return fail(fmt::format(
        "{} names no shared journal: add journal: {{postgresql: {{env: HERALD_JOURNAL_URL}}}} first", path));
  auto state_dir = state_dir_of(cfg, context.getenv);
  // A daemon writing the file while it is copied would leave its later posts behind.
  if (daemon_on(state_dir).running)
    return fail(fmt::format("herald runs on {}: stop it first (systemctl stop herald), then copy", state_dir.string()));
  auto file = journal_path(state_dir);
  auto source = sqlite_journal::open_read_only(file);
  if (!source.ok()) return fail(source.error());
  std::vector<journal_entry> rows;
  for (auto state : all_post_states) {
    auto found = source.value()->entries_in(state);
    if (!found.ok()) return fail(found.error());
    rows.insert(rows.end(), found.value().begin(), found.value().end());
  }
  auto log = source.value()->actions(std::numeric_limits<std::size_t>::max());
  if (!log.ok()) return fail(log.error());
  auto paused = source.value()->paused_channels();
  if (!paused.ok()) return fail(paused.error());

  auto target = open_shared_journal(cfg, secret_sources{context.getenv}, false);
  if (!target.ok()) return fail(target.error());
  if (auto copied = target.value()->import_history(rows, log.value(), paused.value()); !copied.ok())
    return fail(copied.error());
  context.out << fmt::format(
      "Copied {} post(s), {} operator action(s) and {} paused channel(s) from {} into the shared journal.\n"
      "Posts that were in flight go out once more at most, from the first replica that starts.\n",
      rows.size(), log.value().size(), paused.value().size(), file.string());
  return 0;
}

}  // namespace herald

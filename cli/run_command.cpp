// herald run: the daemon (docs/daemon.md), in the foreground.
#include <iostream>

#include <unistd.h>

#include "cli/commands.hpp"
#include "daemon/daemon_loop.hpp"

namespace herald {

int run_command(const run_options& options, cli_context& context) {
  logger log(context.err, logger::is_journal_stream(context.getenv("JOURNAL_STREAM"), STDERR_FILENO), context.now);
  service_notifier notifier;
  system_env env;
  daemon_options daemon{default_config_path({options.config, {}}, context), options.dry_run, &context.out, {}};
  return daemon_loop(std::move(daemon), env, log, notifier).run();
}

}  // namespace herald

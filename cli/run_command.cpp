// herald run: the daemon (docs/daemon.md), in the foreground.
#include <iostream>

#include <unistd.h>

#include "cli/commands.hpp"
#include "daemon/daemon_loop.hpp"
#include "text/terminal.hpp"

namespace herald {

console_style console_style_of(cli_context& context) {
  console_style style{context.out_is_terminal, colour_wanted(context.out_is_terminal, context.getenv("NO_COLOR")),
                      nullptr};
  if (!style.readable) return style;
  try {
    style.zone = date::current_zone();
  } catch (const std::exception&) {  // no /etc/localtime: the times are UTC
  }
  return style;
}

int run_command(const run_options& options, cli_context& context) {
  logger log(context.err, logger::is_journal_stream(context.getenv("JOURNAL_STREAM"), STDERR_FILENO), context.now);
  service_notifier notifier;
  system_env env;
  daemon_options daemon{
      default_config_path({options.config, {}}, context), options.dry_run, &context.out, {}, console_style_of(context)};
  return daemon_loop(std::move(daemon), env, log, notifier).run();
}

}  // namespace herald

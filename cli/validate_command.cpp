#include <ostream>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "settings/calendar_sources.hpp"

namespace herald {

int validate_command(const source_options& options, cli_context& context) {
  auto config = options.calendar.empty() ? default_config_path(options, context) : std::string();
  auto loaded = load_sources(config, options.calendar);
  if (!loaded.ok()) return report_failure(loaded, context.err);
  const auto& sources = loaded.value;
  if (sources->cfg)
    context.out << fmt::format("{}: ok, {} channel{}\n", sources->cfg->file, sources->cfg->channels.size(),
                               sources->cfg->channels.size() == 1 ? "" : "s");
  for (const auto& cal : sources->calendars)
    context.out << fmt::format("{}: ok, {} event{}, {} campaign{}\n", cal.file, cal.events.size(),
                               cal.events.size() == 1 ? "" : "s", cal.campaigns.size(),
                               cal.campaigns.size() == 1 ? "" : "s");
  return 0;
}

}  // namespace herald

// herald validate (docs/cli.md): errors exit 2; warnings (docs/calendar.md
// "Warnings") are printed the same way and exit 0, or 2 with --strict.
#include <algorithm>
#include <ostream>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "settings/calendar_sources.hpp"

namespace herald {

int validate_command(const validate_options& options, cli_context& context) {
  const auto& source = options.sources;
  auto config = source.calendar.empty() ? default_config_path(source, context) : std::string();
  auto loaded = load_sources(config, source.calendar, date::floor<std::chrono::seconds>(context.now()));
  print_diagnostics(loaded.warnings, context.err);
  if (!loaded.ok()) return report_failure(loaded, context.err);
  const auto& sources = loaded.value;
  if (sources->cfg)
    context.out << fmt::format("{}: ok, {} channel{}\n", sources->cfg->file, sources->cfg->channels.size(),
                               sources->cfg->channels.size() == 1 ? "" : "s");
  auto counted = [](std::size_t n, std::string_view what) {
    return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s");
  };
  for (const auto& cal : sources->calendars) {
    auto digests = static_cast<std::size_t>(
        std::count_if(cal.events.begin(), cal.events.end(), [](const event& e) { return e.digest.has_value(); }));
    context.out << fmt::format("{}: ok, {}, {}{}\n", cal.file, counted(cal.events.size() - digests, "event"),
                               counted(cal.campaigns.size(), "campaign"),
                               digests ? ", " + counted(digests, "digest") : std::string());
  }
  if (loaded.warnings.empty()) return 0;
  context.out.flush();  // the summary comes last on a terminal too
  context.err << fmt::format("herald: {} warning{}{}\n", loaded.warnings.size(), loaded.warnings.size() == 1 ? "" : "s",
                             options.strict ? "; --strict makes them fail" : "");
  return options.strict ? 2 : 0;
}

}  // namespace herald

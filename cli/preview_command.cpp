#include <algorithm>
#include <ostream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/commands.hpp"
#include "cli/preview_format.hpp"
#include "settings/calendar_sources.hpp"
#include "text/civil.hpp"
#include "text/one_line.hpp"
#include "text/strings.hpp"
#include "text/terminal.hpp"

namespace herald {
namespace {

// Names given to --event / --channel must exist: a typo would otherwise
// print an empty preview that looks like good news.
bool check_names(const std::vector<std::string>& wanted, const std::vector<std::string>& known, std::string_view what,
                 std::ostream& err) {
  bool ok = true;
  std::vector<std::string_view> candidates(known.begin(), known.end());
  for (const auto& name : wanted)
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      err << fmt::format("herald: error: unknown {} '{}'{}\n", what, terminal_line(name),
                         did_you_mean(name, candidates));
      // A calendar has a few channels and may have hundreds of events.
      if (what == "channel")
        err << fmt::format("  hint: {}\n", known.empty() ? std::string("no step names a channel")
                                                         : fmt::format("the channels: {}", fmt::join(known, ", ")));
      ok = false;
    }
  return ok;
}

// $COLUMNS wins (as for ls); else the terminal's width; off a terminal the
// text is not cut at all, so a file or a pipe gets every word.
std::size_t terminal_width(cli_context& context) {
  if (const char* columns = context.getenv("COLUMNS"))
    if (auto n = parse_integer<int>(columns); n && *n >= 40) return static_cast<std::size_t>(*n);
  if (context.terminal_columns >= 40) return context.terminal_columns;
  return context.out_is_terminal ? 100 : 0;
}

}  // namespace

int preview_command(const preview_options& options, cli_context& context) {
  auto config = options.sources.calendar.empty() ? default_config_path(options.sources, context) : std::string();
  auto loaded = load_sources(config, options.sources.calendar);
  if (!loaded.ok()) return report_failure(loaded, context.err);
  auto& sources = loaded.value;
  const auto& first_calendar = sources->calendars.front();

  std::vector<std::string> event_ids, channel_names;
  for (const auto& cal : sources->calendars) {
    for (const auto& e : cal.events) event_ids.emplace_back(e.id);
    channel_names.insert(channel_names.end(), cal.channels.begin(), cal.channels.end());
  }
  if (sources->cfg) channel_names = sources->cfg->channel_names();
  if (!check_names(options.events, event_ids, "event", context.err) ||
      !check_names(options.channels, channel_names, "channel", context.err))
    return 2;

  preview_data data;
  data.timezone = first_calendar.timezone;
  if (options.from.empty()) {
    auto now = date::floor<std::chrono::seconds>(context.now());
    data.from = date::floor<date::days>(first_calendar.zone->to_local(now));
  } else if (auto from = parse_iso_date(options.from)) {
    data.from = *from;
  } else {
    context.err << fmt::format("herald: error: invalid --from '{}'; write a date as YYYY-MM-DD\n",
                               terminal_line(options.from));
    return 2;
  }
  data.until = data.from + date::days{options.days - 1};

  window_plan plan(sources->calendars, data.from, data.until, {options.events, options.channels});
  data.occurrences = plan.occurrences();
  data.for_each_post = [&](const std::function<void(const planned_post&)>& take) { plan.for_each_post(take); };
  if (options.format == "json")
    write_preview_json(data, context.out);
  else
    write_preview_text(data, context.out,
                       {colour_wanted(context.out_is_terminal, context.getenv("NO_COLOR")), terminal_width(context)});
  context.out.flush();
  return context.out ? 0 : 1;
}

}  // namespace herald

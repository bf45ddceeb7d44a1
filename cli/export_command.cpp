// herald export (docs/cli.md "herald export"): the occurrences as an
// iCalendar feed or a JSON document. The feed is daemon/calendar_feed's, the
// one GET /calendar.ics serves, so both give the same bytes.
#include <algorithm>
#include <ostream>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "cli/commands.hpp"
#include "daemon/calendar_feed.hpp"
#include "settings/calendar_sources.hpp"
#include "text/civil.hpp"
#include "text/one_line.hpp"

namespace herald {
namespace json = boost::json;

namespace {

// A three-year window, as the default one, when only --from is given.
constexpr int days_after_from = 1096;

// Every --event must name an event: a typo would otherwise export an empty
// calendar that subscribers take for the real one.
bool events_exist(const std::vector<std::string>& wanted, const std::vector<calendar>& calendars, std::ostream& err) {
  std::vector<std::string_view> ids;
  for (const auto& cal : calendars)
    for (const auto& e : cal.events) ids.emplace_back(e.id);
  bool ok = true;
  for (const auto& name : wanted) {
    if (std::find(ids.begin(), ids.end(), name) != ids.end()) continue;
    err << fmt::format("herald: error: unknown event '{}'{}\n", terminal_line(name), did_you_mean(name, ids));
    ok = false;
  }
  return ok;
}

json::object occurrence_json(const planned_occurrence& o) {
  const auto& e = o.cal->events[o.event];
  json::array tags;
  for (const auto& tag : e.tags) tags.emplace_back(tag);
  return {{"event", e.id},
          {"title", e.title},
          {"start", format_iso_date(o.span.start)},
          {"end", format_iso_date(o.span.end)},
          {"description", e.description},
          {"url", e.url},
          {"tags", std::move(tags)}};
}

// One occurrence per line, as `herald preview --format json` writes them.
void write_export_json(const std::string& name, const export_window& window,
                       const std::vector<planned_occurrence>& occurrences, std::ostream& out) {
  out << "{\n  \"calendar\": " << json::serialize(json::string(name)) << ",\n"
      << "  \"from\": \"" << format_iso_date(window.first) << "\",\n"
      << "  \"until\": \"" << format_iso_date(window.last) << "\",\n"
      << "  \"occurrences\": [";
  for (std::size_t i = 0; i < occurrences.size(); ++i)
    out << (i ? ",\n    " : "\n    ") << json::serialize(occurrence_json(occurrences[i]));
  out << (occurrences.empty() ? "]\n" : "\n  ]\n") << "}\n";
}

}  // namespace

int export_command(const export_options& options, cli_context& context) {
  auto source_file =
      options.sources.calendar.empty() ? default_config_path(options.sources, context) : options.sources.calendar;
  auto config = options.sources.calendar.empty() ? source_file : std::string();
  auto loaded = load_sources(config, options.sources.calendar);
  if (!loaded.ok()) return report_failure(loaded, context.err);
  const auto& calendars = loaded.value->calendars;
  if (!events_exist(options.events, calendars, context.err)) return 2;

  auto window = default_export_window(feed_today(calendars, context.now()));
  if (!options.from.empty()) {
    auto from = parse_iso_date(options.from);
    if (!from) {
      context.err << fmt::format("herald: error: invalid --from '{}'; write a date as YYYY-MM-DD\n",
                                 terminal_line(options.from));
      return 2;
    }
    window = {*from, *from + date::days{days_after_from - 1}};
  }
  if (options.days > 0) window.last = window.first + date::days{options.days - 1};

  if (options.format == "json")
    write_export_json(feed_identity(source_file, calendars).name, window,
                      export_occurrences(calendars, window, options.events), context.out);
  else
    context.out << calendar_feed(source_file, calendars, window, options.events);
  context.out.flush();
  return context.out ? 0 : 1;
}

}  // namespace herald

#include "settings/calendar_sources.hpp"

#include <algorithm>
#include <map>
#include <ostream>

#include <fmt/format.h>

#include "calendar/calendar_loader.hpp"

namespace herald {

void print_diagnostics(const std::vector<diagnostic>& errors, std::ostream& err) {
  std::map<std::string, std::string> sources;
  for (const auto& d : errors) {
    if (!sources.contains(d.file)) {
      std::string ignored;
      sources[d.file] = read_text_file(d.file, ignored).value_or("");
    }
    err << format_diagnostic(d, sources[d.file]);
  }
  if (errors.size() >= 50) err << "herald: too many errors; stopped after 50\n";
}

std::optional<calendar_sources> load_sources(const std::string& config_path, const std::string& calendar_path,
                                             std::ostream& err, int& status) {
  // A diagnostic without a line is a file that could not be read.
  auto fail = [&](const std::vector<diagnostic>& errors) {
    print_diagnostics(errors, err);
    bool unreadable = std::any_of(errors.begin(), errors.end(), [](auto& d) { return d.mark.line == 0; });
    if (unreadable)
      status = 1;
    else if (status == 0)
      status = 2;
  };
  status = 0;
  calendar_sources sources;
  calendar_options options;
  std::vector<std::string> paths{calendar_path};
  if (!config_path.empty()) {
    auto loaded = load_config_file(config_path);
    if (!loaded.value) {
      fail(loaded.errors);
      return std::nullopt;
    }
    sources.cfg = std::move(loaded.value);
    options.known_channels = sources.cfg->channel_names();
    paths = sources.cfg->calendars;
  }
  std::map<std::string, std::pair<std::string, int>> ids;  // post keys must be unique across files
  for (const auto& path : paths) {
    auto loaded = load_calendar_file(path, options);
    if (!loaded.value) {
      fail(loaded.errors);
      continue;
    }
    for (const auto& e : loaded.value->events)
      if (auto [it, added] = ids.emplace(e.id, std::pair{path, e.id_mark.line}); !added) {
        print_diagnostics(
            {diagnostic{path, e.id_mark,
                        fmt::format("event id '{}' is also used in {}:{}", e.id, it->second.first, it->second.second),
                        "post keys start with the id, so ids must be unique across all calendar files"}},
            err);
        if (status == 0) status = 2;
      }
    sources.calendars.push_back(std::move(*loaded.value));
  }
  if (status != 0) return std::nullopt;
  return sources;
}

}  // namespace herald

#include "daemon/calendar_sources.hpp"

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
                                             std::ostream& err) {
  calendar_sources sources;
  calendar_options options;
  std::vector<std::string> paths{calendar_path};
  if (!config_path.empty()) {
    auto loaded = load_config_file(config_path);
    if (!loaded.value) {
      print_diagnostics(loaded.errors, err);
      return std::nullopt;
    }
    sources.cfg = std::move(loaded.value);
    options.known_channels = sources.cfg->channel_names();
    paths = sources.cfg->calendars;
  }
  bool ok = true;
  std::map<std::string, std::string> ids;  // post keys must be unique across files
  for (const auto& path : paths) {
    auto loaded = load_calendar_file(path, options);
    if (!loaded.value) {
      print_diagnostics(loaded.errors, err);
      ok = false;
      continue;
    }
    for (const auto& e : loaded.value->events)
      if (auto [it, added] = ids.emplace(e.id, path); !added) {
        err << fmt::format("{}: error: event id '{}' is also used in {}\n", path, e.id, it->second);
        ok = false;
      }
    sources.calendars.push_back(std::move(*loaded.value));
  }
  if (!ok) return std::nullopt;
  return sources;
}

}  // namespace herald

#include "settings/calendar_sources.hpp"

#include <algorithm>
#include <map>
#include <ostream>
#include <set>

#include <fmt/format.h>

#include "calendar/calendar_loader.hpp"
#include "calendar/yaml_document.hpp"
#include "calendar/yaml_fields.hpp"
#include "text/file.hpp"

namespace herald {
namespace {

// One limit for every file herald reads whole (text/file.hpp).
static_assert(yaml_limits{}.max_bytes == max_text_file_bytes);

// Each file as far as the last line a diagnostic quotes, with only the
// quoted lines' text (the others empty, so lines keep their numbers): a
// diagnostic in a large calendar need not hold all of it again.
std::map<std::string, std::string> quoted_sources(const std::vector<diagnostic>& errors) {
  std::map<std::string, std::set<std::size_t>> quoted;
  for (const auto& d : errors)
    if (d.quote_source && d.mark.line > 0) quoted[d.file].insert(static_cast<std::size_t>(d.mark.line));
  std::map<std::string, std::string> sources;
  for (const auto& [file, lines] : quoted) {
    auto text = read_leading_lines(file, *lines.rbegin(), [&](std::size_t line) { return lines.contains(line); });
    sources[file] = text.ok() ? std::move(text).value() : std::string();
  }
  return sources;
}

// A file's errors stop at diagnostics_collector::max_errors.
bool ends_full_run(const std::vector<diagnostic>& errors, std::size_t i) {
  if (i + 1 < errors.size() && errors[i + 1].file == errors[i].file) return false;
  std::size_t run = 1;
  while (run <= i && errors[i - run].file == errors[i].file) ++run;
  return run >= diagnostics_collector::max_errors;
}

// The file `path`, read from `from` when that is another file (a copy).
config_load_result load_config_from(const std::string& path, const std::string& from) {
  if (from == path) return load_config_file(path);
  auto text = read_text_file(from);
  if (!text.ok()) return {std::nullopt, {diagnostic{path, {0, 0}, text.error(), {}}}};
  return load_config(text.value(), path);
}

calendar_load_result load_calendar_from(const std::string& path, const std::string& from,
                                        const calendar_options& options) {
  if (from == path) return load_calendar_file(path, options);
  auto text = read_text_file(from);
  if (!text.ok()) return {std::nullopt, {diagnostic{path, {0, 0}, text.error(), {}}}, {}};
  return load_calendar(text.value(), path, options);
}

}  // namespace

void print_diagnostics(const std::vector<diagnostic>& errors, std::ostream& err) {
  auto sources = quoted_sources(errors);
  for (std::size_t i = 0; i < errors.size(); ++i) {
    const auto& d = errors[i];
    auto source = sources.find(d.file);
    err << format_diagnostic(d, source == sources.end() ? std::string_view() : std::string_view(source->second));
    if (ends_full_run(errors, i))
      err << fmt::format("herald: too many errors; stopped after {}\n", diagnostics_collector::max_errors);
  }
}

int report_failure(const sources_load_result& loaded, std::ostream& err) {
  print_diagnostics(loaded.errors, err);
  return loaded.status;
}

sources_load_result load_sources(const std::string& config_path, const std::string& calendar_path,
                                 std::optional<date::sys_seconds> now, const source_reader& read_from) {
  auto from = [&](const std::string& path) { return read_from ? read_from(path) : path; };
  sources_load_result out;
  // A diagnostic without a line is a file that could not be read.
  auto fail = [&](const std::vector<diagnostic>& errors) {
    out.errors.insert(out.errors.end(), errors.begin(), errors.end());
    bool unreadable = std::any_of(errors.begin(), errors.end(), [](auto& d) { return d.mark.line == 0; });
    if (unreadable)
      out.status = 1;
    else if (out.status == 0)
      out.status = 2;
  };
  calendar_sources sources;
  calendar_options options;
  options.now = now;
  std::vector<std::string> paths{calendar_path};
  if (!config_path.empty()) {
    auto loaded = load_config_from(config_path, from(config_path));
    out.warnings.insert(out.warnings.end(), loaded.warnings.begin(), loaded.warnings.end());
    if (!loaded.value) {
      fail(loaded.errors);
      return out;
    }
    sources.cfg = std::move(loaded.value);
    options.known_channels = sources.cfg->channel_names();
    paths = sources.cfg->calendars;
  }
  std::map<std::string, std::pair<std::string, int>> ids;  // post keys must be unique across files
  for (const auto& path : paths) {
    auto loaded = load_calendar_from(path, from(path), options);
    out.warnings.insert(out.warnings.end(), loaded.warnings.begin(), loaded.warnings.end());
    if (!loaded.value) {
      fail(loaded.errors);
      continue;
    }
    // One file's ids are unique already (the loader's "duplicate event
    // id"): the map, 3 % of a 100 000-event load, is for several files.
    if (paths.size() > 1)
      for (const auto& e : loaded.value->events)
        if (auto [it, added] = ids.emplace(e.id, std::pair{path, e.id_mark.line}); !added)
          fail(
              {diagnostic{path, e.id_mark,
                          fmt::format("event id '{}' is also used in {}:{}", e.id, it->second.first, it->second.second),
                          "post keys start with the id, so ids must be unique across all calendar files"}});
    sources.calendars.push_back(std::move(*loaded.value));
  }
  if (out.status == 0) out.value = std::move(sources);
  return out;
}

}  // namespace herald

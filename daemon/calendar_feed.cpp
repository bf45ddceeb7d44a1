// DTSTAMP comes from the files, not the clock: a subscriber (or a test)
// fetching twice sees the same bytes, and the ETag changes only when a
// calendar does.
#include "daemon/calendar_feed.hpp"

#include <filesystem>

#include <sys/stat.h>

namespace herald {
namespace {

date::sys_seconds modified(const std::string& file) {
  struct stat info {};
  if (::stat(file.c_str(), &info) != 0) return {};
  return date::sys_seconds{std::chrono::seconds{info.st_mtim.tv_sec}};
}

}  // namespace

export_identity feed_identity(const std::string& source_file, const std::vector<calendar>& calendars) {
  date::sys_seconds stamp{};
  for (const auto& cal : calendars) stamp = std::max(stamp, modified(cal.file));
  auto name = std::filesystem::path(source_file).stem().string();
  return {name.empty() ? "herald" : name, std::string("-//herald//herald ") + HERALD_VERSION + "//EN", stamp};
}

date::local_days feed_today(const std::vector<calendar>& calendars, std::chrono::system_clock::time_point now) {
  auto local = calendars.front().zone->to_local(date::floor<std::chrono::seconds>(now));
  return date::floor<date::days>(local);
}

std::string calendar_feed(const std::string& source_file, const std::vector<calendar>& calendars,
                          const export_window& window, const std::vector<std::string>& events) {
  auto occurrences = export_occurrences(calendars, window, events);
  return write_icalendar(icalendar_export(occurrences, feed_identity(source_file, calendars)));
}

}  // namespace herald

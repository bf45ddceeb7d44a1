#include "text/instant_format.hpp"

#include <cstdlib>

#include "text/civil.hpp"

namespace herald {

std::string format_local_instant(const date::time_zone& zone, date::sys_seconds instant) {
  auto offset = zone.get_info(instant).offset;
  auto out = format_iso_date_time(date::local_seconds{(instant + offset).time_since_epoch()});
  auto minutes = std::chrono::duration_cast<std::chrono::minutes>(offset).count();
  out += minutes < 0 ? '-' : '+';
  minutes = std::abs(minutes);
  append_digits(out, static_cast<unsigned>(minutes / 60), 2);
  out += ':';
  append_digits(out, static_cast<unsigned>(minutes % 60), 2);
  return out;
}

std::string format_utc_instant(date::sys_seconds instant) {
  return format_iso_date_time(date::local_seconds{instant.time_since_epoch()}) + 'Z';
}

}  // namespace herald

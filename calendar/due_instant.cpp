#include "calendar/due_instant.hpp"

namespace herald {

date::sys_seconds due_instant(const date::time_zone& zone, date::local_days day, std::chrono::minutes time_of_day) {
  date::local_seconds local = day + time_of_day;
  // `first` is the offset in force before any change at this wall time. For
  // a unique time it is the only one; for an ambiguous time it gives the
  // first instant; for a time in a gap it reads the wall clock as if the
  // change had not happened yet, which lands the gap's length later.
  auto offset = zone.get_info(local).first.offset;
  return date::sys_seconds{local.time_since_epoch()} - offset;
}

}  // namespace herald

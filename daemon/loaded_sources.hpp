#pragma once
// What one load of the config and its calendars gives the daemon: the
// config, the calendars, and each channel made ready to post. The plan
// points into `calendars` and each channel into `cfg`, so it never moves
// once made; in-flight deliveries keep the load they started with alive
// (a shared_ptr) across a reload.

#include <map>
#include <string>
#include <vector>

#include "calendar/calendar.hpp"
#include "daemon/channel.hpp"
#include "settings/config.hpp"

namespace herald {

struct loaded_sources {
  config cfg;
  std::vector<calendar> calendars;
  std::map<std::string, ready_channel, std::less<>> channels;
};

}  // namespace herald

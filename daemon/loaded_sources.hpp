#pragma once
// What one load of the config gives the parts that send: the config, and
// each channel made ready to post. Each channel points into `cfg`, so it
// never moves once made; in-flight deliveries keep the load they started
// with alive (a shared_ptr) across a reload.
//
// The calendars of the load are not here: they are the bulk of the
// daemon's memory, and the loop alone owns them (the plan points into
// them), so that a reload can drop them before it loads the new files
// (docs/daemon.md "Reloading") while a post in flight still holds its channel.

#include <map>
#include <string>

#include "daemon/channel.hpp"
#include "settings/config.hpp"

namespace herald {

struct loaded_sources {
  config cfg;
  std::map<std::string, ready_channel, std::less<>> channels;
};

}  // namespace herald

#pragma once
// What a reload changed, in words for the log (docs/daemon.md "Reloading"):
// the settings that wait for a restart, and the events added and removed.
// Pure: two loads in, text out.

#include <string>
#include <string_view>
#include <vector>

#include "calendar/calendar.hpp"
#include "settings/config.hpp"

namespace herald {

/// "delivery.timeout (10s → 30s), http.listen (none → 127.0.0.1:8470)": the
/// settings that change only when herald restarts (state_dir,
/// delivery.timeout, delivery.rate, http.listen), as they run and as the
/// files now say; "" when none changed. No secret is among them.
std::string restart_only_changes(const config& running, const config& loaded);

/// The ids of the events of `calendars`, sorted, each followed by a NUL:
/// what a reload keeps of the calendars it drops before it loads the new
/// ones, to say what changed. One block, not a string per id: 10 000 ids
/// are 0.45 MB this way and 0.8 MB as strings, held while the files load.
std::string event_ids(const std::vector<calendar>& calendars);

/// "; events added: a, b; removed: c" (at most 5 ids each, then "and N
/// more"); "" when `loaded` has the events of `running` (event_ids' block).
std::string event_changes(std::string_view running, const std::vector<calendar>& loaded);

}  // namespace herald

#pragma once
// What a reload changed, in words for the log (docs/daemon.md "Reloading"):
// the settings that wait for a restart, and the events added and removed.
// Pure: two loads in, text out.

#include <cstddef>
#include <functional>
#include <span>
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

/// The ids of the events of `calendars`, sorted and front-coded: each is
/// one byte, how many of its first bytes it shares with the id before it
/// (at most 255), then the rest of it and a NUL. What a reload keeps of the
/// calendars it drops before it loads the new ones, to say what changed;
/// it is kept through the load: the bench's 10 000 ids are 0.14 MB this
/// way, 0.44 MB whole, 0.8 MB as strings (docs/PERFORMANCE.md "2026-12-03,
/// evening: reload peak"), and in a file, not in memory, while the files
/// load (docs/PERFORMANCE.md "2026-12-03, seventh session: reload ids").
std::string event_ids(const std::vector<calendar>& calendars);

/// Reads event_ids' block back a piece at a time: copies its bytes from
/// `offset` on into the buffer, returns how many, 0 at its end. A reload
/// keeps the block out of the process while it loads (daemon/spilled_block.hpp).
using block_reader = std::function<std::size_t(std::size_t offset, std::span<char> buffer)>;

/// "; events added: a, b; removed: c" (at most 5 ids each, then "and N
/// more"); "" when `loaded` has the events of `running` (event_ids' block).
std::string event_changes(const block_reader& running, const std::vector<calendar>& loaded);
std::string event_changes(std::string_view running, const std::vector<calendar>& loaded);

}  // namespace herald

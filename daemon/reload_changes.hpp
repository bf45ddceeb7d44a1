#pragma once
// What a reload changed, in words for the log (docs/daemon.md "Reloading"):
// the settings that wait for a restart, and the events added and removed.
// Pure: two loads in, text out.

#include <string>

#include "daemon/loaded_sources.hpp"

namespace herald {

/// "delivery.timeout (10s → 30s), http.listen (none → 127.0.0.1:8470)": the
/// settings that change only when herald restarts (state_dir,
/// delivery.timeout, delivery.rate, http.listen), as they run and as the
/// files now say; "" when none changed. No secret is among them.
std::string restart_only_changes(const config& running, const config& loaded);

/// "; events added: a, b; removed: c" (at most 5 ids each, then "and N
/// more"); "" when the same event ids are loaded.
std::string event_changes(const loaded_sources& running, const loaded_sources& loaded);

}  // namespace herald

// Must NOT compile: scheduling/ is pure and does not read herald.yaml, so
// herald_scheduling cannot see settings' headers (docs/architecture.md).
#include "scheduling/scheduler.hpp"
#include "settings/config.hpp"

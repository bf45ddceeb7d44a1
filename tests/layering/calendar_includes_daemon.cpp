// Must NOT compile: calendar/ is below daemon/ in the flow
// (docs/architecture.md), so herald_calendar cannot see daemon's headers.
// tests/CMakeLists.txt builds this as a test that passes when the build fails.
#include "calendar/plan.hpp"
#include "daemon/logger.hpp"

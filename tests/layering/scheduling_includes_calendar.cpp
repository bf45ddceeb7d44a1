// Must compile: the control for the two probes beside it, so they fail for
// the layering and not for a broken probe build.
#include "calendar/plan.hpp"
#include "scheduling/scheduler.hpp"

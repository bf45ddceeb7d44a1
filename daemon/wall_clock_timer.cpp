#include "daemon/wall_clock_timer.hpp"

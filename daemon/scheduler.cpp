#include "daemon/scheduler.hpp"

#include "daemon/logger.hpp"

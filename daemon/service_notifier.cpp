#include "daemon/service_notifier.hpp"

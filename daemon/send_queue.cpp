#include "daemon/send_queue.hpp"

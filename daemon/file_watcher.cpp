#include "daemon/file_watcher.hpp"

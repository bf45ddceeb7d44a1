#pragma once
// Runs a shell command line for a test (python3 oracles, promtool,
// chromium) and gives back its exit status and standard output. The
// command's own limits (e.g. `timeout 60 …`) bound it.

#include <string>

namespace herald::test {

struct command_result {
  int status = -1;  ///< the exit status, or -1 when it did not exit normally
  std::string out;
};

/// `/bin/sh -c command`, its stdout read whole.
command_result run_shell(const std::string& command);

}  // namespace herald::test

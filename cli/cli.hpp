#pragma once
// The command line (docs/cli.md): parses arguments and runs a subcommand.
// Streams, the clock and the environment come in, so tests run it in-process.

#include <chrono>
#include <functional>
#include <iosfwd>
#include <string>

namespace herald {

struct cli_context {
  std::ostream& out;
  std::ostream& err;
  bool out_is_terminal = false;      ///< colour for the text table
  std::size_t terminal_columns = 0;  ///< width of the terminal; 0 when not one (no cutting)
  std::function<std::chrono::system_clock::time_point()> now = [] { return std::chrono::system_clock::now(); };
  std::function<const char*(const char*)> getenv = [](const char* name) -> const char* { return std::getenv(name); };
};

/// Exit status: 0 success, 2 invalid input, 1 any other failure.
int run_cli(int argc, const char* const* argv, cli_context& context);

/// run_cli() on the process's own streams and terminal: the body of both
/// executables' main().
int cli_main(int argc, char** argv);

}  // namespace herald

// herald: keeps an inclusion calendar and posts its campaigns.
#include <iostream>

#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/cli.hpp"
#include "text/terminal.hpp"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  herald::cli_context context{std::cout, std::cerr};
  context.out_is_terminal = herald::is_terminal(STDOUT_FILENO);
  if (winsize size{}; context.out_is_terminal && ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0)
    context.terminal_columns = size.ws_col;
  return herald::run_cli(argc, argv, context);
}

// herald run: the daemon (SPEC §5).
#include "daemon/commands.hpp"

#include <ostream>

namespace herald {

int run_command(const run_options&, cli_context& context) {
  context.err << "herald: error: 'herald run' is not built yet\n";
  return 1;
}

}  // namespace herald

// herald status: what the journal knows (SPEC §6).
#include "daemon/commands.hpp"

#include <ostream>

namespace herald {

int status_command(const status_options&, cli_context& context) {
  context.err << "herald: error: 'herald status' is not built yet\n";
  return 1;
}

}  // namespace herald

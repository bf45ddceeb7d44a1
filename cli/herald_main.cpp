// herald: runs `preview`, `validate`, `export`, `--help` and `--version`
// itself and hands every other command on to herald-daemon, with the same
// arguments, environment and process id (exec). Those commands need
// libcurl, SQLite and libsystemd; this executable is linked without them,
// so a preview does not map 48 shared libraries it never calls
// (docs/PERFORMANCE.md "2026-12-03").
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <ostream>
#include <system_error>

#include <unistd.h>

#include "cli/commands.hpp"

namespace herald {
namespace {

char** program_args = nullptr;

// herald-daemon beside herald (the build tree), else where the install
// puts it: <prefix>/libexec/herald/herald-daemon for <prefix>/bin/herald.
std::filesystem::path daemon_path() {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  auto dir = ec ? std::filesystem::path(".") : self.parent_path();
  auto beside = dir / "herald-daemon";
  if (std::filesystem::exists(beside, ec)) return beside;
  return dir.parent_path() / HERALD_LIBEXEC_SUBDIR / "herald-daemon";
}

int hand_on(cli_context& context) {
  auto path = daemon_path();
  context.out.flush();
  ::execv(path.c_str(), program_args);
  context.err << "herald: error: cannot run " << path.string() << ": " << std::strerror(errno) << "\n";
  return 1;
}

}  // namespace

int run_command(const run_options&, cli_context& context) { return hand_on(context); }
int status_command(const status_options&, cli_context& context) { return hand_on(context); }
int send_test_command(const send_test_options&, cli_context& context) { return hand_on(context); }
int skip_command(const operator_key_options&, cli_context& context) { return hand_on(context); }
int resend_command(const operator_key_options&, cli_context& context) { return hand_on(context); }
int pause_command(const operator_channel_options&, cli_context& context) { return hand_on(context); }
int resume_command(const operator_channel_options&, cli_context& context) { return hand_on(context); }
int journal_copy_command(const journal_copy_options&, cli_context& context) { return hand_on(context); }

}  // namespace herald

int main(int argc, char** argv) {
  herald::program_args = argv;
  return herald::cli_main(argc, argv);
}

// herald-daemon: every command, `run`, `status`, `send-test` and the
// operators' commands among them. `herald` hands those on to it
// (cli/hand_on.cpp).
#include "cli/cli.hpp"

int main(int argc, char** argv) { return herald::cli_main(argc, argv); }
